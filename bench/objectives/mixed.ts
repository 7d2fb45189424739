/**
 * A mixed space shaped like a small training recipe: a log-scaled learning rate, an int width
 * (log), a categorical optimiser and a stepped dropout. The best learning rate depends on the
 * optimiser and on the width (as in real training), and a ripple along the learning rate makes
 * the landscape less than quadratic. Known minimum 0: adam, lr 1e-3, units 128, dropout 0.3.
 */
import type { Params, SearchSpace } from '../../src-main/tuning/types'

const BEST_LOG_LR: Record<string, number> = { adam: -3, rmsprop: -2.5, sgd: -1.5 }
const PENALTY: Record<string, number> = { adam: 0, rmsprop: 0.15, sgd: 0.3 }

/** The name bench:tuners reports. */
export const name = 'mixed'
/** The search space, in the JSON shape users write. */
export const space: SearchSpace = {
  lr: { type: 'float', low: 1e-5, high: 1, log: true },
  units: { type: 'int', low: 8, high: 1024, log: true },
  optimizer: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
  dropout: { type: 'float', low: 0, high: 0.6, step: 0.1 }
}
/** The known global minimum, for the simple regret. */
export const minimum = 0

/** The value to minimize at `p`. */
export function evaluate(p: Params): number {
  const opt = p.optimizer as string
  const width = Math.log2(p.units as number) - 7
  const lrOff = Math.log10(p.lr as number) - (BEST_LOG_LR[opt] - 0.25 * width)
  return 0.5 * lrOff ** 2 + 0.1 * (1 - Math.cos(2 * Math.PI * lrOff)) + 0.08 * width ** 2 + 2 * ((p.dropout as number) - 0.3) ** 2 + PENALTY[opt]
}
