/**
 * Transfer learning, measured (issue: pretrained backbones). `npm run bench:transfer -- --task T [--json]`
 *
 *   quick     3 classes × 60 photo-like colour images (bench/colour-shapes.ts, 96–160 px, seed 2026):
 *             `osprey train <folder> --json` with the CLI defaults, end to end (the scan before it is
 *             not counted), built CLI (npm run build first); the wall time and validation accuracy.
 *             `--contrast` also trains yesterday's from-scratch default (compact-resnet, its defaults).
 *   embed     `--images N` (1,000) such images: a pretrained Run's feature computation at 224 px on a
 *             fresh data folder (both cores), images/s as the Run reports it, and the training
 *             worker's peak resident memory (VmHWM, polled every 250 ms).
 *   finetune  the 3 × 60 set: the head for 5 Epochs, then the last `--blocks B` (3) blocks for
 *             `--epochs E` (3) Epochs at 224 px; fine-tuning images/s (training images × Epochs over
 *             the fine-tuning Epochs' time) and validation accuracy; then PyTorch on the same blocks
 *             (bench/reference/torch_mobilenet.py, 2 threads) right after, for the ratio.
 *   phone     the quick task's 3 × 60 set as phone photos: each image enlarged to 4032 × 3024 (a third
 *             portrait, stored sideways with EXIF orientation 6, as phones write them), with film grain,
 *             JPEG q90 (~3 MB each); `osprey datasets scan` and `osprey train` (CLI defaults) timed on
 *             the phone set and on the small originals one after the other, for the ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { createServices } from '../src-main/services'
import { writeShapeDataset } from './colour-shapes'

const { values } = parseArgs({
  options: {
    task: { type: 'string', default: 'quick' },
    json: { type: 'boolean' },
    contrast: { type: 'boolean' },
    images: { type: 'string', default: '1000' },
    blocks: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '3' }
  }
})
const note = (m: string) => console.error(`[bench:transfer] ${m}`)
const cli = resolve('bin/osprey.mjs')

/** The photo-like set of `perClass` images per class, made once per size in the temp folder. */
async function shapes(perClass: number, classes = 3): Promise<string> {
  const folder = join(tmpdir(), 'osprey-bench', `colour-shapes-${classes}x${perClass}`)
  if (!existsSync(join(folder, '.complete'))) {
    note(`generating ${classes} × ${perClass} images in ${folder}`)
    await writeShapeDataset(folder, { classes: (['circle', 'triangle', 'star', 'square', 'cross', 'crescent'] as const).slice(0, classes), perClass, seed: 2026 })
    execFileSync('touch', [join(folder, '.complete')])
  }
  return folder
}

/** `osprey <args>` with the built CLI; its last JSON line and the wall time. */
function osprey(args: string[]): { result: Record<string, unknown>; seconds: number } {
  const t = Date.now()
  const out = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 })
  const seconds = (Date.now() - t) / 1000
  const lines = out.stdout.trim().split('\n')
  return { result: JSON.parse(lines.at(-1) ?? '{}'), seconds }
}

async function quick() {
  if (!existsSync('out/main/cli.js')) throw new Error('Build first: npm run build')
  const folder = await shapes(60)
  const runOnce = (model?: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-bench-transfer-'))
    osprey(['datasets', 'scan', folder, '--data-dir', dataDir]) // not counted
    const { result, seconds } = osprey(['train', folder, '--data-dir', dataDir, ...(model ? ['--model', model] : [])])
    rmSync(dataDir, { recursive: true, force: true })
    return { model: model ?? 'auto (pretrained)', seconds: Math.round(seconds * 10) / 10, valAccuracy: result.val_accuracy, epochs: result.epochs_done, status: result.status }
  }
  const rows = [runOnce()]
  if (values.contrast) rows.push(runOnce('compact-resnet'))
  return { task: 'quick', images: 180, rows, target: { seconds: 60, valAccuracy: 0.95 }, pass: rows[0].seconds <= 60 && Number(rows[0].valAccuracy) >= 0.95 }
}

/** The quick task's set enlarged to phone photos (see the top), made once in the temp folder. */
async function phonePhotos(small: string): Promise<string> {
  const folder = join(tmpdir(), 'osprey-bench', 'phone-photos-3x60')
  if (existsSync(join(folder, '.complete'))) return folder
  note(`enlarging ${small} to 12-megapixel photos in ${folder} (a few minutes)`)
  const [w, h] = [4032, 3024]
  // One grain for every photo, raw (encoding 12 megapixels of noise per photo would take most of the time).
  const grain = await sharp({ create: { width: w, height: h, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 24 } } })
    .raw()
    .toBuffer()
  let n = 0
  for (const cls of readdirSync(small).filter((d) => !d.startsWith('.'))) {
    mkdirSync(join(folder, cls), { recursive: true })
    for (const file of readdirSync(join(small, cls))) {
      const portrait = n++ % 3 === 0
      const photo = await sharp(join(small, cls, file))
        .resize(portrait ? h : w, portrait ? w : h, { fit: 'fill', kernel: 'cubic' })
        .composite([{ input: grain.subarray(0, w * h * 3), raw: { width: portrait ? h : w, height: portrait ? w : h, channels: 3 }, blend: 'soft-light' }])
        .png({ compressionLevel: 0 })
        .toBuffer()
      const stored = portrait ? sharp(photo).rotate(-90).withMetadata({ orientation: 6 }) : sharp(photo)
      await stored.jpeg({ quality: 90 }).toFile(join(folder, cls, file.replace(/\.\w+$/, '.jpg')))
    }
  }
  execFileSync('touch', [join(folder, '.complete')])
  return folder
}

async function phone() {
  if (!existsSync('out/main/cli.js')) throw new Error('Build first: npm run build')
  const small = await shapes(60)
  const photos = await phonePhotos(small)
  const measure = (folder: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-bench-transfer-'))
    const scan = osprey(['datasets', 'scan', folder, '--data-dir', dataDir])
    const train = osprey(['train', folder, '--data-dir', dataDir])
    rmSync(dataDir, { recursive: true, force: true })
    const megabytes = readdirSync(folder)
      .filter((d) => !d.startsWith('.'))
      .flatMap((cls) => readdirSync(join(folder, cls)).map((f) => statSync(join(folder, cls, f)).size))
      .reduce((a, b) => a + b, 0)
    return { scanSeconds: Math.round(scan.seconds * 10) / 10, trainSeconds: Math.round(train.seconds * 10) / 10, valAccuracy: train.result.val_accuracy, megabytes: Math.round(megabytes / 2 ** 20) }
  }
  const phoneRow = measure(photos)
  const smallRow = measure(small)
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10
  return {
    task: 'phone',
    images: 180,
    phone: phoneRow,
    small: smallRow,
    ratio: { scan: ratio(phoneRow.scanSeconds, smallRow.scanSeconds), train: ratio(phoneRow.trainSeconds, smallRow.trainSeconds) }
  }
}

/** Child processes of this process, with their peak resident set in bytes. */
function children(): { pid: number; hwm: number }[] {
  const found: { pid: number; hwm: number }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0) * 1024
      found.push({ pid: Number(entry), hwm })
    } catch {
      // it ended between listing and reading
    }
  }
  return found
}

/** A Run through the services with its status messages and the worker's peak memory. */
async function serviceRun(folder: string, request: Record<string, unknown>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-bench-transfer-'))
  const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  try {
    await services.datasets.scan(folder)
    await new Promise((r) => setTimeout(r, 500)) // the scan worker exits
    const messages: string[] = []
    services.events.on('runs.status', (s) => s.message && !s.message.startsWith('Preparing') && messages.push(s.message))
    let peak = 0
    const poll = setInterval(() => children().forEach((c) => (peak = Math.max(peak, c.hwm))), 250)
    const run = await services.training.start({ folder, backend: 'wasm', seed: 1, ...request })
    const done = await services.training.finished(run.id)
    clearInterval(poll)
    return { done, detail: services.training.get(run.id), messages, peakMB: Math.round(peak / 2 ** 20) }
  } finally {
    services.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function embed() {
  const n = Number(values.images)
  const perClass = Math.ceil(n / 4)
  const folder = await shapes(perClass, 4)
  const load = loadavg()[0]
  const { done, messages, peakMB } = await serviceRun(folder, { epochs: 1, imageSize: 224 })
  const line = messages.find((m) => m.startsWith('Computed the features'))
  const imagesPerSecond = Number(/\((\d+) images\/s\)/.exec(line ?? '')?.[1] ?? NaN)
  return {
    task: 'embed',
    images: perClass * 4,
    size: 224,
    status: done.status,
    imagesPerSecond,
    workerPeakMB: peakMB,
    loadAverage1mBefore: Math.round(load * 100) / 100,
    target: { imagesPerSecond: 40, workerPeakMB: 1024 },
    pass: imagesPerSecond >= 40 && peakMB <= 1024
  }
}

async function finetune() {
  const blocks = Number(values.blocks)
  const epochs = Number(values.epochs)
  const folder = await shapes(60)
  const { done, detail, peakMB } = await serviceRun(folder, { epochs: 5, earlyStopping: 0, fineTuneBlocks: blocks, fineTuneEpochs: epochs, imageSize: 224 })
  const tuning = detail.epochMetrics.slice(5)
  const seconds = tuning.reduce((s, e) => s + e.durationMs, 0) / 1000
  const studio = ((detail.split?.train ?? 0) * tuning.length) / seconds
  note('PyTorch on the same blocks (2 threads)')
  const torch = JSON.parse(
    execFileSync('/usr/bin/python3', ['bench/reference/torch_mobilenet.py', '--size', '224', '--blocks', String(blocks), '--images', '256', '--batch', '32', '--threads', '2'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!
  )
  return {
    task: 'finetune',
    blocks,
    epochs,
    status: done.status,
    valAccuracy: done.valAccuracy,
    studioImagesPerSecond: Math.round(studio * 10) / 10,
    note: 'studio: an Epoch = its training images through augmentation, the trunk and the top, plus validation',
    torchFineTuneImagesPerSecond: Math.round(torch.fine_tune_images_per_second * 10) / 10,
    ratio: Math.round((studio / torch.fine_tune_images_per_second) * 100) / 100,
    torchEmbedImagesPerSecond: Math.round(torch.embed_images_per_second * 10) / 10,
    workerPeakMB: peakMB
  }
}

const task = { quick, embed, finetune, phone }[values.task as 'quick' | 'embed' | 'finetune' | 'phone']
if (!task) throw new Error('--task quick|embed|finetune|phone')
const result = { date: new Date().toISOString(), ...(await task()) }
if (!values.json) console.log(JSON.stringify(result, null, 2))
else console.log(JSON.stringify(result))
