/** Reads one file: its content hash, and whether sharp can decode it as an image. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { ProblemKind } from '../contract'
import { fileHead, HEAD_BYTES, unreadableFormat } from './formats'
import { checkPng, isPng } from './png'
import { errorText, looksLikeImage, type ListedFile } from './walk'

/** A file after it was read: what the manifest keeps. */
export interface FileEntry extends ListedFile {
  hash: string | null
  format: string | null
  width: number | null
  height: number | null
  /** sharp's colour space: b-w, grey16, srgb, rgb16, cmyk, ... */
  space: string | null
  hasAlpha: boolean | null
  problem: ProblemKind | null
  message: string | null
}

/** Default pixel limit: larger images are reported, never decoded (memory stays bounded). */
export const DEFAULT_PIXEL_LIMIT = 100_000_000

// Small files are read once into memory; larger ones are streamed so memory stays bounded.
const BUFFER_LIMIT = 32 * 1024 * 1024

sharp.cache(false) // every file is decoded once; a cache would only hold memory

/** Reads and decodes `file` under `root`. Never throws: a problem is recorded instead. */
export async function inspect(root: string, file: ListedFile, pixelLimit = DEFAULT_PIXEL_LIMIT): Promise<FileEntry> {
  const entry: FileEntry = { ...file, hash: null, format: null, width: null, height: null, space: null, hasAlpha: null, problem: null, message: null }
  const fail = (problem: ProblemKind, message: string) => Object.assign(entry, { problem, message })
  const full = `${root}/${file.path}`
  if (file.size === 0) return fail('empty-file', 'This file is empty (0 bytes).')

  let input: Buffer | string
  try {
    if (file.size <= BUFFER_LIMIT) {
      input = await readFile(full)
      entry.hash = createHash('sha256').update(input).digest('hex')
    } else {
      input = full
      entry.hash = await hashStream(full)
    }
  } catch (e) {
    return fail('unreadable', `This file cannot be read (${errorText(e)}).`)
  }

  const ext = extname(file.path).toLowerCase()
  if (typeof input !== 'string' && isPng(input)) {
    const png = checkPng(input, pixelLimit)
    if (png.ok === true) return Object.assign(entry, { format: 'png', ...png.info })
    if (png.ok === false) return fail('corrupt', `This PNG is damaged and cannot be decoded: ${png.reason}.`)
  }
  let meta: Metadata
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata()
  } catch {
    const format = unreadableFormat(await start(input), file.path)
    if (format) return fail('unsupported-format', format)
    if (looksLikeImage(file.path)) return fail('corrupt', `This ${ext.slice(1)} file cannot be read as an image: it is damaged or in an unsupported variant. Re-save it as PNG or JPEG.`)
    return fail('not-image', 'This file is not an image (supported: JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG).')
  }
  // libvips reads an HEIC's header, then cannot decode its HEVC pixels.
  const format = meta.format === 'heif' && meta.compression === 'hevc' ? unreadableFormat(await start(input), file.path) : null
  if (format) return fail('unsupported-format', format)
  const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height }
  Object.assign(entry, {
    format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
    width: oriented.width ?? null,
    height: oriented.height ?? null,
    space: meta.space ?? null,
    hasAlpha: meta.hasAlpha ?? false
  })
  const pixels = (meta.width ?? 0) * (meta.height ?? 0)
  if (pixels > pixelLimit) {
    return fail('too-large', `This image is ${meta.width}×${meta.height} (${megapixels(pixels)} megapixels), over the ${megapixels(pixelLimit)}-megapixel limit. Resize it first.`)
  }
  try {
    // A full decode (shrunk, which is cheap) is the only way to catch truncated or damaged data.
    await sharp(input, { failOn: 'warning', limitInputPixels: false }).resize(64, 64, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer()
  } catch (e) {
    return fail('corrupt', `This image is damaged or truncated and cannot be decoded (${firstLine(e)}).`)
  }
  return entry
}

/** The first bytes of a file: from memory when it was read whole. */
const start = async (input: Buffer | string) => (typeof input === 'string' ? fileHead(input) : input.subarray(0, HEAD_BYTES))

function hashStream(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject)
  })
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]
    .trim()
}

function megapixels(pixels: number): string {
  return String(Number((pixels / 1e6).toPrecision(pixels < 1e7 ? 2 : 3)))
}
