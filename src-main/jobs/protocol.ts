/** The messages between the main process and a job worker process. Plain objects only. */
import type { CommandError, DatasetReport } from '../contract'
import type { ScanProgress } from '../datasets/scan'
import type { Measurement } from '../runs/estimate'
import type { LrFindInput, LrFindResult, MeasureJobInput, PredictJobInput, PredictJobResult, TrainJobInput, TrainJobResult, TrainProgress } from '../runs/protocol'
import type { LabelCheckResult } from '../contract'
import type { LabelCheckInput, LabelCheckProgress } from '../labels/check-job'

/** Every kind of job a worker runs: its input, its progress and its result. */
export interface JobKinds {
  scan: {
    input: { path: string; dbFile: string; nativeBinding?: string; pixelLimit?: number }
    progress: ScanProgress
    result: DatasetReport
  }
  train: {
    input: TrainJobInput
    progress: TrainProgress
    result: TrainJobResult
  }
  lrfind: {
    input: LrFindInput
    progress: TrainProgress
    result: LrFindResult
  }
  /** Time a Run's model on this machine, for the estimate before Start. */
  measure: {
    input: MeasureJobInput
    progress: never
    result: Omit<Measurement, 'startMs'> & { measuringMs: number }
  }
  // Try it: classify images with a Run's model
  predict: {
    input: PredictJobInput
    progress: never
    result: PredictJobResult
  }
  /** A Dataset's label check: probably mislabeled images, near-duplicates across the split. */
  labelcheck: {
    input: LabelCheckInput
    progress: LabelCheckProgress
    result: LabelCheckResult
  }
}

/** Steering a running job: pause, resume, or stop (keeping what was done, unlike cancel). */
export type ControlAction = 'pause' | 'resume' | 'stop'

/** Hears the pause, resume and stop sent to a running job (its worker calls it). */
export type ControlListener = (action: ControlAction) => void

/** A job kind's name. */
export type JobKind = keyof JobKinds

/** Main -> worker. */
export type ToWorker = { type: 'start'; kind: JobKind; input: JobKinds[JobKind]['input'] } | { type: 'cancel' } | { type: 'control'; action: ControlAction }

/** Worker -> main. */
export type FromWorker = { type: 'progress'; data: JobKinds[JobKind]['progress'] } | { type: 'done'; result: JobKinds[JobKind]['result']; usage: WorkerUsage } | { type: 'failed'; error: CommandError }

/** What a finished job cost its process: peak memory and CPU time. */
export interface WorkerUsage {
  maxRssBytes: number
  cpuMs: number
}

/** A worker process as the pool sees it, whatever started it (child_process or Electron). */
export interface WorkerProcess {
  send(message: ToWorker): void
  onMessage(listener: (message: FromWorker) => void): void
  onExit(listener: (description: string) => void): void
  kill(): void
}

/** Starts a fresh worker process. */
export type SpawnWorker = () => WorkerProcess
