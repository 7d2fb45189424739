/**
 * Near-duplicates that straddle the split: a validation image that nearly repeats a training image
 * is no test of generalization — the model has seen it. The scan's byte-exact duplicate check
 * cannot catch a resized, re-encoded or slightly brightened copy. Candidates come from the
 * backbone's embeddings (the nearest training images by cosine similarity, the embeddings centred
 * first: MobileNet's are all positive, so raw ones all look alike); a candidate is a copy when the
 * two pictures also agree pixel for pixel at 32 × 32 (grayscale, correlation) and the training image
 * stands apart from the other candidates. On photo-like test images, copies resized to 80 % and
 * re-encoded correlated at 0.90–0.99 and distinct images at most 0.73, while embeddings alone
 * overlapped; but on small centred pictures (Fashion-MNIST) most distinct look-alikes correlate
 * over 0.85 too. What tells a copy there is that it is far closer than the next look-alike.
 * Pure: no tfjs, no files.
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

/**
 * A copy stands apart: its distance (1 − correlation) is at most this share of the next candidate's.
 * Chosen on 10 × 600 Fashion-MNIST and 6 × 200 colour images with 40 copies planted across an 80/20
 * split (re-encoded, resized to 80 %, brightened, cropped 5 %): images flagged fell from 888 to 30 of
 * 1,200 (27 planted) and from 48 to 33 of 240 (all planted). Held out (10 × 200 official test images,
 * another colour set, another split): 291 → 31 of 400 (29 planted), 42 → 32 of 113 (all planted).
 * Missed: copies cropped on 28 pixels, no closer there than a look-alike.
 */
export const LEAK_ISOLATION = 0.3

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

/** A candidate with the correlation of its two thumbnails. */
export type ScoredCandidate = LeakCandidate & { correlation: number }

/** The copies among scored candidates, best first: per validation image its most correlated training image, when it reaches LEAK_CORRELATION and stands apart from the next (LEAK_ISOLATION); `similarity` is then that correlation. */
export function copiesAmong(scored: readonly ScoredCandidate[]): LeakCandidate[] {
  const byValidation = new Map<number, ScoredCandidate[]>()
  for (const c of scored) byValidation.set(c.validation, [...(byValidation.get(c.validation) ?? []), c])
  const copies: LeakCandidate[] = []
  for (const list of byValidation.values()) {
    const [best, next] = [...list].sort((a, b) => b.correlation - a.correlation)
    if (best.correlation < LEAK_CORRELATION) continue
    if (next && 1 - best.correlation > LEAK_ISOLATION * (1 - next.correlation)) continue
    copies.push({ validation: best.validation, train: best.train, similarity: best.correlation })
  }
  return copies.sort((a, b) => b.similarity - a.similarity)
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
