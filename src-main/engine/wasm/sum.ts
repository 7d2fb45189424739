/**
 * Sum over leading axes for the wasm backend, in JS over the wasm heap. Every bias gradient
 * is such a sum (dy [N,H,W,C] → [C]); the stock kernel first transposes the reduced axes
 * to the end and took 11 ms for the reference CNN's first conv layer (batch 64), this
 * takes about 1 ms. Other reductions go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

/** Registration that replaces the stock wasm Sum; `stock` handles all other reductions. */
export function sumConfig(stock: KernelFunc): KernelConfig {
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }) => {
      const x = args.inputs.x as TensorInfo
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b)
      const leading = axes.length > 0 && axes.every((a, i) => a === i)
      if (x.dtype !== 'float32' || !leading) return stock(args as Parameters<KernelFunc>[0])
      const backend = args.backend as BackendWasm
      const kept = x.shape.slice(axes.length)
      const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept
      const inner = tf.util.sizeFromShape(kept)
      const outer = tf.util.sizeFromShape(x.shape) / Math.max(1, inner)
      const out = backend.makeOutput(outShape, 'float32')
      const src = backend.typedArrayFromHeap(x) as Float32Array
      const acc = new Float64Array(inner)
      for (let i = 0, k = 0; i < outer; i++, k += inner) for (let j = 0; j < inner; j++) acc[j] += src[k + j]
      ;(backend.typedArrayFromHeap(out) as Float32Array).set(acc)
      return out
    }
  }
}
