/**
 * The Matérn 5/2 kernel with one lengthscale per hyperparameter (ARD), over unit-cube points,
 * plus an additive part: the mean of one-coordinate Matérns with the same lengthscales (Duvenaud
 * et al. 2011, first and last order). The fit weighs the two. In many dimensions and few Trials
 * the full kernel sees every point as far from every other and predicts the prior mean almost
 * everywhere; the additive part learns each hyperparameter's own trend from all the Trials, as
 * TPE's one-dimensional densities do, and a mostly additive objective is then found quickly.
 * A quadratic part (a separable quadratic regression, quadraticFeatures) lets the model carry a
 * bowl past the Trials, towards a floor none of them has reached.
 * Categorical coordinates are compared by equality (distance 0 or 1 before scaling) rather than
 * by their index position, so the order of choices carries no meaning — the same effect as a
 * one-hot encoding with one shared lengthscale per categorical hyperparameter.
 */

const SQRT5 = Math.sqrt(5)
const SQRT3 = Math.sqrt(3)
const SQRT45_4 = Math.sqrt(45 / 4) // √(1/Var(u² − 1/3)) for u uniform on [−1, 1]

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
  /** The quadratic part's variance (./kernel.ts quadraticFeatures); absent: 0. */
  quadratic?: number
}

/**
 * The quadratic part's features of a point: per numeric coordinate a slope and a curvature term,
 * each of mean 0 and variance 1 over the unit interval, so that q·φ(x)·φ(x')/m is a Bayesian
 * separable quadratic regression of prior variance q. A bowl along each hyperparameter (a
 * learning rate too low or too high) is then extrapolated where the stationary parts revert to
 * the mean. Categorical coordinates have none.
 */
export function quadraticFeatures(point: ArrayLike<number>, categorical: readonly boolean[], out: Float64Array = new Float64Array(2 * categorical.filter((c) => !c).length)): Float64Array {
  let k = 0
  for (let j = 0; j < categorical.length; j++) {
    if (categorical[j]) continue
    const u = 2 * point[j] - 1
    out[k++] = SQRT3 * u
    out[k++] = SQRT45_4 * (u * u - 1 / 3)
  }
  return out
}

/**
 * The lowest point of w·φ, for weights `w` over quadraticFeatures: per numeric coordinate the
 * vertex of its parabola a·v + b·(v² − 1/3), v = 2u − 1, clipped to [0, 1]. Where the parabola
 * does not curve up (a slope alone says nothing of a floor) and for categorical coordinates,
 * `start`'s value stays.
 */
export function quadraticVertex(w: ArrayLike<number>, start: readonly number[], categorical: readonly boolean[]): number[] {
  const out = [...start]
  for (let j = 0, k = 0; j < categorical.length; j++) {
    if (categorical[j]) continue
    const a = SQRT3 * w[k++]
    const b = SQRT45_4 * w[k++]
    if (b > 0) out[j] = (Math.min(1, Math.max(-1, -a / (2 * b))) + 1) / 2
  }
  return out
}

/** The quadratic part's correlation: φ(a)·φ(b)/m (0 when there are no features). */
export function quadraticCorrelation(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let k = 0; k < a.length; k++) s += a[k] * b[k]
  return a.length === 0 ? 0 : s / a.length
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
