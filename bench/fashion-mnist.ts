/**
 * Fashion-MNIST as a folder-per-class image dataset, for benchmarks and the
 * shipped sample dataset.
 *
 * The data comes from the Debian package `dataset-fashion-mnist`, which installs
 * the original gzipped IDX files in /usr/share/datasets/fashion-mnist. Nothing is
 * downloaded. Fashion-MNIST is MIT-licensed, (c) 2017 Zalando SE; see
 * /usr/share/doc/dataset-fashion-mnist/copyright.
 *
 * IDX format (big-endian), as used here:
 *   images: magic 0x00000803, count, rows, cols, then count*rows*cols bytes (0..255)
 *   labels: magic 0x00000801, count, then count bytes (0..9)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'

/** Where the Debian package `dataset-fashion-mnist` installs the gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

/** The 10 classes in label order (label 0 = 't-shirt-top'), spelled as folder-safe names. */
export const FASHION_MNIST_CLASSES = ['t-shirt-top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'] as const

/** Which half of Fashion-MNIST: 60,000 training or 10,000 test images. */
export type FashionMnistSplit = 'train' | 'test'

/** A decoded split: one 28x28 grayscale image (row-major, 1 byte per pixel) per label. */
export interface FashionMnist {
  images: Uint8Array[]
  labels: number[]
  width: 28
  height: 28
}

/** Options of exportFashionMnist; `limit` and `perClass` may be combined. */
export interface FashionMnistExportOptions {
  split: FashionMnistSplit
  /** At most this many images overall: the first ones in file order. */
  limit?: number
  /** At most this many images per class: the first ones of each class in file order. */
  perClass?: number
}

const IMAGES_MAGIC = 0x00000803 // unsigned byte data, 3 dimensions
const LABELS_MAGIC = 0x00000801 // unsigned byte data, 1 dimension
const SIDE = 28
const MARKER = '.complete.json'
const MARKER_VERSION = 1
const IN_FLIGHT = 32 // PNG encodes queued at once; sharp runs them on libuv's thread pool

/** File names of the upstream distribution (the test split is called t10k there). */
function idxFiles(split: FashionMnistSplit): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k'
  return {
    images: join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`),
    labels: join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`)
  }
}

/** Reads and gunzips one IDX file, with an install hint when it is missing. */
function readIdx(path: string): Buffer {
  if (!existsSync(path)) {
    throw new Error(`Fashion-MNIST file not found: ${path}. Install it with: sudo apt-get install dataset-fashion-mnist`)
  }
  try {
    return gunzipSync(readFileSync(path))
  } catch (err) {
    throw new Error(`Fashion-MNIST file ${path} is not valid gzip: ${(err as Error).message}`)
  }
}

/** Checks the IDX magic number and that the header's sizes fit the data that follows. */
function checkHeader(path: string, data: Buffer, magic: number, headerBytes: number, itemBytes: number): number {
  if (data.length < headerBytes) throw new Error(`${path}: truncated IDX header`)
  const found = data.readUInt32BE(0)
  if (found !== magic) {
    throw new Error(`${path}: bad IDX magic 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}`)
  }
  const count = data.readUInt32BE(4)
  if (data.length !== headerBytes + count * itemBytes) {
    throw new Error(`${path}: ${data.length} bytes, expected ${headerBytes + count * itemBytes} for ${count} items`)
  }
  return count
}

// The images returned are views into one shared buffer (train: ~47 MB), not copies.
/** Reads one split into memory; throws naming `apt-get install dataset-fashion-mnist` if the files are missing. */
export function readFashionMnist(split: FashionMnistSplit): FashionMnist {
  if (split !== 'train' && split !== 'test') throw new Error(`unknown Fashion-MNIST split: ${String(split)}`)
  const files = idxFiles(split)

  const img = readIdx(files.images)
  const count = checkHeader(files.images, img, IMAGES_MAGIC, 16, SIDE * SIDE)
  const rows = img.readUInt32BE(8)
  const cols = img.readUInt32BE(12)
  if (rows !== SIDE || cols !== SIDE) throw new Error(`${files.images}: images are ${cols}x${rows}, expected 28x28`)

  const lab = readIdx(files.labels)
  const labelCount = checkHeader(files.labels, lab, LABELS_MAGIC, 8, 1)
  if (labelCount !== count) throw new Error(`Fashion-MNIST ${split}: ${count} images but ${labelCount} labels`)

  const images: Uint8Array[] = new Array(count)
  const labels: number[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const start = 16 + i * SIDE * SIDE
    images[i] = img.subarray(start, start + SIDE * SIDE)
    const label = lab[8 + i]
    if (label >= FASHION_MNIST_CLASSES.length) throw new Error(`${files.labels}: label ${label} at item ${i} is out of range`)
    labels[i] = label
  }
  return { images, labels, width: SIDE, height: SIDE }
}

/** The PNG file name of item `index` of a split, e.g. `test-00042.png`. */
export function fashionMnistFileName(split: FashionMnistSplit, index: number): string {
  return `${split}-${String(index).padStart(5, '0')}.png`
}

/** What .complete.json records; an export is reused only when all of it matches. */
interface Marker {
  version: number
  split: FashionMnistSplit
  limit: number | null
  perClass: number | null
  images: number
}

/** Reads `dir/.complete.json`, or null when it is missing or unreadable. */
async function readMarker(dir: string): Promise<Marker | null> {
  try {
    return JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as Marker
  } catch {
    return null
  }
}

/** Throws unless `n` is absent or a positive integer. */
function checkCount(name: string, n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer, got ${n}`)
}

/** Every image of an export (or any folder of class folders) with its class, class by class. */
export function labelledFiles(dir: string): { path: string; label: string }[] {
  return readdirSync(dir)
    .filter((d) => !d.startsWith('.'))
    .flatMap((label) => readdirSync(join(dir, label)).map((f) => ({ path: join(dir, label, f), label })))
}

// The index in the file name is the item's position in the IDX file. An earlier
// export is reused only if dir/.complete.json (written last, so an interrupted
// export is redone) has the same options; otherwise stale `<split>-NNNNN.png`
// files in the class folders are removed before writing.
/** Writes a split as grayscale PNGs `dir/<class>/<split>-<index:5>.png`, reusing a complete export with the same options. */
export async function exportFashionMnist(dir: string, opts: FashionMnistExportOptions): Promise<{ dir: string; images: number }> {
  dir = resolve(dir)
  const { split } = opts
  checkCount('limit', opts.limit)
  checkCount('perClass', opts.perClass)
  const wanted = { version: MARKER_VERSION, split, limit: opts.limit ?? null, perClass: opts.perClass ?? null }

  const previous = await readMarker(dir)
  if (previous && previous.version === wanted.version && previous.split === wanted.split && previous.limit === wanted.limit && previous.perClass === wanted.perClass) {
    return { dir, images: previous.images }
  }
  // From here on the folder is incomplete until the new marker is written.
  await rm(join(dir, MARKER), { force: true })

  // Pick items in file order: first `perClass` of each class, first `limit` overall.
  const data = readFashionMnist(split)
  const perClassTaken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0)
  const picked: number[] = []
  for (let i = 0; i < data.labels.length; i++) {
    if (opts.limit !== undefined && picked.length >= opts.limit) break
    const label = data.labels[i]
    if (opts.perClass !== undefined && perClassTaken[label] >= opts.perClass) continue
    perClassTaken[label]++
    picked.push(i)
  }

  // One folder per class (all ten, even when a small limit leaves some empty),
  // cleared of our own PNGs that the new selection does not contain.
  const keep = new Set(picked.map((i) => join(FASHION_MNIST_CLASSES[data.labels[i]], fashionMnistFileName(split, i))))
  for (const name of FASHION_MNIST_CLASSES) {
    const classDir = join(dir, name)
    await mkdir(classDir, { recursive: true })
    for (const file of await readdir(classDir)) {
      if (/^(train|test)-\d{5}\.png$/.test(file) && !keep.has(join(name, file))) await unlink(join(classDir, file))
    }
  }

  // Bounded concurrency: IN_FLIGHT workers each take the next item until none are left.
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < picked.length) {
      const i = picked[next++]
      const out = join(dir, FASHION_MNIST_CLASSES[data.labels[i]], fashionMnistFileName(split, i))
      await sharp(data.images[i], { raw: { width: SIDE, height: SIDE, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(out)
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, picked.length) }, worker))

  // Marker last, atomically (write + rename), so its presence means "complete".
  const marker: Marker = { ...wanted, images: picked.length }
  const tmp = join(dir, `${MARKER}.tmp`)
  await writeFile(tmp, JSON.stringify(marker, null, 2) + '\n')
  await rename(tmp, join(dir, MARKER))
  return { dir, images: picked.length }
}
