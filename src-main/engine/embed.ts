/**
 * Computing embeddings: each image decoded exactly as training and Try it decode it (resize the
 * shorter side, centre-crop, RGB), optionally augmented (view k ≥ 1, its own seeded stream per
 * image), normalized as the backbone expects, and run through the frozen feature extractor in
 * batches. The next batch decodes (sharp, on libuv threads) while this one runs.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { join } from 'node:path'
import type { Augmentation } from '../contract'
import { augmentImage } from '../pipeline/augment'
import { changedSinceScan, decodeImage } from '../pipeline/cache'
import { normalizeInPlace, normalizeRecord, type NormalizationStats } from '../pipeline/normalize'
import { Random } from '../pipeline/random'

type Tf = typeof tfjs

/** What to embed and how. */
export interface EmbedJob {
  root: string
  files: readonly { path: string }[]
  size: number
  stats: NormalizationStats
  /** 0 = the clean images; k ≥ 1 = augmented view k with `augmentation` and `seed`. */
  view: number
  augmentation: Augmentation
  seed: number
  batchSize?: number
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

/** Embeds every file of `job` with `extractor` (input [S,S,3] → [D]); returns count × D numbers and D. */
export async function embedImages(tf: Tf, extractor: tfjs.LayersModel, job: EmbedJob): Promise<{ data: Float32Array; dim: number }> {
  const dim = extractor.outputs[0].shape[1] as number
  const total = job.files.length
  const batchSize = job.batchSize ?? 16
  const pixels = job.size * job.size * 3
  const data = new Float32Array(total * dim)
  const decode = (start: number) =>
    Promise.all(
      job.files.slice(start, start + batchSize).map((f) =>
        decodeImage(join(job.root, f.path), job.size, 3).catch((e: Error) => {
          throw changedSinceScan(f.path, e)
        })
      )
    )
  job.onProgress?.(0, total)
  let next = total ? decode(0) : null
  const scratch = new Float32Array(pixels)
  for (let start = 0; start < total; start += batchSize) {
    job.signal?.throwIfAborted()
    const records = await next!
    next = start + batchSize < total ? decode(start + batchSize) : null
    const x = new Float32Array(records.length * pixels)
    records.forEach((record, k) => {
      const out = x.subarray(k * pixels, (k + 1) * pixels)
      if (job.view === 0) return normalizeRecord(record, out, job.stats)
      const rng = new Random(job.seed)
        .fork('embedding-view')
        .fork(job.view)
        .fork(start + k)
      augmentImage(record, job.size, job.size, 3, job.augmentation, rng, out, scratch)
      normalizeInPlace(out, job.stats)
    })
    const embedded = tf.tidy(() => extractor.predict(tf.tensor4d(x, [records.length, job.size, job.size, 3])) as tfjs.Tensor)
    data.set(await embedded.data(), start * dim)
    embedded.dispose()
    job.onProgress?.(Math.min(total, start + batchSize), total)
  }
  return { data, dim }
}
