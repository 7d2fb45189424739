/**
 * Pixel normalization, the last step before the model. Every kind is one affine map per
 * channel, x' = (x − mean[c]) / std[c] on [0, 1] pixels, so a Run records one small object and
 * prediction later applies exactly the same map.
 */
import type { Normalization } from '../contract'
import type { ImageCache } from './cache'

/** The per-channel map a Run records: `(x − mean) / std`, x in [0, 1]. */
export interface NormalizationStats {
  normalization: Normalization
  mean: number[]
  std: number[]
}

// Records read per chunk while measuring: bounded memory whatever the Dataset's size.
const CHUNK = 256

/**
 * The map for `normalization`. `standardize` measures the per-channel mean and standard deviation
 * of the `train` images of `cache` (exact: integer sums in float64, one streaming pass); the
 * other kinds need no data. A channel that never varies gets std 1 (no division by zero).
 */
export async function normalizationStats(normalization: Normalization, cache: ImageCache, train: readonly number[]): Promise<NormalizationStats> {
  const channels = cache.header.channels
  if (normalization === 'unit') return { normalization, mean: Array(channels).fill(0), std: Array(channels).fill(1) }
  if (normalization === 'symmetric') return { normalization, mean: Array(channels).fill(0.5), std: Array(channels).fill(0.5) }
  if (train.length === 0) throw new Error('Cannot standardize: the training split is empty.')
  const sum = new Float64Array(channels)
  const squares = new Float64Array(channels)
  const buffer = new Uint8Array(Math.min(CHUNK, train.length) * cache.header.recordBytes)
  for (let start = 0; start < train.length; start += CHUNK) {
    const indices = train.slice(start, start + CHUNK)
    await cache.read(indices, buffer)
    const end = indices.length * cache.header.recordBytes
    // Per-chunk integer sums stay exact in float64 (< 2^53) and are cheap to add per value.
    for (let c = 0; c < channels; c++) {
      let s = 0
      let q = 0
      for (let i = c; i < end; i += channels) {
        const v = buffer[i]
        s += v
        q += v * v
      }
      sum[c] += s
      squares[c] += q
    }
  }
  const n = (train.length * cache.header.recordBytes) / channels
  const mean: number[] = []
  const std: number[] = []
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / n
    const variance = Math.max(0, squares[c] / n - m * m)
    mean.push(m / 255)
    std.push(variance > 0 ? Math.sqrt(variance) / 255 : 1)
  }
  return { normalization, mean, std }
}

/** Applies `stats` in place to HWC pixels in [0, 1]. */
export function normalizeInPlace(pixels: Float32Array, stats: NormalizationStats): void {
  const channels = stats.mean.length
  if (stats.normalization === 'unit') return // the identity map: nothing to do
  for (let c = 0; c < channels; c++) {
    const mean = stats.mean[c]
    const scale = 1 / stats.std[c]
    for (let i = c; i < pixels.length; i += channels) pixels[i] = (pixels[i] - mean) * scale
  }
}

/** Converts a Uint8 HWC record straight to normalized pixels in `out` (one pass: evaluation batches). */
export function normalizeRecord(src: Uint8Array, out: Float32Array, stats: NormalizationStats): void {
  const channels = stats.mean.length
  for (let c = 0; c < channels; c++) {
    const scale = 1 / (255 * stats.std[c])
    const offset = -stats.mean[c] / stats.std[c]
    for (let i = c; i < src.length; i += channels) out[i] = src[i] * scale + offset
  }
}
