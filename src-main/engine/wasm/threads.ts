/**
 * The threaded-SIMD wasm module, built by hand so that its threads start under Node.
 * tfjs's own initialisation hands Emscripten blob: URLs for the pthread worker and main
 * script, which Node's Worker refuses (ERR_WORKER_PATH). Here both are real files of the app:
 * the main script from wasm-out/, the worker `resources/wasm/pthread-worker.cjs`. Nothing is
 * written to (or run from) the shared temp folder, where another user could plant a file.
 */
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { resourcesDir } from '../../paths'

const load = createRequire(import.meta.url) // not named `require`: the bundler declares one

/** Folder of the installed @tensorflow/tfjs-backend-wasm package. */
export function wasmPackageDir(): string {
  return dirname(load.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
}

/** A BackendWasm whose XNNPACK pool runs `threads` threads (its workers live until dispose). */
export async function createThreadedWasmBackend(threads: number): Promise<BackendWasm> {
  const pkg = wasmPackageDir()
  const mainScript = join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js')
  const factory = load(mainScript) as (config: object) => Promise<EmscriptenModule>
  const worker = join(resourcesDir(), 'wasm', 'pthread-worker.cjs')
  // The C++ side caps its pool at half the logical cores it reads (os.cpus() at module
  // start, for hyper-threading); report 2·threads cores while the module starts.
  const cpus = os.cpus
  os.cpus = () => {
    const c = cpus()
    return Array.from({ length: 2 * threads }, (_, i) => c[i % c.length])
  }
  let module: EmscriptenModule
  try {
    module = await factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? join(pkg, 'dist/tfjs-backend-wasm-threaded-simd.wasm') : join(pkg, 'wasm-out', path)),
      mainScriptUrlOrBlob: mainScript
    })
  } finally {
    os.cpus = cpus
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, [])
  }
  setThreadsCount(threads)
  return new BackendWasm(module as never)
}

/** The part of the Emscripten module this file touches. */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => unknown
  tfjs?: Record<string, unknown>
}
