/**
 * Augmentation of one training image, in plain TypeScript on typed arrays (sharp per sample is
 * 5–10× too slow). The working format is Float32 HWC in [0, 1]. All geometric changes (flips,
 * random resized crop, rotation, translation) are fused into ONE inverse affine warp with
 * bilinear sampling, read straight from the cached Uint8 record: one pass per image.
 * Samples outside the image repeat the nearest edge pixel: no black corners that a model could
 * learn as a sign of "augmented".
 * Order: warp → brightness and contrast (one pass) → saturation → hue → blur → noise → erasing.
 */
import type { Augmentation } from '../contract'
import type { Random } from './random'

export { DEFAULT_AUGMENTATION, NO_AUGMENTATION, checkAugmentation, formatAugmentation, isAugmenting, parseAugmentation } from './augment-spec'

/** One image's geometric change, from output to source (see `warpImage`). */
export interface Warp {
  /** Rotation about the centre, in radians; positive turns clockwise on screen (y points down). */
  angle: number
  /** Magnification along x and y (image size / crop size; 1 = none). */
  zoomX: number
  zoomY: number
  /** Centre of the crop relative to the image centre, in source pixels. */
  cropX: number
  cropY: number
  /** Shift of the result, in output pixels. */
  shiftX: number
  shiftY: number
  flipH: boolean
  flipV: boolean
}

/** The warp that changes nothing. */
export const IDENTITY_WARP: Readonly<Warp> = Object.freeze({ angle: 0, zoomX: 1, zoomY: 1, cropX: 0, cropY: 0, shiftX: 0, shiftY: 0, flipH: false, flipV: false })

/** Draws one image's warp from the geometric settings of `a` (only enabled settings draw). */
export function drawWarp(a: Augmentation, rng: Random, width: number, height: number): Warp {
  const warp: Warp = { ...IDENTITY_WARP }
  if (a.flipHorizontal) warp.flipH = rng.next() < 0.5
  if (a.flipVertical) warp.flipV = rng.next() < 0.5
  if (a.scale < 1) {
    // Random resized crop (as torchvision): area in [scale, 1] of the image, aspect in [3/4, 4/3].
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = width * height * rng.uniform(a.scale, 1)
      const ratio = Math.exp(rng.uniform(Math.log(3 / 4), Math.log(4 / 3)))
      const w = Math.sqrt(area * ratio)
      const h = Math.sqrt(area / ratio)
      if (w > width || h > height) continue
      Object.assign(warp, { zoomX: width / w, zoomY: height / h, cropX: rng.uniform(-(width - w) / 2, (width - w) / 2), cropY: rng.uniform(-(height - h) / 2, (height - h) / 2) })
      break
    }
  }
  if (a.rotation > 0) warp.angle = (rng.uniform(-a.rotation, a.rotation) * Math.PI) / 180
  if (a.translate > 0) {
    // Whole pixels: a shift alone then moves pixels without resampling them. A sub-pixel shift
    // blurs a 28×28 image as much as it moves it.
    warp.shiftX = Math.round(rng.uniform(-a.translate, a.translate) * width)
    warp.shiftY = Math.round(rng.uniform(-a.translate, a.translate) * height)
  }
  return warp
}

/** Whether `w` leaves every pixel where it is. */
export function isIdentity(w: Warp): boolean {
  return w.angle === 0 && w.zoomX === 1 && w.zoomY === 1 && w.cropX === 0 && w.cropY === 0 && w.shiftX === 0 && w.shiftY === 0 && !w.flipH && !w.flipV
}

/**
 * Resamples `src` (a Uint8 HWC record, `width`×`height`×`channels`) through `warp` into `out`
 * (same shape, scaled to [0, 1]). For each output pixel centre: undo the
 * shift, the rotation and the zoom, move to the crop, undo the flips; sample bilinearly with
 * coordinates clamped to the image (edge fill).
 */
export function warpImage(src: Uint8Array, width: number, height: number, channels: number, warp: Warp, out: Float32Array): void {
  const count = width * height * channels
  if (isIdentity(warp)) {
    for (let i = 0; i < count; i++) out[i] = src[i] / 255
    return
  }
  const cos = Math.cos(warp.angle)
  const sin = Math.sin(warp.angle)
  const fx = warp.flipH ? -1 : 1
  const fy = warp.flipV ? -1 : 1
  // Source coordinates are affine in output coordinates: s = o + x·dx + y·dy.
  const map = (x: number, y: number): [number, number] => {
    const px = x + 0.5 - width / 2 - warp.shiftX
    const py = y + 0.5 - height / 2 - warp.shiftY
    const qx = (cos * px + sin * py) / warp.zoomX + warp.cropX
    const qy = (-sin * px + cos * py) / warp.zoomY + warp.cropY
    return [fx * qx + width / 2 - 0.5, fy * qy + height / 2 - 0.5]
  }
  const [ox, oy] = map(0, 0)
  const [ax, ay] = map(1, 0)
  const [bx, by] = map(0, 1)
  const dxx = ax - ox,
    dxy = ay - oy,
    dyx = bx - ox,
    dyy = by - oy
  const maxX = width - 1
  const maxY = height - 1
  let o = 0
  for (let y = 0; y < height; y++) {
    let sx = ox + y * dyx
    let sy = oy + y * dyy
    for (let x = 0; x < width; x++, sx += dxx, sy += dxy) {
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy
      const x0 = Math.floor(cx)
      const y0 = Math.floor(cy)
      const tx = cx - x0
      const ty = cy - y0
      const x1 = x0 < maxX ? x0 + 1 : x0
      const y1 = y0 < maxY ? y0 + 1 : y0
      const i00 = (y0 * width + x0) * channels
      const i01 = (y0 * width + x1) * channels
      const i10 = (y1 * width + x0) * channels
      const i11 = (y1 * width + x1) * channels
      const w00 = (1 - tx) * (1 - ty),
        w01 = tx * (1 - ty),
        w10 = (1 - tx) * ty,
        w11 = tx * ty
      if (channels === 3) {
        // Unrolled for colour, the common case.
        out[o++] = (src[i00] * w00 + src[i01] * w01 + src[i10] * w10 + src[i11] * w11) / 255
        out[o++] = (src[i00 + 1] * w00 + src[i01 + 1] * w01 + src[i10 + 1] * w10 + src[i11 + 1] * w11) / 255
        out[o++] = (src[i00 + 2] * w00 + src[i01 + 2] * w01 + src[i10 + 2] * w10 + src[i11 + 2] * w11) / 255
        continue
      }
      for (let c = 0; c < channels; c++, o++) {
        out[o] = (src[i00 + c] * w00 + src[i01 + c] * w01 + src[i10 + c] * w10 + src[i11 + c] * w11) / 255
      }
    }
  }
}

/** Multiplies every value by `factor` (brightness), clamped to [0, 1]. */
export function adjustBrightness(img: Float32Array, factor: number): void {
  for (let i = 0; i < img.length; i++) img[i] = clamp(img[i] * factor)
}

/** Moves every value towards (factor < 1) or away from (> 1) the image's mean luminance. */
export function adjustContrast(img: Float32Array, channels: number, factor: number): void {
  const mean = meanLuminance(img, channels)
  for (let i = 0; i < img.length; i++) img[i] = clamp(mean + factor * (img[i] - mean))
}

/**
 * Brightness then contrast in one pass (the hot path of the default augmentation): x → clamp(x·b),
 * then → clamp(m + f·(x − m)), m being the mean luminance of the brightened image before clamping.
 */
export function adjustTone(img: Float32Array, channels: number, brightness: number, contrast: number): void {
  const m = contrast === 1 ? 0 : brightness * meanLuminance(img, channels)
  const offset = m * (1 - contrast)
  for (let i = 0; i < img.length; i++) {
    const v = img[i] * brightness
    const t = offset + contrast * (v < 0 ? 0 : v > 1 ? 1 : v)
    img[i] = t < 0 ? 0 : t > 1 ? 1 : t
  }
}

function meanLuminance(img: Float32Array, channels: number): number {
  let sum = 0
  if (channels === 3) for (let i = 0; i < img.length; i += 3) sum += 0.299 * img[i] + 0.587 * img[i + 1] + 0.114 * img[i + 2]
  else for (let i = 0; i < img.length; i++) sum += img[i]
  return sum / (img.length / channels)
}

/** Moves each RGB pixel towards (factor < 1) or away from (> 1) its own grey. */
export function adjustSaturation(img: Float32Array, factor: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const grey = 0.299 * img[i] + 0.587 * img[i + 1] + 0.114 * img[i + 2]
    for (let c = i; c < i + 3; c++) img[c] = clamp(grey + factor * (img[c] - grey))
  }
}

/** Turns the hue of each RGB pixel by `shift` of the colour wheel (HSV; 1/3 takes red to green). */
export function shiftHue(img: Float32Array, shift: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const r = img[i],
      g = img[i + 1],
      b = img[i + 2]
    const max = Math.max(r, g, b)
    const delta = max - Math.min(r, g, b)
    if (delta === 0) continue // grey: no hue to turn
    let h = max === r ? (g - b) / delta : max === g ? 2 + (b - r) / delta : 4 + (r - g) / delta
    h = (((h / 6 + shift) % 1) + 1) % 1
    const s = delta / max
    const sector = h * 6
    const k = Math.floor(sector) % 6
    const f = sector - Math.floor(sector)
    const p = max * (1 - s),
      q = max * (1 - s * f),
      t = max * (1 - s * (1 - f))
    const [nr, ng, nb] = k === 0 ? [max, t, p] : k === 1 ? [q, max, p] : k === 2 ? [p, max, t] : k === 3 ? [p, q, max] : k === 4 ? [t, p, max] : [max, p, q]
    img[i] = nr
    img[i + 1] = ng
    img[i + 2] = nb
  }
}

/** Separable Gaussian blur of standard deviation `sigma` pixels, edges repeated. `scratch` ≥ img.length. */
export function gaussianBlur(img: Float32Array, width: number, height: number, channels: number, sigma: number, scratch: Float32Array = new Float32Array(img.length)): void {
  const radius = Math.ceil(3 * sigma)
  if (sigma <= 0 || radius < 1) return
  const kernel = new Float32Array(2 * radius + 1)
  let total = 0
  for (let k = -radius; k <= radius; k++) total += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma))
  for (let k = 0; k < kernel.length; k++) kernel[k] /= total
  const pass = (from: Float32Array, to: Float32Array, along: 'x' | 'y') => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let acc = 0
          for (let k = -radius; k <= radius; k++) {
            const xx = along === 'x' ? Math.min(width - 1, Math.max(0, x + k)) : x
            const yy = along === 'y' ? Math.min(height - 1, Math.max(0, y + k)) : y
            acc += kernel[k + radius] * from[(yy * width + xx) * channels + c]
          }
          to[(y * width + x) * channels + c] = acc
        }
      }
    }
  }
  pass(img, scratch, 'x')
  pass(scratch, img, 'y')
}

/** Adds Gaussian noise of standard deviation `sd` to every value, clamped to [0, 1]. */
export function addNoise(img: Float32Array, sd: number, rng: Random): void {
  for (let i = 0; i < img.length; i++) img[i] = clamp(img[i] + sd * rng.normal())
}

/** Fills the rectangle at (x, y) of `w`×`h` pixels with uniform random values (random erasing). */
export function eraseRect(img: Float32Array, width: number, channels: number, x: number, y: number, w: number, h: number, rng: Random): void {
  for (let yy = y; yy < y + h; yy++) {
    for (let i = (yy * width + x) * channels, end = i + w * channels; i < end; i++) img[i] = rng.next()
  }
}

/**
 * Augments one cached record `src` (Uint8 HWC) into `out` (Float32 HWC in [0, 1]) with the
 * settings `a`, drawing from `rng` (the sample's own stream). `scratch` (≥ out.length) avoids
 * an allocation per blurred image.
 */
export function augmentImage(src: Uint8Array, width: number, height: number, channels: number, a: Augmentation, rng: Random, out: Float32Array, scratch?: Float32Array): void {
  warpImage(src, width, height, channels, drawWarp(a, rng, width, height), out)
  const jitter = (range: number) => rng.uniform(Math.max(0, 1 - range), 1 + range)
  const brightness = a.brightness > 0 ? jitter(a.brightness) : 1
  const contrast = a.contrast > 0 ? jitter(a.contrast) : 1
  if (brightness !== 1 || contrast !== 1) adjustTone(out, channels, brightness, contrast)
  if (a.saturation > 0 && channels === 3) adjustSaturation(out, jitter(a.saturation))
  if (a.hue > 0 && channels === 3) shiftHue(out, rng.uniform(-a.hue, a.hue))
  if (a.blur > 0) gaussianBlur(out, width, height, channels, rng.uniform(0, a.blur), scratch)
  if (a.noise > 0) addNoise(out, a.noise, rng)
  if (a.erasing > 0 && rng.next() < a.erasing) {
    // Random erasing (Zhong et al.; torchvision's defaults): 2–33% of the area, aspect 0.3–3.3.
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = width * height * rng.uniform(0.02, 0.33)
      const ratio = Math.exp(rng.uniform(Math.log(0.3), Math.log(3.3)))
      const w = Math.round(Math.sqrt(area * ratio))
      const h = Math.round(Math.sqrt(area / ratio))
      if (w < 1 || h < 1 || w >= width || h >= height) continue
      eraseRect(out, width, channels, rng.int(width - w + 1), rng.int(height - h + 1), w, h, rng)
      break
    }
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v
}
