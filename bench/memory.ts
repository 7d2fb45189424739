/**
 * Peak memory of a training worker on a large 224×224 colour Dataset:
 * `npx tsx bench/memory.ts [--json] [--images 20000] [--iterations 200] [--minutes 10] [--batch 64] [--data-dir D]`
 *
 * 1. Generates N (default 20,000) colour JPEGs of varied sizes (224–400 px a side: sharp's Gaussian
 *    noise at 24×20, scaled up into smooth blobs, a class-dependent mean) once into $TMPDIR/osprey-bench/memory-224-N (reused; a marker says
 *    it is whole).
 * 2. Opens the services on a fresh data folder, scans the folder (scan worker), then starts a real Run
 *    as the app does — default colour model (compact-resnet), 224×224, batch 64, wasm — in a real
 *    training worker: it decodes the images once into the cache (20,000 × 150 KB = 3 GB, more than
 *    the in-memory limit, so batches stream from disk), then trains.
 * 3. Polls the worker's /proc status every 250 ms: VmHWM (peak resident set) and VmRSS, per phase
 *    (preparing, training). After `--iterations` Iterations or `--minutes`, whichever is first, the
 *    worker is killed (a stop would evaluate 5,000 held-out images first: minutes, and not the peak).
 * `--data-dir D` keeps the data folder (scan and decode cache) in D for the next run instead of a
 * fresh temporary one, so a second run (another batch size) skips the scan and the cache build.
 * Prints a table; with --json the last line is one JSON object.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { Random } from '../src-main/pipeline/random'
import { createServices } from '../src-main/services'
import { children } from './lib/children'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
const json = args.includes('--json')
const IMAGES = flag('--images', 20_000)
const ITERATIONS = flag('--iterations', 200)
const MINUTES = flag('--minutes', 10)
const BATCH = flag('--batch', 64)
const CLASSES = 10
const keptDataDir = args.includes('--data-dir') ? args[args.indexOf('--data-dir') + 1] : null
const note = (m: string) => console.error(`[bench:memory] ${m}`)

async function dataset(): Promise<string> {
  const root = join(tmpdir(), 'osprey-bench', `memory-224-${IMAGES}`)
  if (existsSync(join(root, '.complete'))) return root
  note(`generating ${IMAGES} JPEGs in ${root}`)
  const rng = new Random(7)
  for (let c = 0; c < CLASSES; c++) mkdirSync(join(root, `class-${c}`), { recursive: true })
  for (let i = 0; i < IMAGES; i++) {
    const c = i % CLASSES
    const [width, height] = [Math.round(rng.uniform(224, 400)), Math.round(rng.uniform(224, 400))]
    // Coarse noise scaled up: photo-like smooth blobs, fast to make and to decode.
    const small = await sharp({ create: { width: 24, height: 20, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 40 + c * 18, sigma: 50 } } })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const jpeg = await sharp(small.data, { raw: small.info }).resize(width, height).jpeg({ quality: 85 }).toBuffer()
    writeFileSync(join(root, `class-${c}`, `${String(i).padStart(5, '0')}.jpg`), jpeg)
    if (i % 2000 === 0) note(`${i}/${IMAGES}`)
  }
  writeFileSync(join(root, '.complete'), '')
  return root
}

async function main(): Promise<void> {
  const folder = await dataset()
  const dataDir = keptDataDir ?? mkdtempSync(join(tmpdir(), 'osprey-bench-memory-data-'))
  mkdirSync(dataDir, { recursive: true })
  const load = loadavg()[0]
  const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  try {
    note('scanning')
    let t = Date.now()
    await services.datasets.scan(folder)
    const scanS = (Date.now() - t) / 1000
    await new Promise((r) => setTimeout(r, 500)) // the scan worker exits

    note(`training: compact-resnet 224×224, batch ${BATCH}, wasm; up to ${ITERATIONS} Iterations or ${MINUTES} min`)
    t = Date.now()
    let phase: 'preparing' | 'training' = 'preparing'
    let iterations = 0
    let preparedAt = 0
    const peak = { preparing: 0, training: 0 }
    let lastRss = 0
    let imagesPerSecond = 0
    const run = await services.training.start({ folder, model: 'compact-resnet', imageSize: 224, batchSize: BATCH, epochs: 1, backend: 'wasm', seed: 1, earlyStopping: 0 })
    const offStatus = services.events.on('runs.status', ({ run: r }) => {
      if (r.id !== run.id || phase === 'training' || r.status !== 'running') return
      phase = 'training' // the cache is built and the backend started: the first Iteration begins
      preparedAt = Date.now()
    })
    const off = services.events.on('runs.iteration', (m) => {
      if (m.runId !== run.id) return
      iterations = m.iteration
      imagesPerSecond = m.imagesPerSecond
    })
    let logged = 0
    const poll = setInterval(() => {
      for (const child of children()) {
        peak[phase] = Math.max(peak[phase], child.hwm)
        lastRss = child.rss
      }
      if (Date.now() - logged > 15_000) {
        logged = Date.now()
        note(`${Math.round((Date.now() - t) / 1000)} s: ${phase}, Iteration ${iterations}, worker RSS ${Math.round(lastRss / 2 ** 20)} MB`)
      }
    }, 250)
    while (iterations < ITERATIONS && Date.now() - t < MINUTES * 60_000 && services.training.get(run.id).status !== 'failed') await new Promise((r) => setTimeout(r, 500))
    clearInterval(poll)
    for (const child of children()) peak[phase] = Math.max(peak[phase], child.hwm)
    off()
    offStatus()
    const status = services.training.get(run.id)
    for (const child of children()) process.kill(child.pid, 'SIGKILL')
    await services.training.finished(run.id)

    const result = {
      date: new Date().toISOString(),
      images: IMAGES,
      loadAverage1mBefore: Math.round(load * 100) / 100,
      loadAverage1mAfter: Math.round(loadavg()[0] * 100) / 100,
      scanSeconds: Math.round(scanS),
      prepareSeconds: Math.round(((preparedAt || Date.now()) - t) / 1000),
      batch: BATCH,
      iterations,
      trainingSeconds: preparedAt ? Math.round((Date.now() - preparedAt) / 1000) : 0,
      imagesPerSecond: Math.round(imagesPerSecond * 10) / 10,
      peakRssPreparingMB: Math.round(peak.preparing / 2 ** 20),
      peakRssTrainingMB: Math.round(peak.training / 2 ** 20),
      peakRssMB: Math.round(Math.max(peak.preparing, peak.training) / 2 ** 20),
      lastRssMB: Math.round(lastRss / 2 ** 20),
      status: status.status,
      error: status.error
    }
    const line = (name: string, value: string) => console.log(`${name.padEnd(56)} ${value}`)
    line(`figure (${IMAGES} JPEGs, compact-resnet 224×224×3, batch ${BATCH}, wasm)`, 'value')
    line('scan', `${result.scanSeconds} s`)
    line('preparation (decode cache build) in the worker', `${result.prepareSeconds} s, peak ${result.peakRssPreparingMB} MB`)
    line('training Iterations measured', `${result.iterations} in ${result.trainingSeconds} s (${result.imagesPerSecond} images/s), peak ${Math.round(peak.training / 2 ** 20)} MB`)
    line('training worker peak RSS (target ≤ 2048 MB)', `${result.peakRssMB} MB ${result.peakRssMB <= 2048 ? 'PASS' : 'FAIL'}`)
    line('load average (1 min) before / after', `${result.loadAverage1mBefore} / ${result.loadAverage1mAfter}`)
    if (result.error) line('Run error', result.error)
    if (json) console.log(JSON.stringify(result))
  } finally {
    services.close()
    if (!keptDataDir) rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
