/** Dataset folders built on disk for the end-to-end tests: real images made with sharp. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'

/** A distinct image: a colour plus seeded noise, so no two seeds share content. */
export async function imageBytes(seed: number, format: 'png' | 'jpeg', size = 48): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3)
  let state = (seed * 2654435761) >>> 0 || 1
  const base = [(seed * 67) % 256, (seed * 131) % 256, (seed * 199) % 256]
  for (let i = 0; i < pixels.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    pixels[i] = (base[i % 3] + (state % 64)) % 256
  }
  const image = sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer()
}

/** Writes a distinct image at `root/path`; the format follows the extension. */
export async function writeImage(root: string, path: string, seed: number): Promise<void> {
  const file = join(root, path)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, await imageBytes(seed, /\.jpe?g$/i.test(path) ? 'jpeg' : 'png'))
}

/** The class folder whose name has spaces, an emoji and CJK characters. */
export const foreignClass = 'chats ☕ 猫'

/** What `messyDataset` contains, as the report should show it. */
export const messy = {
  classes: [
    { name: 'birds', count: 4 },
    { name: foreignClass, count: 4 },
    { name: 'unlabelled', count: 0 }
  ],
  images: 8,
  /** Files the scan reads: everything but hidden files and OS leftovers. */
  files: 12,
  problems: {
    'empty-file': 'birds/empty.png',
    'unsupported-format': 'birds/IMG_0042.HEIC',
    'not-image': 'birds/notes.txt',
    corrupt: 'birds/broken.jpg',
    'duplicate-across-classes': `${foreignClass}/same-as-b1.png`,
    'empty-class': 'unlabelled'
  },
  /** Classes under 5 images, each a warning of its own. */
  fewImages: ['birds', foreignClass],
  hidden: ['.DS_Store', '.hidden.png', '.secret']
} as const

/**
 * A dataset with one of each everyday problem: 2 good classes (one with a non-Latin name),
 * an empty file, a text file, a truncated JPEG, an iPhone photo (HEIC, which cannot be decoded
 * here), a duplicate across classes, an empty class, a panorama (used, but cropped to its centre)
 * and hidden files that must be ignored.
 */
export async function messyDataset(root: string): Promise<string> {
  await writeImage(root, 'birds/b1.png', 1)
  await writeImage(root, 'birds/b2.png', 2)
  await writeImage(root, 'birds/b3.jpg', 3)
  await writeFile(join(root, 'birds/empty.png'), '')
  await writeFile(join(root, 'birds/notes.txt'), 'Collected in spring; the heron photos are still missing.\n')
  const jpeg = await imageBytes(4, 'jpeg', 128)
  await writeFile(join(root, 'birds/broken.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
  await writeFile(join(root, 'birds/.hidden.png'), await imageBytes(5, 'png'))
  await copyFile(join(import.meta.dirname, '../fixtures/iphone.heic'), join(root, 'birds/IMG_0042.HEIC'))
  await writeFile(
    join(root, 'birds/pano.jpg'),
    await sharp(await imageBytes(6, 'png', 60))
      .resize(180, 60, { fit: 'fill' })
      .jpeg()
      .toBuffer()
  )

  await writeImage(root, `${foreignClass}/c1.png`, 11)
  await writeImage(root, `${foreignClass}/c2.jpg`, 12)
  await writeImage(root, `${foreignClass}/c3.png`, 13)
  await copyFile(join(root, 'birds/b1.png'), join(root, foreignClass, 'same-as-b1.png'))
  await writeFile(join(root, foreignClass, '.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]))

  // An empty class: only OS leftovers inside, which do not count.
  await mkdir(join(root, 'unlabelled'))
  await writeFile(join(root, 'unlabelled/.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]))
  await writeFile(join(root, '.secret'), 'not part of the dataset\n')
  return root
}

/** A clean dataset: `perClass` distinct images in each of `classes`. */
export async function cleanDataset(root: string, classes: string[], perClass: number, seed = 100): Promise<string> {
  for (const [c, name] of classes.entries()) {
    for (let i = 0; i < perClass; i++) await writeImage(root, `${name}/${String(i + 1).padStart(3, '0')}.png`, seed + c * 100 + i)
  }
  return root
}
