/**
 * The decoded-image cache: every usable image of a Dataset decoded and resized ONCE with sharp
 * into one binary file of fixed-size records (Uint8, HWC, size×size×channels), so epochs read
 * pixels instead of decoding files. Keyed by the Dataset fingerprint, image size and channels,
 * so a second Run on the same Dataset reuses it.
 *
 * Layout: `<key>.bin` (record i at byte i × size × size × channels) and `<key>.json` (the
 * header). The header is written last and both are renamed from temporary names when complete:
 * a crash never leaves a cache that looks whole.
 *
 * Decoding policy: EXIF orientation applied; resize the shorter side to `size` and centre-crop
 * (sharp's fit 'cover'), the classic choice for classifiers: no distortion, no padding bars;
 * alpha flattened onto WHITE (transparent backgrounds of icons and scans are meant as paper);
 * 1 channel = luminance ('b-w'), 3 = sRGB (CMYK, 16-bit and grey inputs converted).
 */
import { createHash } from 'node:crypto'
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { OspreyError } from '../errors'
import { ImageCache, headerFile, type CacheHeader } from './image-cache'

export { IN_MEMORY_LIMIT, ImageCache, type CacheHeader, type SharedCache } from './image-cache'

/** Bumped whenever decoding or layout changes, so older caches are rebuilt, never misread. */
export const CACHE_VERSION = 1

/** Where to build a cache and from what. `files` are relative to `root`, in the order records are kept. */
export interface CacheSpec {
  root: string
  files: readonly { path: string }[]
  /** The Dataset fingerprint (content hash over the usable images). */
  fingerprint: string
  size: number
  channels: 1 | 3
  cacheDir: string
}

/** Progress and cancellation of a cache build. */
export interface BuildOptions {
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
  /** Images decoded at once (sharp runs them on libuv threads). */
  concurrency?: number
  inMemoryLimit?: number
}

/** The cache file name (without extension) for a fingerprint, size and channels. */
export function cacheKey(spec: Pick<CacheSpec, 'fingerprint' | 'size' | 'channels'>): string {
  const hash = createHash('sha256').update(`${spec.fingerprint}|${spec.size}|${spec.channels}|v${CACHE_VERSION}`).digest('hex')
  return `images-${spec.size}x${spec.size}x${spec.channels}-${hash.slice(0, 16)}`
}

/** An image of the Dataset that no longer decodes: the user's folder changed under a Run (a file deleted, replaced or half-copied). */
export function changedSinceScan(path: string, e: unknown): OspreyError {
  const why = String((e as Error)?.message ?? e).split('\n')[0]
  return new OspreyError('bad-input', `Cannot read ${path}: it was removed, changed or became unreadable since the Dataset was scanned (${why}). Scan the Dataset again, then start the Run again.`)
}

/** Decodes one image file into a size×size×channels Uint8 HWC record (the cache's policy, see top). */
export async function decodeImage(file: string, size: number, channels: 1 | 3): Promise<Buffer> {
  let pipeline = sharp(file, { limitInputPixels: false }).autoOrient().resize(size, size, { fit: 'cover', position: 'centre' }).flatten({ background: '#ffffff' })
  pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb')
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  if (info.width !== size || info.height !== size || info.channels !== channels || data.length !== size * size * channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×${channels}`)
  }
  return data
}

/** The cache for `spec`: reused when a complete one exists, otherwise built (see BuildOptions). */
export async function buildImageCache(spec: CacheSpec, options: BuildOptions = {}): Promise<ImageCache> {
  const key = cacheKey(spec)
  const file = join(spec.cacheDir, `${key}.bin`)
  const header: CacheHeader = {
    version: CACHE_VERSION,
    fingerprint: spec.fingerprint,
    size: spec.size,
    channels: spec.channels,
    count: spec.files.length,
    recordBytes: spec.size * spec.size * spec.channels
  }
  const existing = await ImageCache.open(file, options.inMemoryLimit).catch(() => null)
  if (existing && sameHeader(existing.header, header)) {
    options.onProgress?.(header.count, header.count)
    return existing
  }
  await existing?.close()
  await mkdir(spec.cacheDir, { recursive: true })
  const temp = `${file}.${process.pid}-${Date.now().toString(36)}.partial`
  const handle = await open(temp, 'w')
  try {
    await writeRecords(handle, spec, header, options)
  } catch (e) {
    await handle.close()
    await rm(temp, { force: true })
    throw e
  }
  await handle.close()
  await rename(temp, file)
  await writeFile(`${temp}.json`, JSON.stringify(header))
  await rename(`${temp}.json`, headerFile(file))
  return ImageCache.open(file, options.inMemoryLimit)
}

/** Decodes every file with bounded concurrency, writing each record at its place as it finishes. */
async function writeRecords(handle: FileHandle, spec: CacheSpec, header: CacheHeader, options: BuildOptions): Promise<void> {
  const total = header.count
  const lanes = Math.max(1, Math.min(options.concurrency ?? 4, total))
  let next = 0
  let done = 0
  options.onProgress?.(0, total)
  const lane = async () => {
    while (next < total) {
      options.signal?.throwIfAborted()
      const i = next++
      const path = spec.files[i].path
      let data: Buffer
      try {
        data = await decodeImage(join(spec.root, path), spec.size, spec.channels)
      } catch (e) {
        throw changedSinceScan(path, e)
      }
      await handle.write(data, 0, data.length, i * header.recordBytes)
      options.onProgress?.(++done, total)
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  options.signal?.throwIfAborted()
}

function sameHeader(a: CacheHeader, b: CacheHeader): boolean {
  return a.version === b.version && a.fingerprint === b.fingerprint && a.size === b.size && a.channels === b.channels && a.count === b.count && a.recordBytes === b.recordBytes
}
