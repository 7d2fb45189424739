/**
 * The Matérn 5/2 kernel with one lengthscale per hyperparameter (ARD), over unit-cube points.
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
}

/** The squared per-coordinate difference, equality-based for categorical coordinates. */
export function coordDistance2(a: number, b: number, categorical: boolean): number {
  if (categorical) return Math.abs(a - b) < 1e-9 ? 0 : 1
  const d = a - b
  return d * d
}

/** Scaled distance r between two points: sqrt(Σ_j dist²_j / ℓ_j²). */
export function scaledDistance(a: ArrayLike<number>, b: ArrayLike<number>, inv2: ArrayLike<number>, categorical: readonly boolean[]): number {
  let r2 = 0
  for (let j = 0; j < inv2.length; j++) r2 += coordDistance2(a[j], b[j], categorical[j]) * inv2[j]
  return Math.sqrt(r2)
}

/** Matérn 5/2 correlation at scaled distance r: (1 + √5 r + 5r²/3)·exp(−√5 r). */
export function matern52(r: number): number {
  const s = SQRT5 * r
  return (1 + s + (s * s) / 3) * Math.exp(-s)
}
