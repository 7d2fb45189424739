/**
 * Near-duplicates that straddle the split: a validation image that nearly repeats a training image
 * is no test of generalization — the model has seen it. The scan's byte-exact duplicate check
 * cannot catch a resized, re-encoded or slightly brightened copy. Candidates come from the
 * backbone's embeddings (the nearest training images by cosine similarity, the embeddings centred
 * first: MobileNet's are all positive, so raw ones all look alike); a candidate is a copy when the
 * two pictures also agree pixel for pixel at 32 × 32 (grayscale, correlation). On photo-like test
 * images, copies resized to 80 % and re-encoded correlated at 0.90–0.99 and distinct images at most
 * 0.73, while embeddings alone overlapped. Pure: no tfjs, no files.
 */

/** A validation image and a training image it may repeat. */
export interface LeakCandidate {
  validation: number
  train: number
  /** Cosine similarity of the centred embeddings. */
  similarity: number
}

/** Correlation of two 32 × 32 thumbnails from which the pictures count as one. */
export const LEAK_CORRELATION = 0.85

/** Side of the thumbnails compared. */
export const LEAK_THUMBNAIL = 32

/** For each validation image, its `k` nearest training images by cosine similarity of the centred `embeddings` (`dim` per row). */
export function crossSplitCandidates(embeddings: Float32Array, dim: number, train: readonly number[], validation: readonly number[], k = 3): LeakCandidate[] {
  const unit = centredUnitRows(embeddings, dim)
  const candidates: LeakCandidate[] = []
  for (const v of validation) {
    const top: LeakCandidate[] = []
    for (const t of train) {
      const similarity = dot(unit, v * dim, t * dim, dim)
      if (top.length < k || similarity > top[top.length - 1].similarity) {
        top.push({ validation: v, train: t, similarity })
        top.sort((a, b) => b.similarity - a.similarity)
        if (top.length > k) top.pop()
      }
    }
    candidates.push(...top)
  }
  return candidates
}

/** Pearson correlation of two equal-length pixel arrays (1 = the same picture up to brightness and contrast). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) {
    ma += a[i] / n
    mb += b[i] / n
  }
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb)
    aa += (a[i] - ma) ** 2
    bb += (b[i] - mb) ** 2
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0
}

function dot(x: Float32Array, a: number, b: number, n: number): number {
  let s = 0
  for (let i = 0; i < n; i++) s += x[a + i] * x[b + i]
  return s
}

/** Rows minus their mean row, scaled to length 1. */
function centredUnitRows(x: Float32Array, dim: number): Float32Array {
  const rows = x.length / dim
  const mean = new Float64Array(dim)
  for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) mean[i] += x[r * dim + i] / rows
  const out = new Float32Array(x.length)
  for (let r = 0; r < rows; r++) {
    let norm = 0
    for (let i = 0; i < dim; i++) norm += (x[r * dim + i] - mean[i]) ** 2
    const scale = 1 / (Math.sqrt(norm) || 1)
    for (let i = 0; i < dim; i++) out[r * dim + i] = (x[r * dim + i] - mean[i]) * scale
  }
  return out
}
