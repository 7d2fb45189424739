/**
 * The gradient of clipByValue as one kernel: ReLU6 (clip to [0, 6]) is MobileNet's activation, and
 * tfjs computes its gradient with four kernels (GreaterEqual, LessEqual, LogicalAnd, Select) —
 * 140 of 430 ms of a fine-tuning step over MobileNetV2's last three blocks. One pass in JS over the
 * wasm heap does the same.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { GradConfig, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

/** Name of the kernel dx = min ≤ x ≤ max ? dy : 0 (not a tfjs kernel; registered for wasm only). */
export const CLIP_GRAD = 'OspreyClipGrad'

/** The wasm kernel: inputs {dy, x}, attrs {clipValueMin, clipValueMax}. */
export const clipGradKernelConfig: KernelConfig = {
  kernelName: CLIP_GRAD,
  backendName: 'wasm',
  kernelFunc: (args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }) => {
    const backend = args.backend as BackendWasm
    const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo }
    const { clipValueMin: low, clipValueMax: high } = args.attrs as unknown as tf.ClipByValueAttrs
    const out = backend.makeOutput(x.shape, 'float32')
    const o = backend.typedArrayFromHeap(out) as Float32Array
    const g = backend.typedArrayFromHeap(dy) as Float32Array
    const v = backend.typedArrayFromHeap(x) as Float32Array
    for (let i = 0, n = o.length; i < n; i++) o[i] = g[i] * +(v[i] >= low && v[i] <= high)
    return out
  }
}

// Gradients are global (not per backend): on other backends this is tfjs's own formula.
/** clipByValue's gradient, using CLIP_GRAD on wasm. */
export const clipGradConfig: GradConfig = {
  kernelName: tf.ClipByValue,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved
    const g = dy as tf.Tensor
    const { clipValueMin: low, clipValueMax: high } = attrs as unknown as tf.ClipByValueAttrs
    return {
      x: () =>
        tf.getBackend() === 'wasm' && x.dtype === 'float32' && g.dtype === 'float32'
          ? (tf.engine().runKernel(CLIP_GRAD, { dy: g, x }, { clipValueMin: low, clipValueMax: high } as unknown as NamedAttrMap) as tf.Tensor)
          : tf.where(tf.logicalAnd(tf.greaterEqual(x, low), tf.lessEqual(x, high)), g, tf.zerosLike(g))
    }
  }
}
