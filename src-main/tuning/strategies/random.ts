/** Random search: each Trial decodes a uniform point of the unit cube drawn from its own stream. */
import { trialRandom } from '../rng'
import { decode } from '../space'
import type { Params, SearchSpace, Strategy } from '../types'

/** A uniform random point of `space` for Trial `number`: log dimensions log-uniform, steps and ints equally likely. */
export function randomParams(space: SearchSpace, seed: number, number: number, purpose = 'random'): Params {
  const rng = trialRandom(seed, number, purpose)
  return decode(
    space,
    Object.keys(space).map(() => rng.next())
  )
}

/** The random strategy: Trial n's params depend only on (space, seed, n). */
export function createRandomStrategy(space: SearchSpace, seed: number): Strategy {
  return { name: 'random', suggest: (_history, number) => randomParams(space, seed, number) }
}
