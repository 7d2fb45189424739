import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { batchNormGradConfig } from '../../../src-main/engine/wasm/batch-norm-grad'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** Every partial derivative of both gradient functions, as plain arrays. */
function partials(config: tf.GradConfig, saved: tf.Tensor[], dy: tf.Tensor) {
  const grads = config.gradFunc(dy, saved, { varianceEpsilon: 1e-3 })
  return Object.fromEntries(Object.entries(grads).map(([name, f]) => [name, Array.from(f().dataSync())]))
}

describe('the batch-normalization gradient without Tile', () => {
  it.each([
    ['per-channel statistics with a scale', true],
    ['per-channel statistics without a scale', false]
  ])('equals tfjs’s own for %s', (_, withScale) => {
    const stock = tf.getGradient(tf.FusedBatchNorm)!
    const x = tf.randomNormal([3, 4, 5, 6], 0, 2, 'float32', 1)
    const mean = tf.randomNormal([6], 0, 1, 'float32', 2)
    const variance = tf.randomUniform([6], 0.5, 2, 'float32', 3)
    const scale = withScale ? tf.randomNormal([6], 1, 0.3, 'float32', 4) : (null as unknown as tf.Tensor)
    const dy = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 5)
    const expected = partials(stock, [x, mean, variance, scale], dy)
    const actual = partials(batchNormGradConfig, [x, mean, variance, scale], dy)
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort())
    for (const name of Object.keys(expected)) {
      expect(actual[name].length).toBe(expected[name].length)
      actual[name].forEach((v, i) => expect(v).toBeCloseTo(expected[name][i], 3))
    }
  })
})
