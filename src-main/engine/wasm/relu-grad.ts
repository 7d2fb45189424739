/**
 * The ReLU gradient as one kernel. tfjs computes it as mul(dy, step(cast(x))): three wasm
 * kernels (a copy, a slow Step, a Multiply) taking 9 ms for the reference CNN's first conv
 * layer (batch 64); one pass in JS over the wasm heap takes about 1.5 ms.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { GradConfig, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

/** Name of the kernel dx = x > 0 ? dy : 0 (not a tfjs kernel; registered for wasm only). */
export const RELU_GRAD = 'OspreyReluGrad'

/** The wasm kernel: inputs {dy, x}. */
export const reluGradKernelConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: (args: { inputs: NamedTensorInfoMap; backend: unknown }) => {
    const backend = args.backend as BackendWasm
    const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo }
    const out = backend.makeOutput(x.shape, 'float32')
    const o = backend.typedArrayFromHeap(out) as Float32Array
    const g = backend.typedArrayFromHeap(dy) as Float32Array
    const v = backend.typedArrayFromHeap(x) as Float32Array
    // Branch-free: the sign of x is random, and a branch here mispredicts half the time.
    for (let i = 0, n = o.length; i < n; i++) o[i] = g[i] * +(v[i] > 0)
    return out
  }
}

// Gradients are global (not per backend): on other backends this is tfjs's own formula. It saves
// the output, not the input: relu(x) > 0 exactly where x > 0, and the output is kept anyway as the
// next layer's input, while the input (a batch norm's output) can then be freed during the forward pass.
/** Relu's gradient, using RELU_GRAD on wasm. */
export const reluGradConfig: GradConfig = {
  kernelName: tf.Relu,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x] = saved
    const g = dy as tf.Tensor
    return {
      x: () =>
        tf.getBackend() === 'wasm' && x.dtype === 'float32' && g.dtype === 'float32' ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor) : tf.mul(g, tf.step(tf.cast(x, 'float32')))
    }
  }
}
