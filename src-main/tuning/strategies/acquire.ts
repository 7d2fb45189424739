/**
 * Maximizing log Expected Improvement over a box of the unit cube: uniform candidates, moves
 * around the best Trials (all coordinates a little, or a few coordinates far — the move that
 * crosses into a neighbouring basin along one hyperparameter), then a (1+1)-evolution-strategy
 * polish from the best few. Only points that could win get the O(n²) posterior variance.
 */
import type { GaussianProcess } from '../gp/gp'
import { logExpectedImprovement } from '../gp/acquisition'
import type { Random } from '../../pipeline/random'

/** An axis-aligned box of the unit cube: [lo_j, hi_j] per coordinate (a categorical one of zero width keeps its choice). */
export interface Box {
  lo: number[]
  hi: number[]
}

/** What the search needs to know about the space, and its budget. */
export interface SearchContext {
  rng: Random
  /** The point's feasible twin (int, step, choice snapped). */
  snap: (u: number[]) => number[]
  /** Which coordinates are categorical, and their numbers of choices. */
  categorical: readonly boolean[]
  choices: readonly number[]
  candidates: number
  perturbations: number
  localStarts: number
  localSteps: number
}

/** A scored point. */
export interface Scored {
  u: number[]
  s: number
}

/**
 * Points of `box` ranked by log EI of `gp` over `best` (best first): the polished local-search
 * ends, then the other exactly scored candidates. `anchors` are the best Trials, best first.
 */
export function maximizeLogEi(gp: GaussianProcess, best: number, box: Box, anchors: readonly number[][], ctx: SearchContext): Scored[] {
  const { rng, snap, categorical, choices } = ctx
  const d = categorical.length
  const clamp = (v: number, j: number) => Math.min(box.hi[j], Math.max(box.lo[j], v))
  const width = box.lo.map((lo, j) => box.hi[j] - lo)
  /** A Gaussian move from u scaled to the box (σ a fraction of its width); categorical: a new choice now and then. */
  const perturb = (u: readonly number[], sigma: number, coordinates?: ReadonlySet<number>): number[] =>
    snap(
      u.map((v, j) => {
        if (coordinates && !coordinates.has(j)) return v
        if (categorical[j]) return width[j] > 0 && rng.next() < 1 / d ? (rng.int(choices[j]) + 0.5) / choices[j] : v
        return clamp(v + sigma * width[j] * rng.normal(), j)
      })
    )
  const uniform = () => snap(box.lo.map((lo, j) => lo + width[j] * rng.next()))

  const candidates: number[][] = []
  for (let i = 0; i < ctx.candidates; i++) candidates.push(uniform())
  for (const a of anchors) {
    for (let i = 0; i < ctx.perturbations; i++) candidates.push(perturb(a, i < ctx.perturbations / 2 ? 0.02 : 0.1))
    // One or two coordinates anywhere in the box, the rest kept: in a space with a basin per
    // hyperparameter (the other sign, the other optimiser) a joint move rarely lands in the next one.
    for (let i = 0; i < ctx.perturbations / 2; i++) {
      const u = [...a]
      for (let k = 0; k < (d > 2 && i % 3 === 2 ? 2 : 1); k++) {
        const j = rng.int(d)
        u[j] = categorical[j] && width[j] > 0 ? (rng.int(choices[j]) + 0.5) / choices[j] : box.lo[j] + width[j] * rng.next()
      }
      candidates.push(snap(u))
    }
    // A few coordinates moved a little: in many dimensions a move of every one is a long jump.
    if (d > 3) for (let i = 0; i < ctx.perturbations / 2; i++) candidates.push(perturb(a, 0.1, new Set(Array.from({ length: 3 }, () => rng.int(d)))))
  }

  /** log EI at u — or, when not even the O(1) variance bound lifts it above `floor`, that bound. */
  const score = (u: readonly number[], floor = -Infinity) => {
    const m = gp.meanAt(u)
    const bound = logExpectedImprovement(m, gp.varianceBoundOfLastMean(), best)
    return bound <= floor ? bound : logExpectedImprovement(m, gp.varianceOfLastMean(), best)
  }
  // Exact scores in order of their bounds, until no bound can reach the top few exact scores.
  const keep = 2 * ctx.localStarts
  const bounded = candidates.map((u) => ({ u, bound: logExpectedImprovement(gp.meanAt(u), gp.varianceBoundOfLastMean(), best) })).sort((a, b) => b.bound - a.bound)
  const scored: Scored[] = []
  const top: number[] = [] // the best `keep` exact scores, descending
  for (const c of bounded) {
    if (top.length >= keep && c.bound <= top[keep - 1]) break
    const s = score(c.u)
    scored.push({ u: c.u, s })
    top.splice(top.findIndex((t) => t < s) >>> 0, 0, s) // (-1 >>> 0) appends
    top.length = Math.min(top.length, keep)
  }
  scored.sort((a, b) => b.s - a.s)

  // Local search from the best distinct candidates: a (1+1) evolution strategy, 1/5 success rule.
  const starts: Scored[] = []
  for (const c of scored) {
    if (starts.length >= ctx.localStarts) break
    if (!starts.some((s) => s.u.every((v, j) => Math.abs(v - c.u[j]) < 1e-9))) starts.push(c)
  }
  const polished = starts.map((start) => evolve(start, perturb, score, { sigma: 0.05, minSigma: 1e-5, steps: ctx.localSteps }))
  return [...polished, ...scored].sort((a, b) => b.s - a.s)
}

/**
 * A (1+1) evolution strategy with the 1/5 success rule, maximizing `score` from `start`: `propose`
 * moves a point by a step of size sigma; `score` may stop at `floor` (the current best) when the
 * point cannot beat it.
 */
function evolve(start: Scored, propose: (u: number[], sigma: number) => number[], score: (u: number[], floor: number) => number, o: { sigma: number; minSigma: number; steps: number }): Scored {
  let cur = start
  let sigma = o.sigma
  for (let step = 0; step < o.steps && sigma > o.minSigma; step++) {
    const u = propose(cur.u, sigma)
    const s = score(u, cur.s)
    if (s > cur.s) {
      cur = { u, s }
      sigma *= 1.5
    } else sigma *= 0.9
  }
  return cur
}

/**
 * Where the model's mean is lowest in `box`, searched from `start` by a (1+1) evolution strategy
 * on the mean alone (O(n·d) a point): with a bowl in the model this is its floor, a point the
 * Trials have not reached, and an anchor from which EI's own search can step there.
 */
export function lowestMean(gp: GaussianProcess, start: readonly number[], box: Box, ctx: SearchContext, steps = 200): number[] {
  const { rng, snap, categorical } = ctx
  const width = box.lo.map((lo, j) => box.hi[j] - lo)
  const move = (u: number[], sigma: number) => snap(u.map((v, j) => (categorical[j] ? v : Math.min(box.hi[j], Math.max(box.lo[j], v + sigma * width[j] * rng.normal())))))
  const below = (u: readonly number[]) => -gp.meanAt(u)
  return evolve({ u: [...start], s: below(start) }, move, below, { sigma: 0.1, minSigma: 1e-4, steps }).u
}
