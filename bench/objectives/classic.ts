/**
 * Classic test functions in d dimensions, with the usual bounds (as in the Virtual Library of
 * Simulation Experiments, sfu.ca/~ssurjano): Ackley, Levy, Rosenbrock, Styblinski-Tang and
 * Michalewicz (m = 10). `classicObjective(name, d)` builds one; as a module for
 * `bench:tuners --objective bench/objectives/classic.ts` it reads `OBJECTIVE=name-d` (e.g. ackley-4).
 * Keep in step with ../reference/optuna_classic.py (same functions, same bounds).
 */
import type { Params, SearchSpace } from '../../src-main/tuning/types'

type Fn = (x: number[]) => number

const FUNCTIONS: Record<string, { low: number; high: number; f: Fn; minimum: (d: number) => number }> = {
  ackley: {
    low: -32.768,
    high: 32.768,
    minimum: () => 0,
    f: (x) => {
      const d = x.length
      const s1 = x.reduce((s, v) => s + v * v, 0) / d
      const s2 = x.reduce((s, v) => s + Math.cos(2 * Math.PI * v), 0) / d
      return -20 * Math.exp(-0.2 * Math.sqrt(s1)) - Math.exp(s2) + 20 + Math.E
    }
  },
  levy: {
    low: -10,
    high: 10,
    minimum: () => 0,
    f: (x) => {
      const w = x.map((v) => 1 + (v - 1) / 4)
      const d = w.length
      let s = Math.sin(Math.PI * w[0]) ** 2
      for (let i = 0; i < d - 1; i++) s += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2)
      return s + (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2)
    }
  },
  rosenbrock: {
    low: -5,
    high: 10,
    minimum: () => 0,
    f: (x) => {
      let s = 0
      for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (x[i] - 1) ** 2
      return s
    }
  },
  'styblinski-tang': {
    low: -5,
    high: 5,
    minimum: (d) => -39.16616570377142 * d,
    f: (x) => 0.5 * x.reduce((s, v) => s + v ** 4 - 16 * v ** 2 + 5 * v, 0)
  },
  michalewicz: {
    low: 0,
    high: Math.PI,
    // Known minima (d = 2, 5, 10); other dimensions have none published.
    minimum: (d) => ({ 2: -1.80130341, 5: -4.68765818, 10: -9.66015172 })[d] ?? NaN,
    f: (x) => -x.reduce((s, v, i) => s + Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20, 0)
  }
}

/** The function names. */
export const CLASSIC_NAMES = Object.keys(FUNCTIONS)

/** A test problem in the module shape bench:tuners loads. */
export interface ClassicObjective {
  name: string
  space: SearchSpace
  minimum: number
  evaluate(p: Params): number
}

/** Function `name` in `d` dimensions, over x0 … x(d−1). */
export function classicObjective(name: string, d: number): ClassicObjective {
  const fn = FUNCTIONS[name]
  if (!fn) throw new Error(`unknown function ${name} (one of ${CLASSIC_NAMES.join(', ')})`)
  const keys = Array.from({ length: d }, (_, i) => `x${i}`)
  const minimum = fn.minimum(d)
  if (!Number.isFinite(minimum)) throw new Error(`${name} has no known minimum in ${d} dimensions`)
  return {
    name: `${name}-${d}`,
    space: Object.fromEntries(keys.map((k) => [k, { type: 'float', low: fn.low, high: fn.high }])),
    minimum,
    evaluate: (p) => fn.f(keys.map((k) => p[k] as number))
  }
}

const [envName, envDims] = (process.env.OBJECTIVE ?? 'styblinski-tang-4').split(/-(?=\d+$)/)
/** The objective named by OBJECTIVE (default styblinski-tang-4), for --objective. */
export default classicObjective(envName, Number(envDims))
