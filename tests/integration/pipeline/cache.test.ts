import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toCommandError } from '../../../src-main/errors'
import { buildImageCache, cacheKey, decodeImage, ImageCache } from '../../../src-main/pipeline/cache'
import { png, put, tempDir } from '../../helpers/images'

let dir: { path: string; cleanup: () => void }
beforeEach(() => {
  dir = tempDir('osprey-cache-')
})
afterEach(() => dir.cleanup())

/** A left half red, right half blue image of `w`×`h`. */
function twoColour(w: number, h: number) {
  const pixels = Buffer.alloc(w * h * 3)
  for (let i = 0; i < w * h; i++) pixels.set(i % w < w / 2 ? [255, 0, 0] : [0, 0, 255], i * 3)
  return sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
}

async function record(file: string, size: number, channels: 1 | 3): Promise<number[]> {
  return Array.from(await decodeImage(file, size, channels))
}

describe('buildImageCache', () => {
  it('holds each image resized, in file order, exactly as decoded', async () => {
    const root = join(dir.path, 'set')
    put(root, 'a/red-blue.png', await twoColour(4, 4).png().toBuffer())
    put(root, 'a/big.png', await twoColour(64, 64).png().toBuffer())
    put(root, 'b/one.png', await png(1, { width: 20, height: 10 }))
    const files = [{ path: 'a/red-blue.png' }, { path: 'b/one.png' }, { path: 'a/big.png' }]
    const cache = await buildImageCache({ root, files, fingerprint: 'f1', size: 4, channels: 3, cacheDir: join(dir.path, 'cache') })
    expect(cache.header).toMatchObject({ count: 3, size: 4, channels: 3, recordBytes: 48 })
    const out = new Uint8Array(3 * 48)
    await cache.read([0, 1, 2], out)
    // Already 4×4: columns 0–1 red, 2–3 blue, exactly.
    const first = Array.from(out.subarray(0, 48))
    for (let p = 0; p < 16; p++) expect(first.slice(p * 3, p * 3 + 3)).toEqual(p % 4 < 2 ? [255, 0, 0] : [0, 0, 255])
    expect(Array.from(out.subarray(48, 96))).toEqual(await record(join(root, 'b/one.png'), 4, 3))
    // 64×64 → 4×4: the same picture, within the resampling filter's overshoot at the border.
    const big = Array.from(out.subarray(96))
    for (let i = 0; i < 48; i++) expect(Math.abs(big[i] - first[i])).toBeLessThanOrEqual(16)
    await cache.read([1, 0], out) // any order
    expect(Array.from(out.subarray(48, 96))).toEqual(first)
    await cache.close()
  })

  it('is reused by a second build of the same dataset, size and channels, and rebuilt for another', async () => {
    const root = join(dir.path, 'set')
    put(root, 'a/1.png', await png(1))
    const spec = { root, files: [{ path: 'a/1.png' }], fingerprint: 'f1', size: 8, channels: 3 as const, cacheDir: join(dir.path, 'cache') }
    await (await buildImageCache(spec)).close()
    const bin = join(spec.cacheDir, `${cacheKey(spec)}.bin`)
    const built = statSync(bin).mtimeMs
    let decoded = 0
    await (await buildImageCache(spec, { onProgress: (done) => (decoded = done) })).close()
    expect(statSync(bin).mtimeMs).toBe(built)
    expect(decoded).toBe(1)
    await (await buildImageCache({ ...spec, channels: 1 })).close()
    await (await buildImageCache({ ...spec, fingerprint: 'f2' })).close()
    expect(readdirSync(spec.cacheDir).filter((f) => f.endsWith('.bin')).length).toBe(3)
  })

  it('crops the centre (cover), flattens alpha on white, applies EXIF orientation', async () => {
    const root = join(dir.path, 'set')
    // 6×2, black at both ends: the shorter side is already 2, and the centre 2×2 crop is all white.
    const wide = Buffer.alloc(6 * 2 * 3, 255)
    for (const x of [0, 5]) for (const y of [0, 1]) wide.fill(0, (y * 6 + x) * 3, (y * 6 + x) * 3 + 3)
    put(
      root,
      'a/wide.png',
      await sharp(wide, { raw: { width: 6, height: 2, channels: 3 } })
        .png()
        .toBuffer()
    )
    expect(await record(join(root, 'a/wide.png'), 2, 3)).toEqual(Array(12).fill(255))
    const clear = Buffer.alloc(2 * 2 * 4, 0) // fully transparent black
    put(
      root,
      'a/clear.png',
      await sharp(clear, { raw: { width: 2, height: 2, channels: 4 } })
        .png()
        .toBuffer()
    )
    expect(await record(join(root, 'a/clear.png'), 2, 3)).toEqual(Array(12).fill(255))
    // Stored as 4 wide × 2 high, left half red; EXIF 6 = turn 90° clockwise to view: 2 wide × 4 high, top half red.
    put(root, 'a/turned.jpg', await twoColour(4, 2).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer())
    const turned = await record(join(root, 'a/turned.jpg'), 2, 3)
    expect(turned[0]).toBeGreaterThan(200) // top row red
    expect(turned[2]).toBeLessThan(60)
    expect(turned[6 + 2]).toBeGreaterThan(200) // bottom row blue
    expect(turned[6]).toBeLessThan(60)
  })

  it('converts grey, RGBA, CMYK and 16-bit images to the asked channels', async () => {
    const root = join(dir.path, 'set')
    const grey = await png(1, { channels: 1 })
    const inputs = {
      'grey.png': grey,
      'rgba.png': await png(2, { channels: 4 }),
      'cmyk.jpg': await sharp(await png(3))
        .toColourspace('cmyk')
        .jpeg()
        .toBuffer(),
      'deep.png': await sharp(await png(4))
        .toColourspace('rgb16')
        .png()
        .toBuffer()
    }
    for (const [name, data] of Object.entries(inputs)) put(root, `a/${name}`, data)
    expect((await sharp(join(root, 'a/cmyk.jpg')).metadata()).space).toBe('cmyk')
    expect((await sharp(join(root, 'a/deep.png')).metadata()).depth).toBe('ushort')
    for (const name of Object.keys(inputs)) {
      for (const channels of [1, 3] as const) expect((await decodeImage(join(root, `a/${name}`), 5, channels)).length).toBe(5 * 5 * channels)
    }
    // A grey image gives three equal channels, and the same values as its 1-channel record.
    const one = await record(join(root, 'a/grey.png'), 5, 1)
    const three = await record(join(root, 'a/grey.png'), 5, 3)
    expect(three.filter((_, i) => i % 3 === 0)).toEqual(one)
    expect(three.filter((_, i) => i % 3 === 1)).toEqual(one)
    // 16-bit values are scaled to 8 bits, not cut: the record matches the 8-bit original closely.
    const deep = await record(join(root, 'a/deep.png'), 5, 3)
    const plain = await record((put(root, 'a/plain.png', await png(4)), join(root, 'a/plain.png')), 5, 3)
    expect(Math.max(...deep.map((v, i) => Math.abs(v - plain[i])))).toBeLessThanOrEqual(1)
  })

  it('names the file that no longer decodes or was deleted, as a change to the folder (not a fault of Osprey), and leaves no cache behind', async () => {
    const root = join(dir.path, 'set')
    put(root, 'a/1.png', await png(1))
    put(root, 'a/2.png', 'not an image any more')
    const cacheDir = join(dir.path, 'cache')
    const build = (files: string[]) => buildImageCache({ root, files: files.map((path) => ({ path })), fingerprint: 'f', size: 4, channels: 3, cacheDir })
    const error = toCommandError(await build(['a/1.png', 'a/2.png']).catch((e: unknown) => e))
    expect(error).toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/^Cannot read a\/2\.png: it was removed, changed or became unreadable since the Dataset was scanned \(.+\)\. Scan the Dataset again/)
    })
    expect(toCommandError(await build(['a/1.png', 'a/gone.png']).catch((e: unknown) => e))).toMatchObject({
      code: 'bad-input',
      message: expect.stringContaining('Cannot read a/gone.png: it was removed')
    })
    expect(readdirSync(cacheDir)).toEqual([])
  })

  it('only looks whole once complete: a missing header or a short file is rebuilt', async () => {
    const root = join(dir.path, 'set')
    put(root, 'a/1.png', await png(1))
    const spec = { root, files: [{ path: 'a/1.png' }], fingerprint: 'f1', size: 8, channels: 3 as const, cacheDir: join(dir.path, 'cache') }
    const bin = join(spec.cacheDir, `${cacheKey(spec)}.bin`)
    const controller = new AbortController()
    controller.abort()
    await expect(buildImageCache(spec, { signal: controller.signal })).rejects.toThrow()
    expect(existsSync(bin)).toBe(false)
    expect(readdirSync(spec.cacheDir)).toEqual([])
    await (await buildImageCache(spec)).close()
    writeFileSync(bin, Buffer.alloc(10)) // as if cut short
    await expect(ImageCache.open(bin)).rejects.toThrow(/incomplete/)
    const rebuilt = await buildImageCache(spec)
    expect(statSync(bin).size).toBe(8 * 8 * 3)
    await rebuilt.close()
  })

  it('reads the same records from memory and by positional reads', async () => {
    const root = join(dir.path, 'set')
    const files = []
    for (let i = 0; i < 6; i++) files.push({ path: put(root, `a/${i}.png`, await png(i)).slice(root.length + 1) })
    const spec = { root, files, fingerprint: 'f', size: 6, channels: 3 as const, cacheDir: join(dir.path, 'cache') }
    const memory = await buildImageCache(spec, { concurrency: 3 })
    const streamed = await ImageCache.open(memory.file, 0)
    expect([memory.inMemory, streamed.inMemory]).toEqual([true, false])
    const a = new Uint8Array(3 * 108),
      b = new Uint8Array(3 * 108)
    await memory.read([5, 0, 3], a)
    await streamed.read([5, 0, 3], b)
    expect(b).toEqual(a)
    expect(Array.from(a.subarray(0, 108))).toEqual(await record(join(root, 'a/5.png'), 6, 3))
    await expect(memory.read([6], a)).rejects.toThrow(/no image 6/)
    await memory.close()
    await streamed.close()
  })
})
