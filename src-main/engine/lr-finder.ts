/**
 * The learning-rate range test (Leslie Smith; fastai's lr_find): train on batches while the rate
 * grows exponentially, record the smoothed loss, stop when it explodes, and suggest a rate where
 * the loss falls fastest. The model is thrown away afterwards.
 */
import type * as tfjs from '@tensorflow/tfjs'
import type { Batch } from './trainer'

type Tf = typeof tfjs

/** One step of the test: the rate used and the smoothed loss after it. */
export interface LrPoint {
  learningRate: number
  loss: number
}

/** Range and length of the test. */
export interface LrRange {
  from: number
  to: number
  steps: number
}

/** Runs the test on `batches` (cycled if too few); returns the curve and a suggested rate. */
export async function findLearningRate(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, batches: () => AsyncIterable<Batch>, shape: { size: number; channels: number; classes: number }, range: LrRange = { from: 1e-7, to: 10, steps: 100 }): Promise<{ points: LrPoint[]; suggestion: number | null }> {
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable)
  const factor = (range.to / range.from) ** (1 / Math.max(1, range.steps - 1))
  const points: LrPoint[] = []
  let smoothed = 0
  let best = Infinity
  let step = 0
  while (step < range.steps) {
    for await (const batch of batches()) {
      const lr = range.from * factor ** step
      ;(optimizer as unknown as { learningRate: number }).learningRate = lr
      ;(optimizer as unknown as { setLearningRate?: (lr: number) => void }).setLearningRate?.(lr)
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [batch.size, shape.size, shape.size, shape.channels])
        const y = tf.oneHot(tf.tensor1d(batch.y, 'int32'), shape.classes)
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tfjs.Tensor) as tfjs.Scalar, variables)
        optimizer.applyGradients(grads)
        return value
      })
      const value = (await loss.data())[0]
      loss.dispose()
      // Exponential smoothing with bias correction, as fastai does, so early points are usable.
      smoothed = 0.98 * smoothed + 0.02 * value
      const debiased = smoothed / (1 - 0.98 ** (step + 1))
      step++
      if (!Number.isFinite(debiased) || debiased > 4 * best) return { points, suggestion: suggest(points) }
      best = Math.min(best, debiased)
      points.push({ learningRate: lr, loss: debiased })
      if (step >= range.steps) break
    }
  }
  return { points, suggestion: suggest(points) }
}

/**
 * The rate where the smoothed loss falls fastest (steepest negative slope in log-rate), before its
 * minimum. The first tenth of the curve is skipped, as fastai does: its smoothing rests on few points.
 */
export function suggest(points: LrPoint[]): number | null {
  if (points.length < 5) return null
  let minimum = 0
  for (let i = 1; i < points.length; i++) if (points[i].loss < points[minimum].loss) minimum = i
  let steepest = -1
  let slope = 0
  for (let i = Math.max(1, Math.floor(points.length / 10)); i <= minimum; i++) {
    const s = (points[i].loss - points[i - 1].loss) / Math.log(points[i].learningRate / points[i - 1].learningRate)
    if (s < slope) {
      slope = s
      steepest = i
    }
  }
  return steepest < 0 ? points[minimum].learningRate / 10 : points[steepest].learningRate
}
