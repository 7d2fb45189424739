import { describe, expect, it } from 'vitest'
import type { Augmentation } from '../../../src-main/contract'
import {
  DEFAULT_AUGMENTATION,
  IDENTITY_WARP,
  NO_AUGMENTATION,
  addNoise,
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustTone,
  augmentImage,
  drawWarp,
  eraseRect,
  formatAugmentation,
  gaussianBlur,
  parseAugmentation,
  shiftHue,
  warpImage,
  type Warp
} from '../../../src-main/pipeline/augment'
import { Random, rngFor } from '../../../src-main/pipeline/random'

/** Warps a Uint8 HWC image and returns the result rounded back to 0..255. */
function warped(src: number[], w: number, h: number, c: number, warp: Partial<Warp>): number[] {
  const out = new Float32Array(w * h * c)
  warpImage(Uint8Array.from(src), w, h, c, { ...IDENTITY_WARP, ...warp }, out)
  return Array.from(out, (v) => Math.round(v * 255 * 1e4) / 1e4)
}

describe('the geometric warp', () => {
  // 2 rows × 3 columns, 1 channel:  1 2 3 / 4 5 6
  const img = [1, 2, 3, 4, 5, 6]

  it('flips left-right and top-bottom exactly', () => {
    expect(warped(img, 3, 2, 1, { flipH: true })).toEqual([3, 2, 1, 6, 5, 4])
    expect(warped(img, 3, 2, 1, { flipV: true })).toEqual([4, 5, 6, 1, 2, 3])
    expect(warped(img, 3, 2, 1, { flipH: true, flipV: true })).toEqual([6, 5, 4, 3, 2, 1])
  })

  it('flips every channel of a pixel together', () => {
    expect(warped([10, 11, 12, 20, 21, 22], 2, 1, 3, { flipH: true })).toEqual([20, 21, 22, 10, 11, 12])
  })

  it('turns a 3×3 image by 90° clockwise (on screen) for +π/2', () => {
    const grid = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    expect(warped(grid, 3, 3, 1, { angle: Math.PI / 2 })).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3])
    expect(warped(grid, 3, 3, 1, { angle: -Math.PI / 2 })).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7])
  })

  it('shifts by whole pixels, repeating the edge into the gap', () => {
    expect(warped(img, 3, 2, 1, { shiftX: 1 })).toEqual([1, 1, 2, 4, 4, 5])
    expect(warped(img, 3, 2, 1, { shiftY: -1 })).toEqual([4, 5, 6, 4, 5, 6])
  })

  it('draws shifts of whole pixels, so a 28×28 image shifted is its own pixels moved, not blurred', () => {
    const rng = new Random(4)
    const shift = { ...NO_AUGMENTATION, translate: 0.08 }
    const shifts = Array.from({ length: 200 }, () => drawWarp(shift, rng, 28, 28))
    const xs = new Set(shifts.map((w) => w.shiftX))
    expect([...xs].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2])
    expect(shifts.every((w) => Number.isInteger(w.shiftY) && Math.abs(w.shiftY) <= 2)).toBe(true)
    const src = Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256)
    const moved = warped(
      src,
      28,
      28,
      1,
      shifts.find((w) => w.shiftX !== 0 && w.shiftY !== 0)!
    )
    const values = new Set(src)
    expect(moved.every((v) => values.has(v))).toBe(true)
  })

  it('interpolates bilinearly between pixels', () => {
    expect(warped([0, 100], 2, 1, 1, { shiftX: 0.5 })).toEqual([0, 50])
  })

  it('zooms into the crop centred where asked', () => {
    // A 2× zoom on the left half of a 4-pixel row: output samples at 0.25, 0.75, 1.25, 1.75 → bilinear.
    expect(warped([0, 40, 80, 120], 4, 1, 1, { zoomX: 2, cropX: -1 })).toEqual([0, 10, 30, 50])
  })

  it('copies (scaled to [0,1]) when nothing changes', () => {
    const out = new Float32Array(3)
    warpImage(Uint8Array.from([0, 51, 255]), 3, 1, 1, IDENTITY_WARP, out)
    expect(Array.from(out)).toEqual([0, 0.2, 1].map(Math.fround))
  })
})

describe('the colour changes', () => {
  it('scales brightness and clamps to [0, 1]', () => {
    const img = Float32Array.from([0.1, 0.5, 0.8])
    adjustBrightness(img, 1.5)
    expect(Array.from(img)).toEqual([0.15, 0.75, 1].map(Math.fround))
  })

  it('scales contrast around the mean', () => {
    const img = Float32Array.from([0.25, 0.75])
    adjustContrast(img, 1, 0.5)
    expect(Array.from(img)).toEqual([0.375, 0.625])
  })

  it('does brightness then contrast in one pass, as the two steps would (no clamping involved)', () => {
    const a = Float32Array.from([0.1, 0.3, 0.6, 0.2, 0.8, 0.4])
    const fused = a.slice()
    adjustTone(fused, 3, 1.2, 0.7)
    const steps = a.slice()
    adjustBrightness(steps, 1.2)
    adjustContrast(steps, 3, 0.7)
    for (let i = 0; i < a.length; i++) expect(fused[i]).toBeCloseTo(steps[i], 6)
  })

  it('desaturates to grey at factor 0', () => {
    const img = Float32Array.from([1, 0, 0])
    adjustSaturation(img, 0)
    expect(Array.from(img).map((v) => +v.toFixed(5))).toEqual([0.299, 0.299, 0.299])
  })

  it('turns red to green by a third of the colour wheel, and leaves grey alone', () => {
    const img = Float32Array.from([1, 0, 0, 0.5, 0.5, 0.5])
    shiftHue(img, 1 / 3)
    expect(Array.from(img).map((v) => +v.toFixed(5))).toEqual([0, 1, 0, 0.5, 0.5, 0.5])
  })

  it('blurs without changing a flat image, spreading a dot with its total kept', () => {
    const flat = new Float32Array(5 * 5).fill(0.4)
    gaussianBlur(flat, 5, 5, 1, 1)
    for (const v of flat) expect(v).toBeCloseTo(0.4, 6)
    const dot = new Float32Array(9 * 9)
    dot[4 * 9 + 4] = 1
    gaussianBlur(dot, 9, 9, 1, 1)
    expect(dot.reduce((a, b) => a + b)).toBeCloseTo(1, 5)
    expect(dot[4 * 9 + 4]).toBeLessThan(0.2)
    expect(dot[4 * 9 + 3]).toBeCloseTo(dot[3 * 9 + 4], 7)
  })

  it('adds noise of the asked standard deviation', () => {
    const img = new Float32Array(20_000).fill(0.5)
    addNoise(img, 0.05, new Random(1))
    const sd = Math.sqrt(img.reduce((a, v) => a + (v - 0.5) ** 2, 0) / img.length)
    expect(sd).toBeCloseTo(0.05, 2)
  })

  it('erases exactly the rectangle asked', () => {
    const img = new Float32Array(6 * 5 * 3).fill(2) // 2 is outside [0,1]: every erased value differs
    eraseRect(img, 6, 3, 1, 2, 4, 2, new Random(1))
    const changed = Array.from(img)
      .map((v, i) => (v !== 2 ? i : -1))
      .filter((i) => i >= 0)
    expect(changed.length).toBe(4 * 2 * 3)
    for (const i of changed) {
      const p = Math.floor(i / 3)
      expect([p % 6 >= 1 && p % 6 < 5, Math.floor(p / 6) >= 2 && Math.floor(p / 6) < 4]).toEqual([true, true])
    }
  })
})

describe('augmentImage', () => {
  const w = 8,
    h = 8,
    c = 3
  const src = Uint8Array.from({ length: w * h * c }, (_, i) => (i * 37) % 256)
  const run = (a: Augmentation, rng: Random) => {
    const out = new Float32Array(w * h * c)
    augmentImage(src, w, h, c, a, rng, out)
    return out
  }

  it('is exact for a sample stream and differs between samples and epochs', () => {
    const all: Augmentation = { ...DEFAULT_AUGMENTATION, flipVertical: true, saturation: 0.3, hue: 0.1, blur: 1, noise: 0.05, erasing: 0.5 }
    expect(run(all, rngFor(1, 0, 5))).toEqual(run(all, rngFor(1, 0, 5)))
    expect(run(all, rngFor(1, 0, 5))).not.toEqual(run(all, rngFor(1, 0, 6)))
    expect(run(all, rngFor(1, 0, 5))).not.toEqual(run(all, rngFor(1, 1, 5)))
    for (const v of run(all, rngFor(1, 0, 5))) expect(v >= 0 && v <= 1).toBe(true)
  })

  it('changes nothing without augmentation', () => {
    expect(Array.from(run(NO_AUGMENTATION, new Random(1)))).toEqual(Array.from(src, (v) => Math.fround(v / 255)))
  })

  it('erases one rectangle when erasing is certain', () => {
    const flat = new Uint8Array(16 * 16).fill(255)
    const out = new Float32Array(16 * 16)
    augmentImage(flat, 16, 16, 1, { ...NO_AUGMENTATION, erasing: 1 }, new Random(3), out)
    const erased = [...out.keys()].filter((i) => out[i] !== 1)
    const xs = erased.map((i) => i % 16),
      ys = erased.map((i) => Math.floor(i / 16))
    const box = (Math.max(...xs) - Math.min(...xs) + 1) * (Math.max(...ys) - Math.min(...ys) + 1)
    expect(erased.length).toBeGreaterThan(0)
    expect(erased.length).toBe(box)
  })
})

describe('parseAugmentation', () => {
  it('reads none, default, lists, and default with changes (only the changes: the Run lays them over its own default)', () => {
    expect(parseAugmentation('none')).toEqual(NO_AUGMENTATION)
    expect(parseAugmentation('default')).toEqual({})
    expect(parseAugmentation('flip,rotate=15,noise=0.05')).toEqual({ ...NO_AUGMENTATION, flipHorizontal: true, rotation: 15, noise: 0.05 })
    expect(parseAugmentation('default, rotate=30, flip=off')).toEqual({ rotation: 30, flipHorizontal: false })
    expect(parseAugmentation('flip,vflip,rotate=15,scale=0.8,translate=0.1,brightness=0.2,contrast=0.2,saturation=0.2,hue=0.05,blur=1,noise=0.05,erasing=0.25')).toEqual({
      flipHorizontal: true,
      flipVertical: true,
      rotation: 15,
      scale: 0.8,
      translate: 0.1,
      brightness: 0.2,
      contrast: 0.2,
      saturation: 0.2,
      hue: 0.05,
      blur: 1,
      noise: 0.05,
      erasing: 0.25
    })
  })

  it('explains unknown names and values out of range', () => {
    expect(() => parseAugmentation('twirl=3')).toThrow(/Unknown augmentation "twirl"/)
    expect(() => parseAugmentation('rotate=200')).toThrow(/rotate must be at least 0 and at most 180, got 200/)
    expect(() => parseAugmentation('scale=0')).toThrow(/scale must be above 0/)
    expect(() => parseAugmentation('noise=abc')).toThrow(/not a number/)
    expect(() => parseAugmentation('rotate')).toThrow(/needs a value/)
    expect(() => parseAugmentation('flip,default')).toThrow(/can only start/)
    expect(() => parseAugmentation('default,rotate=200')).toThrow(/rotate must be at least 0 and at most 180, got 200/)
    expect(() => parseAugmentation('')).toThrow(/Empty/)
  })

  it('reads back what formatAugmentation writes', () => {
    for (const a of [NO_AUGMENTATION, DEFAULT_AUGMENTATION, { ...DEFAULT_AUGMENTATION, flipVertical: true, hue: 0.05, blur: 1.5 }]) {
      expect(parseAugmentation(formatAugmentation(a))).toEqual(a)
    }
    expect(formatAugmentation(NO_AUGMENTATION)).toBe('none')
    expect(formatAugmentation(DEFAULT_AUGMENTATION)).toBe('flip,rotate=10,scale=0.85,translate=0.1,brightness=0.2,contrast=0.2,erasing=0.25')
  })
})
