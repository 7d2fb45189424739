/**
 * Data parallelism on one machine: a helper worker_thread holds a replica of the model on
 * its own wasm backend and computes the gradient of half of each batch while this thread
 * computes the other half. Both halves meet in a SharedArrayBuffer; each side averages them
 * in the same order (so the sums are bit-identical) and applies the same Adam step, so the
 * replicas stay equal without sending weights. Equivalent to one full-batch step up to
 * float rounding. Loss: softmax cross-entropy on integer labels.
 */
import * as tf from '@tensorflow/tfjs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/** What the helper needs to build its replica. */
export interface ReplicaSpec {
  modelJson: object
  weights: Float32Array[]
  shapes: number[][]
  learningRate: number
  classes: number
  /** Largest half batch, in images. */
  maxRows: number
  rowSize: number
  gradSize: number
  control: SharedArrayBuffer
  grads: SharedArrayBuffer
  inputs: SharedArrayBuffer
  labels: SharedArrayBuffer
}

// control (Int32): [0] step posted by the main thread, [1] rows for the helper,
// [2] helper's finished step, [3] main's finished step, [4] rows of the main half, [5] stop
const STEP = 0, ROWS = 1, HELPER_DONE = 2, MAIN_DONE = 3, MAIN_ROWS = 4, STOP = 5

/** One replica's side of the step: gradient of its rows, exchange, average, Adam step. */
export class Replica {
  readonly #model: tf.LayersModel
  readonly #optimizer: tf.Optimizer
  readonly #grads: Float32Array[]
  readonly #classes: number

  constructor(model: tf.LayersModel, learningRate: number, classes: number, grads: SharedArrayBuffer) {
    this.#model = model
    this.#optimizer = tf.train.adam(learningRate)
    this.#classes = classes
    const size = gradSize(model)
    this.#grads = [new Float32Array(grads, 0, size), new Float32Array(grads, size * 4, size)]
  }

  /** Computes the gradient of `x` (rows images) and writes it to slot `slot`; returns the loss. */
  gradient(slot: 0 | 1, x: Float32Array, labels: Int32Array, rows: number): number {
    const vars = this.#model.trainableWeights.map((w) => w.read() as tf.Variable)
    const rowShape = this.#model.inputs[0].shape.slice(1) as number[]
    const rowSize = rowShape.reduce((a, b) => a * b, 1)
    return tf.tidy(() => {
      const xs = tf.tensor(x.subarray(0, rows * rowSize), [rows, ...rowShape])
      const ys = tf.oneHot(tf.tensor1d(labels.subarray(0, rows), 'int32'), this.#classes)
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(ys, this.#model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
        vars
      )
      let at = 0
      for (const v of vars) {
        const g = grads[v.name].dataSync() as Float32Array
        this.#grads[slot].set(g, at)
        at += g.length
      }
      return value.dataSync()[0]
    })
  }

  /** Averages both slots, weighted by rows, and applies one Adam step (same on both sides). */
  apply(rows0: number, rows1: number): void {
    const [g0, g1] = this.#grads
    const w0 = rows0 / (rows0 + rows1)
    const w1 = rows1 / (rows0 + rows1)
    const vars = this.#model.trainableWeights.map((w) => w.read() as tf.Variable)
    tf.tidy(() => {
      const named: Array<{ name: string; tensor: tf.Tensor }> = []
      let at = 0
      for (const v of vars) {
        const n = v.size
        const avg = new Float32Array(n)
        for (let i = 0; i < n; i++) avg[i] = g0[at + i] * w0 + g1[at + i] * w1
        named.push({ name: v.name, tensor: tf.tensor(avg, v.shape) })
        at += n
      }
      this.#optimizer.applyGradients(named)
    })
  }
}

/** Number of floats in all trainable weights. */
export function gradSize(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0)
}

/** Runs the step on this thread and one helper thread. */
export class DataParallel {
  readonly #worker: Worker
  readonly #control: Int32Array
  readonly #inputs: Float32Array
  readonly #labels: Int32Array
  readonly #replica: Replica
  readonly #rowSize: number
  #step = 0

  private constructor(worker: Worker, spec: ReplicaSpec, replica: Replica) {
    this.#worker = worker
    this.#control = new Int32Array(spec.control)
    this.#inputs = new Float32Array(spec.inputs)
    this.#labels = new Int32Array(spec.labels)
    this.#replica = replica
    this.#rowSize = spec.rowSize
  }

  /** Starts the helper with a copy of `model` (its weights now); batches up to `maxBatch`. */
  static async start(model: tf.LayersModel, opts: { learningRate: number; classes: number; maxBatch: number; helperUrl: URL }): Promise<DataParallel> {
    const rowSize = (model.inputs[0].shape.slice(1) as number[]).reduce((a: number, b: number) => a * b, 1)
    const maxRows = Math.ceil(opts.maxBatch / 2)
    const size = gradSize(model)
    const weights = model.getWeights()
    const spec: ReplicaSpec = {
      modelJson: model.toJSON(null, false) as object,
      weights: weights.map((w) => w.dataSync() as Float32Array),
      shapes: weights.map((w) => w.shape),
      learningRate: opts.learningRate,
      classes: opts.classes,
      maxRows,
      rowSize,
      gradSize: size,
      control: new SharedArrayBuffer(8 * 4),
      grads: new SharedArrayBuffer(2 * size * 4),
      inputs: new SharedArrayBuffer(maxRows * rowSize * 4),
      labels: new SharedArrayBuffer(maxRows * 4)
    }
    const worker = startHelper(opts.helperUrl, spec)
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))))
      worker.once('error', reject)
    })
    return new DataParallel(worker, spec, new Replica(model, opts.learningRate, opts.classes, spec.grads))
  }

  /** One optimizer step on `rows` images (row-major inputs) with integer labels; returns the loss of this half. */
  step(x: Float32Array, labels: Int32Array, rows: number): number {
    const mine = Math.floor(rows / 2)
    const theirs = rows - mine
    const c = this.#control
    this.#inputs.set(x.subarray(mine * this.#rowSize, rows * this.#rowSize))
    this.#labels.set(labels.subarray(mine, rows))
    const k = ++this.#step
    Atomics.store(c, ROWS, theirs)
    Atomics.store(c, MAIN_ROWS, mine)
    Atomics.store(c, STEP, k)
    Atomics.notify(c, STEP)
    const loss = this.#replica.gradient(0, x, labels, mine)
    Atomics.store(c, MAIN_DONE, k)
    Atomics.notify(c, MAIN_DONE)
    while (Atomics.load(c, HELPER_DONE) !== k) Atomics.wait(c, HELPER_DONE, Atomics.load(c, HELPER_DONE))
    this.#replica.apply(mine, theirs)
    return loss
  }

  /** Stops the helper thread. */
  async dispose(): Promise<void> {
    Atomics.store(this.#control, STOP, 1)
    Atomics.store(this.#control, STEP, -1)
    Atomics.notify(this.#control, STEP)
    await this.#worker.terminate()
  }
}

// A .ts helper (tests, bench under tsx) needs tsx's loader inside the worker, and Node 20
// ignores --import in a worker's execArgv; so register it from a small bootstrap. A bundled
// app passes the URL of the compiled .js helper instead.
/** Starts the helper worker at `url` with `spec` as its workerData. */
function startHelper(url: URL, spec: ReplicaSpec): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: spec })
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs'))
  const boot = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(url.href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: spec })
}

/** The helper's loop (called from the worker entry): wait for a step, compute, exchange, apply. */
export function helperLoop(spec: ReplicaSpec, replica: Replica): void {
  const c = new Int32Array(spec.control)
  const x = new Float32Array(spec.inputs)
  const labels = new Int32Array(spec.labels)
  let k = 0
  for (;;) {
    while (Atomics.load(c, STEP) === k) Atomics.wait(c, STEP, k)
    if (Atomics.load(c, STOP)) return
    k = Atomics.load(c, STEP)
    const rows = Atomics.load(c, ROWS)
    replica.gradient(1, x, labels, rows)
    Atomics.store(c, HELPER_DONE, k)
    Atomics.notify(c, HELPER_DONE)
    while (Atomics.load(c, MAIN_DONE) !== k) Atomics.wait(c, MAIN_DONE, Atomics.load(c, MAIN_DONE))
    replica.apply(Atomics.load(c, MAIN_ROWS), rows)
  }
}
