/**
 * Reproducibility: a Run re-run from its recorded config (seed, settings, unchanged dataset) on the
 * same backend gives the same Epoch metrics, bit for bit on wasm (cpu too, but it takes 30 s; see docs/REPRODUCIBILITY.md).
 */
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BackendName } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { put, tempDir } from '../../helpers/images'

async function stripes(horizontal: boolean, phase: number): Promise<Buffer> {
  const size = 16
  const pixels = Buffer.alloc(size * size)
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = ((horizontal ? y : x) + phase) % 4 < 2 ? 230 : 20
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer()
}

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  for (let i = 0; i < 12; i++) {
    put(folder.path, `horizontal/${i}.png`, await stripes(true, i))
    put(folder.path, `vertical/${i}.png`, await stripes(false, i))
  }
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
})
afterAll(() => {
  services.close()
  data.cleanup()
  folder.cleanup()
})

it.each<BackendName>(['wasm'])(
  're-running a Run with its recorded config on %s reproduces its Epoch metrics exactly',
  async (backend) => {
    const first = await services.training.start({
      folder: folder.path,
      model: 'reference-cnn',
      imageSize: 16,
      batchSize: 8,
      epochs: 2,
      backend,
      seed: 11,
      augmentation: { rotation: 10, flipHorizontal: true }
    })
    await services.training.finished(first.id)
    const recorded = services.training.get(first.id)
    expect(recorded.status).toBe('completed')
    // Exactly what the Run detail's "re-run with this config" sends.
    const again = await services.training.start(recorded.config)
    await services.training.finished(again.id)
    const rerun = services.training.get(again.id)
    const metrics = (r: typeof recorded) => r.epochMetrics.map(({ trainLoss, trainAccuracy, valLoss, valAccuracy }) => ({ trainLoss, trainAccuracy, valLoss, valAccuracy }))
    expect(rerun.backend).toBe(backend)
    expect(metrics(rerun)).toEqual(metrics(recorded))
    expect(rerun.evaluation?.confusion).toEqual(recorded.evaluation?.confusion)
    expect(rerun.split).toEqual(recorded.split)
  },
  120_000
)
