import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_AUGMENTATION, NO_AUGMENTATION } from '../../../src-main/pipeline/augment'
import type { Batch } from '../../../src-main/pipeline/batch'
import { buildImageCache, ImageCache } from '../../../src-main/pipeline/cache'
import { BatchLoader, iterationsPerEpoch, type LoaderOptions } from '../../../src-main/pipeline/loader'
import { normalizationStats, normalizeInPlace } from '../../../src-main/pipeline/normalize'
import { labelImages, splitDataset } from '../../../src-main/pipeline/split'
import { png, put, tempDir } from '../../helpers/images'

const SIZE = 8
let dir: { path: string; cleanup: () => void }
let cache: ImageCache
let labels: number[]
let train: number[]
let validation: number[]

beforeAll(async () => {
  dir = tempDir('osprey-loader-')
  const root = join(dir.path, 'set')
  const files: { path: string; class: string }[] = []
  for (let i = 0; i < 45; i++) {
    const cls = ['cat', 'dog', 'owl'][i % 3]
    const path = `${cls}/${String(i).padStart(3, '0')}.png`
    put(root, path, await png(i, { width: 12 + (i % 5), height: 10 }))
    files.push({ path, class: cls })
  }
  files.sort((a, b) => a.path.localeCompare(b.path))
  const labelled = labelImages(files)
  labels = labelled.images.map((i) => i.label)
  const split = splitDataset(labelled.images, { seed: 1 })
  ;({ train, validation } = split)
  cache = await buildImageCache({ root, files, fingerprint: 'loader-test', size: SIZE, channels: 3, cacheDir: join(dir.path, 'cache') })
})
afterAll(async () => {
  await cache.close()
  dir.cleanup()
})

async function collect(batches: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = []
  for await (const b of batches) out.push(b)
  return out
}

async function withLoader<T>(options: Partial<LoaderOptions>, use: (loader: BatchLoader) => Promise<T>): Promise<T> {
  const stats = await normalizationStats('standardize', cache, train)
  const loader = new BatchLoader({ cache, labels, train, batchSize: 8, seed: 7, augmentation: DEFAULT_AUGMENTATION, stats, worker: false, ...options })
  try {
    return await use(loader)
  } finally {
    await loader.close()
  }
}

describe('normalizationStats', () => {
  it('equals the per-channel mean and standard deviation computed directly over the training images', async () => {
    const all = new Uint8Array(train.length * SIZE * SIZE * 3)
    await cache.read(train, all)
    for (let c = 0; c < 3; c++) {
      const values = Array.from(
        all.filter((_, i) => i % 3 === c),
        (v) => v / 255
      )
      const mean = values.reduce((a, b) => a + b) / values.length
      const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)
      const stats = await normalizationStats('standardize', cache, train)
      expect(stats.mean[c]).toBeCloseTo(mean, 12)
      expect(stats.std[c]).toBeCloseTo(std, 12)
    }
  })

  it('maps [0,1] to [0,1] (unit) and [-1,1] (symmetric)', async () => {
    const px = Float32Array.from([0, 0.5, 1])
    normalizeInPlace(px, await normalizationStats('symmetric', cache, train))
    expect(Array.from(px)).toEqual([-1, 0, 1])
    normalizeInPlace(px, await normalizationStats('unit', cache, train))
    expect(Array.from(px)).toEqual([-1, 0, 1])
  })
})

describe('BatchLoader', () => {
  it('serves every training image exactly once per epoch, the last batch partial', async () => {
    await withLoader({}, async (loader) => {
      const batches = await collect(loader.epoch(0))
      expect(batches.length).toBe(iterationsPerEpoch(train.length, 8))
      expect(batches.length).toBe(Math.ceil(train.length / 8))
      expect(batches.at(-1)!.y.length).toBe(train.length % 8 || 8)
      const seen = batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b)
      expect(seen).toEqual(train)
      for (const b of batches) {
        expect(b.x.length).toBe(b.indices.length * SIZE * SIZE * 3)
        expect(Array.from(b.y)).toEqual(Array.from(b.indices, (i) => labels[i]))
      }
    })
  })

  it('shuffles the same way for the same seed and epoch, differently for another epoch', async () => {
    await withLoader({}, async (loader) => {
      const order = async (epoch: number) => (await collect(loader.epoch(epoch))).flatMap((b) => Array.from(b.indices))
      expect(await order(1)).toEqual(await order(1))
      expect(await order(1)).not.toEqual(await order(2))
      expect(await order(1)).toEqual(Array.from(loader.epochOrder(1)))
    })
  })

  it('makes identical batches with or without prefetch and the worker thread', async () => {
    const reference = await withLoader({ prefetch: 0, worker: false }, async (l) => collect(l.epoch(3)))
    expect(await withLoader({ prefetch: 3, worker: false }, async (l) => collect(l.epoch(3)))).toEqual(reference)
    const threaded = await withLoader({ prefetch: 2, worker: true }, async (l) => {
      expect(l.usesWorker).toBe(true)
      return [await collect(l.epoch(3)), await collect(l.evalBatches(validation))]
    })
    expect(threaded[0]).toEqual(reference)
    expect(threaded[1]).toEqual(await withLoader({ worker: false }, (l) => collect(l.evalBatches(validation))))
    // A cache too large for memory is read by positional reads, in the worker too.
    const streamed = await ImageCache.open(cache.file, 0)
    expect(await withLoader({ cache: streamed, worker: true }, (l) => collect(l.epoch(3)))).toEqual(reference)
    await streamed.close()
  })

  it('augments training batches differently each epoch, and never evaluation batches', async () => {
    await withLoader({}, async (loader) => {
      const stats = await normalizationStats('standardize', cache, train)
      const evals = await collect(loader.evalBatches(validation, 4))
      expect(evals.flatMap((b) => Array.from(b.indices))).toEqual(validation)
      const raw = new Uint8Array(validation.length * SIZE * SIZE * 3)
      await cache.read(validation, raw)
      const expected = Float32Array.from(raw, (v) => v / 255)
      normalizeInPlace(expected, stats)
      const x = new Float32Array(expected.length)
      let at = 0
      for (const b of evals) x.set(b.x, (at += b.x.length) - b.x.length)
      // Up to float rounding: the loader folds /255 and the map into one multiply-add.
      expect(Math.max(...x.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-5)
    })
    // The same image in two epochs is augmented differently.
    const one = [train[0]]
    const batches = await withLoader({ train: one, augmentation: { ...NO_AUGMENTATION, rotation: 30, brightness: 0.3 } }, async (l) => [...(await collect(l.epoch(0))), ...(await collect(l.epoch(1)))])
    expect(batches[0].x).not.toEqual(batches[1].x)
  })

  it('stops when its signal aborts and refuses a batch size below 1', async () => {
    await withLoader({}, async (loader) => {
      const controller = new AbortController()
      const got: Batch[] = []
      await expect(async () => {
        for await (const b of loader.epoch(0, controller.signal)) {
          got.push(b)
          controller.abort()
        }
      }).rejects.toThrow()
      expect(got.length).toBe(1)
    })
    await expect(withLoader({ batchSize: 0 }, async () => {})).rejects.toThrow(/batch size/)
  })
})
