/**
 * Image formats that people have but sharp's prebuilt libvips cannot decode: iPhone photos (HEIC),
 * Windows bitmaps (BMP), JPEG XL, JPEG 2000 and camera RAW files. Told by their first bytes (or a
 * RAW file by its extension), so that a scan and Try it say what the file is and how to convert it,
 * instead of calling a good photo damaged.
 */
import { open } from 'node:fs/promises'
import { extname } from 'node:path'

/** Enough of a file's start for every signature below (an ISO-BMFF ftyp box lists its brands here). */
export const HEAD_BYTES = 64

// HEIF brands of HEVC-coded images; AVIF (AV1 in the same container) decodes and is left alone.
const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'])
const RAW_EXTENSIONS = new Set(['cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'orf', 'rw2', 'raf', 'pef', 'srw', 'x3f', '3fr', 'iiq', 'rwl'])

const resave = 'Re-save it as PNG or JPEG (any image editor can).'

/** What to tell the user about a file Osprey cannot decode because of its format, or null when its format is not one of these. */
export function unreadableFormat(head: Uint8Array, path: string): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to))
  if (ascii(4, 8) === 'ftyp') {
    const size = Math.min(head.length, (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3])
    const brands = [ascii(8, 12)]
    for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(at, at + 4))
    if (brands.some((b) => HEVC_BRANDS.has(b)) && !brands.includes('avif') && !brands.includes('avis')) {
      return 'This is an HEIC photo (the format iPhones save in), which Osprey cannot decode. Convert it to JPEG: on a Mac, open the photos in Preview and choose File → Export; on an iPhone, Settings → Camera → Formats → Most Compatible saves new photos as JPEG.'
    }
  }
  if (ascii(0, 2) === 'BM' && head.length >= 18 && head[14] >= 12) return `This is a BMP image, which Osprey cannot decode. ${resave}`
  if ((head[0] === 0xff && head[1] === 0x0a) || ascii(4, 8) === 'JXL ') return `This is a JPEG XL image, which Osprey cannot decode. ${resave}`
  if (ascii(4, 8) === 'jP  ' || (head[0] === 0xff && head[1] === 0x4f && head[2] === 0xff && head[3] === 0x51)) return `This is a JPEG 2000 image, which Osprey cannot decode. ${resave}`
  const ext = extname(path).slice(1).toLowerCase()
  if (RAW_EXTENSIONS.has(ext)) return `This is a camera RAW file (.${ext}), which Osprey cannot decode. Export it as JPEG from your photo software first.`
  return null
}

/** The first HEAD_BYTES of the file at `path`; none when it cannot be read. */
export async function fileHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r').catch(() => null)
  if (!file) return Buffer.alloc(0)
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } catch {
    return Buffer.alloc(0)
  } finally {
    await file.close()
  }
}
