/**
 * Lists a dataset folder: one sub-folder per class, images at any depth below it.
 * Only reads the folder; never writes to it.
 */
import { opendir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Problem } from '../contract'
import { problem } from './problems'

/** A file found under a dataset folder, before it is read. */
export interface ListedFile {
  /** Relative to the dataset folder, `/` separators. */
  path: string
  /** Its top-level class folder; null for a file directly in the dataset folder. */
  class: string | null
  size: number
  mtimeMs: number
}

/** What a walk found: class folders, files, and folder-level problems. */
export interface Listing {
  classes: string[]
  files: ListedFile[]
  problems: Problem[]
}

// Files and folders the OS or other tools leave behind; never part of a dataset.
const IGNORED = new Set(['thumbs.db', 'desktop.ini', '__macosx', '$recycle.bin', 'system volume information'])

// Files that photo tools write beside each photo (Apple Photos edits, Lightroom/darktable XMP,
// camera video thumbnails, RawTherapee and DxO settings): they come with the photos, are not
// images, and listing each as "not an image" would bury the real problems.
const SIDECAR_EXTENSIONS = new Set(['aae', 'xmp', 'thm', 'pp3', 'dop'])

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'svg', 'bmp', 'heic', 'heif', 'jxl', 'jp2'])

/** True when a file's extension says it is an image. */
export function looksLikeImage(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase())
}

/** True for a photo tool's sidecar file (IMG_0001.AAE, DSC_0042.xmp, …). */
export function isSidecar(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot > 0 && SIDECAR_EXTENSIONS.has(name.slice(dot + 1).toLowerCase())
}

/** True for hidden files and OS leftovers (.DS_Store, Thumbs.db, dot-files, __MACOSX). */
export function isIgnored(name: string): boolean {
  return name.startsWith('.') || IGNORED.has(name.toLowerCase())
}

/** Lists `root`; `onFile` is told how many files were found so far. */
export async function walk(root: string, options: { signal?: AbortSignal; onFound?: (count: number) => void } = {}): Promise<Listing> {
  const listing: Listing = { classes: [], files: [], problems: [] }
  const rootReal = await realpath(root)

  async function visit(dir: string, rel: string, cls: string | null, ancestors: Set<string>): Promise<void> {
    options.signal?.throwIfAborted()
    let handle
    try {
      handle = await opendir(dir, { bufferSize: 256 })
    } catch (e) {
      listing.problems.push(problem(rel || '.', 'unreadable', `This folder cannot be read (${errorText(e)}).`))
      return
    }
    const subdirs: [string, string][] = []
    const files: string[] = []
    try {
      for await (const entry of handle) {
        if (isIgnored(entry.name)) continue
        const childRel = rel ? `${rel}/${entry.name}` : entry.name
        let isDir = entry.isDirectory()
        if (entry.isSymbolicLink()) {
          // Follow links, but remember where they lead so a loop is reported, not followed forever.
          try {
            isDir = (await stat(join(dir, entry.name))).isDirectory()
          } catch {
            listing.problems.push(problem(childRel, 'unreadable', 'This link points to something that does not exist.'))
            continue
          }
        }
        if (isDir) subdirs.push([entry.name, childRel])
        // Beside the class folders only images matter (a README or LICENSE there is fine).
        else if (!isSidecar(entry.name) && (cls !== null || looksLikeImage(entry.name))) files.push(entry.name)
      }
    } catch (e) {
      // A folder that opens but cannot be listed to the end (a network share that drops, a disk
      // pulled out, a system folder): what was listed is kept, and the scan goes on.
      listing.problems.push(problem(rel || '.', 'unreadable', `This folder could not be read to the end (${errorText(e)}).`))
    }
    await statFiles(dir, rel, cls, files)
    for (const [name, childRel] of subdirs.sort((a, b) => compare(a[0], b[0]))) {
      const full = join(dir, name)
      let real: string
      try {
        real = await realpath(full)
      } catch (e) {
        listing.problems.push(problem(childRel, 'unreadable', `This folder cannot be read (${errorText(e)}).`))
        continue
      }
      if (ancestors.has(real)) {
        listing.problems.push(problem(childRel, 'symlink-loop', 'This folder link leads back into a folder that contains it; it was skipped.'))
        continue
      }
      const childClass = cls ?? name
      if (cls === null) listing.classes.push(name)
      await visit(full, childRel, childClass, new Set(ancestors).add(real))
    }
  }

  async function statFiles(dir: string, rel: string, cls: string | null, names: string[]): Promise<void> {
    // Stat in slices: enough in flight to keep the disk busy, few enough to bound memory.
    for (let i = 0; i < names.length; i += 128) {
      options.signal?.throwIfAborted()
      const slice = names.slice(i, i + 128)
      const stats = await Promise.all(slice.map((n) => stat(join(dir, n)).catch((e: unknown) => e as Error)))
      slice.forEach((name, j) => {
        const path = rel ? `${rel}/${name}` : name
        const s = stats[j]
        if (s instanceof Error) listing.problems.push(problem(path, 'unreadable', `This file cannot be read (${errorText(s)}).`))
        else listing.files.push({ path, class: cls, size: s.size, mtimeMs: s.mtimeMs })
      })
      options.onFound?.(listing.files.length)
    }
  }

  await visit(root, '', null, new Set([rootReal]))
  listing.files.sort((a, b) => compare(a.path, b.path))
  listing.classes.sort(compare)
  return listing
}

/** Code-point order: the same on every machine, so fingerprints and lists are stable. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A short, plain reason for a filesystem error. */
export function errorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'it disappeared while the folder was being scanned'
  if (code === 'ELOOP') return 'too many levels of links'
  if (code === 'EIO') return 'a read error: the disk or network share failed'
  return (e as Error)?.message ?? String(e)
}
