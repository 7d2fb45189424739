/**
 * Whether a Dataset's RGB files hold colour: grey pictures are often saved as RGB (a scanner, an
 * export, sharp from one channel), and the file's colour space alone would call them colour. The
 * model the studio picks for small images depends on it (runs/config.ts chooseModel), so a few of
 * them are decoded and looked at. Only small ones (up to 256 × 256): large images get the pretrained
 * backbone either way, and decoding one costs time and memory the scan does not spend.
 */
import sharp from 'sharp'
import type { FileEntry } from './inspect'
import { evenlySpread, isGrey, isUsable } from './summarize'

/** RGB images looked at; evenly spread over the Dataset, so the same files give the same answer. */
const SAMPLE = 12
// A pixel is coloured when its channels differ by more than this (JPEG's artefacts on grey stay below it)…
const CHROMA = 24
// …and an image when more than this share of its pixels are.
const COLOURED_SHARE = 0.02

const SMALL_PIXELS = 256 * 256

/** Of up to 12 of the small usable RGB images in `entries`, how many hold colour; null when there are none. */
export async function sampleColour(root: string, entries: readonly FileEntry[]): Promise<{ colour: number; of: number } | null> {
  const rgb = entries.filter((e) => isUsable(e) && !isGrey(e) && e.width! * e.height! <= SMALL_PIXELS)
  if (!rgb.length) return null
  const picked = evenlySpread(rgb, SAMPLE)
  let colour = 0
  let of = 0
  for (const e of picked) {
    try {
      const { data, info } = await sharp(`${root}/${e.path}`).resize(32, 32, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
      let coloured = 0
      for (let i = 0; i < data.length; i += info.channels) {
        const r = data[i],
          g = data[i + 1],
          b = data[i + 2]
        if (Math.max(r, g, b) - Math.min(r, g, b) > CHROMA) coloured++
      }
      of++
      if (coloured > COLOURED_SHARE * (data.length / info.channels)) colour++
    } catch {
      // A file that changed since it was read: the others decide.
    }
  }
  return of ? { colour, of } : null
}
