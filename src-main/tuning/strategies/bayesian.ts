/**
 * Bayesian optimisation: a Gaussian process over the unit cube (see ../space.ts for the encoding
 * and ../gp for the model) of warped values (../gp/warp.ts), and log Expected Improvement
 * maximised by ./acquire.ts. After the warm-up, steps alternate: a global step searches the whole
 * space (which is how a better basin is found), a local step only the incumbent's trust region
 * (./trust-region.ts: the box spanned by its nearest Trials), which converges in the basin in
 * hand. A new incumbent moves the region: the restart of TuRBO without its state. Every other
 * global step instead tries the floor of the model's bowl (its quadratic part's lowest point)
 * outright, unless a Trial is already near it.
 *
 * Which Trials teach the model:
 * - completed: their value;
 * - pruned: their value, the Epoch they were stopped at (else their last intermediate value). A
 *   pruned Trial was stopped because it was behind its peers at that Epoch; its last value is a
 *   real (pessimistic) measurement of that region, and leaving it out would send the search
 *   straight back there;
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
import type { KernelParams } from '../gp/kernel'
import { warpValues } from '../gp/warp'
import { type Scored, lowestMean, maximizeLogEi } from './acquire'
import { neighbours, trustRegion } from './trust-region'
import { haltonPoint, trialRandom } from '../rng'
import { decode, encode, snapUnit } from '../space'
import type { Observation, Params, SearchSpace, Strategy } from '../types'
import { randomParams } from './random'

/** Tuning knobs of the Bayesian strategy; the defaults suit 2–20 hyperparameters. */
export interface BayesianOptions {
  /** Trials with a value needed before the GP is used (warm-up). Default: clamp(d + 3, 5, 10). */
  startupTrials?: number
  /** Uniform random candidates scored per suggestion (half as many in a local step). */
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

/** A bowl's floor is tried only where no Trial is nearer than this (RMS per coordinate of the unit cube). */
const FLOOR_GAP = 0.05

/**
 * No suggestion this near a running Trial. Its lie makes EI vanish there, but in a small trust
 * region every candidate's EI is tiny, and the best could sit right beside it: parallel Trials
 * then trained nearly the same recipe.
 */
const PENDING_GAP = 0.005

/** The root-mean-square distance per coordinate between two points of the unit cube. */
function rmsDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2
  return Math.sqrt(s / a.length)
}

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
  const choices = names.map((n) => {
    const dim = space[n]
    return dim.type === 'categorical' ? dim.choices.length : 0
  })
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

    const x = data.map((p) => p.u)
    // Warped, standardized values: a few huge values (a wall, a near-divergence) no longer flatten the rest.
    const y = warpValues(data.map((p) => p.y)).values
    const rng = trialRandom(seed, number, 'bayesian')
    const fit = fitSubset(y, MAX_FIT_POINTS)
    const kernel = fitKernel(
      fit.map((i) => x[i]),
      fit.map((i) => y[i]),
      categorical,
      rng,
      { polished: fit.length <= 30 ? 2 : 1 }
    )
    const order = y.map((_, i) => i).sort((a, b) => y[a] - y[b])
    const anchors = order.slice(0, 5).map((i) => x[i])
    const ctx = { rng, snap: (u: number[]) => snapUnit(space, u), categorical, choices, candidates: nCandidates, perturbations: nPerturb, localStarts, localSteps }

    /** The best ranked point not yet tried, nor next to a running Trial. */
    const untried = (ranked: Scored[]) => {
      for (const c of ranked) {
        const params = decode(space, c.u)
        if (!taken.has(key(params)) && Number.isFinite(c.s) && !pending.some((u) => rmsDistance(u, c.u) < PENDING_GAP)) return params
      }
      return undefined
    }
    const gp = withPending(x, y, pending, kernel)
    if ((data.length - startup) % 2 === 1) {
      // Local step: EI only in the incumbent's trust region. Global EI alone keeps sampling far,
      // uncertain regions in many dimensions and converges slowly once a good basin is found;
      // global EI alone on every other step is what still finds (and moves the region to) a better basin.
      const region = trustRegion(x, order[0], kernel.lengthscales, categorical, neighbours(d, data.length))
      const params = untried(maximizeLogEi(gp, y[order[0]], region.box, [x[order[0]]], { ...ctx, candidates: nCandidates / 2 }))
      if (params) return params // else a box too small for any untried value (steps, ints): a global step
    }
    if ((data.length - startup) % 4 === 0) {
      // Every other global step: the floor of the model's bowl, tried outright. EI seldom goes
      // there, since the stationary parts dip at every good Trial, yet on a bowl it is often far
      // better than all of them (Ackley and Levy 10-D: BENCHMARKS, robustness).
      const params = bowlFloor(x, y, pending, order[0], gp, kernel)
      if (params && !taken.has(key(params))) return params
    }
    const cube = { lo: Array(d).fill(0), hi: Array(d).fill(1) }
    // The model's floor as one more anchor: with a bowl in the model, a place no Trial has reached.
    anchors.push(lowestMean(gp, x[order[0]], cube, ctx))
    return untried(maximizeLogEi(gp, y[order[0]], cube, anchors, ctx)) ?? untriedRandom() // every scored point was tried already
  }

  /**
   * The quadratic part's floor (GaussianProcess.quadraticFloor) as a Trial, unless a Trial, or a
   * running one, is already near it. With categorical hyperparameters it is fitted on the Trials
   * that share the incumbent's choices (when at least 3 do), since a separable quadratic cannot
   * see that the best learning rate differs by optimizer; `gp` serves when it models exactly the
   * Trials to fit (no running ones, no other choices).
   */
  function bowlFloor(x: number[][], y: number[], pending: number[][], best: number, gp: GaussianProcess, kernel: KernelParams): Params | undefined {
    const same = x.map((_, i) => i).filter((i) => categorical.every((c, j) => !c || x[i][j] === x[best][j]))
    const fit = same.length >= 3 ? same : x.map((_, i) => i)
    const model =
      fit.length === x.length && pending.length === 0
        ? gp
        : new GaussianProcess(
            fit.map((i) => x[i]),
            fit.map((i) => y[i]),
            kernel,
            categorical
          )
    const floor = snapUnit(space, model.quadraticFloor(x[best]))
    return [...x, ...pending].some((u) => rmsDistance(u, floor) < FLOOR_GAP) ? undefined : decode(space, floor)
  }

  /** The GP of the Trials, running ones added at their lie: the mean there, capped at the best value. */
  function withPending(x: number[][], y: number[], pending: number[][], kernel: KernelParams): GaussianProcess {
    const gp = new GaussianProcess(x, y, kernel, categorical)
    if (pending.length === 0) return gp
    const best = Math.min(...y)
    const lies = pending.map((u) => Math.max(gp.predict(u).mean, best))
    return new GaussianProcess([...x, ...pending], [...y, ...lies], kernel, categorical)
  }

  return { name: 'bayesian', suggest }
}
