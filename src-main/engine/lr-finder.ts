/**
 * The learning-rate range test (Leslie Smith; fastai's lr_find): train on batches while the rate
 * grows exponentially, record the smoothed loss, stop when it explodes, and suggest a rate where
 * the loss falls fastest. The model is thrown away afterwards.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { localStep } from './step'
import type { StepBatch } from './step'

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
export async function findLearningRate(
  tf: Tf,
  model: tfjs.LayersModel,
  optimizer: tfjs.Optimizer,
  batches: () => AsyncIterable<StepBatch>,
  shape: { inputShape: number[]; classes: number },
  range: LrRange = { from: 1e-7, to: 10, steps: 100 }
): Promise<{ points: LrPoint[]; suggestion: number | null }> {
  // The Run's own step, so large images train in slices here too.
  const train = localStep(tf, model, optimizer, shape)
  const factor = (range.to / range.from) ** (1 / Math.max(1, range.steps - 1))
  const points: LrPoint[] = []
  // The first tenth rests on too few batches to judge: a lucky first batch must not end the test.
  const settling = Math.round(range.steps / 10)
  let smoothed = 0
  let best = Infinity
  let step = 0
  while (step < range.steps) {
    for await (const batch of batches()) {
      const lr = range.from * factor ** step
      const { loss: value } = await train(batch, lr)
      // Exponential smoothing with bias correction, as fastai does, so early points are usable.
      smoothed = 0.98 * smoothed + 0.02 * value
      const debiased = smoothed / (1 - 0.98 ** (step + 1))
      step++
      if (!Number.isFinite(debiased) || debiased > 4 * best) return { points, suggestion: suggest(points) }
      if (step > settling) best = Math.min(best, debiased)
      points.push({ learningRate: lr, loss: debiased })
      if (step >= range.steps) break
    }
  }
  return { points, suggestion: suggest(points) }
}

/**
 * The rate where the smoothed loss falls fastest before its minimum: the slope is taken over a tenth
 * of the curve (single steps are smoothing noise), and only once the loss has made a tenth of its
 * total fall (a flat start wobbles too). Without such a fall, a tenth of the minimum's rate when that
 * rate was tried; none when the loss never fell (no rate outside the test is ever suggested).
 */
export function suggest(points: LrPoint[]): number | null {
  if (points.length < 5) return null
  // The first tenth is skipped, as fastai does: its smoothing rests on too few batches, so a lucky
  // first batch is neither the start of the fall nor its minimum.
  const window = Math.max(1, Math.round(points.length / 10))
  const start = points.length >= 20 ? window : 0
  let minimum = start
  for (let i = start + 1; i < points.length; i++) if (points[i].loss < points[minimum].loss) minimum = i
  const fall = points[start].loss - points[minimum].loss
  let steepest = -1
  let slope = 0
  for (let i = start + window; i <= minimum; i++) {
    if (points[start].loss - points[i].loss < fall / 10) continue
    const s = (points[i].loss - points[i - window].loss) / Math.log(points[i].learningRate / points[i - window].learningRate)
    if (s < slope) {
      slope = s
      steepest = i
    }
  }
  // The middle of the steepest window: its slope belongs to the whole stretch.
  if (steepest >= 0) return points[steepest - Math.floor(window / 2)].learningRate
  const tenth = points[minimum].learningRate / 10
  return tenth >= points[0].learningRate ? tenth : null
}
