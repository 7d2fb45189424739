/**
 * Output warping: a Yeo-Johnson power transform of standardized values, λ fitted by maximum
 * likelihood (as HEBO does, after sklearn's PowerTransformer). A GP with a stationary kernel
 * fits badly when a few values are orders of magnitude worse than the rest (Rosenbrock's walls,
 * a loss that nearly diverged): they set the scale and the good region looks flat. λ is kept
 * ≤ 1, so the transform may compress the bad tail and stretch the good one, never the reverse.
 * It is monotone: the best Trial stays the best.
 */

/** The Yeo-Johnson transform of x with exponent λ. */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < 1e-9 ? Math.log1p(x) : ((x + 1) ** lambda - 1) / lambda
  return Math.abs(lambda - 2) < 1e-9 ? -Math.log1p(-x) : -((1 - x) ** (2 - lambda) - 1) / (2 - lambda)
}

/** Gaussian log-likelihood of the transformed values, up to a constant (Yeo & Johnson 2000). */
function logLikelihood(x: readonly number[], lambda: number): number {
  const t = x.map((v) => yeoJohnson(v, lambda))
  const mean = t.reduce((a, b) => a + b, 0) / t.length
  const variance = t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length
  if (!(variance > 0) || !Number.isFinite(variance)) return -Infinity
  let jacobian = 0
  for (const v of x) jacobian += Math.sign(v) * Math.log1p(Math.abs(v))
  return -0.5 * t.length * Math.log(variance) + (lambda - 1) * jacobian
}

/** The λ in [low, high] of highest likelihood, by golden-section search. */
export function fitLambda(x: readonly number[], low = -2, high = 1): number {
  const g = (Math.sqrt(5) - 1) / 2
  let a = low
  let b = high
  let c = b - g * (b - a)
  let d = a + g * (b - a)
  let fc = logLikelihood(x, c)
  let fd = logLikelihood(x, d)
  for (let i = 0; i < 40; i++) {
    if (fc >= fd) {
      b = d
      d = c
      fd = fc
      c = b - g * (b - a)
      fc = logLikelihood(x, c)
    } else {
      a = c
      c = d
      fc = fd
      d = a + g * (b - a)
      fd = logLikelihood(x, d)
    }
  }
  const best = (a + b) / 2
  return logLikelihood(x, high) >= logLikelihood(x, best) ? high : best
}

/** Standardizes `y`, warps it with the fitted λ and standardizes again (zero mean, unit variance). */
export function warpValues(y: readonly number[]): { values: number[]; lambda: number } {
  const standardize = (v: readonly number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1
    return v.map((u) => (u - mean) / sd)
  }
  const s = standardize(y)
  const lambda = fitLambda(s)
  return { values: standardize(s.map((v) => yeoJohnson(v, lambda))), lambda }
}
