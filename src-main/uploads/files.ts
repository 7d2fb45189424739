/**
 * Files a browser sends to `osprey serve` (which cannot read the user's disk from a tab reached
 * over a tunnel): images for Try it, and datasets as a zip or a folder's files. Everything lands
 * in the data folder, private like the rest of it (folders 700, files 600), under names the studio
 * makes safe: no path from a request or a zip may leave its folder, no link is followed or made,
 * and sizes are bounded so no upload can fill the disk unnoticed.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Unzip, UnzipInflate } from 'fflate'
import { OspreyError } from '../errors'
import { PRIVATE_FILE, PRIVATE_FOLDER } from '../store/private'

/** The most one uploaded image, folder file, zip and a zip's contents may weigh. */
export const LIMITS = { image: 50 * 2 ** 20, file: 200 * 2 ** 20, zip: 2 * 2 ** 30, unzipped: 4 * 2 ** 30, entries: 200_000, depth: 16 }

/** Try it's images older than this are removed when a new one arrives. */
const KEEP_TRY_IT_MS = 24 * 3600_000

/** Where uploads live in the data folder. */
export function uploadDirs(dataDir: string): { tryIt: string; datasets: string } {
  return { tryIt: join(dataDir, 'uploads', 'try-it'), datasets: join(dataDir, 'datasets') }
}

/** A file or folder name made safe: no separators, control characters or leading dots; never empty. */
export function safeName(name: string, fallback = 'file'): string {
  const cleaned = name
    .normalize('NFC')
    // oxlint-disable-next-line no-control-regex -- control characters are exactly what a file name must not keep
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 120)
  return cleaned || fallback
}

/** A relative path from a request or a zip entry, each part made safe; null for one that would climb out (`..`) or is too deep. */
export function safeRelativePath(path: string): string[] | null {
  const parts = path
    .replaceAll('\\', '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.')
  if (parts.length === 0 || parts.length > LIMITS.depth || parts.some((p) => p === '..')) return null
  return parts.map((p) => safeName(p))
}

/** Hidden files and OS leftovers a zip or folder carries along (as `path` names them): not part of a dataset, as a scan ignores them. */
export function isLeftover(path: string): boolean {
  return path
    .replaceAll('\\', '/')
    .split('/')
    .some((p) => p === '__MACOSX' || (p.startsWith('.') && p !== '.' && p !== '..') || p === 'Thumbs.db' || p === 'desktop.ini')
}

/** Writes `body` into a new file `file` (created exclusively, 600), at most `limit` bytes; too large: the file is removed and the upload refused. */
export async function receive(body: AsyncIterable<Buffer>, file: string, limit: number): Promise<number> {
  await mkdir(dirname(file), { recursive: true, mode: PRIVATE_FOLDER })
  const handle = await open(file, 'wx', PRIVATE_FILE)
  let bytes = 0
  try {
    for await (const chunk of body) {
      bytes += chunk.length
      if (bytes > limit) throw new OspreyError('bad-input', `The upload is larger than ${Math.round(limit / 2 ** 20).toLocaleString('en')} MB, the most Osprey accepts for it.`)
      await handle.write(chunk)
    }
  } catch (e) {
    await handle.close()
    await rm(file, { force: true })
    throw e
  }
  await handle.close()
  return bytes
}

/** Stores an image for Try it; returns its path in the data folder. Older Try it images are cleared away. */
export async function receiveImage(dataDir: string, name: string, body: AsyncIterable<Buffer>): Promise<string> {
  const { tryIt } = uploadDirs(dataDir)
  await clearOld(tryIt)
  // A browser gives a file's name; should it give a path, only its last part counts.
  const file = join(tryIt, randomBytes(8).toString('hex'), safeName(name.split(/[\\/]/).pop() ?? '', 'image'))
  await receive(body, file, LIMITS.image)
  return file
}

/** A new, empty folder for an uploaded dataset, named after `name` (`name-2`… when taken). */
export async function newDatasetFolder(dataDir: string, name: string): Promise<string> {
  const { datasets } = uploadDirs(dataDir)
  await mkdir(datasets, { recursive: true, mode: PRIVATE_FOLDER })
  const base = safeName(name.replace(/\.zip$/i, ''), 'dataset')
  for (let n = 1; n < 10_000; n++) {
    const folder = join(datasets, n === 1 ? base : `${base}-${n}`)
    try {
      await mkdir(folder, { mode: PRIVATE_FOLDER })
      return folder
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  throw new OspreyError('bad-input', `Too many uploaded datasets are named ${base}; rename the folder or zip and upload it again.`)
}

/** Stores one file of a folder being uploaded, at its relative path inside `folder` (an upload folder). */
export async function receiveFolderFile(folder: string, relativePath: string, body: AsyncIterable<Buffer>): Promise<string | null> {
  const parts = safeRelativePath(relativePath)
  if (!parts) throw new OspreyError('bad-input', `"${relativePath}" is not a path inside the dataset folder.`)
  if (isLeftover(relativePath)) {
    for await (const _ of body) void _ // drained, not kept
    return null
  }
  const file = join(folder, ...parts)
  await receive(body, file, LIMITS.file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') throw new OspreyError('bad-input', `${parts.join('/')} was uploaded twice.`)
    throw e
  })
  return file
}

/**
 * Extracts the zip `zipFile` into the empty folder `folder`, streaming (memory stays small):
 * regular files only (directories are made, links and leftovers skipped), every path kept inside,
 * limits on size and count. A zip whose entries all sit in one top folder ("shapes/circle/…") is
 * unpacked from inside it, so the dataset's class folders come out at the top.
 */
export async function extractZip(zipFile: string, folder: string): Promise<{ files: number; bytes: number }> {
  const entries = await listEntries(zipFile)
  const top = commonTop(entries)
  let files = 0
  let bytes = 0
  const writes: Promise<void>[] = []
  let failure: Error | null = null
  const fail = (e: Error) => (failure ??= e)
  const unzip = new Unzip((entry) => {
    const name = entryName(entry.name)
    const parts = safeRelativePath(name)
    if (!parts || name.endsWith('/') || isLeftover(name)) return
    const inside = top ? parts.slice(1) : parts
    if (inside.length === 0) return
    if (++files > LIMITS.entries) return fail(new OspreyError('bad-input', `The zip holds more than ${LIMITS.entries.toLocaleString('en')} files, the most a dataset upload may.`))
    const target = join(folder, ...inside)
    const chunks: Uint8Array[] = []
    let size = 0
    entry.ondata = (error, data, final) => {
      if (error) return fail(new OspreyError('bad-input', `The zip is damaged (${inside.join('/')}): ${error.message}. Make it again and upload it.`))
      size += data.length
      if (size > LIMITS.file) return fail(new OspreyError('bad-input', `${inside.join('/')} in the zip unpacks to more than ${LIMITS.file / 2 ** 20} MB, the most one file of a dataset may.`))
      bytes += data.length
      if (bytes > LIMITS.unzipped) return fail(new OspreyError('bad-input', `The zip unpacks to more than ${LIMITS.unzipped / 2 ** 30} GB, the most a dataset upload may.`))
      chunks.push(data)
      if (final) writes.push(writeNew(target, chunks).catch((e: Error) => void fail(e)))
    }
    entry.start()
  })
  unzip.register(UnzipInflate)
  for await (const chunk of createReadStream(zipFile)) {
    unzip.push(chunk as Buffer)
    if (failure) break
  }
  if (!failure) unzip.push(new Uint8Array(0), true)
  await Promise.all(writes)
  if (failure) throw failure
  if (files === 0) throw new OspreyError('bad-input', 'The zip holds no files. Zip the dataset folder (one sub-folder of images per class) and upload that.')
  return { files, bytes }
}

/**
 * An entry's name as its maker meant it. Zips made on a Mac or by Info-ZIP's `zip` hold UTF-8 names
 * without the flag that says so, and fflate reads such a name as Latin-1: class "oiseau é" came out
 * as "oiseau Ã©". A name read that way whose bytes are valid UTF-8 is read again as UTF-8.
 */
export function entryName(name: string): string {
  // oxlint-disable-next-line no-control-regex -- plain ASCII reads the same either way
  if (/^[\x00-\x7f]*$/.test(name) || /[^\x00-\xff]/.test(name)) return name // ASCII, or already read as UTF-8
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(name, 'latin1'))
  } catch {
    return name // not UTF-8 (an old Windows code page): kept as read
  }
}

/** The names in a zip's central directory, from its end (read without inflating anything). */
async function listEntries(zipFile: string): Promise<string[]> {
  const handle = await open(zipFile, 'r')
  try {
    const { size } = await handle.stat()
    const tail = Buffer.alloc(Math.min(size, 65_557))
    await handle.read(tail, 0, tail.length, size - tail.length)
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (end < 0) throw new OspreyError('bad-input', 'This file is not a zip (or it is damaged). Upload a .zip of the dataset folder.')
    let count = tail.readUInt16LE(end + 10)
    const dirSize = tail.readUInt32LE(end + 12)
    const dirOffset = tail.readUInt32LE(end + 16)
    if (count === 0xffff || dirOffset === 0xffffffff) count = Number.MAX_SAFE_INTEGER // zip64: names read below until the directory ends
    if (dirSize > 256 * 2 ** 20 || dirOffset + dirSize > size) throw new OspreyError('bad-input', "The zip's directory is damaged. Make the zip again and upload it.")
    const dir = Buffer.alloc(dirSize)
    await handle.read(dir, 0, dirSize, dirOffset)
    const names: string[] = []
    for (let at = 0; at + 46 <= dir.length && names.length < count && dir.readUInt32LE(at) === 0x02014b50;) {
      const nameLength = dir.readUInt16LE(at + 28)
      names.push(dir.toString('utf8', at + 46, at + 46 + nameLength))
      at += 46 + nameLength + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32)
    }
    return names
  } finally {
    await handle.close()
  }
}

/** The one folder every file of the zip sits in below its class folders ("shapes/circle/1.jpg"), or null ("circle/1.jpg" keeps its top level). */
function commonTop(names: string[]): string | null {
  const files = names
    .filter((n) => !n.endsWith('/') && !isLeftover(n))
    .map((n) => safeRelativePath(n))
    .filter((p): p is string[] => p !== null)
  if (!files.length) return null
  const first = files[0][0]
  return files.every((p) => p.length > 2 && p[0] === first) ? first : null
}

/** Writes `chunks` into a new file (exclusive, 600), making its folders (700). */
async function writeNew(file: string, chunks: Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: PRIVATE_FOLDER })
  const handle = await open(file, 'wx', PRIVATE_FILE)
  try {
    for (const chunk of chunks) await handle.write(chunk)
  } finally {
    await handle.close()
  }
}

/** Removes Try it uploads older than a day (each lives in a folder of its own). */
async function clearOld(dir: string): Promise<void> {
  const now = Date.now()
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(join(dir, name)).catch(() => null)
    if (info && now - info.mtimeMs > KEEP_TRY_IT_MS) await rm(join(dir, name), { recursive: true, force: true })
  }
}
