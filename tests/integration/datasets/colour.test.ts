/** Whether a scanned Dataset's RGB files hold colour, from a few decoded with real sharp. */
import sharp from 'sharp'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { sampleColour } from '../../../src-main/datasets/colour'
import type { FileEntry } from '../../../src-main/datasets/inspect'
import { put, tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
beforeEach(() => (dir = tempDir()))
afterEach(() => dir.cleanup())

/** A 24 px picture: a grey gradient, or the same with a red square on it; saved as an RGB JPEG either way. */
async function picture(coloured: boolean, seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(24 * 24 * 3)
  for (let i = 0; i < 24 * 24; i++) {
    const v = (i * 7 + seed * 13) % 256
    const red = coloured && i % 24 > 8 && i % 24 < 16 && i > 24 * 8 && i < 24 * 16
    pixels.set(red ? [220, 30, 30] : [v, v, v], i * 3)
  }
  return sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer()
}

function entry(path: string, space = 'srgb', width = 24): FileEntry {
  return { path, class: 'a', size: 1, mtimeMs: 0, hash: path, format: 'jpeg', width, height: width, space, hasAlpha: false, problem: null, message: null } as FileEntry
}

it('calls grey pictures saved as RGB files grey, and colour pictures colour', async () => {
  const grey = Array.from({ length: 20 }, (_, i) => entry(`a/grey-${i}.jpg`))
  for (const [i, e] of grey.entries()) put(dir.path, e.path, await picture(false, i))
  expect(await sampleColour(dir.path, grey)).toEqual({ colour: 0, of: 12 })

  const colour = Array.from({ length: 5 }, (_, i) => entry(`a/colour-${i}.jpg`))
  for (const [i, e] of colour.entries()) put(dir.path, e.path, await picture(true, i))
  expect(await sampleColour(dir.path, colour)).toEqual({ colour: 5, of: 5 })
})

it('looks only at small RGB images that training uses, and says nothing without any', async () => {
  put(dir.path, 'a/one.jpg', await picture(true, 1))
  expect(await sampleColour(dir.path, [entry('a/one.jpg', 'b-w'), { ...entry('a/one.jpg'), problem: 'corrupt' }, entry('a/one.jpg', 'srgb', 1000)])).toBeNull()
  expect(await sampleColour(dir.path, [entry('a/one.jpg'), entry('a/gone.jpg')])).toEqual({ colour: 1, of: 1 })
})
