/**
 * One training step over a batch, shared by the trainer and the learning-rate range test. Large
 * batches of large images are summed slice by slice, so memory holds one slice's activations:
 * batch 64 at 224×224 took ~4.5 GB of wasm heap in one piece. Exact for models without batch
 * normalization; with it, each slice normalizes by its own statistics.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { applyForTraining } from './forward'
import { variableGrads } from './gradients'
import { setLearningRate } from './optimizers'

type Tf = typeof tfjs

/** What one step trains on: images (N×H×W×C, normalized) or embeddings (N×D), and their class indices. The loader's `Batch` also names its images. */
export interface StepBatch {
  x: Float32Array
  y: Int32Array
  size: number
}

/** Most pixels one slice of a batch trains on at once (12 images of 224×224: a worker peaked at 2.0 GB with 16, 4.6 GB with 64). */
export const MAX_SLICE_PIXELS = 12 * 224 * 224

/** What a step needs to know besides the model. */
export interface StepOptions {
  /** One example's shape: [H, W, C] for images, [D] for embeddings. */
  inputShape: number[]
  classes: number
  weightDecay?: number
  maxSlicePixels?: number
}

/** A batch's gradients by variable name, and [mean loss, correct] (the caller disposes both). */
export interface Gradients {
  grads: tfjs.NamedTensorMap
  stats: tfjs.Tensor
}

/** Trains on one batch at learning rate `lr`; resolves with the batch's mean loss and correct count. */
export type Step = (batch: StepBatch, lr: number) => Promise<{ loss: number; correct: number }>

/** The Step on this thread: `trainingStep` with the rate set first. */
export function localStep(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, options: StepOptions): Step {
  const step = trainingStep(tf, model, optimizer, options)
  return async (batch, lr) => {
    setLearningRate(optimizer, lr)
    const stats = step(batch)
    const [loss, correct] = await stats.data()
    stats.dispose()
    return { loss, correct }
  }
}

/** A function that trains `model` on one batch and returns [loss, correct] as a tensor (the caller disposes it). */
export function trainingStep(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, options: StepOptions): (batch: StepBatch) => tfjs.Tensor {
  const gradients = batchGradients(tf, model, options)
  return (batch: StepBatch) => {
    const { grads, stats } = gradients(batch)
    optimizer.applyGradients(grads)
    for (const g of Object.values(grads)) g.dispose()
    return stats
  }
}

/** A function that computes the gradients of `model`'s loss on one batch, slice by slice. */
export function batchGradients(tf: Tf, model: tfjs.LayersModel, options: StepOptions): (batch: StepBatch) => Gradients {
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable)
  const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read())
  const { inputShape, classes, weightDecay = 0 } = options
  const values = inputShape.reduce((a, b) => a * b, 1)

  // One slice of a batch: its gradients and [loss, correct], the loss weighted by its share of the batch.
  const slice = (batch: StepBatch, start: number, n: number) =>
    tf.tidy(() => {
      const x = tf.tensor(batch.x.subarray(start * values, (start + n) * values), [n, ...inputShape])
      const labels = tf.tensor1d(batch.y.subarray(start, start + n), 'int32')
      const share = n / batch.size
      let logits: tfjs.Tensor | null = null
      const { value, grads } = variableGrads(
        tf,
        () => {
          logits = tf.keep(applyForTraining(model, x))
          const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits)
          if (!weightDecay) return tf.mul(loss, share) as tfjs.Scalar
          const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))))
          return tf.mul(tf.add(loss, tf.mul(weightDecay / 2, l2)), share) as tfjs.Scalar
        },
        variables
      )
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), labels), 'float32'))
      const stats = tf.stack([value, correct])
      logits!.dispose()
      return { grads, stats }
    })

  const sliceSize = Math.max(1, Math.floor((options.maxSlicePixels ?? MAX_SLICE_PIXELS) / pixelsOf(inputShape)))
  return (batch: StepBatch) => {
    let total: Gradients | null = null
    for (let start = 0; start < batch.size; start += sliceSize) {
      const part = slice(batch, start, Math.min(sliceSize, batch.size - start))
      if (!total) total = part
      else {
        const sum: Gradients = tf.tidy(() => ({ grads: Object.fromEntries(Object.entries(part.grads).map(([k, g]) => [k, tf.add(total!.grads[k], g)])), stats: tf.add(total!.stats, part.stats) }))
        for (const t of [...Object.values(total.grads), total.stats, ...Object.values(part.grads), part.stats]) t.dispose()
        total = sum
      }
    }
    return total!
  }
}

/** Pixels of one example: H × W for an image, 1 for a vector (which is never sliced). */
function pixelsOf(inputShape: number[]): number {
  return inputShape.slice(0, -1).reduce((a, b) => a * b, 1)
}
