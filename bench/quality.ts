/**
 * `npm run bench:quality -- [--minutes 30] [--json] [training flags as JSON via --config '{...}']`:
 * the default recipe on the full Fashion-MNIST (60,000 training PNGs in class folders), trained
 * the way the app trains (services, worker process, wasm here), stopped at the time budget if it
 * is still running (a stop keeps what was learned), then scored on the official 10,000 test images.
 * Target: test accuracy >= 0.91 within 30 minutes on this 2-core machine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { predictFiles } from '../src-main/engine/predict'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { createServices } from '../src-main/services'
import { exportFashionMnist, labelledFiles } from './fashion-mnist'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, json: { type: 'boolean' }, config: { type: 'string', default: '{}' }, train: { type: 'string' } } })
const budgetMs = Number(values.minutes) * 60_000
const trainDir = values.train ?? join(tmpdir(), 'osprey-bench', 'fashion-mnist-train')
const testDir = join(tmpdir(), 'osprey-bench', 'fashion-mnist-test')
await exportFashionMnist(trainDir, { split: 'train' })
await exportFashionMnist(testDir, { split: 'test' })

const dataDir = mkdtempSync(join(tmpdir(), 'osprey-quality-'))
const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
const started = Date.now()
const log = (line: string) => !values.json && console.log(`${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  ${line}`)
services.events.on('runs.epoch', (e) =>
  log(`Epoch ${e.epoch}: loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss?.toFixed(4)}, val accuracy ${e.valAccuracy?.toFixed(4)} (${(e.durationMs / 1000).toFixed(0)} s)`)
)
services.events.on('runs.status', (s) => s.message && !s.message.startsWith('Preparing') && log(s.message))

// The main side while a Run streams its events: event-loop delay, and the training worker's memory.
const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
let workerPeakBytes = 0
services.events.on('runs.iteration', (i) => (workerPeakBytes = Math.max(workerPeakBytes, i.memoryBytes)))
const run = await services.training.start({ folder: trainDir, ...JSON.parse(values.config as string) })
const timer = setTimeout(() => {
  log('time budget reached: stopping (the model learned so far is kept)')
  services.training.stop(run.id)
}, budgetMs - 60_000) // leaves a minute to stop, save and evaluate within the budget
const done = await services.training.finished(run.id)
clearTimeout(timer)
const trainedMs = Date.now() - started
loop.disable()

const files = labelledFiles(testDir)
const predictions = await predictFiles(
  services.training.modelPath(run.id)!,
  files.map((f) => f.path),
  { backend: 'wasm' }
)
const correct = predictions.filter((p, i) => p.label === files[i].label).length
const detail = services.training.get(run.id)
const result = {
  status: done.status,
  backend: done.backend,
  model: detail.config.model,
  epochs_done: done.epochsDone,
  epochs_planned: detail.config.epochs,
  train_images: detail.split?.train,
  wall_minutes: Number((trainedMs / 60_000).toFixed(1)),
  images_per_second: done.imagesPerSecond && Math.round(done.imagesPerSecond),
  val_accuracy: done.valAccuracy,
  test_accuracy: correct / files.length,
  test_images: files.length,
  worker_peak_rss_mb: Math.round(workerPeakBytes / 2 ** 20),
  main_event_loop_p99_ms: Number((loop.percentile(99) / 1e6 - 10).toFixed(1)),
  main_event_loop_max_ms: Number((loop.max / 1e6 - 10).toFixed(1)),
  target: 0.91,
  pass: correct / files.length >= 0.91 && trainedMs <= budgetMs
}
services.close()
rmSync(dataDir, { recursive: true, force: true })
if (!values.json) console.table(result)
console.log(JSON.stringify(result))
