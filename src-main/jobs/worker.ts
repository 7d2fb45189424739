/**
 * The job worker process: runs one job (a scan now; training runs and trials later) and reports
 * over the parent channel — Electron's parentPort in the app, the fork IPC channel under Node.
 */
import { DatasetRepository } from '../store/datasets'
import { openDatabase } from '../store/db'
import { scanDataset } from '../datasets/scan'
import { toCommandError } from '../errors'
import type { ControlAction, ControlListener, FromWorker, JobKind, JobKinds, ToWorker } from './protocol'

// A worker writes only into the data folder (models, checkpoints, the decoded image cache, the
// database): the user's alone, so everything it creates is 600 (files) and 700 (folders).
process.umask(0o077)

// Registered before tfjs loads: its wasm module adds handlers that rethrow, and Node then prints
// the throwing line — the whole 40 KB of minified module source. One short line is enough.
process.on('uncaughtException', (e) => die(e))
process.on('unhandledRejection', (e) => die(e))

function die(e: unknown): never {
  process.stderr.write(`osprey worker: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join('\n') : String(e)}\n`)
  process.exit(70)
}

type Handler<K extends JobKind> = (
  input: JobKinds[K]['input'],
  signal: AbortSignal,
  progress: (p: JobKinds[K]['progress']) => void,
  onControl: (listener: ControlListener) => void
) => Promise<JobKinds[K]['result']>

const handlers: { [K in JobKind]: Handler<K> } = {
  async scan(input, signal, progress) {
    const db = openDatabase(input.dbFile, { nativeBinding: input.nativeBinding })
    try {
      return await scanDataset(input.path, { repository: new DatasetRepository(db), signal, onProgress: progress, pixelLimit: input.pixelLimit })
    } finally {
      db.close()
    }
  },
  // Loaded on demand: tfjs is heavy, and a scan worker never needs it.
  train: async (input, signal, progress, onControl) => (await import('../runs/job')).runTrainJob(input, signal, progress, onControl),
  lrfind: async (input, signal, progress) => (await import('../runs/lr-find-job')).runLrFindJob(input, signal, progress),
  predict: async (input, signal) => (await import('../runs/predict-job')).runPredictJob(input, signal),
  measure: async (input, signal) => (await import('../runs/measure-job')).runMeasureJob(input, signal),
  labelcheck: async (input, signal, progress) => (await import('../labels/check-job')).runLabelCheckJob(input, signal, progress)
}

interface ParentPort {
  on(event: 'message', listener: (e: { data: ToWorker }) => void): void
  postMessage(message: FromWorker): void
}
const electronPort = (process as { parentPort?: ParentPort }).parentPort

function post(message: FromWorker): void {
  if (electronPort) return electronPort.postMessage(message)
  // The parent gone (killed, crashed): nothing would receive the result, so end quietly.
  if (!process.connected) process.exit(0)
  process.send?.(message, undefined, {}, (e) => {
    if (e) process.exit(0)
  })
}

const controller = new AbortController()
const controlListeners: ControlListener[] = []
// Pause, resume or stop sent before the job listens (its module still loading) wait for it, not lost.
let early: ControlAction[] = []

async function start(kind: JobKind, input: JobKinds[JobKind]['input']): Promise<void> {
  try {
    const handler = handlers[kind] as Handler<JobKind>
    const result = await handler(
      input,
      controller.signal,
      (data) => post({ type: 'progress', data }),
      (l) => {
        controlListeners.push(l)
        for (const action of early) l(action)
        early = []
      }
    )
    const usage = process.resourceUsage()
    post({ type: 'done', result, usage: { maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 } })
  } catch (e) {
    post({ type: 'failed', error: toCommandError(e) })
  }
}

function receive(message: ToWorker): void {
  if (message.type === 'start') void start(message.kind, message.input)
  else if (message.type === 'cancel') controller.abort()
  else if (message.type === 'control') {
    if (controlListeners.length === 0) early.push(message.action)
    for (const listener of controlListeners) listener(message.action)
  }
}

if (electronPort) electronPort.on('message', (e) => receive(e.data))
else process.on('message', (m) => receive(m as ToWorker))
// The parent going away ends the job: nothing would receive its result. A parent killed at a bad
// moment may leave no 'disconnect' to hear, so its pid is checked too (reparented: it is gone):
// a worker that outlived its parent would go on writing the Run's files beside a resumed copy.
process.on('disconnect', () => process.exit(0))
const parentPid = process.ppid
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0)
}, 1000).unref()
