/**
 * Runs jobs in worker processes, a fresh process per job, a few at a time.
 * A crashed or killed worker fails its job; it never takes the caller down.
 */
import { OspreyError, fromCommandError } from '../errors'
import type { ControlAction, FromWorker, JobKind, JobKinds, SpawnWorker, WorkerUsage } from './protocol'

/** How a caller follows and stops a job. */
export interface JobOptions<K extends JobKind> {
  onProgress?: (progress: JobKinds[K]['progress']) => void
  signal?: AbortSignal
  /** Told, when the job succeeds, what it cost its worker process. */
  onUsage?: (usage: WorkerUsage) => void
  /** Given, once the worker runs, the way to steer the job (pause, resume, stop). */
  onStart?: (control: (action: ControlAction) => void) => void
}

// A cancelled worker gets this long to stop on its own before it is killed.
const CANCEL_GRACE_MS = 2000

/** A queue of jobs over at most `size` worker processes. */
export class WorkerPool {
  #spawn: SpawnWorker
  #size: number
  #running = 0
  #waiting: (() => void)[] = []

  constructor(spawn: SpawnWorker, size: number) {
    this.#spawn = spawn
    this.#size = Math.max(1, size)
  }

  /** Runs one job and resolves with its result; rejects with an OspreyError. */
  async run<K extends JobKind>(kind: K, input: JobKinds[K]['input'], options: JobOptions<K> = {}): Promise<JobKinds[K]['result']> {
    options.signal?.throwIfAborted()
    if (this.#running >= this.#size) await new Promise<void>((go) => this.#waiting.push(go))
    this.#running++
    // The slot frees when the process has exited, not when its result arrives: only then is its memory back.
    return this.#runInWorker(kind, input, options, () => {
      this.#running--
      this.#waiting.shift()?.()
    })
  }

  #runInWorker<K extends JobKind>(kind: K, input: JobKinds[K]['input'], options: JobOptions<K>, exited: () => void): Promise<JobKinds[K]['result']> {
    return new Promise((resolve, reject) => {
      let worker: ReturnType<SpawnWorker>
      try {
        worker = this.#spawn()
      } catch (e) {
        exited()
        return reject(new OspreyError('internal', `Cannot start a worker process: ${(e as Error).message}`))
      }
      let settled = false
      let killTimer: NodeJS.Timeout | undefined
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        options.signal?.removeEventListener('abort', cancel)
        clearTimeout(killTimer)
        fn()
        worker.kill() // one job per process: its memory goes back with it
      }
      const cancel = () => {
        worker.send({ type: 'cancel' })
        killTimer = setTimeout(() => settle(() => reject(new OspreyError('cancelled', 'Cancelled.'))), CANCEL_GRACE_MS)
      }
      options.signal?.addEventListener('abort', cancel, { once: true })
      worker.onMessage((message: FromWorker) => {
        if (message.type === 'progress') options.onProgress?.(message.data)
        else if (message.type === 'done') {
          options.onUsage?.(message.usage)
          settle(() => resolve(message.result))
        } else settle(() => reject(fromCommandError(message.error)))
      })
      worker.onExit((how) => {
        settle(() => reject(new OspreyError('internal', `The worker process stopped unexpectedly (${how}). Nothing was lost; try again.`)))
        exited()
      })
      worker.send({ type: 'start', kind, input })
      options.onStart?.((action) => {
        if (!settled) worker.send({ type: 'control', action })
      })
    })
  }
}
