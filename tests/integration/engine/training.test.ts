// A tiny conv net trained on wasm: the loss falls, the weights match cpu's, and the
// two-replica data-parallel step gives the weights of the single full-batch step.
import * as tf from '@tensorflow/tfjs'
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'
import { freshDropoutMasks } from '../../../src-main/engine/models'
import { createOptimizer, setLearningRate } from '../../../src-main/engine/optimizers'
import { trainingStep } from '../../../src-main/engine/step'
import { DataParallel, helperLoop, type Replica, type ReplicaSpec } from '../../../src-main/engine/wasm/data-parallel'

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
    losses.push(
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar)
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
        return value.dataSync()[0]
      })
    )
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
    const parallel = await DataParallel.start(model, tf.train.adam(0.01), { optimizer: 'adam', learningRate: 0.01, step: { inputShape: [10, 10, 1], classes: 3 }, maxBatch: 8 })
    try {
      const { x, labels } = batch()
      for (let s = 0; s < 3; s++) parallel.step({ x, y: labels, size: 8 }, 0.01)
    } finally {
      await parallel.dispose()
    }
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array)
    expect(maxDiff(weights, single.weights)).toBeLessThan(1e-4)
  })

  it('data-parallel keeps a resumed optimizer, weight decay, the rate of each step and an odd batch: the same weights as one thread', async () => {
    tf.setBackend('wasm')
    const options = { inputShape: [10, 10, 1], classes: 3, weightDecay: 1e-2 }
    const { x, labels } = batch()
    const seven = { x: x.subarray(0, 7 * 100), y: labels.subarray(0, 7), size: 7 }
    const rates = [0.05, 0.02, 0.01, 0.005]
    // The momentum optimizer carries state from the first two steps into the last two.
    const run = (model: tf.LayersModel, optimizer: tf.Optimizer, from: number) => {
      const step = trainingStep(tf, model, optimizer, options)
      for (const lr of rates.slice(0, from)) {
        setLearningRate(optimizer, lr)
        step(seven).dispose()
      }
    }
    const single = tinyNet()
    const singleOptimizer = createOptimizer(tf, 'sgd', rates[0])
    run(single, singleOptimizer, 4)

    const model = tinyNet()
    const optimizer = createOptimizer(tf, 'sgd', rates[0])
    run(model, optimizer, 2)
    const parallel = await DataParallel.start(model, optimizer, { optimizer: 'sgd', learningRate: rates[0], step: options, maxBatch: 8 })
    const results = []
    try {
      for (const lr of rates.slice(2)) results.push(parallel.step(seven, lr))
    } finally {
      await parallel.dispose()
    }
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync() as Float32Array)
    expect(maxDiff(weights(model), weights(single))).toBeLessThan(1e-4)
    // The step reports the whole batch: a mean loss and a count of right answers out of 7.
    for (const r of results) {
      expect(r.loss).toBeGreaterThan(0)
      expect(Number.isInteger(r.correct) && r.correct >= 0 && r.correct <= 7).toBe(true)
    }
  })

  it('data-parallel steps never hang: 20,000 steps of a tiny model, where both threads meet almost at once', () => {
    // Before the fix the helper could sleep through its wake-up: this hung within 6,000 steps, 3 times of 3.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'tests/fixtures/data-parallel-steps.ts', '20000'], { encoding: 'utf8', timeout: 60_000 })
    expect(result.signal, 'the steps hung (killed after 60 s)').toBeNull()
    expect(result.stdout.trim()).toBe('done 20000')
  }, 70_000)

  it('a helper that ends without a word (as one whose heap runs out) fails the step with a clear message instead of hanging it', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'tests/fixtures/silent-helper-step.ts'], { encoding: 'utf8', timeout: 60_000 })
    expect(result.signal, 'the step hung (killed after 60 s)').toBeNull()
    // The wait is 1 s or 30 times this thread's half of the step, whichever is longer: a busy
    // machine's first step (kernels compiling) can make it 2 s, so the figure is not fixed here.
    expect(result.stdout.trim()).toMatch(/^threw: The second model replica \(a helper thread\) stopped answering for [1-9]\d* s; the model learned up to the last checkpoint is kept\.$/)
  }, 70_000)

  it('draws a new dropout mask at every training call, the same sequence for the same seed', () => {
    tf.setBackend('wasm')
    const masks = () => {
      const model = freshDropoutMasks(tf.sequential({ layers: [tf.layers.dropout({ inputShape: [64], rate: 0.5, seed: 3 })] }))
      const ones = tf.ones([1, 64])
      return [0, 1, 2].map(() => Array.from((model.apply(ones, { training: true }) as tf.Tensor).dataSync()).join(''))
    }
    const [first, second, third] = masks()
    expect(new Set([first, second, third]).size).toBe(3)
    expect(masks()).toEqual([first, second, third])
  })

  it('a helper whose step fails marks both of its signals failed, so the other side stops waiting', () => {
    const control = new Int32Array(new SharedArrayBuffer(8 * 4))
    const spec = { control: control.buffer, numbers: new SharedArrayBuffer(4 * 8), inputs: new SharedArrayBuffer(400), labels: new SharedArrayBuffer(16), rowSize: 100 } as unknown as ReplicaSpec
    const failing = {
      gradient: () => {
        throw new Error('out of memory')
      }
    } as unknown as Replica
    control[1] = 2 // rows for the helper
    control[0] = 1 // step 1 posted
    expect(() => helperLoop(spec, failing)).toThrow('out of memory')
    expect([control[2], control[6]]).toEqual([-2, -2])
  })
})
