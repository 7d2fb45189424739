/**
 * Identity that shares its input's buffer, as the cpu and webgl backends do. The stock wasm kernel
 * copies, and tfjs clones (Identity) every tensor a gradient saves while the tape records: on wasm
 * each saved activation was held twice. Tensors are immutable (a Variable's assign swaps buffers),
 * so a shared, reference-counted buffer is the same tensor.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

/** Registration that replaces the stock wasm Identity; `stock` handles strings. */
export function identityConfig(stock: KernelFunc): KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args: { inputs: NamedTensorInfoMap; backend: unknown }) => {
      const x = args.inputs.x as TensorInfo
      if (x.dtype === 'string') return stock(args as Parameters<KernelFunc>[0])
      ;(args.backend as BackendWasm).incRef(x.dataId)
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
    }
  }
}
