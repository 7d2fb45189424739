/**
 * A small L-BFGS minimiser with a backtracking (Armijo) line search, for the few (d + 2) kernel
 * hyperparameters. `f` may return Infinity where it cannot be evaluated (a matrix that is not
 * positive definite); the line search then steps back.
 */

/** A function value and its gradient. */
export interface ValueAndGradient {
  value: number
  gradient: number[]
}

/** Options of minimizeLbfgs. */
export interface LbfgsOptions {
  maxIterations?: number
  /** Stop when the largest gradient component falls below this. */
  gradientTolerance?: number
  /** Remembered (step, gradient change) pairs. */
  memory?: number
}

/** Minimises `f` from `x0`; returns the best point and value found. */
export function minimizeLbfgs(
  f: (x: number[]) => ValueAndGradient,
  x0: number[],
  { maxIterations = 50, gradientTolerance = 1e-5, memory = 6 }: LbfgsOptions = {}
): { x: number[]; value: number; evaluations: number } {
  const dim = x0.length
  let x = x0.slice()
  let cur = f(x)
  let evaluations = 1
  if (!Number.isFinite(cur.value)) return { x, value: cur.value, evaluations }
  const ss: number[][] = []
  const ys: number[][] = []
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0)
  for (let it = 0; it < maxIterations; it++) {
    if (Math.max(...cur.gradient.map(Math.abs)) < gradientTolerance) break
    // Two-loop recursion: direction = −H·g
    const q = cur.gradient.slice()
    const alphas: number[] = []
    for (let k = ss.length - 1; k >= 0; k--) {
      const a = dot(ss[k], q) / dot(ys[k], ss[k])
      alphas[k] = a
      for (let i = 0; i < dim; i++) q[i] -= a * ys[k][i]
    }
    const last = ss.length - 1
    const gamma = last >= 0 ? dot(ss[last], ys[last]) / dot(ys[last], ys[last]) : 1 / Math.max(1, Math.sqrt(dot(q, q)))
    for (let i = 0; i < dim; i++) q[i] *= gamma
    for (let k = 0; k < ss.length; k++) {
      const b = dot(ys[k], q) / dot(ys[k], ss[k])
      for (let i = 0; i < dim; i++) q[i] += ss[k][i] * (alphas[k] - b)
    }
    let dir = q.map((v) => -v)
    let slope = dot(dir, cur.gradient)
    if (!(slope < 0)) {
      dir = cur.gradient.map((v) => -v) // not a descent direction: restart from steepest descent
      slope = dot(dir, cur.gradient)
      ss.length = 0
      ys.length = 0
    }
    let step = 1
    let next: ValueAndGradient | undefined
    let xn: number[] = x
    for (let tries = 0; tries < 20; tries++) {
      xn = x.map((v, i) => v + step * dir[i])
      next = f(xn)
      evaluations++
      if (Number.isFinite(next.value) && next.value <= cur.value + 1e-4 * step * slope) break
      next = undefined
      step *= 0.3
    }
    if (!next) break // no progress along any step: at a (numerical) minimum
    const s = xn.map((v, i) => v - x[i])
    const y = next.gradient.map((v, i) => v - cur.gradient[i])
    if (dot(s, y) > 1e-12) {
      ss.push(s)
      ys.push(y)
      if (ss.length > memory) {
        ss.shift()
        ys.shift()
      }
    }
    const improvement = cur.value - next.value
    x = xn
    cur = next
    if (improvement < 1e-9 * Math.max(1, Math.abs(cur.value))) break
  }
  return { x, value: cur.value, evaluations }
}
