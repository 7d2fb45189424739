/** Branin on [−5, 10] × [0, 15], as in ../shared/reference/optuna_ref.py; three global minima of 0.397887. */
import type { Params, SearchSpace } from '../../src-main/tuning/types'

/** The name bench:tuners reports. */
export const name = 'branin'
/** The search space, in the JSON shape users write. */
export const space: SearchSpace = { x: { type: 'float', low: -5, high: 10 }, y: { type: 'float', low: 0, high: 15 } }
/** The known global minimum, for the simple regret. */
export const minimum = 0.397887

/** The value to minimize at `p`. */
export function evaluate(p: Params): number {
  const x = p.x as number
  const y = p.y as number
  return (y - (5.1 / (4 * Math.PI ** 2)) * x ** 2 + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10
}
