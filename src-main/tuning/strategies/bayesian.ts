/**
 * Bayesian optimisation: a Gaussian process over the unit cube (see ../space.ts for the encoding
 * and ../gp for the model) and log Expected Improvement, maximised over random candidates and
 * perturbations of the best Trials, then polished by a small local search.
 *
 * Which Trials teach the model:
 * - completed: their value;
 * - pruned: their value, else their last intermediate value. A pruned Trial was stopped because
 *   it was behind its peers at that Epoch; its last value is a real (pessimistic) measurement of
 *   that region, and leaving it out would send the search straight back there;
 * - completed without a finite value (diverged): the worst value seen;
 * - failed: left out (nothing was measured);
 * - running: not data, but pending points. Each is given a "lie" — the model's mean there, but
 *   never better than the best value seen (a kriging believer capped at the incumbent) — so EI
 *   falls to ~0 at running Trials and parallel suggestions spread out.
 *
 * The first Trials (warm-up) are points of a seeded, shifted Halton sequence, indexed by Trial
 * number: evenly spread and pure. Everything is a function of (space, seed, history, number).
 */
import { GaussianProcess, fitKernel } from '../gp/gp'
import { logExpectedImprovement } from '../gp/acquisition'
import { haltonPoint, trialRandom } from '../rng'
import { decode, encode, snapUnit } from '../space'
import type { Observation, Params, SearchSpace, Strategy } from '../types'
import { randomParams } from './random'
import type { Random } from '../../pipeline/random'

/** Tuning knobs of the Bayesian strategy; the defaults suit 2–20 hyperparameters. */
export interface BayesianOptions {
  /** Trials with a value needed before the GP is used (warm-up). Default: clamp(d + 3, 5, 10). */
  startupTrials?: number
  /** Uniform random candidates scored per suggestion. */
  candidates?: number
  /** Perturbations scored around each of the best few Trials. */
  perturbations?: number
  /** Local searches started from the best candidates. */
  localStarts?: number
  /** Steps of each local search. */
  localSteps?: number
}

/**
 * Kernel hyperparameters are fitted on at most this many Trials: each likelihood evaluation costs
 * O(n³), and with 100 Trials a full fit alone would take most of a 100 ms suggestion budget. The
 * model itself (the posterior) always conditions on every Trial.
 */
const MAX_FIT_POINTS = 40

/** Indices of the Trials the kernel is fitted on: all when few; else the best half and an even spread of the rest. */
export function fitSubset(y: readonly number[], cap: number): number[] {
  const all = y.map((_, i) => i)
  if (y.length <= cap) return all
  const byValue = [...all].sort((a, b) => y[a] - y[b])
  const best = byValue.slice(0, Math.floor(cap / 2))
  const rest = byValue.slice(best.length).sort((a, b) => a - b)
  const spread = Array.from({ length: cap - best.length }, (_, k) => rest[Math.floor((k * rest.length) / (cap - best.length))])
  return [...best, ...spread].sort((a, b) => a - b)
}

/** The value a Trial teaches the model, or null when it teaches nothing. */
export function observedValue(o: Observation): number | null {
  const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v)
  if (o.status === 'completed') return finite(o.value) ? o.value : null
  if (o.status === 'pruned') {
    if (finite(o.value)) return o.value
    const last = o.intermediate.findLast(finite)
    return last ?? null
  }
  return null
}

/** What the model learns from earlier Trials: points with values, and the points still running. */
export function modelData(earlier: readonly Observation[], encode: (p: Params) => number[] | null): { data: { u: number[]; y: number }[]; pending: number[][] } {
  const data: { u: number[]; y: number }[] = []
  const pending: number[][] = []
  const diverged: number[][] = []
  for (const o of earlier) {
    const u = encode(o.params)
    if (!u) continue
    const y = observedValue(o)
    if (y !== null) data.push({ u, y })
    else if (o.status === 'running') pending.push(u)
    else if (o.status === 'completed') diverged.push(u)
  }
  // A completed Trial with no finite value (a loss that blew up) counts as the worst value seen:
  // it says "not here" without stretching the standardized scale to infinity.
  if (data.length > 0) {
    const worst = Math.max(...data.map((p) => p.y))
    for (const u of diverged) data.push({ u, y: worst })
  }
  return { data, pending }
}

/** The Bayesian strategy over `space`, seeded. */
export function createBayesianStrategy(space: SearchSpace, seed: number, options: BayesianOptions = {}): Strategy {
  const names = Object.keys(space)
  const d = names.length
  const categorical = names.map((n) => space[n].type === 'categorical')
  const choices = names.map((n) => { const dim = space[n]; return dim.type === 'categorical' ? dim.choices.length : 0 })
  const startup = options.startupTrials ?? Math.min(10, Math.max(5, d + 3))
  const nCandidates = options.candidates ?? 1000
  const nPerturb = options.perturbations ?? 40
  const localStarts = options.localStarts ?? 4
  const localSteps = options.localSteps ?? 80
  const key = (p: Params) => names.map((n) => JSON.stringify(p[n])).join('|')
  const tryEncode = (p: Params): number[] | null => {
    try {
      return encode(space, p)
    } catch {
      return null // a Trial from an older version of the space: it cannot teach this one
    }
  }

  /** A random move from `u`: Gaussian on numeric coordinates, a new choice now and then on categorical ones. */
  const perturb = (u: readonly number[], sigma: number, rng: Random): number[] =>
    snapUnit(space, u.map((v, j) => {
      if (categorical[j]) return rng.next() < 1 / d ? (rng.int(choices[j]) + 0.5) / choices[j] : v
      return Math.min(1, Math.max(0, v + sigma * rng.normal()))
    }))

  function suggest(history: readonly Observation[], number: number): Params | undefined {
    const earlier = history.filter((o) => o.number !== number)
    const { data, pending } = modelData(earlier, tryEncode)
    const taken = new Set(earlier.map((o) => key(o.params)))
    /** A random point not tried yet, when one is found in a few draws (small discrete spaces run out). */
    const untriedRandom = () => {
      let params = randomParams(space, seed, number, 'bayesian-fallback-0')
      for (let k = 1; k < 100 && taken.has(key(params)); k++) params = randomParams(space, seed, number, `bayesian-fallback-${k}`)
      return params
    }
    if (data.length < startup) {
      const params = decode(space, haltonPoint(seed, number, d))
      return taken.has(key(params)) ? untriedRandom() : params
    }

    // Standardize: the kernel priors assume values of unit scale around 0.
    const ys = data.map((p) => p.y)
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length
    const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length) || 1
    const x = data.map((p) => p.u)
    const y = ys.map((v) => (v - mean) / sd)
    const rng = trialRandom(seed, number, 'bayesian')
    const fit = fitSubset(y, MAX_FIT_POINTS)
    const kernel = fitKernel(fit.map((i) => x[i]), fit.map((i) => y[i]), categorical, rng, { polished: fit.length <= 30 ? 2 : 1 })
    let gp = new GaussianProcess(x, y, kernel, categorical)
    const best = Math.min(...y)
    if (pending.length > 0) {
      const lies = pending.map((u) => Math.max(gp.predict(u).mean, best))
      gp = new GaussianProcess([...x, ...pending], [...y, ...lies], kernel, categorical)
    }
    /** An upper bound of log EI at u, O(n·d): EI grows with the variance, bounded by varianceBoundOfLastMean. */
    const scoreBound = (u: readonly number[]) => logExpectedImprovement(gp.meanAt(u), gp.varianceBoundOfLastMean(), best)
    /**
     * log EI at u — or, when not even the variance bound could lift it above `floor`, that bound.
     * The bound spares the O(n²) variance of most points a search rejects.
     */
    const score = (u: readonly number[], floor = -Infinity) => {
      const m = gp.meanAt(u)
      const bound = logExpectedImprovement(m, gp.varianceBoundOfLastMean(), best)
      return bound <= floor ? bound : logExpectedImprovement(m, gp.varianceOfLastMean(), best)
    }

    // Candidates: uniform points, plus moves around the best Trials (where improvement usually is).
    const candidates: number[][] = []
    for (let i = 0; i < nCandidates; i++) candidates.push(snapUnit(space, names.map(() => rng.next())))
    const bestTrials = data.map((p, i) => ({ u: p.u, y: y[i] })).sort((a, b) => a.y - b.y).slice(0, 5)
    for (const t of bestTrials) for (let i = 0; i < nPerturb; i++) candidates.push(perturb(t.u, i < nPerturb / 2 ? 0.02 : 0.1, rng))
    // Exact scores in order of their bounds, until no bound can reach the top few exact scores.
    const keep = 2 * localStarts
    const bounded = candidates.map((u) => ({ u, bound: scoreBound(u) })).sort((a, b) => b.bound - a.bound)
    const scored: { u: number[]; s: number }[] = []
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
    const starts: { u: number[]; s: number }[] = []
    for (const c of scored) {
      if (starts.length >= localStarts) break
      if (!starts.some((s) => key(decode(space, s.u)) === key(decode(space, c.u)))) starts.push(c)
    }
    const results = starts.map((start) => {
      let cur = start
      let sigma = 0.05
      for (let step = 0; step < localSteps && sigma > 1e-5; step++) {
        const u = perturb(cur.u, sigma, rng)
        const s = score(u, cur.s)
        if (s > cur.s) {
          cur = { u, s }
          sigma *= 1.5
        } else sigma *= 0.9
      }
      return cur
    })

    // The best point not yet tried.
    for (const c of [...results, ...scored].sort((a, b) => b.s - a.s)) {
      const params = decode(space, c.u)
      if (!taken.has(key(params)) && Number.isFinite(c.s)) return params
    }
    return untriedRandom() // every scored point was tried already
  }

  return { name: 'bayesian', suggest }
}
