import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_AUGMENTATION } from '../../../src-main/pipeline/augment-spec'
import { EmbeddingBatches, embeddingFileName, readEmbeddings, writeEmbeddings, type EmbeddingKey } from '../../../src-main/pipeline/embeddings'
import { tempDir } from '../../helpers/images'

const key: EmbeddingKey = { fingerprint: 'f1', backbone: 'b1', size: 224, view: 0 }
let dir: ReturnType<typeof tempDir>
afterEach(() => dir?.cleanup())

describe('the embedding cache', () => {
  it('names one file per Dataset, backbone, image size and view; the same key always names the same file', () => {
    const names = new Set([
      embeddingFileName(key),
      embeddingFileName({ ...key, fingerprint: 'f2' }),
      embeddingFileName({ ...key, backbone: 'b2' }),
      embeddingFileName({ ...key, size: 160 }),
      embeddingFileName({ ...key, view: 1, augmentation: DEFAULT_AUGMENTATION, seed: 1 }),
      embeddingFileName({ ...key, view: 2, augmentation: DEFAULT_AUGMENTATION, seed: 1 }),
      embeddingFileName({ ...key, view: 1, augmentation: { ...DEFAULT_AUGMENTATION, rotation: 30 }, seed: 1 }),
      embeddingFileName({ ...key, view: 1, augmentation: DEFAULT_AUGMENTATION, seed: 2 })
    ])
    expect(names.size).toBe(8)
    expect(embeddingFileName({ ...key })).toBe(embeddingFileName(key))
  })

  it('reads back what it wrote, and nothing for another key, another count or a damaged file', async () => {
    dir = tempDir()
    const data = Float32Array.from({ length: 3 * 4 }, (_, i) => i / 7)
    await writeEmbeddings(dir.path, key, data, 4)
    expect(await readEmbeddings(dir.path, key, 3)).toEqual({ data, dim: 4 })
    expect(await readEmbeddings(dir.path, { ...key, size: 96 }, 3)).toBeNull()
    expect(await readEmbeddings(dir.path, key, 4)).toBeNull() // the Dataset grew: recompute
    writeFileSync(join(dir.path, `${embeddingFileName(key)}.bin`), Buffer.alloc(10))
    expect(await readEmbeddings(dir.path, key, 3)).toBeNull()
  })
})

describe('batches of embeddings for a head', () => {
  const clean = Float32Array.from({ length: 10 * 2 }, (_, i) => Math.floor(i / 2)) // image i: [i, i]
  const view1 = clean.map((v) => v + 100)
  const labels = Array.from({ length: 10 }, (_, i) => i % 2)

  it('serve every training image once per Epoch, shuffled the same way for the same seed and Epoch', () => {
    const batches = new EmbeddingBatches({ views: [clean], dim: 2, labels, train: [0, 2, 4, 6, 8, 9], batchSize: 4, seed: 3 })
    const epoch = (e: number) => [...batches.epoch(e)].flatMap((b) => Array.from(b.indices))
    expect([...epoch(1)].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 9])
    expect(epoch(1)).toEqual(epoch(1))
    expect(epoch(2)).not.toEqual(epoch(1))
    const first = [...batches.epoch(1)][0]
    expect(first.x[0]).toBe(first.indices[0]) // row k is image indices[k]
    expect(Array.from(first.y)).toEqual(Array.from(first.indices, (i) => labels[i]))
  })

  it('take each image from the clean view or an augmented one, and evaluate on the clean view only', () => {
    const batches = new EmbeddingBatches({ views: [clean, view1], dim: 2, labels, train: [0, 1, 2, 3, 4, 5, 6, 7], batchSize: 8, seed: 1 })
    const seen = [1, 2, 3, 4].flatMap((e) => Array.from([...batches.epoch(e)][0].x))
    expect(seen.some((v) => v >= 100)).toBe(true)
    expect(seen.some((v) => v < 100)).toBe(true)
    const evaluation = [...batches.evaluation([7, 8, 9], 2)]
    expect(evaluation.map((b) => b.indices.length)).toEqual([2, 1])
    expect(evaluation.flatMap((b) => Array.from(b.x))).toEqual([7, 7, 8, 8, 9, 9])
  })
})
