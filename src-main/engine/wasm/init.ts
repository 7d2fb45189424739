/**
 * Starts the wasm backend under Node (plain or an Electron utilityProcess) with its binaries
 * read from node_modules, the training kernels registered, and 1 or more threads.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { registerWasmTrainingKernels } from './index'
import { createThreadedWasmBackend, wasmPackageDir } from './threads'

let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined

/** Makes 'wasm' the active backend with `threads` XNNPACK threads; returns the threads it got. */
export async function startWasm(threads: number): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm')
  stockFactory ??= tf.findBackendFactory('wasm') ?? undefined
  registerWasmTrainingKernels()
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm')
  if (threads > 1) {
    const backend = await createThreadedWasmBackend(threads)
    tf.registerBackend('wasm', () => backend, 3)
  } else {
    // tfjs would pick its threaded build under Node and fail to start its workers (blob: URLs).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    try {
      wasm.setWasmPaths(join(wasmPackageDir(), 'dist') + '/')
    } catch {
      // Already initialised once in this process: the paths are set.
    }
    if (!stockFactory) throw new Error('@tensorflow/tfjs-backend-wasm did not register its backend')
    tf.registerBackend('wasm', stockFactory, 3)
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start')
  return (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount()
}
