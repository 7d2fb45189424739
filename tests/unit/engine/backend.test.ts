// The backend ladder, climbed with probes that stand in for the machine: which packages load and
// which WebGPU adapter exists, so each rung is tested on any machine, with or without a GPU.
import { afterEach, describe, expect, it } from 'vitest'
import { initBackend, type Backend, type BackendProbes } from '../../../src-main/engine/backend'

let backend: Backend | undefined
afterEach(() => {
  backend?.dispose()
  backend = undefined
})

/** `import()` of a package that is not installed. */
const missing = (name: string) => Promise.reject(Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }))
/** A TensorFlow binding as tfjs-node(-gpu) exports it, reduced to what the ladder asks of it. */
const tensorflow = (gpu: boolean) => ({
  version: { tfjs: '4.22.0', 'tfjs-node': '4.22.0' },
  setBackend: async (name: string) => name === 'tensorflow',
  backend: () => ({ isUsingGpuDevice: gpu }),
  findBackendFactory: () => null,
  removeBackend: () => {}
})
/** A machine without TensorFlow packages and without a GPU. */
const bare: BackendProbes = { load: missing, adapter: async () => null }

describe('initBackend', () => {
  it("'auto' climbs down to wasm and says why each rung above was skipped", async () => {
    const lines: string[] = []
    backend = await initBackend('auto', { threads: 1, log: (l) => lines.push(l), probes: bare })
    expect(backend.name).toBe('wasm')
    expect(backend.tf.getBackend()).toBe('wasm')
    expect(backend.versions).toMatchObject({ tfjs: '4.22.0', 'tfjs-backend-wasm': '4.22.0', threads: '1' })
    expect(lines).toEqual([
      'backend: skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
      'backend: skipped tensorflow: @tensorflow/tfjs-node is not installed',
      'backend: skipped webgpu: WebGPU (Dawn) found no adapter',
      expect.stringMatching(/^backend: using wasm \(/)
    ])
    expect(Array.from(backend.tf.matMul([[1, 2]], [[3], [4]]).dataSync())).toEqual([11])
  })

  it("'auto' takes TensorFlow on the CPU when tfjs-node loads, and the GPU package only when it finds a CUDA GPU", async () => {
    const lines: string[] = []
    const load = (name: string) => (name === '@tensorflow/tfjs-node-gpu' ? Promise.resolve(tensorflow(false)) : name === '@tensorflow/tfjs-node' ? Promise.resolve(tensorflow(false)) : missing(name))
    const chosen = await initBackend('auto', { log: (l) => lines.push(l), probes: { ...bare, load } })
    expect(chosen).toMatchObject({ name: 'tensorflow', threads: 0, versions: { 'tfjs-node': '4.22.0' } })
    expect(lines[0]).toBe('backend: skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu loaded but TensorFlow found no usable CUDA GPU')

    const onGpu = await initBackend('auto', { probes: { ...bare, load: (name) => (name === '@tensorflow/tfjs-node-gpu' ? Promise.resolve(tensorflow(true)) : missing(name)) } })
    expect(onGpu).toMatchObject({ name: 'tensorflow-gpu', versions: { 'tfjs-node-gpu': '4.22.0' } })
  })

  it("'auto' skips WebGPU on a software adapter (slower than wasm), and a package that fails to load says how", async () => {
    const lines: string[] = []
    const load = (name: string) => (name === '@tensorflow/tfjs-node' ? Promise.reject(new Error('libtensorflow.so.2: cannot open shared object file\nmore')) : missing(name))
    backend = await initBackend('auto', { threads: 1, log: (l) => lines.push(l), probes: { load, adapter: async () => ({ name: 'Google SwiftShader', fallback: false }) } })
    expect(backend.name).toBe('wasm')
    expect(lines.slice(1, 3)).toEqual([
      'backend: skipped tensorflow: @tensorflow/tfjs-node failed to load (libtensorflow.so.2: cannot open shared object file)',
      'backend: skipped webgpu: WebGPU found only a software adapter (Google SwiftShader)'
    ])
    const fallback = await initBackend('webgpu', { probes: { ...bare, adapter: async () => ({ name: 'Some GPU', fallback: true }) } }).catch((e: Error) => e.message)
    expect(fallback).toMatch(/^backend "webgpu" is not available: WebGPU found only a software adapter \(Some GPU\)\. To fix: use a machine whose GPU/)
  })

  it("an unsatisfiable 'tensorflow' says why and what to do", async () => {
    await expect(initBackend('tensorflow', { probes: bare })).rejects.toThrow(/backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed\. To fix: install @tensorflow\/tfjs-node/)
  })

  it("'cpu' is always there", async () => {
    backend = await initBackend('cpu')
    expect(backend.name).toBe('cpu')
    expect(backend.tf.getBackend()).toBe('cpu')
  })

  it('wasm with 2 threads starts its worker threads and reports them', async () => {
    backend = await initBackend('wasm', { threads: 2 })
    expect(backend.threads).toBe(2)
    expect(Array.from(backend.tf.add([1, 2], [3, 4]).dataSync())).toEqual([4, 6])
  })
})
