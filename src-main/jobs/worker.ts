/**
 * The job worker process: runs one job (a scan now; training runs and trials later) and reports
 * over the parent channel — Electron's parentPort in the app, the fork IPC channel under Node.
 */
import { DatasetRepository } from '../store/datasets'
import { openDatabase } from '../store/db'
import { scanDataset } from '../datasets/scan'
import { toCommandError } from '../errors'
import type { ControlAction, FromWorker, JobKind, JobKinds, ToWorker } from './protocol'

/** Control actions sent to the running job (pause, resume, stop). */
export type ControlListener = (action: ControlAction) => void

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
  train: async (input, signal, progress, onControl) => (await import('../training/job')).runTrainJob(input, signal, progress, onControl),
  lrfind: async (input, signal, progress) => (await import('../training/lr-find-job')).runLrFindJob(input, signal, progress),
  predict: async (input, signal) => (await import('../training/predict-job')).runPredictJob(input, signal)
}

interface ParentPort {
  on(event: 'message', listener: (e: { data: ToWorker }) => void): void
  postMessage(message: FromWorker): void
}
const electronPort = (process as { parentPort?: ParentPort }).parentPort

function post(message: FromWorker): void {
  if (electronPort) electronPort.postMessage(message)
  else process.send?.(message)
}

const controller = new AbortController()
const controlListeners: ControlListener[] = []

async function start(kind: JobKind, input: JobKinds[JobKind]['input']): Promise<void> {
  try {
    const handler = handlers[kind] as Handler<JobKind>
    const result = await handler(input, controller.signal, (data) => post({ type: 'progress', data }), (l) => controlListeners.push(l))
    const usage = process.resourceUsage()
    post({ type: 'done', result, usage: { maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 } })
  } catch (e) {
    post({ type: 'failed', error: toCommandError(e) })
  }
}

function receive(message: ToWorker): void {
  if (message.type === 'start') void start(message.kind, message.input)
  else if (message.type === 'cancel') controller.abort()
  else if (message.type === 'control') for (const listener of controlListeners) listener(message.action)
}

if (electronPort) electronPort.on('message', (e) => receive(e.data))
else process.on('message', (m) => receive(m as ToWorker))
// The parent going away ends the job: nothing would receive its result.
process.on('disconnect', () => process.exit(0))
