// The backend ladder on this machine: no TensorFlow packages, no GPU, so 'auto' lands on wasm.
import { afterEach, describe, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'

let backend: Backend | undefined
afterEach(() => {
  backend?.dispose()
  backend = undefined
})

describe('initBackend', () => {
  it("'auto' picks wasm here and says why each rung above was skipped", async () => {
    const lines: string[] = []
    backend = await initBackend('auto', { threads: 1, log: (l) => lines.push(l) })
    expect(backend.name).toBe('wasm')
    expect(backend.tf.getBackend()).toBe('wasm')
    expect(backend.versions).toMatchObject({ tfjs: '4.22.0', 'tfjs-backend-wasm': '4.22.0', threads: '1' })
    expect(lines[0]).toMatch(/skipped tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/)
    expect(lines[1]).toMatch(/skipped tensorflow: @tensorflow\/tfjs-node is not installed/)
    expect(lines[2]).toMatch(/skipped webgpu: .*(no adapter|software adapter|no Vulkan loader)/)
    expect(lines[3]).toMatch(/using wasm/)
    expect(Array.from(backend.tf.matMul([[1, 2]], [[3], [4]]).dataSync())).toEqual([11])
  })

  it("an unsatisfiable 'tensorflow' says why and what to do", async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed\. To fix: install @tensorflow\/tfjs-node/
    )
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
