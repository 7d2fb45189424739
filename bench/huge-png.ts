/**
 * Writes a huge all-black 8-bit grayscale PNG by hand, streaming, so memory stays a few MB
 * whatever the size (sharp would hold the whole 400 MB raster, and more, to create it).
 *
 * PNG layout: signature, IHDR, one IDAT chunk per piece of the zlib stream, IEND; every chunk
 * is length (4 bytes BE), type, data, CRC-32 over type + data. The raw image data is, per row,
 * a filter byte (0 = None) then `width` pixel bytes; here all zeros, which deflates ~1000:1.
 */
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { constants, crc32, createDeflate } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
// Rows fed to the deflate stream at once; one shared zero-filled buffer, never written to.
const ROWS_PER_PIECE = 64

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const tail = Buffer.alloc(4)
  tail.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))), 0)
  return Buffer.concat([head, data, tail])
}

/** The raw scanlines (filter byte 0 + `width` zero bytes per row), a few rows per piece. */
async function* scanlines(width: number, height: number): AsyncGenerator<Buffer> {
  const rowBytes = width + 1
  const piece = Buffer.alloc(rowBytes * ROWS_PER_PIECE) // zeros: filter None, black pixels
  for (let row = 0; row < height; row += ROWS_PER_PIECE) {
    yield piece.subarray(0, rowBytes * Math.min(ROWS_PER_PIECE, height - row))
  }
}

/** Writes a `width`×`height` black grayscale PNG to `file`; returns its size in bytes. */
export async function writeHugeGrayPng(file: string, width: number, height: number): Promise<number> {
  const out = await open(file, 'w')
  let bytes = 0
  const put = async (b: Buffer) => {
    await out.write(b)
    bytes += b.length
  }
  try {
    await put(SIGNATURE)
    const ihdr = Buffer.alloc(13)
    ihdr.writeUInt32BE(width, 0)
    ihdr.writeUInt32BE(height, 4)
    ihdr[8] = 8 // bit depth
    ihdr[9] = 0 // colour type: grayscale
    ihdr[10] = 0 // compression: deflate
    ihdr[11] = 0 // filter method 0
    ihdr[12] = 0 // no interlace
    await put(chunk('IHDR', ihdr))
    const deflate = Readable.from(scanlines(width, height), { objectMode: false }).pipe(createDeflate({ level: constants.Z_BEST_SPEED, chunkSize: 64 * 1024 }))
    for await (const piece of deflate as AsyncIterable<Buffer>) await put(chunk('IDAT', piece))
    await put(chunk('IEND', Buffer.alloc(0)))
  } finally {
    await out.close()
  }
  return bytes
}
