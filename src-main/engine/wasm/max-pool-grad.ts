/**
 * MaxPoolGrad for the wasm backend, written in JS over the wasm heap. It replaces the stock
 * kernel for two reasons: the stock one sends the gradient to the wrong element when every
 * value in a window is negative (window [-5,-3,-4,-2] puts it at -5), and it is the largest
 * cost of the backward pass (59 ms per batch of 64 for the reference CNN's first pool).
 * Ties go to the first maximum in row-major window order, as on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

/** Kernel function: inputs {dy, input, output}, attrs {filterSize, strides, pad, dimRoundingMode}. */
function maxPoolGrad(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const backend = args.backend as BackendWasm
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo }
  const a = args.attrs as unknown as tf.MaxPoolGradAttrs
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode)
  const out = backend.makeOutput(input.shape, 'float32')
  // Views only after makeOutput: its malloc may grow (and so detach) the wasm memory.
  const dx = backend.typedArrayFromHeap(out) as Float32Array
  const x = backend.typedArrayFromHeap(input) as Float32Array
  const g = backend.typedArrayFromHeap(dy) as Float32Array
  dx.fill(0)
  if (isPool2x2(info)) {
    pool2x2Grad(dx, x, g, info)
    return out
  }
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info
  const { top, left } = info.padInfo
  const best = new Float32Array(C)
  const at = new Int32Array(C)
  let gi = 0
  for (let n = 0; n < N; n++) {
    const nBase = n * H * W * C
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top
      const hs = Math.max(0, h0)
      const he = Math.min(H, h0 + fh)
      for (let ow = 0; ow < OW; ow++, gi += C) {
        const w0 = ow * sw - left
        const ws = Math.max(0, w0)
        const we = Math.min(W, w0 + fw)
        best.fill(-Infinity)
        at.fill(-1)
        for (let h = hs; h < he; h++) {
          for (let w = ws; w < we; w++) {
            const base = nBase + (h * W + w) * C
            for (let c = 0; c < C; c++) {
              const v = x[base + c]
              if (v > best[c]) {
                best[c] = v
                at[c] = base + c
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (at[c] >= 0) dx[at[c]] += g[gi + c]
      }
    }
  }
  return out
}

/** Whether the windows are the common 2x2, stride 2, unpadded ones. */
function isPool2x2(i: tf.backend_util.Conv2DInfo): boolean {
  const { top, left } = i.padInfo
  return i.filterHeight === 2 && i.filterWidth === 2 && i.strideHeight === 2 && i.strideWidth === 2 && top === 0 && left === 0 && i.outHeight * 2 <= i.inHeight && i.outWidth * 2 <= i.inWidth
}

/** The 2x2 stride-2 case unrolled: windows do not overlap, so each dy lands in one place. */
function pool2x2Grad(dx: Float32Array, x: Float32Array, g: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info
  const row = W * C
  let gi = 0
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let p = n * H * row + 2 * oh * row
      for (let ow = 0; ow < OW; ow++, p += 2 * C) {
        for (let c = 0; c < C; c++, gi++) {
          const a = p + c
          const b = a + C
          const d = a + row
          const e = d + C
          // First maximum wins in row-major order (a, b, d, e), as on the cpu backend.
          let at = a
          let best = x[a]
          if (x[b] > best) {
            at = b
            best = x[b]
          }
          if (x[d] > best) {
            at = d
            best = x[d]
          }
          if (x[e] > best) at = e
          dx[at] = g[gi]
        }
      }
    }
  }
}

/** Registration that replaces the stock wasm MaxPoolGrad. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as KernelConfig['kernelFunc']
}
