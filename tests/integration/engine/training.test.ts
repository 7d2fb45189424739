// A tiny conv net trained on wasm: the loss falls, the weights match cpu's, and the
// two-replica data-parallel step gives the weights of the single full-batch step.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'
import { DataParallel } from '../../../src-main/engine/wasm/data-parallel'

const HELPER = new URL('../../../src-main/engine/wasm/data-parallel-helper.ts', import.meta.url)

/** conv3x3x4 relu, maxpool2, conv3x3x6 (linear), flatten, dense 3: every kernel we replace. */
function tinyNet(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    ]
  })
}

/** A fixed batch: 8 images, labels from a simple rule so the net can learn it. */
function batch(): { x: Float32Array; labels: Int32Array } {
  const x = new Float32Array(8 * 100)
  const labels = new Int32Array(8)
  for (let i = 0; i < 8; i++) {
    labels[i] = i % 3
    for (let p = 0; p < 100; p++) x[i * 100 + p] = Math.sin(p * (labels[i] + 1) * 0.37 + i) * 0.5
  }
  return { x, labels }
}

/** Trains `steps` Adam steps on `backend`; returns the losses and the final weights. */
function train(backend: 'cpu' | 'wasm', steps: number): { losses: number[]; weights: Float32Array[] } {
  tf.setBackend(backend)
  const model = tinyNet()
  const optimizer = tf.train.adam(0.01)
  const { x, labels } = batch()
  const xs = tf.tensor4d(x, [8, 10, 10, 1])
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3)
  const losses: number[] = []
  for (let s = 0; s < steps; s++) {
    losses.push(tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar)
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
      return value.dataSync()[0]
    }))
  }
  return { losses, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) }
}

/** Largest absolute difference between two weight lists. */
function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0
  a.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))))
  return worst
}

let wasmBackend: Backend
beforeAll(async () => {
  wasmBackend = await initBackend('wasm', { threads: 1 })
})
// The wasm module's thread pool would keep the test process alive after the last test.
afterAll(() => wasmBackend.dispose())

describe('training on wasm', () => {
  it('lowers the loss and ends with the weights cpu ends with', () => {
    const wasm = train('wasm', 5)
    const cpu = train('cpu', 5)
    expect(wasm.losses[4]).toBeLessThan(wasm.losses[0] * 0.9)
    expect(maxDiff(wasm.weights, cpu.weights)).toBeLessThan(1e-4)
  })

  it('data-parallel over two threads gives the full-batch step', async () => {
    tf.setBackend('wasm')
    const single = train('wasm', 3)
    const model = tinyNet()
    const parallel = await DataParallel.start(model, { learningRate: 0.01, classes: 3, maxBatch: 8, helperUrl: HELPER })
    try {
      const { x, labels } = batch()
      for (let s = 0; s < 3; s++) parallel.step(x, labels, 8)
    } finally {
      await parallel.dispose()
    }
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array)
    expect(maxDiff(weights, single.weights)).toBeLessThan(1e-4)
  })
})
