/**
 * The Matérn 5/2 kernel with one lengthscale per hyperparameter (ARD), over unit-cube points,
 * plus an additive part: the mean of one-coordinate Matérns with the same lengthscales (Duvenaud
 * et al. 2011, first and last order). The fit weighs the two. In many dimensions and few Trials
 * the full kernel sees every point as far from every other and predicts the prior mean almost
 * everywhere; the additive part learns each hyperparameter's own trend from all the Trials, as
 * TPE's one-dimensional densities do, and a mostly additive objective is then found quickly.
 * Categorical coordinates are compared by equality (distance 0 or 1 before scaling) rather than
 * by their index position, so the order of choices carries no meaning — the same effect as a
 * one-hot encoding with one shared lengthscale per categorical hyperparameter.
 */

const SQRT5 = Math.sqrt(5)

/** Kernel hyperparameters, in natural units. */
export interface KernelParams {
  /** One per coordinate; larger = the objective changes more slowly along it. */
  lengthscales: number[]
  /** Signal variance: the prior variance of the (standardized) objective. */
  signal: number
  /** Observation noise variance, added on the diagonal. */
  noise: number
  /** The additive part's share of the signal, in [0, 1); absent: 0 (the full kernel alone). */
  additive?: number
}

/** The squared per-coordinate difference, equality-based for categorical coordinates. */
export function coordDistance2(a: number, b: number, categorical: boolean): number {
  if (categorical) return Math.abs(a - b) < 1e-9 ? 0 : 1
  const d = a - b
  return d * d
}

/** The kernel's correlation between two points: (1 − additive)·Matérn(r) + additive·mean_j Matérn(r_j). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>, inv2: ArrayLike<number>, categorical: readonly boolean[], additive: number): number {
  const d = inv2.length
  let r2 = 0
  let sum = 0
  for (let j = 0; j < d; j++) {
    const q = coordDistance2(a[j], b[j], categorical[j]) * inv2[j]
    r2 += q
    if (additive > 0) sum += matern52(Math.sqrt(q))
  }
  return (1 - additive) * matern52(Math.sqrt(r2)) + (additive > 0 ? (additive * sum) / d : 0)
}

/** Matérn 5/2 correlation at scaled distance r: (1 + √5 r + 5r²/3)·exp(−√5 r). */
export function matern52(r: number): number {
  const s = SQRT5 * r
  return (1 + s + (s * s) / 3) * Math.exp(-s)
}
