/**
 * A photo-like colour dataset made on the spot: each image is a textured background (a gradient
 * between two random colours, grain, soft blobs of other colours) with one object — the class's
 * shape in a random colour, size, position and rotation, sometimes outlined — and a distractor
 * or two. Colour says nothing about the class; only the shape does. JPEGs of 96–160 px, not square;
 * with --size S, PNGs shrunk to S × S (tiny images, as icons or sprites are).
 *
 *   npx tsx bench/colour-shapes.ts <folder> [--per-class 60] [--classes circle,triangle,star] [--seed 1] [--size S]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import sharp from 'sharp'

/** The shapes a class can be. */
export const SHAPES = ['circle', 'triangle', 'star', 'square', 'cross', 'crescent'] as const
export type Shape = (typeof SHAPES)[number]

/** A tiny seeded generator (mulberry32), so a seed always makes the same images. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), s | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`

/** The SVG path of `shape` centred on 0,0 with radius r. */
function outline(shape: Shape, r: number): string {
  const polygon = (points: [number, number][]) => `M${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join('L')}Z`
  const ring = (n: number, radius: (i: number) => number, turn = -Math.PI / 2) =>
    Array.from({ length: n }, (_, i) => [radius(i) * Math.cos(turn + (2 * Math.PI * i) / n), radius(i) * Math.sin(turn + (2 * Math.PI * i) / n)] as [number, number])
  switch (shape) {
    case 'circle':
      return `M${-r},0A${r},${r} 0 1,0 ${r},0A${r},${r} 0 1,0 ${-r},0Z`
    case 'triangle':
      return polygon(ring(3, () => r))
    case 'square':
      return polygon(ring(4, () => r, Math.PI / 4))
    case 'star':
      return polygon(ring(10, (i) => (i % 2 ? r * 0.45 : r)))
    case 'cross': {
      const a = r * 0.33
      return polygon([
        [-a, -r],
        [a, -r],
        [a, -a],
        [r, -a],
        [r, a],
        [a, a],
        [a, r],
        [-a, r],
        [-a, a],
        [-r, a],
        [-r, -a],
        [-a, -a]
      ])
    }
    case 'crescent':
      return `M0,${-r}A${r},${r} 0 1,0 0,${r}A${r * 0.7},${r} 0 1,1 0,${-r}Z`
  }
}

/** One image of `shape`, as JPEG bytes; `seed` decides everything else. */
export async function shapeImage(shape: Shape, seed: number): Promise<Buffer> {
  const rnd = random(seed)
  const w = Math.round(96 + rnd() * 64)
  const h = Math.round(96 + rnd() * 64)
  const bgHue = rnd() * 360
  const blobs = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => {
    const r = (0.15 + rnd() * 0.35) * Math.min(w, h)
    return `<ellipse cx="${(rnd() * w).toFixed(1)}" cy="${(rnd() * h).toFixed(1)}" rx="${r.toFixed(1)}" ry="${(r * (0.5 + rnd())).toFixed(1)}" fill="${hsl(rnd() * 360, 20 + rnd() * 60, 25 + rnd() * 50)}" opacity="${(0.2 + rnd() * 0.4).toFixed(2)}" filter="url(#soft)"/>`
  })
  // A distractor: a small thin line or dot field that is no class's shape.
  const lines = Array.from(
    { length: Math.floor(rnd() * 3) },
    () =>
      `<line x1="${(rnd() * w).toFixed(1)}" y1="${(rnd() * h).toFixed(1)}" x2="${(rnd() * w).toFixed(1)}" y2="${(rnd() * h).toFixed(1)}" stroke="${hsl(rnd() * 360, 50, 50)}" stroke-width="${(1 + rnd() * 3).toFixed(1)}" opacity="0.6"/>`
  )
  const r = (0.18 + rnd() * 0.17) * Math.min(w, h)
  const cx = r + rnd() * (w - 2 * r)
  const cy = r + rnd() * (h - 2 * r)
  const angle = rnd() * 360
  const objectHue = rnd() * 360
  const filled = rnd() < 0.8
  const paint = filled
    ? `fill="${hsl(objectHue, 40 + rnd() * 50, 30 + rnd() * 40)}" stroke="${hsl(objectHue, 50, 15 + rnd() * 20)}" stroke-width="${(rnd() * 3).toFixed(1)}"`
    : `fill="none" stroke="${hsl(objectHue, 60, 25 + rnd() * 40)}" stroke-width="${(3 + rnd() * 4).toFixed(1)}"`
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
  <defs>
    <linearGradient id="bg" x1="${rnd().toFixed(2)}" y1="0" x2="${rnd().toFixed(2)}" y2="1">
      <stop offset="0" stop-color="${hsl(bgHue, 20 + rnd() * 50, 30 + rnd() * 50)}"/>
      <stop offset="1" stop-color="${hsl(bgHue + 60 + rnd() * 180, 20 + rnd() * 50, 20 + rnd() * 60)}"/>
    </linearGradient>
    <filter id="soft"><feGaussianBlur stdDeviation="${(2 + rnd() * 6).toFixed(1)}"/></filter>
    <filter id="shade"><feDropShadow dx="${(rnd() * 4 - 2).toFixed(1)}" dy="${(1 + rnd() * 3).toFixed(1)}" stdDeviation="2" flood-opacity="0.4"/></filter>
  </defs>
  <rect width="${w}" height="${h}" fill="url(#bg)"/>
  ${blobs.join('\n  ')}
  ${lines.join('\n  ')}
  <path d="${outline(shape, r)}" transform="translate(${cx.toFixed(1)},${cy.toFixed(1)}) rotate(${angle.toFixed(1)})" ${paint} filter="url(#shade)"/>
</svg>`
  const grain = Math.round(4 + rnd() * 10)
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const pixels = base.data
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, pixels[i] + Math.round((rnd() - 0.5) * 2 * grain)))
  return sharp(pixels, { raw: { width: base.info.width, height: base.info.height, channels: 3 } })
    .jpeg({ quality: Math.round(80 + rnd() * 15) })
    .toBuffer()
}

/** Writes `perClass` images of each of `classes` into `folder/<class>/`; returns the number written. */
export async function writeShapeDataset(folder: string, options: { classes?: readonly Shape[]; perClass?: number; seed?: number; size?: number } = {}): Promise<number> {
  const classes = options.classes ?? ['circle', 'triangle', 'star']
  const perClass = options.perClass ?? 60
  const seed = options.seed ?? 1
  let written = 0
  for (const [c, shape] of classes.entries()) {
    mkdirSync(join(folder, shape), { recursive: true })
    for (let i = 0; i < perClass; i++) {
      const image = await shapeImage(shape, seed * 1_000_003 + c * 10_007 + i)
      const name = join(folder, shape, `${shape}-${String(i).padStart(4, '0')}`)
      if (options.size) writeFileSync(`${name}.png`, await sharp(image).resize(options.size, options.size).png().toBuffer())
      else writeFileSync(`${name}.jpg`, image)
      written++
    }
  }
  return written
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'per-class': { type: 'string' }, classes: { type: 'string' }, seed: { type: 'string' }, size: { type: 'string' } } })
  if (!positionals[0]) throw new Error('usage: npx tsx bench/colour-shapes.ts <folder> [--per-class 60] [--classes circle,triangle,star] [--seed 1] [--size S]')
  const classes = values.classes ? (values.classes.split(',') as Shape[]) : undefined
  const n = await writeShapeDataset(positionals[0], {
    classes,
    perClass: values['per-class'] ? Number(values['per-class']) : undefined,
    seed: values.seed ? Number(values.seed) : undefined,
    size: values.size ? Number(values.size) : undefined
  })
  console.log(`${n} images in ${positionals[0]}`)
}
