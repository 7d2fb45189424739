// Every kernel and gradient we register for wasm, against tfjs's cpu backend on the same data.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'

/** Runs `f` on `backend` and returns its outputs as plain arrays. */
function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend)
  return tf.tidy(() => {
    const out = f()
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array)
  })
}

/** Asserts that `f` gives the same numbers on wasm as on cpu. */
function sameOnBoth(f: () => tf.Tensor | tf.Tensor[], tol = 1e-4): void {
  const cpu = on('cpu', f)
  const wasm = on('wasm', f)
  expect(wasm.length).toBe(cpu.length)
  for (let i = 0; i < cpu.length; i++) {
    expect(wasm[i].length).toBe(cpu[i].length)
    let worst = 0
    for (let j = 0; j < cpu[i].length; j++) worst = Math.max(worst, Math.abs(wasm[i][j] - cpu[i][j]) / (1 + Math.abs(cpu[i][j])))
    expect(worst).toBeLessThan(tol)
  }
}

/** Deterministic data (the same on both backends): values in [-1, 1). */
function data(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  const v = new Float32Array(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    v[i] = s / 1073741824 - 1
  }
  return tf.tensor(v, shape)
}

let wasmBackend: Backend
beforeAll(async () => {
  wasmBackend = await initBackend('wasm', { threads: 1 })
})
// The wasm module's thread pool would keep the test process alive after the last test.
afterAll(() => wasmBackend.dispose())

describe('conv2d gradients on wasm', () => {
  const cases: Array<[string, number[], number[], number, 'valid' | 'same']> = [
    ['3x3 valid stride 1', [2, 9, 9, 3], [3, 3, 3, 4], 1, 'valid'],
    ['3x3 same stride 1', [2, 8, 8, 2], [3, 3, 2, 5], 1, 'same'],
    ['3x3 valid stride 2 (odd size)', [2, 9, 9, 3], [3, 3, 3, 4], 2, 'valid'],
    ['5x5 same stride 2', [1, 10, 10, 2], [5, 5, 2, 3], 2, 'same'],
    ['1x1 valid stride 1', [3, 4, 4, 6], [1, 1, 6, 2], 1, 'valid']
  ]
  for (const [name, xs, ws, stride, pad] of cases) {
    it(`${name}: input and filter gradients match cpu`, () => {
      sameOnBoth(() => {
        const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad), data([1], 3).add(1))))
        return g([data(xs, 1), data(ws, 2)])
      })
    })
  }

  it('fused conv2d with bias (linear activation, as tfjs-layers trains) matches cpu', () => {
    sameOnBoth(() => {
      const g = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'valid' }))))
      return g([data([2, 7, 7, 3], 4), data([3, 3, 3, 4], 5), data([4], 6)])
    })
  })
})

describe('MaxPoolGrad on wasm', () => {
  it('sends the gradient of an all-negative window to its maximum (-2), as cpu does', () => {
    const x = tf.tensor4d([-5, -3, -4, -2], [1, 2, 2, 1])
    const wasm = on('wasm', () => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').sum())(x))[0]
    expect(Array.from(wasm)).toEqual([0, 0, 0, 1])
  })

  it('gives a tie (a window of zeros) to the first maximum only, as cpu does', () => {
    // Two 2x2 windows side by side: all zeros, then all threes.
    const x = tf.tensor4d([0, 0, 3, 3, 0, 0, 3, 3], [1, 2, 4, 1])
    const f = () =>
      tf.grad((t: tf.Tensor) =>
        tf
          .maxPool(t as tf.Tensor4D, 2, 2, 'valid')
          .mul(tf.tensor4d([2, 7], [1, 1, 2, 1]))
          .sum()
      )(x)
    const wasm = on('wasm', f)[0]
    expect(Array.from(wasm)).toEqual([2, 0, 7, 0, 0, 0, 0, 0])
    expect(Array.from(on('cpu', f)[0])).toEqual(Array.from(wasm))
  })

  const cases: Array<[string, number[], number, number, 'valid' | 'same']> = [
    ['2x2 stride 2, even size', [2, 8, 8, 3], 2, 2, 'valid'],
    ['2x2 stride 2, odd size (last row dropped)', [2, 11, 11, 4], 2, 2, 'valid'],
    ['3x3 stride 2, same padding (overlapping)', [2, 9, 9, 2], 3, 2, 'same'],
    ['3x3 stride 1, valid', [1, 6, 6, 2], 3, 1, 'valid']
  ]
  for (const [name, shape, size, stride, pad] of cases) {
    it(`${name}: matches cpu on random data`, () => {
      sameOnBoth(
        () =>
          tf.grad((t: tf.Tensor) =>
            tf
              .maxPool(t as tf.Tensor4D, size, stride, pad)
              .mul(2)
              .sum()
          )(data(shape, 7)),
        1e-6
      )
    })
  }
})

describe('dense and elementwise kernels on wasm', () => {
  for (const [ta, tb] of [
    [true, false],
    [false, true],
    [true, true]
  ] as const) {
    it(`matMul with transposeA=${ta}, transposeB=${tb} (also batched) matches cpu`, () => {
      sameOnBoth(() => [tf.matMul(data(ta ? [7, 5] : [5, 7], 1), data(tb ? [3, 7] : [7, 3], 2), ta, tb), tf.matMul(data(ta ? [2, 7, 5] : [2, 5, 7], 3), data(tb ? [2, 3, 7] : [2, 7, 3], 4), ta, tb)])
    })
  }

  it('fused matMul with bias and relu under transposes matches cpu', () => {
    sameOnBoth(() => tf.fused.matMul({ a: data([6, 4], 1), b: data([3, 6], 2), transposeA: true, transposeB: true, bias: data([3], 3), activation: 'relu' }))
  })

  it('sums over leading axes (bias gradients) and other axes match cpu', () => {
    const x = () => data([4, 5, 6, 7], 9)
    sameOnBoth(() => [tf.sum(x(), [0, 1, 2]), tf.sum(x(), [0, 1], true), tf.sum(x()), tf.sum(x(), [1, 3]), tf.sum(x(), -1)])
  })

  it('relu gradient matches cpu', () => {
    sameOnBoth(() =>
      tf.grad((t: tf.Tensor) =>
        tf
          .relu(t)
          .mul(data([3, 5, 4], 2))
          .sum()
      )(data([3, 5, 4], 1))
    )
  })

  it('relu gradient (taken from the saved output) matches cpu where the input is 0, -0 or negative', () => {
    sameOnBoth(
      () =>
        tf.grad((t: tf.Tensor) =>
          tf
            .relu(t)
            .mul(tf.tensor1d([1, 2, 3, 4, 5]))
            .sum()
        )(tf.tensor1d([-1, 0, 2, -0, 3])),
      1e-9
    )
  })

  it('a clone shares its buffer on wasm (no copy) and keeps its values once the original is gone, as on cpu', () => {
    tf.setBackend('wasm')
    const backend = tf.backend() as unknown as { getMemoryOffset(id: object): number }
    const a = data([4, 6], 3)
    const expected = Array.from(a.dataSync())
    const b = tf.clone(a)
    expect(backend.getMemoryOffset(b.dataId)).toBe(backend.getMemoryOffset(a.dataId))
    a.dispose()
    expect(Array.from(b.dataSync())).toEqual(expected)
    b.dispose()
    sameOnBoth(() => tf.grad((t: tf.Tensor) => tf.clone(t).square().sum())(data([3, 3], 4)), 1e-9)
  })

  it('clipByValue (ReLU6) gradient matches cpu, at the bounds too', () => {
    sameOnBoth(() =>
      tf.grad((t: tf.Tensor) =>
        tf
          .clipByValue(t, -0.25, 0.5)
          .mul(data([3, 5, 4], 2))
          .sum()
      )(data([3, 5, 4], 1))
    )
    sameOnBoth(() => tf.grad((t: tf.Tensor) => tf.clipByValue(t, 0, 6).sum())(tf.tensor1d([-1, 0, 3, 6, 7])), 1e-9)
  })
})

describe('depthwise conv2d gradients on wasm (MobileNet fine-tuning)', () => {
  const cases: Array<[string, number[], number[], number, 'valid' | 'same' | number, number]> = [
    ['3x3 same stride 1', [2, 7, 7, 5], [3, 3, 5, 1], 1, 'same', 1],
    ['3x3 stride 1, padding 3 (wider than the filter reaches: the loop, not the convolution)', [1, 6, 6, 2], [3, 3, 2, 1], 1, 3, 1],
    ["3x3 valid stride 2 (odd size, as after MobileNet's zero padding)", [2, 9, 9, 4], [3, 3, 4, 1], 2, 'valid', 1],
    ['3x3 same stride 2, channel multiplier 2', [1, 8, 8, 3], [3, 3, 3, 2], 2, 'same', 1],
    ['5x5 same stride 1', [2, 6, 6, 3], [5, 5, 3, 1], 1, 'same', 1]
  ]
  for (const [name, xs, ws, stride, pad, dilation] of cases) {
    it(`${name}: input and filter gradients match cpu`, () => {
      sameOnBoth(() => {
        // A squared loss, so the gradient reaching the convolution differs at every place (a constant one would hide a flipped filter).
        const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad, 'NHWC', dilation))))
        return g([data(xs, 1), data(ws, 2)])
      })
    })
  }

  it('a MobileNetV2 block (expand, depthwise with ReLU6, project, residual) trains to the same gradients as on cpu', () => {
    sameOnBoth(() => {
      const g = tf.grads((x: tf.Tensor, e: tf.Tensor, d: tf.Tensor, p: tf.Tensor) => {
        const expanded = tf.clipByValue(tf.conv2d(x as tf.Tensor4D, e as tf.Tensor4D, 1, 'same'), 0, 6)
        const depthwise = tf.clipByValue(tf.depthwiseConv2d(expanded, d as tf.Tensor4D, 1, 'same'), 0, 6)
        return tf.sum(tf.square(tf.add(tf.conv2d(depthwise, p as tf.Tensor4D, 1, 'same'), x)))
      })
      return g([data([2, 7, 7, 4], 1), data([1, 1, 4, 12], 2), data([3, 3, 12, 1], 3), data([1, 1, 12, 4], 4)])
    })
  })
})
