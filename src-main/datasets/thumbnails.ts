/** Small previews of a dataset's images, cached on disk by content hash (the folder is never written). */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { ClassThumbnails, ImageThumbnail } from '../contract'

/** A usable image of a dataset: where it is and what it holds. */
export interface ThumbnailSource {
  path: string
  class: string
  hash: string
}

/** Thumbnails of the first `perClass` images of each class, as data: URLs. */
export async function makeThumbnails(root: string, files: ThumbnailSource[], options: { perClass: number; size: number; cacheDir: string }): Promise<ClassThumbnails[]> {
  const byClass = new Map<string, ThumbnailSource[]>()
  for (const f of files) {
    const list = byClass.get(f.class) ?? []
    if (list.length < options.perClass) byClass.set(f.class, [...list, f])
  }
  await mkdir(options.cacheDir, { recursive: true, mode: 0o700 }) // in the data folder: the user's alone
  return Promise.all(
    [...byClass].map(async ([name, sources]) => ({
      name,
      thumbnails: await Promise.all(sources.map(async (s) => ({ path: s.path, url: await thumbnail(join(root, s.path), s.hash, options) })))
    }))
  )
}

async function thumbnail(file: string, hash: string, options: { size: number; cacheDir: string }): Promise<string> {
  const cached = join(options.cacheDir, `${hash}-${options.size}.webp`)
  let data: Buffer | null = await readFile(cached).catch(() => null)
  if (!data) {
    data = await thumbnailBytes(file, options.size).catch(() => null) // changed or vanished since the scan: shown as missing
    if (!data) return ''
    await writeFile(cached, data, { mode: 0o600 }).catch(() => {})
  }
  return `data:image/webp;base64,${data.toString('base64')}`
}

/** A size×size WebP preview of any image file as a data: URL (not cached); rejects when the file cannot be read. */
export async function imageThumbnail(file: string, size: number): Promise<string> {
  return `data:image/webp;base64,${(await thumbnailBytes(file, size)).toString('base64')}`
}

function thumbnailBytes(file: string, size: number): Promise<Buffer> {
  return sharp(file)
    .autoOrient() // EXIF orientation, as a person sees the photo
    .resize(size, size, { fit: 'cover', kernel: 'lanczos3' })
    .webp({ quality: 80 })
    .toBuffer()
}

/** Thumbnails of `paths` within `root`, each with a plain reason when its file is gone or unreadable since `since` (e.g. "the Run"); not cached. */
export function folderThumbnails(root: string, paths: readonly string[], size: number, since: string): Promise<ImageThumbnail[]> {
  return Promise.all(
    paths.map(async (path) => {
      const file = join(root, path)
      if (!(await stat(file).catch(() => null))?.isFile()) return { path, thumbnail: null, missing: `This image is no longer on disk (moved or deleted since ${since}).` }
      const thumbnail = await imageThumbnail(file, size).catch(() => null)
      return thumbnail ? { path, thumbnail, missing: null } : { path, thumbnail: null, missing: `This image can no longer be read (changed since ${since}?).` }
    })
  )
}
