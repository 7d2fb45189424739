/**
 * The two gradients of a depthwise convolution, which tfjs 4.22's wasm backend lacks (so no
 * MobileNet-style network fine-tunes there): written in JS over the wasm heap, NHWC, any stride,
 * padding and channel multiplier (and dilation, which tfjs's gradient itself still refuses). Each channel only meets itself, so both are short loops
 * with the channels innermost (contiguous in memory).
 *   dW[kh,kw,c,m] = Σ_{n,oh,ow} x[n, oh·sh − top + kh·dh, ow·sw − left + kw·dw, c] · dy[n,oh,ow,c·M+m]
 *   dx[n,ih,iw,c] = Σ_{kh,kw,m} over the (oh,ow) that read (ih,iw): dy[n,oh,ow,c·M+m] · W[kh,kw,c,m]
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

type Args = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }
type Attrs = {
  strides: [number, number] | number
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
  dilations: [number, number] | number
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/** Geometry of a depthwise convolution with input `xShape` and filter `filterShape` [KH,KW,C,M]. */
function geometry(xShape: number[], filterShape: number[], a: Attrs) {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, true)
  return { ...info, multiplier: filterShape[3] }
}

/** DepthwiseConv2dNativeBackpropFilter: inputs {x, dy}, attrs as tf.depthwiseConv2d's gradient passes them, plus filterShape. */
function filterGrad(args: Args): TensorInfo {
  const backend = args.backend as BackendWasm
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo }
  const a = args.attrs as unknown as Attrs & { filterShape: number[] }
  const g = geometry(x.shape, a.filterShape, a)
  const out = backend.makeOutput(a.filterShape, 'float32')
  // Views only after makeOutput: its malloc may grow (and so detach) the wasm memory.
  const dw = backend.typedArrayFromHeap(out) as Float32Array
  const xs = backend.typedArrayFromHeap(x) as Float32Array
  const dys = backend.typedArrayFromHeap(dy) as Float32Array
  dw.fill(0)
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, multiplier: M } = g
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwd, filterHeight: KH, filterWidth: KW } = g
  const { top, left } = g.padInfo
  const CM = C * M
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CM
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh
          if (ih < 0 || ih >= H) continue
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dwd
            if (iw < 0 || iw >= W) continue
            const xBase = ((n * H + ih) * W + iw) * C
            const wBase = (kh * KW + kw) * CM
            if (M === 1) for (let c = 0; c < C; c++) dw[wBase + c] += xs[xBase + c] * dys[dyBase + c]
            else for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) dw[wBase + c * M + m] += xs[xBase + c] * dys[dyBase + c * M + m]
          }
        }
      }
    }
  }
  return out
}

/**
 * DepthwiseConv2dNativeBackpropInput: inputs {dy, filter}, attrs plus inputShape. Without dilation
 * it is itself a depthwise convolution, which XNNPACK runs: dy spread out by the stride (zeros
 * between), padded by the filter size less the forward padding, convolved with the filter turned
 * 180°, the multiplier's outputs summed back per channel. About 10× faster than the loop below,
 * which remains for what that cannot express.
 */
function inputGrad(args: Args): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo }
  const a = args.attrs as unknown as Attrs & { inputShape: number[] }
  const g = geometry(a.inputShape, filter.shape, a)
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, multiplier: M, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = g
  const spreadH = (OH - 1) * sh + 1
  const spreadW = (OW - 1) * sw + 1
  const [top, left] = [KH - 1 - g.padInfo.top, KW - 1 - g.padInfo.left]
  const [bottom, right] = [H - spreadH - top + KH - 1, W - spreadW - left + KW - 1]
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1 || Math.min(top, left, bottom, right) < 0) return inputGradLoop(args, g)
  return tf.tidy(() => {
    let d = dy as tf.Tensor4D
    if (sh > 1 || sw > 1) {
      // Zeros between the rows and columns: [N,OH,1,OW,1,CM] padded to [N,OH,sh,OW,sw,CM], then cut to the spread size.
      const spread = tf.pad(tf.reshape(d, [N, OH, 1, OW, 1, C * M]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0]
      ])
      d = tf.slice(tf.reshape(spread, [N, OH * sh, OW * sw, C * M]), [0, 0, 0, 0], [N, spreadH, spreadW, C * M]) as tf.Tensor4D
    }
    const turned = tf.reshape(tf.reverse(filter as tf.Tensor4D, [0, 1]), [KH, KW, C * M, 1]) as tf.Tensor4D
    const y = tf.depthwiseConv2d(
      tf.pad(d, [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0]
      ]),
      turned,
      1,
      'valid'
    )
    return M === 1 ? y : tf.sum(tf.reshape(y, [N, H, W, C, M]), 4)
  })
}

/** The same as a loop over the wasm heap, for any geometry. */
function inputGradLoop(args: Args, g: ReturnType<typeof geometry>): TensorInfo {
  const backend = args.backend as BackendWasm
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo }
  const a = args.attrs as unknown as Attrs & { inputShape: number[] }
  const out = backend.makeOutput(a.inputShape, 'float32')
  const dx = backend.typedArrayFromHeap(out) as Float32Array
  const ws = backend.typedArrayFromHeap(filter) as Float32Array
  const dys = backend.typedArrayFromHeap(dy) as Float32Array
  dx.fill(0)
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, multiplier: M } = g
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwd, filterHeight: KH, filterWidth: KW } = g
  const { top, left } = g.padInfo
  const CM = C * M
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CM
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh
          if (ih < 0 || ih >= H) continue
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dwd
            if (iw < 0 || iw >= W) continue
            const xBase = ((n * H + ih) * W + iw) * C
            const wBase = (kh * KW + kw) * CM
            if (M === 1) for (let c = 0; c < C; c++) dx[xBase + c] += dys[dyBase + c] * ws[wBase + c]
            else
              for (let c = 0; c < C; c++) {
                let sum = 0
                for (let m = 0; m < M; m++) sum += dys[dyBase + c * M + m] * ws[wBase + c * M + m]
                dx[xBase + c] += sum
              }
          }
        }
      }
    }
  }
  return out
}

/** Registration of DepthwiseConv2dNativeBackpropFilter for wasm. */
export const depthwiseFilterGradConfig: KernelConfig = { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: filterGrad as KernelConfig['kernelFunc'] }

/** Registration of DepthwiseConv2dNativeBackpropInput for wasm. */
export const depthwiseInputGradConfig: KernelConfig = { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: inputGrad as KernelConfig['kernelFunc'] }
