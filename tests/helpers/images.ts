/** Real images made with sharp, and folders of them, for tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import sharp, { type Sharp } from 'sharp'

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'osprey-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) }
}

/** A small image whose pixels depend on `seed`, so that different seeds give different content. */
export function image(seed: number, options: { width?: number; height?: number; channels?: 1 | 2 | 3 | 4 } = {}): Sharp {
  const width = options.width ?? 16
  const height = options.height ?? 12
  const channels = options.channels ?? 3
  const pixels = Buffer.alloc(width * height * channels)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 97) % 251
  const made = sharp(pixels, { raw: { width, height, channels } })
  return channels <= 2 ? made.toColourspace('b-w') : made // else libvips writes grey as sRGB
}

/** Writes `data` to `root/rel`, creating folders. */
export function put(root: string, rel: string, data: Buffer | string): string {
  const file = join(root, rel)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, data)
  return file
}

/** A PNG of `seed`. */
export const png = (seed: number, options?: Parameters<typeof image>[1]) => image(seed, options).png().toBuffer()
/** A JPEG of `seed`. */
export const jpeg = (seed: number, options?: Parameters<typeof image>[1]) => image(seed, options).jpeg().toBuffer()

/**
 * Writes a valid all-black grayscale PNG of any size, streaming, in little memory
 * (sharp would need gigabytes to create a 20000×20000 image).
 */
export async function writeHugePng(file: string, width: number, height: number): Promise<void> {
  const { crc32, createDeflate } = await import('node:zlib')
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(body.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])))
    return Buffer.concat([head, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // grayscale
  const deflate = createDeflate({ level: 9 })
  const compressed: Buffer[] = []
  deflate.on('data', (d: Buffer) => compressed.push(d))
  const done = new Promise((resolve) => deflate.on('end', resolve))
  const row = Buffer.alloc(width + 1) // filter byte 0, then black pixels
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r))
  deflate.end()
  await done
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  put(dirname(file), file.slice(dirname(file).length + 1), Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(compressed)), chunk('IEND', Buffer.alloc(0))]))
}

/** A real HEIC photo (HEVC in HEIF, as iPhones write them): 848 bytes made with libheif's heif-enc from a bench/colour-shapes image. */
export const HEIC_FIXTURE = join(import.meta.dirname, '../fixtures/iphone.heic')

/** A 2×2 24-bit Windows bitmap, as Paint saves one. */
export function bmp(): Buffer {
  const b = Buffer.alloc(54 + 16)
  b.write('BM', 0, 'ascii')
  b.writeUInt32LE(b.length, 2)
  b.writeUInt32LE(54, 10)
  b.writeUInt32LE(40, 14) // BITMAPINFOHEADER
  b.writeInt32LE(2, 18)
  b.writeInt32LE(2, 22)
  b.writeUInt16LE(1, 26)
  b.writeUInt16LE(24, 28)
  return b
}
