/**
 * Training pipeline benchmark (not a timed test): `npx tsx bench/pipeline.ts [--json] [--consumer N]`.
 *
 * 1. Generates, once, 500 photo-like 320×240 JPEGs (gradients, shapes, noise) in 5 class folders
 *    under os.tmpdir()/osprey-bench/pipeline-photos, reused by later runs.
 * 2. Builds the decoded-image cache at 224×224×3 into a fresh folder (cache build rate), then
 *    opens it again (what a second Run pays).
 * 3. Measures the BatchLoader with DEFAULT_AUGMENTATION and standardize normalization, batch 32:
 *    images/s with batches made in this thread and in the worker thread, with a consumer that
 *    takes nothing (the loader alone) and with one that keeps the main thread busy as a model
 *    at N images/s would (default 200), reporting how long that consumer waited for batches.
 *    Also evaluation batches (no augmentation) and augmentImage alone.
 * Prints a table; with --json the last line is one JSON object.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { DEFAULT_AUGMENTATION, augmentImage } from '../src-main/pipeline/augment'
import { buildImageCache, ImageCache } from '../src-main/pipeline/cache'
import { BatchLoader } from '../src-main/pipeline/loader'
import { normalizationStats } from '../src-main/pipeline/normalize'
import { Random, rngFor } from '../src-main/pipeline/random'
import { labelImages, splitDataset } from '../src-main/pipeline/split'

const IMAGES = 500
const CLASSES = 5
const SIZE = 224
const BATCH = 32
const EPOCHS = 2

const args = process.argv.slice(2)
const json = args.includes('--json')
const consumerAt = args.includes('--consumer') ? Number(args[args.indexOf('--consumer') + 1]) : 200
if (!(consumerAt > 0)) throw new Error('--consumer needs images per second, like --consumer 200')
const note = (m: string) => console.error(`[bench:pipeline] ${m}`)

/** A 320×240 photo-like JPEG: a colour gradient, a class-coloured disc, and noise. */
async function photo(i: number): Promise<Buffer> {
  const w = 320,
    h = 240
  const rng = new Random(i)
  const px = Buffer.alloc(w * h * 3)
  const hue = (i % CLASSES) / CLASSES
  const [cx, cy, r] = [rng.uniform(80, 240), rng.uniform(60, 180), rng.uniform(30, 80)]
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r
      const base = [x / w, y / h, 1 - x / w].map((v, c) => (inside ? 0.5 + 0.5 * Math.sin(2 * Math.PI * (hue + c / 3)) : v))
      for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, base[c] * 255 + rng.normal() * 12))
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer()
}

async function photos(): Promise<{ root: string; files: { path: string; class: string }[] }> {
  const root = join(tmpdir(), 'osprey-bench', 'pipeline-photos')
  const files = Array.from({ length: IMAGES }, (_, i) => ({ path: `class-${i % CLASSES}/${String(i).padStart(4, '0')}.jpg`, class: `class-${i % CLASSES}` }))
  files.sort((a, b) => a.path.localeCompare(b.path))
  if (!existsSync(join(root, 'complete'))) {
    note(`generating ${IMAGES} JPEGs in ${root}`)
    for (let i = 0; i < IMAGES; i++) {
      const path = `class-${i % CLASSES}/${String(i).padStart(4, '0')}.jpg`
      mkdirSync(join(root, `class-${i % CLASSES}`), { recursive: true })
      writeFileSync(join(root, path), await photo(i))
    }
    writeFileSync(join(root, 'complete'), '')
  }
  return { root, files }
}

/** Keeps this thread busy for `ms`, as a model's forward and backward pass would. */
function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {}
}

async function measureLoader(loader: BatchLoader, consumerMsPerImage: number): Promise<{ imagesPerSecond: number; waitedShare: number }> {
  let images = 0
  let waited = 0
  const start = performance.now()
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    let asked = performance.now()
    for await (const batch of loader.epoch(epoch)) {
      waited += performance.now() - asked
      images += batch.y.length
      busy(batch.y.length * consumerMsPerImage)
      asked = performance.now()
    }
  }
  const total = performance.now() - start
  return { imagesPerSecond: (images / total) * 1000, waitedShare: waited / total }
}

async function main(): Promise<void> {
  const { root, files } = await photos()
  const cacheDir = mkdtempSync(join(tmpdir(), 'osprey-bench-cache-'))
  try {
    note('building the 224×224×3 cache')
    let t = performance.now()
    const cache = await buildImageCache({ root, files, fingerprint: 'bench-pipeline', size: SIZE, channels: 3, cacheDir })
    const buildS = (performance.now() - t) / 1000
    await cache.close()
    t = performance.now()
    const reopened = await ImageCache.open(cache.file)
    const reuseMs = performance.now() - t
    const { images } = labelImages(files)
    const split = splitDataset(images, { seed: 1 })
    t = performance.now()
    const stats = await normalizationStats('standardize', reopened, split.train)
    const statsMs = performance.now() - t
    const labels = images.map((i) => i.label)

    // augmentImage alone, this thread: the CPU cost per image.
    const record = new Uint8Array(reopened.header.recordBytes)
    await reopened.read([0], record)
    const out = new Float32Array(record.length)
    t = performance.now()
    for (let i = 0; i < 300; i++) augmentImage(record, SIZE, SIZE, 3, DEFAULT_AUGMENTATION, rngFor(1, 0, i), out)
    const augmentPerS = 300 / ((performance.now() - t) / 1000)

    const rows: Record<string, { imagesPerSecond: number; waitedShare: number }> = {}
    for (const worker of [false, true]) {
      for (const consumer of [0, 1000 / consumerAt]) {
        const loader = new BatchLoader({ cache: reopened, labels, train: split.train, batchSize: BATCH, seed: 1, augmentation: DEFAULT_AUGMENTATION, stats, worker, prefetch: 2 })
        note(`loader: ${worker ? 'worker thread' : 'this thread'}, consumer ${consumer ? `${consumerAt} img/s` : 'none'}`)
        await measureLoader(loader, 0) // warm-up (JIT, worker start)
        rows[`${worker ? 'worker' : 'inThread'}${consumer ? 'WithConsumer' : 'Alone'}`] = await measureLoader(loader, consumer)
        await loader.close()
      }
    }
    const evalLoader = new BatchLoader({ cache: reopened, labels, train: split.train, batchSize: BATCH, seed: 1, augmentation: DEFAULT_AUGMENTATION, stats, worker: true })
    t = performance.now()
    let evaluated = 0
    for (let r = 0; r < 3; r++) for await (const b of evalLoader.evalBatches(images.map((_, i) => i))) evaluated += b.y.length
    const evalPerS = evaluated / ((performance.now() - t) / 1000)
    await evalLoader.close()
    await reopened.close()

    const result = {
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown' },
      images: IMAGES,
      size: `${SIZE}x${SIZE}x3`,
      cacheBuildImagesPerSecond: Math.round(IMAGES / buildS),
      cacheReopenMs: Math.round(reuseMs),
      standardizeStatsMs: Math.round(statsMs),
      augmentImagePerSecond: Math.round(augmentPerS),
      consumerImagesPerSecond: consumerAt,
      loader: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { imagesPerSecond: Math.round(v.imagesPerSecond), waitedShare: Math.round(v.waitedShare * 1000) / 1000 }])),
      evalImagesPerSecond: Math.round(evalPerS)
    }
    const line = (name: string, value: string) => console.log(`${name.padEnd(52)} ${value}`)
    line(`figure (batch ${BATCH}, default augmentation, consumer ${consumerAt} img/s)`, 'value')
    line(`cache build (${IMAGES} JPEG 320×240 → ${SIZE}×${SIZE}×3)`, `${result.cacheBuildImagesPerSecond} images/s`)
    line('cache reopen (second Run)', `${result.cacheReopenMs} ms`)
    line('standardize statistics (training split)', `${result.standardizeStatsMs} ms`)
    line('augmentImage alone, DEFAULT_AUGMENTATION', `${result.augmentImagePerSecond} images/s`)
    for (const [k, v] of Object.entries(result.loader)) {
      const waited = k.endsWith('WithConsumer') ? `, consumer waited ${(v.waitedShare * 100).toFixed(1)}% of the time` : ''
      line(`loader ${k}`, `${v.imagesPerSecond} images/s${waited}`)
    }
    line('evaluation batches (worker, no augmentation)', `${result.evalImagesPerSecond} images/s`)
    if (json) console.log(JSON.stringify(result))
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
}

await main()
