/**
 * The BatchLoader: training batches for each Epoch (seeded shuffle, augmentation, normalization)
 * and evaluation batches (in order, never augmented). Batches are made ahead (`prefetch`) so the
 * trainer never waits; by default they are made in a worker thread, on the core the trainer
 * does not use. A batch's content depends only on the seed, the epoch and its indices — never
 * on prefetch, timing or thread — so a Run can be repeated exactly.
 * The last, partial batch of an epoch is kept: every training image is seen once per Epoch,
 * and for small Datasets dropping it would throw away a noticeable share.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Augmentation } from '../contract'
import { BatchMaker, type Batch } from './batch'
import type { ImageCache } from './image-cache'
import type { FromLoaderWorker, ToLoaderWorker } from './loader-worker'
import type { NormalizationStats } from './normalize'
import { Random } from './random'

/** A batch as the trainer takes it (see ./batch.ts). */
export type { Batch } from './batch'

/** Iterations per Epoch: every training image once, the last batch possibly partial. */
export function iterationsPerEpoch(trainImages: number, batchSize: number): number {
  return Math.ceil(trainImages / batchSize)
}

/** How a BatchLoader makes its batches. */
export interface LoaderOptions {
  cache: ImageCache
  /** Class index of every cached image (by cache record). */
  labels: ArrayLike<number>
  /** Cache records of the training split. */
  train: readonly number[]
  batchSize: number
  seed: number
  augmentation: Augmentation
  stats: NormalizationStats
  /** Batches made ahead of the one being consumed (default 2; 0 makes each batch on demand). */
  prefetch?: number
  /** Make batches in a worker thread: true, false, or 'auto' (when the machine has a second core). */
  worker?: boolean | 'auto'
}

/** Training and evaluation batches over one cache. Call `close()` when the Run ends. */
export class BatchLoader {
  readonly #options: LoaderOptions
  readonly #labels: Int32Array
  readonly #prefetch: number
  #maker: BatchMaker | null = null
  #worker: LoaderThread | null = null

  constructor(options: LoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`The batch size must be a positive whole number, got ${options.batchSize}.`)
    if (options.train.length === 0) throw new Error('The training split is empty.')
    this.#options = options
    this.#labels = Int32Array.from(options.labels)
    this.#prefetch = Math.max(0, options.prefetch ?? 2)
    const worker = options.worker ?? 'auto'
    if (worker === true || (worker === 'auto' && availableParallelism() >= 2)) this.#worker = new LoaderThread(options, this.#labels)
    else this.#maker = new BatchMaker(options.cache, this.#labels, options)
  }

  /** Whether batches are made in a worker thread. */
  get usesWorker(): boolean {
    return this.#worker !== null
  }

  /** Iterations per Epoch of this loader. */
  get iterations(): number {
    return iterationsPerEpoch(this.#options.train.length, this.#options.batchSize)
  }

  /** The training images of `epoch`, in the order they are served (a seeded shuffle per Epoch). */
  epochOrder(epoch: number): Int32Array {
    return new Random(this.#options.seed).fork('epoch').fork(epoch).shuffle(Int32Array.from(this.#options.train))
  }

  /** The training batches of `epoch`, augmented. Stops with an AbortError when `signal` aborts. */
  epoch(epoch: number, signal?: AbortSignal): AsyncGenerator<Batch> {
    return this.#serve(chunks(this.epochOrder(epoch), this.#options.batchSize), epoch, true, signal)
  }

  /** Batches of `indices` (a validation or test split) in order, without augmentation. */
  evalBatches(indices: readonly number[], batchSize = this.#options.batchSize, signal?: AbortSignal): AsyncGenerator<Batch> {
    return this.#serve(chunks(Int32Array.from(indices), batchSize), 0, false, signal)
  }

  /** Stops the worker thread. */
  async close(): Promise<void> {
    await this.#worker?.close()
    this.#worker = null
  }

  async *#serve(batches: Int32Array[], epoch: number, augment: boolean, signal?: AbortSignal): AsyncGenerator<Batch> {
    const make = (indices: Int32Array) => (this.#worker ? this.#worker.make(indices, epoch, augment) : this.#maker!.make(indices, epoch, augment))
    const ahead: Promise<Batch>[] = []
    let next = 0
    const fill = () => {
      while (next < batches.length && ahead.length <= this.#prefetch) {
        const pending = make(batches[next++])
        pending.catch(() => {}) // awaited in turn below; a batch never consumed must not crash the process
        ahead.push(pending)
      }
    }
    while (ahead.length > 0 || next < batches.length) {
      signal?.throwIfAborted()
      fill()
      const batch = await ahead.shift()!
      fill() // ask for the following batch before the trainer gets this one
      yield batch
    }
  }
}

/** One batch per `size` indices; the last one may be smaller. */
function chunks(order: Int32Array, size: number): Int32Array[] {
  const out: Int32Array[] = []
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size))
  return out
}

/** The worker thread side of a loader: requests by id, answered in order. */
class LoaderThread {
  #worker: Worker
  #pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>()
  #nextId = 0
  #failure: Error | null = null

  constructor(options: LoaderOptions, labels: Int32Array) {
    this.#worker = startWorker()
    this.#worker.unref() // an idle loader never keeps the process alive; a waiting one does (see make)
    this.#worker.on('message', (m: FromLoaderWorker) => {
      const waiting = this.#pending.get(m.id)
      this.#pending.delete(m.id)
      if (this.#pending.size === 0) this.#worker.unref()
      if (m.type === 'batch') waiting?.resolve({ x: m.x, y: m.y, indices: m.indices })
      else waiting?.reject(new Error(m.message))
    })
    const fail = (e: Error) => {
      this.#failure = new Error(`The batch loader's worker thread stopped: ${e.message}`)
      for (const { reject } of this.#pending.values()) reject(this.#failure)
      this.#pending.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`exit code ${code}`)))
    const { cache, seed, augmentation, stats } = options
    this.#send({ type: 'init', cache: cache.share(), labels, settings: { seed, augmentation, stats } })
  }

  make(indices: Int32Array, epoch: number, augment: boolean): Promise<Batch> {
    if (this.#failure) return Promise.reject(this.#failure)
    const id = this.#nextId++
    if (this.#pending.size === 0) this.#worker.ref()
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#send({ type: 'make', id, indices, epoch, augment })
    })
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('The batch loader is closed.')
    await this.#worker.terminate()
  }

  #send(message: ToLoaderWorker): void {
    this.#worker.postMessage(message)
  }
}

/**
 * The worker: the built `loader-worker.js` beside this bundle, or the TypeScript source through
 * tsx (development, tests, benches), which a worker thread must register itself.
 */
function startWorker(): Worker {
  const here = dirname(fileURLToPath(import.meta.url))
  // The bundler may put this module in a chunks/ folder below the entries.
  for (const built of [join(here, 'loader-worker.js'), join(here, '..', 'loader-worker.js')]) if (existsSync(built)) return new Worker(built)
  const source = pathToFileURL(join(here, 'loader-worker.ts')).href
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs')
  ).href
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}) })`, { eval: true })
}
