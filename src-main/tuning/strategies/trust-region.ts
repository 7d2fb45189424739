/**
 * The incumbent's neighbourhood, for the Bayesian strategy's local steps (after TuRBO, Eriksson
 * et al. 2019: a local model of a trust region fits a rugged or non-stationary objective better
 * than one global model). Pure: recomputed from the Trials each time, nothing remembered.
 */
import type { Box } from './acquire'

/** How many Trials, the incumbent included, the local model of a space of d hyperparameters uses. */
export function neighbours(d: number, n: number): number {
  return Math.min(n, Math.max(2 * d + 2, Math.ceil(n / 3)))
}

/**
 * The `k` Trials nearest the incumbent `centre` (distance scaled by the global lengthscales, so
 * a hyperparameter the objective hardly depends on does not push neighbours away) and the box
 * they span around it. Categorical coordinates keep the incumbent's choice: the local model is of
 * one configuration's continuous neighbourhood.
 */
export function trustRegion(x: readonly number[][], centre: number, lengthscales: readonly number[], categorical: readonly boolean[], k: number): { members: number[]; box: Box } {
  const c = x[centre]
  const dist = x.map((u) => u.reduce((s, v, j) => s + (categorical[j] ? (Math.abs(v - c[j]) < 1e-9 ? 0 : 1) : (v - c[j]) ** 2) / lengthscales[j] ** 2, 0))
  const members = x
    .map((_, i) => i)
    .sort((a, b) => dist[a] - dist[b] || a - b)
    .slice(0, k)
  const lo: number[] = []
  const hi: number[] = []
  c.forEach((v, j) => {
    if (categorical[j]) return void (lo.push(v), hi.push(v))
    // Half-width: the farthest member along j, at least a sliver so a lone coordinate can move.
    const half = Math.max(0.01, ...members.map((i) => Math.abs(x[i][j] - v)))
    lo.push(Math.max(0, v - half))
    hi.push(Math.min(1, v + half))
  })
  return { members, box: { lo, hi } }
}

/** Whether u lies in the box. */
export function inBox(u: readonly number[], box: Box): boolean {
  return u.every((v, j) => v >= box.lo[j] && v <= box.hi[j])
}
