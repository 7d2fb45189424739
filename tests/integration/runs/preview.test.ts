/** The augmentation preview shows exactly what the trainer will train on. */
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BatchMaker } from '../../../src-main/pipeline/batch'
import { buildImageCache } from '../../../src-main/pipeline/cache'
import { DEFAULT_AUGMENTATION, NO_AUGMENTATION } from '../../../src-main/pipeline/augment-spec'
import { labelImages } from '../../../src-main/pipeline/split'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { image, put, tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services
const augmentation = { ...DEFAULT_AUGMENTATION, rotation: 30, noise: 0.05 }

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  for (let i = 0; i < 3; i++) {
    put(folder.path, `cats/${i}.png`, await image(i, { width: 24, height: 20 }).png().toBuffer())
    put(
      folder.path,
      `dogs/${i}.png`,
      await image(10 + i, { width: 24, height: 20 })
        .png()
        .toBuffer()
    )
  }
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  await services.datasets.scan(folder.path)
})
afterAll(() => {
  services.close()
  data.cleanup()
  folder.cleanup()
})

const pixels = async (url: string) =>
  new Uint8Array(
    await sharp(Buffer.from(url.split(',')[1], 'base64'))
      .raw()
      .toBuffer()
  )

it('gives, per class, the first images and their versions for Epochs 1…N, identical to the trainer’s batches', async () => {
  const preview = await services.training.augmentPreview({ folder: folder.path, imageSize: 16, augmentation, seed: 7, perClass: 2, epochs: 3 })
  expect(preview.classes.map((c) => [c.name, c.images.map((i) => i.path), c.images[0].epochs.length])).toEqual([
    ['cats', ['cats/0.png', 'cats/1.png'], 3],
    ['dogs', ['dogs/0.png', 'dogs/1.png'], 3]
  ])

  // The trainer's own path: the decode cache and the batch maker, [0,1] normalization.
  const files = services.datasets.usableFiles(services.datasets.list()[0].id)
  const { images } = labelImages(files)
  const cache = await buildImageCache({ root: folder.path, files: images, fingerprint: 'preview-test', size: 16, channels: 3, cacheDir: join(data.path, 'cache') })
  const maker = new BatchMaker(cache, Int32Array.from(images.map((i) => i.label)), { seed: 7, augmentation, stats: { normalization: 'unit', mean: [0, 0, 0], std: [1, 1, 1] } })
  const dogIndex = images.findIndex((i) => i.path === 'dogs/1.png')
  for (const epoch of [1, 3]) {
    const batch = await maker.make(Int32Array.of(dogIndex), epoch, true)
    const trained = Uint8Array.from(batch.x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255))
    expect(await pixels(preview.classes[1].images[1].epochs[epoch - 1])).toEqual(trained)
  }
  await cache.close()
})

it('shows every Epoch’s version different with augmentation, and equal to the original without', async () => {
  const augmented = await services.training.augmentPreview({ folder: folder.path, imageSize: 16, augmentation, seed: 1, perClass: 1, epochs: 2 })
  const [first, second] = augmented.classes[0].images[0].epochs
  expect(await pixels(first)).not.toEqual(await pixels(second))
  const plain = await services.training.augmentPreview({ folder: folder.path, imageSize: 16, augmentation: NO_AUGMENTATION, seed: 1, perClass: 1, epochs: 2 })
  const { original, epochs } = plain.classes[0].images[0]
  expect(await pixels(epochs[0])).toEqual(await pixels(original))
})

it('asks for a scan first when the folder is unknown', async () => {
  await expect(services.training.augmentPreview({ folder: join(folder.path, 'cats'), imageSize: 16, augmentation, seed: 1 })).rejects.toMatchObject({ code: 'not-found' })
})
