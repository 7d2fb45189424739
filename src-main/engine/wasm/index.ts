/**
 * Makes the wasm backend train conv nets, fast: registers the missing and replaced kernels
 * once. Call after the wasm backend module is imported (it registers the stock kernels on
 * import) and before the first gradient is taken.
 */
import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter'
import { conv2dBackpropInputConfig } from './conv2d-backprop-input'
import { maxPoolGradConfig } from './max-pool-grad'
import { untransposedMatMulConfig } from './batch-mat-mul'
import { reluGradConfig, reluGradKernelConfig } from './relu-grad'
import { sumConfig } from './sum'
import { batchNormGradConfig } from './batch-norm-grad'
import { depthwiseFilterGradConfig, depthwiseInputGradConfig } from './depthwise-grad'
import { clipGradConfig, clipGradKernelConfig } from './clip-grad'
import { identityConfig } from './identity'

let registered = false

/** Registers the training kernels for the 'wasm' backend; later calls do nothing. */
export function registerWasmTrainingKernels(): void {
  if (registered) return
  wrapKernel(tf.Conv2DBackpropInput, conv2dBackpropInputConfig)
  replaceKernel(conv2dBackpropFilterConfig)
  replaceKernel(maxPoolGradConfig)
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) wrapKernel(name, (f) => untransposedMatMulConfig(name, f))
  wrapKernel(tf.Sum, sumConfig)
  wrapKernel(tf.Identity, identityConfig)
  replaceKernel(reluGradKernelConfig)
  replaceKernel(depthwiseFilterGradConfig)
  replaceKernel(depthwiseInputGradConfig)
  replaceKernel(clipGradKernelConfig)
  tf.registerGradient(clipGradConfig)
  tf.registerGradient(reluGradConfig)
  tf.registerGradient(batchNormGradConfig)
  registered = true
}

/** Registers `config`, first removing a kernel of that name so tfjs does not warn. */
function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName)
  tf.registerKernel(config)
}

// Stock wasm kernels bind their wasm function in setupFunc when the backend starts, so a
// wrapper keeps the stock setupFunc (and works whether the backend started already or not).
/** Replaces the stock wasm kernel `name` by `wrap(stock kernelFunc)`. */
function wrapKernel(name: string, wrap: (stock: tf.KernelFunc) => tf.KernelConfig): void {
  const config = tf.getKernel(name, 'wasm')
  if (!config) throw new Error(`import @tensorflow/tfjs-backend-wasm before registering its training kernels (no ${name})`)
  replaceKernel({ ...wrap(config.kernelFunc), setupFunc: config.setupFunc, disposeFunc: config.disposeFunc })
}
