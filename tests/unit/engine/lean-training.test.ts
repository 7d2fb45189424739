// The memory-lean training step (freeing forward pass, freeing backward pass, batch norm as one
// operation) gives tfjs's own numbers — gradients, loss, moving statistics — on cpu and on wasm,
// with a fraction of the peak memory.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'
import { batchNormInTraining, batchNormTrainingGrad } from '../../../src-main/engine/batch-norm'
import { applyForTraining } from '../../../src-main/engine/forward'
import { variableGrads } from '../../../src-main/engine/gradients'
import { buildModel, frozenBatchNorm } from '../../../src-main/engine/models'

let wasmBackend: Backend
beforeAll(async () => {
  wasmBackend = await initBackend('wasm', { threads: 1 })
})
afterAll(() => wasmBackend.dispose())

/** Deterministic data in [-1, 1) (the same on every backend). */
function data(shape: number[], seed: number, scale = 1, shift = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  const v = new Float32Array(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    v[i] = (s / 1073741824 - 1) * scale + shift
  }
  return tf.tensor(v, shape)
}

/** A residual block as compact-resnet has them (conv, BN, ReLU, conv, BN, add, ReLU), a pooled head; BN layers stock or ours. */
function residualNet(lean: boolean): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: k })
  const input = tf.input({ shape: [8, 8, 3] })
  const conv = (x: tf.SymbolicTensor, filters: number, k: number) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(k) }).apply(x) as tf.SymbolicTensor
  // Momentum 0: the moving statistics become the batch's, in tfjs-layers' update and in our warm-up's first one alike.
  const bn = (x: tf.SymbolicTensor) => tf.layers.batchNormalization({ momentum: 0 }).apply(x) as tf.SymbolicTensor
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor
  const stem = relu(bn(conv(input, 4, 1)))
  const y = bn(conv(relu(bn(conv(stem, 4, 2))), 4, 3))
  const out = relu(tf.layers.add().apply([y, stem]) as tf.SymbolicTensor)
  const logits = tf.layers.dense({ units: 3, kernelInitializer: init(4) }).apply(tf.layers.globalAveragePooling2d({}).apply(out) as tf.SymbolicTensor) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: logits })
  return lean ? frozenBatchNorm(model) : model
}

/** One gradient of a softmax loss: stock (tfjs-layers' apply, tf.variableGrads) or lean; returns loss, gradients and moving statistics. */
function step(model: tf.LayersModel, lean: boolean): { loss: number; grads: Float32Array[]; moving: Float32Array[] } {
  return tf.tidy(() => {
    const x = data([6, 8, 8, 3], 7)
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3)
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
    const f = () => tf.losses.softmaxCrossEntropy(labels, lean ? applyForTraining(model, x) : (model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar
    const { value, grads } = lean ? variableGrads(tf, f, variables) : tf.variableGrads(f, variables)
    return {
      loss: value.dataSync()[0],
      grads: variables.map((v) => grads[v.name].dataSync() as Float32Array),
      moving: model.weights.filter((w) => w.name.includes('moving')).map((w) => w.read().dataSync() as Float32Array)
    }
  })
}

/** Largest difference between two lists of arrays, relative to 1 + |expected|. */
function worst(actual: Float32Array[], expected: Float32Array[]): number {
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length))
  let w = 0
  actual.forEach((a, i) => a.forEach((v, j) => (w = Math.max(w, Math.abs(v - expected[i][j]) / (1 + Math.abs(expected[i][j]))))))
  return w
}

describe('the lean training step', () => {
  it.each(['cpu', 'wasm'])('gives tfjs’s own loss, gradients and moving statistics on %s (residual block with batch norm)', (backend) => {
    tf.setBackend('cpu')
    const stock = step(residualNet(false), false)
    tf.setBackend(backend)
    const lean = step(residualNet(true), true)
    expect(Math.abs(lean.loss - stock.loss)).toBeLessThan(1e-5)
    expect(worst(lean.grads, stock.grads)).toBeLessThan(1e-4)
    expect(worst(lean.moving, stock.moving)).toBeLessThan(1e-5)
    expect(lean.moving.length).toBe(6) // three BN layers, mean and variance each: both moved
  })

  it('leaves no tensor behind, and a model without a graph (a Sequential) still trains', () => {
    tf.setBackend('wasm')
    const model = residualNet(true)
    step(model, true) // builds what is built once (optimizer-free: only the model's own)
    const before = tf.memory().numTensors
    step(model, true)
    expect(tf.memory().numTensors).toBe(before)
    const seq = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] })
    const y = tf.tidy(() => applyForTraining(seq, tf.ones([3, 4])).shape)
    expect(y).toEqual([3, 2])
  })

  it('the freeing passes need under half the wasm memory of tfjs’s own at their peak (compact-resnet, 16 images of 32 px: 40 vs 111 MB)', () => {
    tf.setBackend('wasm')
    const peak = (lean: boolean) => {
      const model = buildModel(tf, 'compact-resnet', { size: 32, channels: 3, classes: 3 })
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
      const x = data([16, 32, 32, 3], 5)
      const labels = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 16 }, (_, i) => i % 3),
          'int32'
        ),
        3
      )
      const f = () => tf.losses.softmaxCrossEntropy(labels, lean ? applyForTraining(model, x) : (model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar
      const bytes = peakHeapBytes(() => {
        const { value, grads } = lean ? variableGrads(tf, f, variables) : tf.variableGrads(f, variables)
        tf.dispose([value, ...Object.values(grads)])
      })
      tf.dispose([x, labels])
      model.dispose()
      return bytes
    }
    const lean = peak(true)
    const stock = peak(false)
    expect(lean).toBeLessThan(stock * 0.5)
  })
})

/** Most bytes of the wasm heap held at once by `f`'s allocations (tensor buffers and kernels' scratch). */
function peakHeapBytes(f: () => void): number {
  const wasm = (tf.backend() as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void } }).wasm
  tf.tidy(() => tf.add(tf.ones([2]), 1)) // Emscripten swaps its lazy _malloc and _free stubs for the real ones on their first call
  const { _malloc: malloc, _free: free } = wasm
  const sizes = new Map<number, number>()
  let live = 0
  let peak = 0
  wasm._malloc = (n) => {
    const p = malloc(n)
    sizes.set(p, n)
    live += n
    peak = Math.max(peak, live)
    return p
  }
  wasm._free = (p) => {
    live -= sizes.get(p) ?? 0
    sizes.delete(p)
    free(p)
  }
  try {
    f()
  } finally {
    wasm._malloc = malloc
    wasm._free = free
  }
  return peak
}

describe('batch normalization in training as one operation', () => {
  it.each(['cpu', 'wasm'])('its closed-form gradient equals tfjs’s gradient through moments on %s, with a scale far from 1 and a shifted input', (backend) => {
    const run = (lean: boolean) =>
      tf.tidy(() => {
        const x = data([3, 4, 5, 6], 1, 2, 0.5)
        const gamma = data([6], 2, 0.5, 1)
        const beta = data([6], 3)
        const dy = data([3, 4, 5, 6], 4)
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          if (lean) return batchNormInTraining(a, g, b, 1e-3).y
          const { mean, variance } = tf.moments(a, [0, 1, 2])
          return tf.batchNorm(a, mean, variance, b, g, 1e-3)
        }
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), dy)))([x, gamma, beta])
        return [f(x, gamma, beta), ...grads].map((t) => t.dataSync() as Float32Array)
      })
    tf.setBackend('cpu')
    const stock = run(false)
    tf.setBackend(backend)
    const lean = run(true)
    expect(worst(lean, stock)).toBeLessThan(1e-4)
  })

  it('returns the batch mean and biased variance tfjs-layers moves its averages by', () => {
    tf.setBackend('cpu')
    const x = data([2, 3, 3, 4], 9, 3, 1)
    const { y, mean, variance } = batchNormInTraining(x, tf.ones([4]), tf.zeros([4]), 1e-3)
    const m = tf.moments(x, [0, 1, 2])
    expect(worst([mean.dataSync() as Float32Array, variance.dataSync() as Float32Array], [m.mean.dataSync() as Float32Array, m.variance.dataSync() as Float32Array])).toBeLessThan(1e-6)
    expect(y.shape).toEqual(x.shape)
    // The gradient alone, from saved values: dβ is the sum of dy, dγ the sum of dy·x̂.
    const dy = tf.onesLike(x)
    const [, dGamma, dBeta] = batchNormTrainingGrad(dy, x, m.mean, tf.rsqrt(tf.add(m.variance, 1e-3)), tf.ones([4]), [0, 1, 2])
    expect(Array.from(dBeta.dataSync())).toEqual([18, 18, 18, 18])
    dGamma.dataSync().forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-4))
  })
})

describe('batch normalization of a model trained from scratch', () => {
  // A Run on a few hundred images has a few dozen Iterations: validation (inference mode) must
  // already use statistics close to the batches', or a model that learned scores at chance.
  it.each(['default-cnn', 'compact-resnet'] as const)('%s validates with statistics that have caught up with the batches after 20 Iterations', (name) => {
    tf.setBackend('wasm')
    const model = buildModel(tf, name, { size: 16, channels: 3, classes: 3 }, 1, { dropout: 0 })
    const x = data([8, 16, 16, 3], 5, 1, 2) // pixels whose mean is far from 0, as after a [0, 1] normalization
    for (let i = 0; i < 20; i++) tf.tidy(() => applyForTraining(model, x))
    const [training, inference] = tf.tidy(() => [applyForTraining(model, x), model.predict(x) as tf.Tensor].map((t) => t.dataSync() as Float32Array))
    // Moved from their start (0 and 1) by Keras' momentum alone, they were 82% of the way off: logits differed by 0.5–1.
    expect(worst([inference], [training])).toBeLessThan(0.1)
    model.dispose()
  })
})
