/**
 * The little dense linear algebra a Gaussian process needs, on row-major Float64Arrays:
 * Cholesky factorisation, triangular solves and the inverse from the factor. Written out here
 * because the matrices are small (n ≤ a few hundred Trials) and a dependency would be larger
 * than these fifty lines.
 */

/** Lower Cholesky factor L of the n×n SPD matrix `a` (L·Lᵀ = a), or null when `a` is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    const ri = i * n
    for (let j = 0; j <= i; j++) {
      const rj = j * n
      let s = a[ri + j]
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k]
      if (i === j) {
        if (!(s > 0)) return null
        l[ri + i] = Math.sqrt(s)
      } else {
        l[ri + j] = s / l[rj + j]
      }
    }
  }
  return l
}

/** Solves L·x = b for lower-triangular L (forward substitution); writes into `out`. */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n
    let s = b[i]
    for (let k = 0; k < i; k++) s -= l[ri + k] * out[k]
    out[i] = s / l[ri + i]
  }
  return out
}

/** Solves Lᵀ·x = b for lower-triangular L (back substitution). */
export function solveUpperT(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k]
    x[i] = s / l[i * n + i]
  }
  return x
}

/** Solves (L·Lᵀ)·x = b. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperT(l, n, solveLower(l, n, b))
}

/** (L·Lᵀ)⁻¹ from the factor: inverts L (lower), then forms L⁻ᵀ·L⁻¹, symmetric. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const li = new Float64Array(n * n) // L⁻¹, lower
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j]
    for (let i = j + 1; i < n; i++) {
      let s = 0
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j]
      li[i * n + j] = s / l[i * n + i]
    }
  }
  const inv = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j] // (L⁻ᵀL⁻¹)_ij = Σ_k L⁻¹_ki L⁻¹_kj, k ≥ max(i,j)
      inv[i * n + j] = s
      inv[j * n + i] = s
    }
  }
  return inv
}
