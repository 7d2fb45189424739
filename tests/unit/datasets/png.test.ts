import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { checkPng, isPng } from '../../../src-main/datasets/png'
import { image } from '../../helpers/images'

const LIMIT = 100_000_000

// Every PNG layout a user's folder may hold, made by libpng through sharp.
const variants: [string, () => Promise<Buffer>][] = [
  ['grayscale', () => image(1, { channels: 1 }).png().toBuffer()],
  ['grayscale + alpha', () => image(2, { channels: 2 }).png().toBuffer()],
  ['RGB', () => image(3).png().toBuffer()],
  ['RGBA', () => image(4, { channels: 4 }).png().toBuffer()],
  ['palette', () => image(5).png({ palette: true, colours: 16 }).toBuffer()],
  ['16-bit RGB', () => image(6).toColourspace('rgb16').png().toBuffer()],
  ['16-bit grayscale', () => image(7, { channels: 1 }).toColourspace('grey16').png().toBuffer()],
  ['odd width, 1-bit-like palette', () => image(8, { width: 13, height: 7 }).png({ palette: true, colours: 2 }).toBuffer()]
]

describe('checkPng', () => {
  it.each(variants)('reads the same facts as sharp for a %s PNG', async (_, make) => {
    const data = await make()
    const meta = await sharp(data).metadata()
    const check = checkPng(data, LIMIT)
    expect(check.ok).toBe(true)
    if (check.ok !== true) return
    expect(check.info).toEqual({ width: meta.width, height: meta.height, space: meta.space, hasAlpha: meta.hasAlpha })
  })

  it('reports a truncated PNG, as sharp would refuse to decode it', async () => {
    const data = await image(9, { width: 64, height: 64 }).png().toBuffer()
    const cut = data.subarray(0, Math.floor(data.length * 0.6))
    expect(checkPng(cut, LIMIT)).toMatchObject({ ok: false })
    await expect(sharp(cut, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow()
  })

  it('reports a flipped byte in the image data (checksum mismatch)', async () => {
    const data = Buffer.from(await image(10, { width: 32, height: 32 }).png().toBuffer())
    const idat = data.indexOf('IDAT')
    data[idat + 10] ^= 0xff
    expect(checkPng(data, LIMIT)).toMatchObject({ ok: false, reason: expect.stringContaining('checksum') })
  })

  it('reports damaged compressed data even when the checksum was recomputed', async () => {
    const data = Buffer.from(await image(11, { width: 32, height: 32 }).png().toBuffer())
    const idat = data.indexOf('IDAT')
    const length = data.readUInt32BE(idat - 4)
    data.fill(0xff, idat + 8, idat + 4 + length - 4) // garbage in the deflate stream
    data.writeUInt32BE(crc32(data.subarray(idat, idat + 4 + length)), idat + 4 + length)
    expect(checkPng(data, LIMIT)).toMatchObject({ ok: false })
    await expect(sharp(data, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow()
  })

  it('leaves an image over the pixel limit to sharp instead of inflating it', async () => {
    const data = await image(12, { width: 100, height: 100 }).png().toBuffer()
    expect(checkPng(data, 5_000)).toEqual({ ok: 'unsure' })
  })

  it('recognises PNGs by their signature only', async () => {
    expect(isPng(await image(13).png().toBuffer())).toBe(true)
    expect(isPng(await image(13).jpeg().toBuffer())).toBe(false)
    expect(isPng(Buffer.from('not an image'))).toBe(false)
  })
})
