/** Making one batch: read records, augment (training) or convert, normalize. The same code runs in the loader's worker thread and in-thread. */
import type { Augmentation } from '../contract'
import { augmentImage, isAugmenting } from './augment'
import type { ImageCache } from './image-cache'
import { normalizeInPlace, normalizeRecord, type NormalizationStats } from './normalize'
import { rngFor } from './random'

/** A batch as the trainer takes it: pixels (n×h×w×c, normalized), class indices, and which images. */
export interface Batch {
  x: Float32Array<ArrayBuffer>
  y: Int32Array<ArrayBuffer>
  indices: Int32Array<ArrayBuffer>
}

/** Everything that decides a batch's content besides its indices and epoch. */
export interface BatchSettings {
  seed: number
  augmentation: Augmentation
  stats: NormalizationStats
}

/** Makes batches from one cache; holds reusable record and blur buffers. */
export class BatchMaker {
  #cache: ImageCache
  #labels: Int32Array
  #settings: BatchSettings
  #augmenting: boolean
  #records = new Uint8Array(0)
  #scratch = new Float32Array(0)
  // One batch at a time: the record and blur buffers are reused, and the CPU work is serial anyway.
  #queue: Promise<unknown> = Promise.resolve()

  constructor(cache: ImageCache, labels: Int32Array, settings: BatchSettings) {
    if (labels.length !== cache.count) throw new Error(`${labels.length} labels for a cache of ${cache.count} images.`)
    this.#cache = cache
    this.#labels = labels
    this.#settings = settings
    this.#augmenting = isAugmenting(settings.augmentation)
  }

  /** The batch of `indices`; augmented (with each sample's stream for `epoch`) when `augment`. */
  make(indices: Int32Array, epoch: number, augment: boolean): Promise<Batch> {
    const made = this.#queue.then(() => this.#make(indices, epoch, augment))
    this.#queue = made.catch(() => {})
    return made
  }

  async #make(indices: Int32Array, epoch: number, augment: boolean): Promise<Batch> {
    const { size, channels, recordBytes } = this.#cache.header
    const n = indices.length
    if (this.#records.length < n * recordBytes) this.#records = new Uint8Array(n * recordBytes)
    await this.#cache.read(indices, this.#records)
    const x = new Float32Array(n * recordBytes) // fresh: it is handed over (transferred) to the trainer
    const y = new Int32Array(n)
    if (augment && this.#augmenting && this.#scratch.length < recordBytes) this.#scratch = new Float32Array(recordBytes)
    for (let k = 0; k < n; k++) {
      const src = this.#records.subarray(k * recordBytes, (k + 1) * recordBytes)
      const out = x.subarray(k * recordBytes, (k + 1) * recordBytes)
      if (augment && this.#augmenting) {
        augmentImage(src, size, size, channels, this.#settings.augmentation, rngFor(this.#settings.seed, epoch, indices[k]), out, this.#scratch)
        normalizeInPlace(out, this.#settings.stats)
      } else normalizeRecord(src, out, this.#settings.stats)
      y[k] = this.#labels[indices[k]]
    }
    return { x, y, indices: Int32Array.from(indices) }
  }
}
