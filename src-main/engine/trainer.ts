/**
 * The training loop: Epochs of Iterations over batches, with the learning-rate schedule, live
 * metrics, pause/resume/stop between Iterations, early stopping with the best weights restored,
 * and NaN detection. Tensors stay inside; only plain numbers leave (to the hooks).
 */
import type * as tfjs from '@tensorflow/tfjs'
import type { EpochMetrics, IterationMetrics, OptimizerName, TrainingConfig } from '../contract'
import { createSchedule, type Schedule } from './schedules'

type Tf = typeof tfjs

/** One batch of images (N×H×W×C, normalized) and their class indices. */
export interface Batch {
  x: Float32Array
  y: Int32Array
  size: number
}

/** Where a Run's images come from; the pipeline provides it, tests fake it. */
export interface TrainingData {
  classes: string[]
  size: number
  channels: number
  trainCount: number
  /** Shuffled, augmented batches of Epoch `epoch` (1-based). */
  trainBatches(epoch: number): AsyncIterable<Batch>
  /** The validation images, in order, unaugmented; none when the split is empty. */
  validationBatches(): AsyncIterable<Batch>
  validationCount: number
}

/** How the Run is steered from outside: pause between Iterations, stop at the next one. */
export interface RunControl {
  waitWhilePaused(): Promise<void>
  stopRequested(): boolean
}

/** Everything the loop reports and asks. */
export interface TrainerHooks {
  onIteration(metrics: Omit<IterationMetrics, 'runId' | 'memoryBytes'>): void
  /** After each Epoch; `state` is what a checkpoint must keep to resume from here. */
  onEpoch(metrics: Omit<EpochMetrics, 'runId'>, improved: boolean, state: TrainerState): Promise<void> | void
  control: RunControl
}

/** Where a resumed Run picks up. */
export interface TrainerState {
  epochsDone: number
  iteration: number
  bestValLoss: number | null
  bestEpoch: number
  epochsWithoutImprovement: number
  schedule: object
  elapsedMs: number
}

/** How a Run ended. */
export interface TrainResult {
  stoppedBy: 'completed' | 'stopped' | 'early-stopping'
  state: TrainerState
}

/** The loss became NaN or infinite: training cannot go on. */
export class DivergedError extends Error {}

/** A fresh optimizer for the config. */
export function createOptimizer(tf: Tf, name: OptimizerName, lr: number): tfjs.Optimizer {
  if (name === 'sgd') return tf.train.momentum(lr, 0.9)
  if (name === 'rmsprop') return tf.train.rmsprop(lr, 0.9)
  return tf.train.adam(lr)
}

/** Sets the optimizer's rate for the next step (tfjs reads it at every applyGradients). */
export function setLearningRate(optimizer: tfjs.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number }
  if (o.setLearningRate) o.setLearningRate(lr)
  else o.learningRate = lr
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Iterations in one Epoch: every training image once, the last batch possibly smaller. */
export function iterationsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.ceil(trainCount / batchSize)
}

/** Most pixels one slice of a batch trains on at once (12 images of 224×224: a worker peaked at 2.0 GB with 16, 4.6 GB with 64); see `step` in train. */
export const MAX_SLICE_PIXELS = 12 * 224 * 224

type Config = Pick<TrainingConfig, 'epochs' | 'batchSize' | 'learningRate' | 'weightDecay' | 'schedule' | 'earlyStopping'> & { maxSlicePixels?: number }

/** Trains `model` on `data`; resolves when the Run completes, stops or stops early. */
export async function train(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, data: TrainingData, config: Config, hooks: TrainerHooks, resume?: TrainerState): Promise<TrainResult> {
  const perEpoch = iterationsPerEpoch(data.trainCount, config.batchSize)
  const schedule: Schedule = createSchedule(config.schedule, config.learningRate, config.epochs, perEpoch)
  const state: TrainerState = resume ?? { epochsDone: 0, iteration: 0, bestValLoss: null, bestEpoch: 0, epochsWithoutImprovement: 0, schedule: {}, elapsedMs: 0 }
  if (resume) schedule.restore(resume.schedule)
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable)
  const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read())
  const best: { weights: tfjs.Tensor[] | null } = { weights: null } // for early stopping
  const started = Date.now() - state.elapsedMs

  // One slice of a batch: its gradients and [loss, correct], the loss weighted by its share of the batch.
  const slice = (batch: Batch, start: number, n: number) =>
    tf.tidy(() => {
      const pixels = data.size * data.size * data.channels
      const x = tf.tensor4d(batch.x.subarray(start * pixels, (start + n) * pixels), [n, data.size, data.size, data.channels])
      const labels = tf.tensor1d(batch.y.subarray(start, start + n), 'int32')
      const share = n / batch.size
      let logits: tfjs.Tensor | null = null
      const { value, grads } = tf.variableGrads(() => {
        logits = tf.keep(model.apply(x, { training: true }) as tfjs.Tensor)
        const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, data.classes.length), logits)
        if (!config.weightDecay) return tf.mul(loss, share) as tfjs.Scalar
        const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))))
        return tf.mul(tf.add(loss, tf.mul(config.weightDecay / 2, l2)), share) as tfjs.Scalar
      }, variables)
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), labels), 'float32'))
      const stats = tf.stack([value, correct])
      logits!.dispose()
      return { grads, stats }
    })

  // Large batches of large images are summed slice by slice, so memory holds one slice's
  // activations: batch 64 at 224×224 took ~4.5 GB of wasm heap in one piece. Exact for models
  // without batch normalization; with it, each slice normalizes by its own statistics.
  const sliceSize = Math.max(1, Math.floor((config.maxSlicePixels ?? MAX_SLICE_PIXELS) / (data.size * data.size)))
  const step = (batch: Batch) => {
    let total: { grads: tfjs.NamedTensorMap; stats: tfjs.Tensor } | null = null
    for (let start = 0; start < batch.size; start += sliceSize) {
      const part = slice(batch, start, Math.min(sliceSize, batch.size - start))
      if (!total) total = part
      else {
        const sum: { grads: tfjs.NamedTensorMap; stats: tfjs.Tensor } = tf.tidy(() => ({ grads: Object.fromEntries(Object.entries(part.grads).map(([k, g]) => [k, tf.add(total!.grads[k], g)])), stats: tf.add(total!.stats, part.stats) }))
        for (const t of [...Object.values(total.grads), total.stats, ...Object.values(part.grads), part.stats]) t.dispose()
        total = sum
      }
    }
    optimizer.applyGradients(total!.grads)
    for (const g of Object.values(total!.grads)) g.dispose()
    return total!.stats
  }

  try {
    for (let epoch = state.epochsDone + 1; epoch <= config.epochs; epoch++) {
      const epochStart = Date.now()
      let lossSum = 0
      let correct = 0
      let seen = 0
      let window = { images: 0, since: Date.now() }
      for await (const batch of data.trainBatches(epoch)) {
        // Prefetched batches and wasm reads resolve as microtasks, which alone never let the event
        // loop poll: without this, a pause or stop message would wait for the end of the Epoch.
        await yieldToEventLoop()
        await hooks.control.waitWhilePaused()
        if (hooks.control.stopRequested()) return { stoppedBy: 'stopped', state: finish() }
        const lr = schedule.rate(state.iteration)
        setLearningRate(optimizer, lr)
        const result = step(batch)
        const [loss, right] = await result.data()
        result.dispose()
        if (!Number.isFinite(loss)) {
          throw new DivergedError(`The loss became ${loss} at Iteration ${state.iteration + 1} (Epoch ${epoch}): training diverged. Lower the learning rate (try ${(lr / 10).toPrecision(2)}) or use normalization.`)
        }
        state.iteration++
        lossSum += loss * batch.size
        correct += right
        seen += batch.size
        window.images += batch.size
        const now = Date.now()
        const seconds = (now - window.since) / 1000
        hooks.onIteration({ epoch, iteration: state.iteration, loss, accuracy: right / batch.size, learningRate: lr, imagesPerSecond: seconds > 0 ? window.images / seconds : 0, elapsedMs: now - started })
        if (seconds > 2) window = { images: 0, since: now } // a moving rate, not since the start
      }
      const val = data.validationCount ? await evaluateLoss(tf, model, data) : null
      schedule.epochEnded(val?.loss ?? null)
      const improved = val !== null && (state.bestValLoss === null || val.loss < state.bestValLoss - 1e-6)
      if (improved) {
        state.bestValLoss = val!.loss
        state.bestEpoch = epoch
        state.epochsWithoutImprovement = 0
        if (config.earlyStopping) keepBest()
      } else if (val) state.epochsWithoutImprovement++
      state.epochsDone = epoch
      state.schedule = schedule.state()
      state.elapsedMs = Date.now() - started
      await hooks.onEpoch(
        { epoch, trainLoss: lossSum / seen, trainAccuracy: correct / seen, valLoss: val?.loss ?? null, valAccuracy: val?.accuracy ?? null, learningRate: schedule.rate(Math.max(0, state.iteration - 1)), durationMs: Date.now() - epochStart },
        improved,
        { ...state }
      )
      if (config.earlyStopping && state.epochsWithoutImprovement >= config.earlyStopping) {
        restoreBest()
        return { stoppedBy: 'early-stopping', state: finish() }
      }
    }
    if (config.earlyStopping) restoreBest()
    return { stoppedBy: 'completed', state: finish() }
  } finally {
    best.weights?.forEach((t) => t.dispose())
  }

  function finish(): TrainerState {
    state.elapsedMs = Date.now() - started
    return state
  }
  function keepBest(): void {
    best.weights?.forEach((t) => t.dispose())
    best.weights = model.getWeights().map((w) => w.clone())
  }
  function restoreBest(): void {
    if (best.weights) model.setWeights(best.weights)
  }
}

/** Mean loss and accuracy over the validation images. */
export async function evaluateLoss(tf: Tf, model: tfjs.LayersModel, data: TrainingData): Promise<{ loss: number; accuracy: number }> {
  let loss = 0
  let correct = 0
  let seen = 0
  for await (const batch of data.validationBatches()) {
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, data.size, data.size, data.channels])
      const labels = tf.tensor1d(batch.y, 'int32')
      const logits = model.apply(x, { training: false }) as tfjs.Tensor
      const l = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, data.classes.length), logits, undefined, undefined, tf.Reduction.SUM)
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'))
      return tf.stack([l, c])
    })
    const [l, c] = await sums.data()
    sums.dispose()
    loss += l
    correct += c
    seen += batch.size
  }
  return { loss: loss / Math.max(1, seen), accuracy: correct / Math.max(1, seen) }
}
