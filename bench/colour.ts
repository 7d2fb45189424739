/**
 * compact-resnet on colour images, as the app trains it, against PyTorch in the same invocation:
 *
 *   npx tsx bench/colour.ts [--json] [--size 64|128] [--batch 64] [--iterations 6] [--runs 1]
 *                           [--torch-images 640] [--no-torch] [--data-dir D]
 *
 * 1. Makes a photo-like colour Dataset (bench/colour-shapes.ts, 3 classes) once in
 *    $TMPDIR/osprey-bench/colour-shapes-N (reused; a marker says it is whole), big enough that one
 *    Epoch holds the Iterations measured.
 * 2. Each run opens the services on one data folder (scanned once; the decode cache is built by the
 *    first run), starts a Run — compact-resnet, --size, --batch, wasm, two data-parallel replicas
 *    as the app gives a Run on this machine — in a real training worker, and polls the worker's
 *    /proc status every 250 ms for VmHWM (peak resident set). images/s is timed from the end of the
 *    first Iteration (warm-up, as PyTorch's untimed step) to the end of Iteration 1 + --iterations;
 *    then the worker is killed (a stop would evaluate first).
 * 3. Right after each studio run, bench/reference/torch_resnet.py (the same network in PyTorch, 2
 *    threads, batch --batch) trains on --torch-images random images; the ratios are of that pair.
 * Prints each run, then median and range; with --json the last line is one JSON object.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { createServices } from '../src-main/services'
import { writeShapeDataset } from './colour-shapes'
import { children } from './lib/children'
import { median } from './lib/stats'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: '64' },
    batch: { type: 'string', default: '64' },
    iterations: { type: 'string', default: '6' },
    runs: { type: 'string', default: '1' },
    'torch-images': { type: 'string', default: '640' },
    'no-torch': { type: 'boolean', default: false },
    'data-dir': { type: 'string' }
  }
})
const SIZE = Number(args.size)
const BATCH = Number(args.batch)
const ITERATIONS = Number(args.iterations)
const RUNS = Number(args.runs)
const CLASSES = 3
const log = (m: string) => console.error(`[bench:colour] ${m}`)

/** One run's figures: studio and, when measured, PyTorch right after it. */
interface RunFigures {
  imagesPerSecond: number
  peakRssMB: number
  peakRssPreparingMB: number
  torchImagesPerSecond: number | null
  torchPeakRssMB: number | null
  speedRatio: number | null
  memoryRatio: number | null
  load1m: number
}

async function dataset(): Promise<string> {
  // The training split (80 %) must hold the warm-up Iteration and the measured ones.
  const perClass = Math.ceil(((ITERATIONS + 1) * BATCH) / 0.8 / CLASSES) + 2
  const root = join(tmpdir(), 'osprey-bench', `colour-shapes-${perClass}`)
  if (existsSync(join(root, '.complete'))) return root
  log(`generating ${perClass * CLASSES} colour images in ${root}`)
  await writeShapeDataset(root, { perClass, seed: 13 })
  writeFileSync(join(root, '.complete'), '')
  return root
}

/** One studio Run in a training worker: images/s after the warm-up Iteration and the worker's peak RSS. */
async function studio(services: ReturnType<typeof createServices>, folder: string): Promise<Pick<RunFigures, 'imagesPerSecond' | 'peakRssMB' | 'peakRssPreparingMB'>> {
  let phase: 'preparing' | 'training' = 'preparing'
  const peak = { preparing: 0, training: 0 }
  const at: number[] = [] // elapsedMs at the end of each Iteration
  const run = await services.training.start({ folder, model: 'compact-resnet', imageSize: SIZE, batchSize: BATCH, epochs: 1, backend: 'wasm', seed: 1, earlyStopping: 0 })
  const offStatus = services.events.on('runs.status', ({ run: r }) => {
    if (r.id === run.id && r.status === 'running') phase = 'training'
  })
  const offIteration = services.events.on('runs.iteration', (m) => {
    if (m.runId !== run.id) return
    at[m.iteration - 1] = m.elapsedMs
    log(`Iteration ${m.iteration}: ${m.elapsedMs} ms, worker ${Math.round(m.memoryBytes / 2 ** 20)} MB`)
  })
  const poll = setInterval(() => {
    for (const child of children()) peak[phase] = Math.max(peak[phase], child.hwm)
  }, 250)
  const started = Date.now()
  while (at.length < ITERATIONS + 1 && services.training.get(run.id).status !== 'failed' && Date.now() - started < 60 * 60_000) await new Promise((r) => setTimeout(r, 250))
  clearInterval(poll)
  for (const child of children()) peak[phase] = Math.max(peak[phase], child.hwm)
  offStatus()
  offIteration()
  const status = services.training.get(run.id)
  for (const child of children()) process.kill(child.pid, 'SIGKILL')
  await services.training.finished(run.id)
  if (at.length < ITERATIONS + 1) throw new Error(`the Run ended after ${at.length} Iterations (${status.status}${status.error ? `: ${status.error}` : ''})`)
  return {
    imagesPerSecond: (ITERATIONS * BATCH) / ((at[ITERATIONS] - at[0]) / 1000),
    peakRssMB: Math.round(peak.training / 2 ** 20),
    peakRssPreparingMB: Math.round(peak.preparing / 2 ** 20)
  }
}

/** PyTorch on the same network, size and batch; null when it cannot run. */
function torch(): { images_per_second: number; peak_rss_mb: number } | null {
  if (args['no-torch']) return null
  const r = spawnSync(
    '/usr/bin/python3',
    ['bench/reference/torch_resnet.py', '--size', String(SIZE), '--images', String(args['torch-images']), '--batch', String(BATCH), '--classes', String(CLASSES), '--threads', '2'],
    { encoding: 'utf8' }
  )
  if (r.status !== 0) {
    log(`torch_resnet.py failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`)
    return null
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!)
}

const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits)

async function main(): Promise<void> {
  const folder = await dataset()
  const dataDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'osprey-bench-colour-data-'))
  mkdirSync(dataDir, { recursive: true })
  const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  const runs: RunFigures[] = []
  try {
    await services.datasets.scan(folder)
    await new Promise((r) => setTimeout(r, 500)) // the scan worker exits
    for (let i = 0; i < RUNS; i++) {
      const load1m = loadavg()[0]
      log(`run ${i + 1}/${RUNS}: studio, compact-resnet ${SIZE}×${SIZE}×3, batch ${BATCH} (load ${load1m.toFixed(2)})`)
      const s = await studio(services, folder)
      log(`run ${i + 1}/${RUNS}: PyTorch`)
      const t = torch()
      runs.push({
        ...s,
        torchImagesPerSecond: t?.images_per_second ?? null,
        torchPeakRssMB: t?.peak_rss_mb ?? null,
        speedRatio: t ? s.imagesPerSecond / t.images_per_second : null,
        memoryRatio: t ? s.peakRssMB / t.peak_rss_mb : null,
        load1m
      })
      const r = runs[i]
      log(`run ${i + 1}: ${r.imagesPerSecond.toFixed(2)} images/s, peak ${r.peakRssMB} MB; PyTorch ${r.torchImagesPerSecond ?? '-'} images/s, ${r.torchPeakRssMB ?? '-'} MB`)
    }
  } finally {
    services.close()
    if (!args['data-dir']) rmSync(dataDir, { recursive: true, force: true })
  }

  const summary = (pick: (r: RunFigures) => number | null, digits = 2) => {
    const v = runs.map(pick).filter((x): x is number => x !== null)
    return v.length ? { median: round(median(v), digits), min: round(Math.min(...v), digits), max: round(Math.max(...v), digits) } : null
  }
  const result = {
    date: new Date().toISOString(),
    size: SIZE,
    batch: BATCH,
    iterations: ITERATIONS,
    runs: runs.length,
    imagesPerSecond: summary((r) => r.imagesPerSecond),
    peakRssMB: summary((r) => r.peakRssMB, 0),
    torchImagesPerSecond: summary((r) => r.torchImagesPerSecond),
    torchPeakRssMB: summary((r) => r.torchPeakRssMB, 0),
    speedRatio: summary((r) => r.speedRatio, 3),
    memoryRatio: summary((r) => r.memoryRatio, 3),
    load1m: runs.map((r) => round(r.load1m, 2)),
    perRun: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v, 3)])))
  }
  const line = (name: string, value: string) => console.log(`${name.padEnd(40)} ${value}`)
  const show = (s: { median: number | null; min: number | null; max: number | null } | null, unit = '') => (s ? `${s.median}${unit} (${s.min}–${s.max})` : '-')
  line(`compact-resnet ${SIZE} px, batch ${BATCH}, ${runs.length} run(s)`, 'median (range)')
  line('studio images/s', show(result.imagesPerSecond))
  line('PyTorch images/s', show(result.torchImagesPerSecond))
  line('speed ratio (studio / PyTorch)', show(result.speedRatio, '×'))
  line('studio worker peak RSS', show(result.peakRssMB, ' MB'))
  line('PyTorch peak RSS', show(result.torchPeakRssMB, ' MB'))
  line('memory ratio (studio / PyTorch)', show(result.memoryRatio, '×'))
  line('load average (1 min) at each start', result.load1m.join(', '))
  if (args.json) console.log(JSON.stringify(result))
}

await main()
