/** Hartmann 6-D on [0, 1]^6, as in ../shared/reference/optuna_ref.py; global minimum −3.32237. */
import type { Params, SearchSpace } from '../../src-main/tuning/types'

const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14]
]
const P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381]
].map((row) => row.map((v) => v * 1e-4))
const ALPHA = [1.0, 1.2, 3.0, 3.2]

/** The name bench:tuners reports. */
export const name = 'hartmann6'
/** The search space, in the JSON shape users write. */
export const space: SearchSpace = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float', low: 0, high: 1 }]))
/** The known global minimum, for the simple regret. */
export const minimum = -3.32237

/** The value to minimize at `p`. */
export function evaluate(p: Params): number {
  const x = Array.from({ length: 6 }, (_, i) => p[`x${i}`] as number)
  let sum = 0
  for (let k = 0; k < 4; k++) {
    let inner = 0
    for (let j = 0; j < 6; j++) inner += A[k][j] * (x[j] - P[k][j]) ** 2
    sum += ALPHA[k] * Math.exp(-inner)
  }
  return -sum
}
