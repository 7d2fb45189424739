/** Grid search: Trial n gets grid point n, in the stable order of gridPoint; nothing after the last. */
import { gridPoint } from '../space'
import type { SearchSpace, Strategy } from '../types'

/** The grid strategy over `space` (a crashed Trial is not retried: its point counts as tried). */
export function createGridStrategy(space: SearchSpace): Strategy {
  return { name: 'grid', suggest: (_history, number) => gridPoint(space, number) }
}
