/** A tiny two-class image dataset that a CNN learns in a few Epochs: horizontal vs vertical stripes. */
import sharp from 'sharp'
import { put } from './images'

/** Stripes: horizontal for one class, vertical for the other, with a per-image phase. */
export async function stripes(horizontal: boolean, phase: number, size = 16): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size)
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = ((horizontal ? y : x) + phase) % 4 < 2 ? 230 : 20
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer()
}

/** Writes `perClass` images of each class into `folder`/horizontal and `folder`/vertical. */
export async function writeStripes(folder: string, perClass: number): Promise<void> {
  for (let i = 0; i < perClass; i++) {
    put(folder, `horizontal/${i}.png`, await stripes(true, i))
    put(folder, `vertical/${i}.png`, await stripes(false, i))
  }
}
