/** The strategy factory: a name from the UI or the CLI → a Strategy over a validated space. */
import type { SearchSpace, Strategy } from '../types'
import { createBayesianStrategy } from './bayesian'
import { createGridStrategy } from './grid'
import { createRandomStrategy } from './random'

/** The strategy names users may choose. */
export const STRATEGY_NAMES = ['grid', 'random', 'bayesian'] as const

/** A Strategy by name; `seed` makes random and Bayesian suggestions repeatable. */
export function createStrategy(name: Strategy['name'], space: SearchSpace, seed: number): Strategy {
  switch (name) {
    case 'grid':
      return createGridStrategy(space, seed)
    case 'random':
      return createRandomStrategy(space, seed)
    case 'bayesian':
      return createBayesianStrategy(space, seed)
    default:
      throw new Error(`Unknown strategy "${String(name)}": choose one of ${STRATEGY_NAMES.join(', ')}`)
  }
}
