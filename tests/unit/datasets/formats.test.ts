import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { HEAD_BYTES, unreadableFormat } from '../../../src-main/datasets/formats'
import { bmp, HEIC_FIXTURE } from '../../helpers/images'

const heic = readFileSync(HEIC_FIXTURE).subarray(0, HEAD_BYTES)

describe('formats that cannot be decoded here', () => {
  it('names an iPhone HEIC photo and says how to convert it', () => {
    expect(unreadableFormat(heic, 'IMG_0001.HEIC')).toMatch(/^This is an HEIC photo \(the format iPhones save in\), which Osprey cannot decode\. Convert it to JPEG/)
  })

  it('leaves AVIF alone (the same container, AV1 inside: it decodes), and JPEG and PNG', async () => {
    const base = sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a6' } })
    for (const [name, bytes] of [
      ['a.avif', await base.clone().avif().toBuffer()],
      ['a.heic', await base.clone().heif({ compression: 'av1' }).toBuffer()],
      ['a.jpg', await base.clone().jpeg().toBuffer()],
      ['a.png', await base.clone().png().toBuffer()]
    ] as const) {
      expect(unreadableFormat(bytes.subarray(0, HEAD_BYTES), name)).toBeNull()
    }
  })

  it('names BMP, JPEG XL and JPEG 2000 by their bytes, whatever the file is called', () => {
    expect(unreadableFormat(bmp(), 'scan.png')).toBe('This is a BMP image, which Osprey cannot decode. Re-save it as PNG or JPEG (any image editor can).')
    expect(unreadableFormat(Buffer.from([0xff, 0x0a, 0xfa, 0x7f]), 'a.jxl')).toMatch(/^This is a JPEG XL image/)
    expect(unreadableFormat(Buffer.from('\0\0\0\x0cJXL \r\n\x87\n', 'latin1'), 'a.jxl')).toMatch(/^This is a JPEG XL image/)
    expect(unreadableFormat(Buffer.from('\0\0\0\x0cjP  \r\n\x87\n', 'latin1'), 'a.jp2')).toMatch(/^This is a JPEG 2000 image/)
    expect(unreadableFormat(Buffer.from([0xff, 0x4f, 0xff, 0x51, 0, 0x2f]), 'a.j2k')).toMatch(/^This is a JPEG 2000 image/)
  })

  it('names a camera RAW file by its extension, and says nothing of a plain unknown file', () => {
    expect(unreadableFormat(Buffer.from('II*\0 raw sensor data'), 'DSC_0042.NEF')).toBe(
      'This is a camera RAW file (.nef), which Osprey cannot decode. Export it as JPEG from your photo software first.'
    )
    expect(unreadableFormat(Buffer.from('hello'), 'notes.txt')).toBeNull()
    expect(unreadableFormat(Buffer.alloc(0), 'empty.jpg')).toBeNull()
  })
})
