/** Reading the decoded-image cache (see ./cache.ts for how it is built). No sharp here: worker threads load this. */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises'

/** Files up to this size are read whole into (shared) memory; larger ones are read record by record. */
export const IN_MEMORY_LIMIT = 256 * 1024 * 1024

/** What the cached pixels are: the header of a cache file. */
export interface CacheHeader {
  version: number
  fingerprint: string
  size: number
  channels: 1 | 3
  count: number
  recordBytes: number
}

/** What a worker thread needs to read the same cache: plain data and, in memory mode, the shared pixels. */
export interface SharedCache {
  file: string
  header: CacheHeader
  memory: SharedArrayBuffer | null
}

/** The header file beside a cache's .bin file. */
export function headerFile(file: string): string {
  return file.replace(/\.bin$/, '.json')
}

/** A complete cache file, read by record. In memory when small, by positional reads otherwise. */
export class ImageCache {
  /** What the records hold. */
  readonly header: CacheHeader
  /** The .bin file. */
  readonly file: string
  #memory: Uint8Array | null
  #shared: SharedArrayBuffer | null
  #handle: FileHandle | null

  private constructor(file: string, header: CacheHeader, shared: SharedArrayBuffer | null, handle: FileHandle | null) {
    this.file = file
    this.header = header
    this.#shared = shared
    this.#memory = shared ? new Uint8Array(shared) : null
    this.#handle = handle
  }

  /** Opens a complete cache (its header exists and the file has the right length); throws otherwise. */
  static async open(file: string, inMemoryLimit = IN_MEMORY_LIMIT): Promise<ImageCache> {
    const header = JSON.parse(await readFile(headerFile(file), 'utf8')) as CacheHeader
    const bytes = header.count * header.recordBytes
    if ((await stat(file)).size !== bytes) throw new Error(`The image cache ${file} is incomplete.`)
    const handle = await open(file, 'r')
    if (bytes > inMemoryLimit) return new ImageCache(file, header, null, handle)
    try {
      // Shared memory, so a worker thread reads the same pixels without a copy.
      const shared = new SharedArrayBuffer(bytes)
      const view = new Uint8Array(shared)
      for (let at = 0; at < bytes;) {
        const { bytesRead } = await handle.read(view, at, Math.min(bytes - at, 64 * 1024 * 1024), at)
        if (bytesRead === 0) throw new Error(`The image cache ${file} ended early.`)
        at += bytesRead
      }
      return new ImageCache(file, header, shared, null)
    } finally {
      await handle.close()
    }
  }

  /** Reopens a cache from `share()` (in a worker thread). */
  static async fromShared(shared: SharedCache): Promise<ImageCache> {
    if (shared.memory) return new ImageCache(shared.file, shared.header, shared.memory, null)
    return new ImageCache(shared.file, shared.header, null, await open(shared.file, 'r'))
  }

  /** Number of records (images). */
  get count(): number {
    return this.header.count
  }

  /** Whether the pixels are held in memory. */
  get inMemory(): boolean {
    return this.#memory !== null
  }

  /** What another thread needs to open the same cache. */
  share(): SharedCache {
    return { file: this.file, header: this.header, memory: this.#shared }
  }

  /** Copies the records of `indices`, one after another, into `out` (at least indices.length × recordBytes). */
  async read(indices: ArrayLike<number>, out: Uint8Array): Promise<void> {
    const n = this.header.recordBytes
    if (out.length < indices.length * n) throw new Error(`read: the output holds ${out.length} bytes, ${indices.length * n} needed.`)
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]
      if (!Number.isInteger(i) || i < 0 || i >= this.header.count) throw new Error(`read: no image ${i} in a cache of ${this.header.count}.`)
    }
    if (this.#memory) {
      for (let k = 0; k < indices.length; k++) out.set(this.#memory.subarray(indices[k] * n, indices[k] * n + n), k * n)
      return
    }
    if (!this.#handle) throw new Error('read: the image cache is closed.')
    const handle = this.#handle
    await Promise.all(
      Array.from({ length: indices.length }, async (_, k) => {
        const { bytesRead } = await handle.read(out, k * n, n, indices[k] * n)
        if (bytesRead !== n) throw new Error(`The image cache ${this.file} is truncated.`)
      })
    )
  }

  /** Releases the file (and this thread's reference to the pixels). */
  async close(): Promise<void> {
    await this.#handle?.close()
    this.#handle = null
    this.#memory = null
    this.#shared = null
  }
}
