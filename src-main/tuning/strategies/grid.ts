/**
 * Grid search: every point once, in an order shuffled by the Study's seed, then nothing. A grid cut
 * short by its Trials or its time limit then still spreads over every hyperparameter instead of
 * trying the first few values of one (Optuna's GridSampler also draws its points at random).
 */
import { trialRandom } from '../rng'
import { gridPoint, gridSize } from '../space'
import type { SearchSpace, Strategy } from '../types'

/** The grid strategy over `space` (a crashed Trial is not retried: its point counts as tried). */
export function createGridStrategy(space: SearchSpace, seed: number): Strategy {
  const size = gridSize(space)
  return { name: 'grid', suggest: (_history, number) => (number < size ? gridPoint(space, shuffledIndex(size, number, seed)) : undefined) }
}

/**
 * Place `n` of a seeded shuffle of 0…size−1: Fisher–Yates replayed for its first n+1 swaps, the
 * swapped places kept in a map, so a grid of millions of points is never listed. Pure in
 * (size, n, seed): a resumed Study asks for the same points.
 */
export function shuffledIndex(size: number, n: number, seed: number): number {
  const moved = new Map<number, number>()
  const at = (i: number) => moved.get(i) ?? i
  let picked = 0
  for (let i = 0; i <= n; i++) {
    const j = i + Math.floor(trialRandom(seed, i, 'grid').next() * (size - i))
    picked = at(j)
    moved.set(j, at(i))
  }
  return picked
}
