/**
 * Data parallelism on one machine: a helper worker_thread holds a replica of the model on its
 * own wasm backend and computes the gradient of half of each batch while this thread computes
 * the other half. Both halves meet in a SharedArrayBuffer; each side averages them in the same
 * order (so the sums are bit-identical) and applies the same optimizer step, so the trainable
 * weights stay equal without sending them. Equivalent to one full-batch step up to rounding,
 * except batch normalization, which normalizes each half by its own statistics; the moving
 * statistics that evaluation and the saved model use are this thread's.
 */
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { OptimizerName } from '../../contract'
import { setLearningRate } from '../optimizers'
import { batchGradients, type Gradients, type StepOptions } from '../step'
import type { StepBatch } from '../step'

/** What the helper needs to build its replica. */
export interface ReplicaSpec {
  modelJson: object
  weights: Float32Array[]
  shapes: number[][]
  optimizer: OptimizerName
  learningRate: number
  /** The optimizer's state (iterations, moments) in its own order, so a resumed Run's replica matches. */
  optimizerState: { name: string; data: Float32Array; shape: number[] }[]
  step: StepOptions
  /** Largest half batch, in images. */
  maxRows: number
  rowSize: number
  gradSize: number
  control: SharedArrayBuffer
  numbers: SharedArrayBuffer
  grads: SharedArrayBuffer
  inputs: SharedArrayBuffer
  labels: SharedArrayBuffer
}

// control (Int32): [0] step posted by this thread, [1] rows for the helper, [2] step whose gradient
// the helper wrote, [3] step whose gradient this thread wrote, [4] rows of this thread's half,
// [5] stop, [6] step the helper applied (until then it still reads both gradient slots).
// numbers (Float64): [0] learning rate, [1] helper's mean loss, [2] helper's correct count.
// Each side reads what the other wrote for step k before it signals k, so nothing is overwritten early.
// A helper that fails sets both of its signals to FAILED, so this thread stops waiting and throws.
const STEP = 0,
  ROWS = 1,
  HELPER_DONE = 2,
  MAIN_DONE = 3,
  MAIN_ROWS = 4,
  STOP = 5,
  HELPER_APPLIED = 6
const FAILED = -2
const LR = 0,
  HELPER_LOSS = 1,
  HELPER_CORRECT = 2

/** One replica's side of the step: gradient of its rows, exchange, average, optimizer step. */
export class Replica {
  readonly #optimizer: tf.Optimizer
  readonly #variables: tf.Variable[]
  readonly #gradients: (batch: StepBatch) => Gradients
  readonly #slots: Float32Array[]

  constructor(model: tf.LayersModel, optimizer: tf.Optimizer, step: StepOptions, grads: SharedArrayBuffer) {
    this.#optimizer = optimizer
    this.#variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
    this.#gradients = batchGradients(tf, model, step)
    const size = gradSize(model)
    this.#slots = [new Float32Array(grads, 0, size), new Float32Array(grads, size * 4, size)]
  }

  /** Computes the gradient of `batch` into slot `slot` (once `slotFree` returns); returns its mean loss and correct count. */
  gradient(slot: 0 | 1, batch: StepBatch, slotFree = () => {}): [number, number] {
    const out = this.#slots[slot]
    if (batch.size === 0) {
      slotFree()
      out.fill(0)
      return [0, 0]
    }
    const { grads, stats } = this.#gradients(batch)
    slotFree()
    let at = 0
    for (const v of this.#variables) {
      const g = grads[v.name]
      out.set(g.dataSync() as Float32Array, at)
      at += g.size
    }
    const [loss, correct] = stats.dataSync()
    for (const t of [...Object.values(grads), stats]) t.dispose()
    return [loss, correct]
  }

  /** Averages both slots, weighted by rows, and applies one optimizer step at `lr` (the same on both sides). */
  apply(rows0: number, rows1: number, lr: number): void {
    const [g0, g1] = this.#slots
    const w0 = rows0 / (rows0 + rows1)
    const w1 = rows1 / (rows0 + rows1)
    setLearningRate(this.#optimizer, lr)
    tf.tidy(() => {
      const named: Array<{ name: string; tensor: tf.Tensor }> = []
      let at = 0
      for (const v of this.#variables) {
        const avg = new Float32Array(v.size)
        for (let i = 0; i < avg.length; i++) avg[i] = g0[at + i] * w0 + g1[at + i] * w1
        named.push({ name: v.name, tensor: tf.tensor(avg, v.shape) })
        at += v.size
      }
      this.#optimizer.applyGradients(named)
    })
  }
}

/** Number of floats in all trainable weights. */
export function gradSize(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0)
}

/** What DataParallel.start needs besides the model and its optimizer. */
export interface DataParallelOptions {
  optimizer: OptimizerName
  learningRate: number
  step: StepOptions
  /** Largest batch a step will get. */
  maxBatch: number
  /** The helper's entry; default: the built data-parallel-helper.js beside this bundle, or its source. */
  helperUrl?: URL
  /** The shortest wait after which a silent helper is taken as dead (default SILENT_HELPER_MS). */
  silentHelperMs?: number
}

// A helper that does not start in this time is given up (the Run trains on one thread instead).
const START_TIMEOUT_MS = 60_000
// A helper can end without throwing (Node stops a worker whose JavaScript heap runs out), and this
// thread, blocked in Atomics.wait, never hears its 'exit' event. So a wait gives up after this long,
// or after SILENT_HELPER_FACTOR times this thread's own half of the step if that is longer: the
// helper's half is the same work, so only a dead (or frozen) helper is that late.
const SILENT_HELPER_MS = 120_000
const SILENT_HELPER_FACTOR = 30

/** Runs each step on this thread and one helper thread. */
export class DataParallel {
  readonly #worker: Worker
  readonly #control: Int32Array
  readonly #numbers: Float64Array
  readonly #inputs: Float32Array
  readonly #labels: Int32Array
  readonly #replica: Replica
  readonly #rowSize: number
  readonly #silentMs: number
  #step = 0
  /** How long this thread's half of the last step took. */
  #halfMs = 0

  private constructor(worker: Worker, spec: ReplicaSpec, replica: Replica, silentMs: number) {
    this.#worker = worker
    this.#control = new Int32Array(spec.control)
    this.#numbers = new Float64Array(spec.numbers)
    this.#inputs = new Float32Array(spec.inputs)
    this.#labels = new Int32Array(spec.labels)
    this.#replica = replica
    this.#rowSize = spec.rowSize
    this.#silentMs = silentMs
    worker.on('error', () => {}) // its failure reaches the step through FAILED (an unheard 'error' would end the process)
  }

  /** Waits until the helper's signal `index` is `value`; throws if the helper failed or stays silent too long. */
  #waitFor(index: number, value: number): void {
    const limit = Math.max(this.#silentMs, SILENT_HELPER_FACTOR * this.#halfMs)
    const start = performance.now()
    for (;;) {
      const now = Atomics.load(this.#control, index)
      if (now === value) return
      if (now === FAILED) throw new Error('The second model replica (a helper thread) failed; the model learned up to the last checkpoint is kept.')
      const left = limit - (performance.now() - start)
      if (left <= 0) throw new Error(`The second model replica (a helper thread) stopped answering for ${Math.round(limit / 1000)} s; the model learned up to the last checkpoint is kept.`)
      Atomics.wait(this.#control, index, now, left)
    }
  }

  /** Starts the helper with a copy of `model` and `optimizer` as they are now. */
  static async start(model: tf.LayersModel, optimizer: tf.Optimizer, options: DataParallelOptions): Promise<DataParallel> {
    const rowSize = (model.inputs[0].shape.slice(1) as number[]).reduce((a: number, b: number) => a * b, 1)
    const maxRows = Math.ceil(options.maxBatch / 2)
    const size = gradSize(model)
    const weights = model.getWeights()
    const state = await optimizer.getWeights()
    const spec: ReplicaSpec = {
      modelJson: model.toJSON(null, false) as object,
      weights: weights.map((w) => w.dataSync() as Float32Array),
      shapes: weights.map((w) => w.shape),
      optimizer: options.optimizer,
      learningRate: options.learningRate,
      optimizerState: state.map((s) => ({ name: s.name, data: s.tensor.dataSync() as Float32Array, shape: s.tensor.shape })),
      step: options.step,
      maxRows,
      rowSize,
      gradSize: size,
      control: new SharedArrayBuffer(8 * 4),
      numbers: new SharedArrayBuffer(4 * 8),
      grads: new SharedArrayBuffer(2 * size * 4),
      inputs: new SharedArrayBuffer(maxRows * rowSize * 4),
      labels: new SharedArrayBuffer(maxRows * 4)
    }
    // (getWeights hands out the optimizer's own variables: not disposed here.)
    const worker = startHelper(options.helperUrl ?? helperEntry(), spec)
    try {
      await new Promise<void>((resolve, reject) => {
        const late = setTimeout(() => reject(new Error(`the helper thread was not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)
        const settle = (error?: Error) => (clearTimeout(late), error ? reject(error) : resolve())
        worker.once('message', (m) => settle(m === 'ready' ? undefined : new Error(String(m))))
        worker.once('error', settle)
        worker.once('exit', (code) => settle(new Error(`the helper thread exited (${code}) before it was ready`)))
      })
    } catch (e) {
      await worker.terminate()
      throw e
    }
    return new DataParallel(worker, spec, new Replica(model, optimizer, options.step, spec.grads), options.silentHelperMs ?? SILENT_HELPER_MS)
  }

  /** One optimizer step on `batch` at rate `lr`: this thread takes its first half. */
  step(batch: StepBatch, lr: number): { loss: number; correct: number } {
    const rows = batch.size
    const mine = Math.ceil(rows / 2)
    const theirs = rows - mine
    const c = this.#control
    const previous = this.#step
    this.#inputs.set(batch.x.subarray(mine * this.#rowSize, rows * this.#rowSize))
    this.#labels.set(batch.y.subarray(mine, rows))
    this.#numbers[LR] = lr
    const k = ++this.#step
    Atomics.store(c, ROWS, theirs)
    Atomics.store(c, MAIN_ROWS, mine)
    Atomics.store(c, STEP, k)
    Atomics.notify(c, STEP)
    // The helper may still be averaging the previous step's slots: compute first, then wait to write.
    const helperApplied = () => this.#waitFor(HELPER_APPLIED, previous)
    const started = performance.now()
    const [loss, correct] = this.#replica.gradient(0, { x: batch.x.subarray(0, mine * this.#rowSize), y: batch.y.subarray(0, mine), size: mine }, helperApplied)
    this.#halfMs = performance.now() - started
    Atomics.store(c, MAIN_DONE, k)
    Atomics.notify(c, MAIN_DONE)
    this.#waitFor(HELPER_DONE, k)
    this.#replica.apply(mine, theirs, lr)
    const helperLoss = this.#numbers[HELPER_LOSS]
    return { loss: (loss * mine + helperLoss * theirs) / rows, correct: correct + this.#numbers[HELPER_CORRECT] }
  }

  /** Stops the helper thread. */
  async dispose(): Promise<void> {
    Atomics.store(this.#control, STOP, 1)
    Atomics.store(this.#control, STEP, -1)
    Atomics.notify(this.#control, STEP)
    await this.#worker.terminate()
  }
}

/** The helper's entry: the built data-parallel-helper.js beside this bundle, or the TypeScript source. */
function helperEntry(): URL {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const built of [join(here, 'data-parallel-helper.js'), join(here, '..', 'data-parallel-helper.js')]) if (existsSync(built)) return pathToFileURL(built)
  return pathToFileURL(join(here, 'data-parallel-helper.ts'))
}

// A .ts helper (tests, bench under tsx) needs tsx's loader inside the worker, and Node 20
// ignores --import in a worker's execArgv; so register it from a small bootstrap.
/** Starts the helper worker at `url` with `spec` as its workerData. */
function startHelper(url: URL, spec: ReplicaSpec): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: spec })
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs')
  )
  const boot = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(url.href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: spec })
}

/** The helper's loop (called from the worker entry): wait for a step, compute, exchange, apply. */
export function helperLoop(spec: ReplicaSpec, replica: Replica): void {
  const c = new Int32Array(spec.control)
  const numbers = new Float64Array(spec.numbers)
  const x = new Float32Array(spec.inputs)
  const labels = new Int32Array(spec.labels)
  let k = 0
  for (;;) {
    while (Atomics.load(c, STEP) === k) Atomics.wait(c, STEP, k)
    if (Atomics.load(c, STOP)) return
    k = Atomics.load(c, STEP)
    try {
      serve(k)
    } catch (e) {
      for (const signal of [HELPER_DONE, HELPER_APPLIED]) {
        Atomics.store(c, signal, FAILED)
        Atomics.notify(c, signal)
      }
      throw e
    }
  }

  /** Step k on this side: gradient, exchange, apply. */
  function serve(k: number): void {
    const rows = Atomics.load(c, ROWS)
    const mainRows = Atomics.load(c, MAIN_ROWS)
    const lr = numbers[LR]
    const [loss, correct] = replica.gradient(1, { x: x.subarray(0, rows * spec.rowSize), y: labels.subarray(0, rows), size: rows })
    numbers[HELPER_LOSS] = loss
    numbers[HELPER_CORRECT] = correct
    Atomics.store(c, HELPER_DONE, k)
    Atomics.notify(c, HELPER_DONE)
    // Wait on the value just compared: loading it again could see k arrive after the notify and sleep forever.
    for (let now = Atomics.load(c, MAIN_DONE); now !== k; now = Atomics.load(c, MAIN_DONE)) Atomics.wait(c, MAIN_DONE, now)
    replica.apply(mainRows, rows, lr)
    Atomics.store(c, HELPER_APPLIED, k)
    Atomics.notify(c, HELPER_APPLIED)
  }
}
