/**
 * Embeddings: what a frozen backbone makes of each image, computed once and kept in the data
 * folder, so a head trains on vectors in seconds and a second Run on the same Dataset computes
 * nothing. One file per view of the images — the clean view, or augmented view k — keyed by
 * the Dataset fingerprint, the backbone (its files' checksums and cut layer), the image size and
 * the view. Float32 records, one per image in Dataset order; header JSON written last, both
 * renamed into place, so a crash never leaves a file that looks whole. No tfjs here.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Augmentation } from '../contract'
import { Random } from './random'

/** Bumped whenever what an embedding means changes (decoding, pooling), so old files are never misread. */
export const EMBEDDING_VERSION = 1

/** Which images an embedding file holds and how they were made. */
export interface EmbeddingKey {
  fingerprint: string
  /** Identifies the backbone's weights and cut layer. */
  backbone: string
  size: number
  /** 0 = the clean images; k ≥ 1 = augmented view k. */
  view: number
  /** For views ≥ 1: what made them. */
  augmentation?: Augmentation
  seed?: number
}

/** The header beside an embedding file. */
interface EmbeddingHeader {
  version: number
  key: string
  count: number
  dim: number
}

/** The file name (without extension) of an embedding file. */
export function embeddingFileName(key: EmbeddingKey): string {
  const view = key.view === 0 ? 'clean' : `view${key.view}|${JSON.stringify(key.augmentation)}|${key.seed}`
  const hash = createHash('sha256').update(`${key.fingerprint}|${key.backbone}|${key.size}|${view}|v${EMBEDDING_VERSION}`).digest('hex')
  return `embeddings-${key.size}-${key.view === 0 ? 'clean' : `view${key.view}`}-${hash.slice(0, 16)}`
}

/** The embeddings of `count` images for `key`, when a complete file exists; null otherwise. */
export async function readEmbeddings(dir: string, key: EmbeddingKey, count: number): Promise<{ data: Float32Array; dim: number } | null> {
  const name = embeddingFileName(key)
  try {
    const header = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as EmbeddingHeader
    if (header.version !== EMBEDDING_VERSION || header.key !== name || header.count !== count) return null
    const bytes = await readFile(join(dir, `${name}.bin`))
    if (bytes.length !== count * header.dim * 4) return null
    return { data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), dim: header.dim }
  } catch {
    return null
  }
}

/** Writes embeddings (count × dim) for `key`, replacing any older file at once. */
export async function writeEmbeddings(dir: string, key: EmbeddingKey, data: Float32Array, dim: number): Promise<void> {
  const name = embeddingFileName(key)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `${name}.${process.pid}.partial`)
  await writeFile(temp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  await rename(temp, join(dir, `${name}.bin`))
  const header: EmbeddingHeader = { version: EMBEDDING_VERSION, key: name, count: data.length / dim, dim }
  await writeFile(`${temp}.json`, JSON.stringify(header))
  await rename(`${temp}.json`, join(dir, `${name}.json`))
}

/** A batch of embeddings, their class indices and which images they are. */
export interface EmbeddingBatch {
  x: Float32Array
  y: Int32Array
  indices: Int32Array
}

/**
 * Batches of embeddings for a head: each Epoch shuffles the training images (seeded) and, when
 * there are augmented views, takes each image's view at random (the clean one included), so the
 * head sees K + 1 versions of every image over the Epochs. Evaluation uses the clean view.
 */
export class EmbeddingBatches {
  readonly #views: Float32Array[]
  /** Numbers per embedding. */
  readonly dim: number
  readonly #labels: ArrayLike<number>
  readonly #train: readonly number[]
  readonly #batchSize: number
  readonly #seed: number

  /** `views[0]` is the clean view; every view holds one row of `dim` numbers per image. */
  constructor(options: { views: Float32Array[]; dim: number; labels: ArrayLike<number>; train: readonly number[]; batchSize: number; seed: number }) {
    this.#views = options.views
    this.dim = options.dim
    this.#labels = options.labels
    this.#train = options.train
    this.#batchSize = options.batchSize
    this.#seed = options.seed
  }

  /** Every image's clean embedding, row after row. */
  rows(): Float32Array {
    return this.#views[0]
  }

  /** The shuffled training batches of `epoch` (1-based). */
  *epoch(epoch: number): Iterable<EmbeddingBatch> {
    const stream = new Random(this.#seed).fork('embedding-epoch').fork(epoch)
    const order = stream.shuffle(Int32Array.from(this.#train))
    const pick = stream.fork('view')
    for (let start = 0; start < order.length; start += this.#batchSize) {
      const indices = order.subarray(start, start + this.#batchSize)
      yield this.#batch(indices, () => pick.int(this.#views.length))
    }
  }

  /** The images `indices`, in order, clean view, in batches of `batchSize`. */
  *evaluation(indices: readonly number[], batchSize = 256): Iterable<EmbeddingBatch> {
    for (let start = 0; start < indices.length; start += batchSize) yield this.#batch(Int32Array.from(indices.slice(start, start + batchSize)), () => 0)
  }

  #batch(indices: Int32Array, view: () => number): EmbeddingBatch {
    const d = this.dim
    const x = new Float32Array(indices.length * d)
    const y = new Int32Array(indices.length)
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]
      x.set(this.#views[view()].subarray(i * d, (i + 1) * d), k * d)
      y[k] = this.#labels[i]
    }
    return { x, y, indices: Int32Array.from(indices) }
  }
}
