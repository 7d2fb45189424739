/**
 * Does the input pipeline keep up with the model? `npx tsx bench/pipeline-model.ts [--json] [--images N] [--steps S]`
 *
 * In one run, on one machine state:
 * 1. Generates N (default 2,000) synthetic colour JPEGs of varied sizes (160–640 × 120–480, quality
 *    80–95; sharp's Gaussian noise at 24×18 scaled up) into a fresh temporary folder (removed at the
 *    end), in 5 class folders.
 * 2. Builds the 224×224×3 decode cache (as a Run's preparation does).
 * 3. The loader alone: BatchLoader with its worker thread, DEFAULT_AUGMENTATION, standardize, batch
 *    64, a consumer that takes nothing — images/s over two Epochs after a warm-up Epoch.
 * 4. The model's consumption: the default colour model (compact-resnet; defaultConfig picks it for
 *    images over 64 px) at 224×224×3, batch 64, Adam, trained by the real trainer (engine/trainer.ts)
 *    on the best backend here (wasm, 2 threads as in a Run) from an in-memory batch, so no loading
 *    counts: S (default 8) timed steps after 2 warm-up steps; consumption = steps/s × batch.
 * 5. Both together: the trainer fed by the loader for S steps — the share of time it waited for a batch.
 * Prints a table and the ratio loader ÷ model (target ≥ 2); with --json the last line is one object.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { initBackend } from '../src-main/engine/backend'
import { buildModel } from '../src-main/engine/models'
import { createOptimizer } from '../src-main/engine/optimizers'
import type { StepBatch } from '../src-main/engine/step'
import { train, type TrainingData } from '../src-main/engine/trainer'
import { DEFAULT_AUGMENTATION } from '../src-main/pipeline/augment'
import { buildImageCache } from '../src-main/pipeline/cache'
import { BatchLoader } from '../src-main/pipeline/loader'
import { normalizationStats } from '../src-main/pipeline/normalize'
import { Random } from '../src-main/pipeline/random'
import { labelImages, splitDataset } from '../src-main/pipeline/split'

const SIZE = 224
const BATCH = 64
const CLASSES = 5
const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
const json = args.includes('--json')
const IMAGES = flag('--images', 2000)
const STEPS = flag('--steps', 8)
const note = (m: string) => console.error(`[bench:pipeline-model] ${m}`)

/** A photo-like JPEG of a random size: coarse noise around a class colour, scaled up into smooth blobs. */
async function photo(i: number): Promise<Buffer> {
  const rng = new Random(1000 + i)
  const w = Math.round(rng.uniform(160, 640))
  const h = Math.round(rng.uniform(120, 480))
  const small = await sharp({ create: { width: 24, height: 18, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 50 + (i % CLASSES) * 35, sigma: 45 } } })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return sharp(small.data, { raw: small.info })
    .resize(w, h)
    .jpeg({ quality: Math.round(rng.uniform(80, 95)) })
    .toBuffer()
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'osprey-bench-pm-'))
  const load = loadavg()[0]
  try {
    note(`generating ${IMAGES} JPEGs in ${root} (load average ${load.toFixed(2)})`)
    let t = performance.now()
    const files = Array.from({ length: IMAGES }, (_, i) => ({ path: `class-${i % CLASSES}/${String(i).padStart(5, '0')}.jpg`, class: `class-${i % CLASSES}` })).sort((a, b) =>
      a.path.localeCompare(b.path)
    )
    for (let i = 0; i < CLASSES; i++) mkdirSync(join(root, `class-${i}`))
    for (let i = 0; i < IMAGES; i++) writeFileSync(join(root, `class-${i % CLASSES}/${String(i).padStart(5, '0')}.jpg`), await photo(i))
    const generateS = (performance.now() - t) / 1000

    note('building the 224×224×3 cache')
    t = performance.now()
    const cache = await buildImageCache({ root, files, fingerprint: `bench-pm-${IMAGES}`, size: SIZE, channels: 3, cacheDir: join(root, '.cache') })
    const cachePerS = IMAGES / ((performance.now() - t) / 1000)
    const { images } = labelImages(files)
    const split = splitDataset(images, { seed: 1 })
    const stats = await normalizationStats('standardize', cache, split.train)
    const labels = images.map((i) => i.label)
    const loader = new BatchLoader({ cache, labels, train: split.train, batchSize: BATCH, seed: 1, augmentation: DEFAULT_AUGMENTATION, stats, worker: true, prefetch: 2 })

    note('loader alone (worker thread, default augmentation, batch 64)')
    for await (const b of loader.epoch(1)) void b // warm-up: JIT, worker start
    t = performance.now()
    let delivered = 0
    for (const epoch of [2, 3]) for await (const b of loader.epoch(epoch)) delivered += b.y.length
    const loaderPerS = delivered / ((performance.now() - t) / 1000)

    note(`model: compact-resnet ${SIZE}×${SIZE}×3, batch ${BATCH}, wasm; ${STEPS} timed steps after 2 warm-up`)
    const backend = await initBackend('wasm')
    const { tf } = backend
    const model = buildModel(tf, 'compact-resnet', { size: SIZE, channels: 3, classes: CLASSES }, 1)
    const fixed = (await loader.evalBatches(split.train.slice(0, BATCH))[Symbol.asyncIterator]().next()).value as StepBatch & { size?: number }
    const batch: StepBatch = { x: fixed.x, y: fixed.y, size: fixed.y.length }
    const stamps: number[] = []
    let waited = 0
    const run = async (batches: (epoch: number) => AsyncIterable<StepBatch>, steps: number) => {
      stamps.length = 0
      const data: TrainingData = {
        classes: Array.from({ length: CLASSES }, (_, i) => `class-${i}`),
        inputShape: [SIZE, SIZE, 3],
        trainCount: steps * BATCH,
        validationCount: 0,
        trainBatches: batches,
        async *validationBatches() {}
      }
      const config = { epochs: 1, batchSize: BATCH, learningRate: 1e-3, weightDecay: 0, schedule: 'constant' as const, earlyStopping: 0 }
      await train(tf, model, createOptimizer(tf, 'adam', 1e-3), data, config, {
        onIteration: () => stamps.push(performance.now()),
        onEpoch: () => {},
        control: { waitWhilePaused: async () => {}, stopRequested: () => false }
      })
      // Steps after the first two (warm-up: kernel set-up, first allocations).
      return ((stamps.length - 3) * BATCH) / ((stamps.at(-1)! - stamps[2]) / 1000)
    }
    const modelPerS = await run(async function* () {
      for (let s = 0; s < STEPS + 2; s++) yield batch
    }, STEPS + 2)

    note('trainer fed by the loader')
    const fedPerS = await run(async function* () {
      let asked = performance.now()
      let n = 0
      for await (const b of loader.epoch(4)) {
        if (n >= 2) waited += performance.now() - asked // after warm-up, like the timing above
        yield { x: b.x, y: b.y, size: b.y.length }
        asked = performance.now()
        if (++n >= STEPS + 2) return
      }
    }, STEPS + 2)
    const fedMs = stamps.at(-1)! - stamps[2]
    model.dispose()
    backend.dispose()
    await loader.close()
    await cache.close()

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', loadAverage1mBefore: Math.round(load * 100) / 100, loadAverage1mAfter: Math.round(loadavg()[0] * 100) / 100 },
      images: IMAGES,
      generateSeconds: Math.round(generateS),
      cacheBuildImagesPerSecond: Math.round(cachePerS),
      loaderImagesPerSecond: Math.round(loaderPerS),
      modelImagesPerSecond: Math.round(modelPerS * 10) / 10,
      modelStepsPerSecond: Math.round((modelPerS / BATCH) * 1000) / 1000,
      ratio: Math.round((loaderPerS / modelPerS) * 10) / 10,
      trainingFedByLoaderImagesPerSecond: Math.round(fedPerS * 10) / 10,
      trainingWaitedShare: Math.round((waited / fedMs) * 1000) / 1000,
      backend: backend.name,
      threads: backend.threads
    }
    const line = (name: string, value: string) => console.log(`${name.padEnd(60)} ${value}`)
    line(`figure (${IMAGES} JPEGs → ${SIZE}×${SIZE}×3, batch ${BATCH}, DEFAULT_AUGMENTATION)`, 'value')
    line('cache build (decode + resize once)', `${result.cacheBuildImagesPerSecond} images/s`)
    line('loader alone (worker thread)', `${result.loaderImagesPerSecond} images/s`)
    line(`model consumption (compact-resnet, ${result.backend} ${result.threads} threads)`, `${result.modelImagesPerSecond} images/s (${result.modelStepsPerSecond} steps/s × ${BATCH})`)
    line('ratio loader ÷ model (target ≥ 2)', `${result.ratio}× ${result.ratio >= 2 ? 'PASS' : 'FAIL'}`)
    line('trainer fed by the loader', `${result.trainingFedByLoaderImagesPerSecond} images/s, waited ${(result.trainingWaitedShare * 100).toFixed(1)}% of the time`)
    line('load average (1 min) before / after', `${result.machine.loadAverage1mBefore} / ${result.machine.loadAverage1mAfter}`)
    if (json) console.log(JSON.stringify(result))
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
