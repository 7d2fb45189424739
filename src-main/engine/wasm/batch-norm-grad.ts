/**
 * The batch-normalization gradient without Tile. tfjs's own formula tiles 1/sqrt(variance) to
 * the full N×H×W×C shape before one multiply; broadcasting gives the same numbers. With the
 * default CNN at 28×28 (batch 64) the tiles cost ~170 ms of an ~850 ms step on wasm.
 */
import * as tf from '@tensorflow/tfjs'
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs'

/** The gradient of FusedBatchNorm by broadcasting; identical in value to tfjs's. Global, like every gradient. */
export const batchNormGradConfig: GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const g = dy as Tensor
    const [x, mean, variance, scale] = saved
    const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape)
    // Sums over the batch and space when the statistics are per channel; as is otherwise.
    const reduce = (t: Tensor) => tf.reshape(axes.length ? tf.sum(t, axes) : t, mean.shape)
    const r = tf.rsqrt(tf.add(variance, epsilon))
    const scaled = scale ? tf.mul(r, scale) : r
    const dyScaled = () => (scale ? tf.mul(g, scale) : g)
    return {
      x: () => tf.reshape(tf.mul(g, scaled), x.shape),
      mean: () => reduce(tf.mul(dyScaled(), tf.neg(r))),
      variance: () => reduce(tf.mul(tf.mul(dyScaled(), tf.sub(x, mean)), tf.mul(tf.pow(r, 3), -0.5))),
      scale: () => reduce(tf.mul(tf.mul(g, tf.sub(x, mean)), r)),
      offset: () => reduce(g)
    }
  }
}
