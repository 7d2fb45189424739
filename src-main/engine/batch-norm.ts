/**
 * Batch normalization in training mode as one recorded operation. tfjs-layers computes it from
 * moments (cast, subtract, square, mean) whose gradients keep three full copies of the input
 * alive until the backward pass reaches them, and take the gradient through every one of them.
 * Here the tape saves only the input and two per-channel vectors, and the gradient is the closed
 * form: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dγ = Σ dy · x̂, dβ = Σ dy.
 */
import * as tf from '@tensorflow/tfjs'
import type { Tensor } from '@tensorflow/tfjs'

/** The normalized batch and the batch's statistics (mean, biased variance), as tfjs-layers' normalizeBatchInTraining returns them. */
export interface Normalized {
  y: Tensor
  mean: Tensor
  variance: Tensor
}

/** Normalizes `x` (…×C) per channel by its batch statistics, then scales by `gamma` and shifts by `beta` (both [C]). */
export function batchNormInTraining(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Normalized {
  const axes = x.shape.slice(0, -1).map((_, i) => i)
  let mean: Tensor | null = null
  let variance: Tensor | null = null
  const op = tf.customGrad((input, scale, offset, save) => {
    const [xIn, g, b] = [input, scale, offset] as Tensor[]
    const stats = tf.tidy(() => tf.moments(xIn, axes))
    mean = tf.keep(stats.mean)
    variance = tf.keep(stats.variance)
    const invStd = tf.rsqrt(tf.add(variance, epsilon))
    const y = tf.batchNorm(xIn, mean, variance, b, g, epsilon)
    ;(save as (t: Tensor[]) => void)([xIn, mean, invStd, g])
    return {
      value: y,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => tf.tidy(() => batchNormTrainingGrad(dy as Tensor, saved[0], saved[1], saved[2], saved[3], axes))
    }
  })
  const y = op(x, gamma, beta)
  return { y, mean: mean!, variance: variance! }
}

/** [dx, dγ, dβ] of batch normalization by batch statistics, from the saved input, mean, 1/σ and γ. */
export function batchNormTrainingGrad(dy: Tensor, x: Tensor, mean: Tensor, invStd: Tensor, gamma: Tensor, axes: number[]): Tensor[] {
  const n = axes.reduce((p, a) => p * x.shape[a], 1)
  const xhat = tf.mul(tf.sub(x, mean), invStd)
  const dBeta = tf.sum(dy, axes)
  const dGamma = tf.sum(tf.mul(dy, xhat), axes)
  // dx = γ/σ · (dy − dβ/n − x̂ · dγ/n)
  const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xhat, tf.div(dGamma, n))), tf.mul(gamma, invStd))
  return [dx, dGamma, dBeta]
}

/** A layer's moving statistic (a tfjs-layers LayerVariable). */
export interface MovingAverage {
  read(): Tensor
  write(t: Tensor): void
}

/** tfjs-layers' update of a moving statistic: moving ← moving − (moving − batch) · (1 − momentum); disposes `batch`. */
export function moveAverage(moving: MovingAverage, batch: Tensor, momentum: number): void {
  tf.tidy(() => {
    const old = moving.read()
    moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - momentum)))
  })
  batch.dispose()
}
