/**
 * Seeded randomness of a Study. Each Trial draws from its own stream keyed by (seed, Trial
 * number, purpose), so a strategy's suggestion depends only on its inputs — never on how many
 * numbers an earlier call consumed — and a resumed Study asks for exactly the same Trials.
 */
import { Random, hashString, mix } from '../pipeline/random'

/** The stream of one Trial of a Study for one purpose ('random', 'warmup', 'candidates', …). */
export function trialRandom(seed: number, trialNumber: number, purpose: string): Random {
  return new Random(mix(seed, 0x7e57, trialNumber, hashString(purpose)))
}

/** The first primes: one Halton base per dimension (spaces rarely have more; others fall back to random). */
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]

/** The radical inverse of `index` in `base` (the van der Corput sequence). */
function radicalInverse(index: number, base: number): number {
  let f = 1
  let r = 0
  for (let i = index; i > 0; i = Math.floor(i / base)) {
    f /= base
    r += f * (i % base)
  }
  return r
}

/**
 * Point `index` of a Halton sequence in [0,1)^d, shifted by a seeded random offset (Cranley–Patterson
 * rotation) so that different seeds give different, still evenly spread, warm-up designs. Point i
 * needs no knowledge of the others, which keeps warm-up suggestions pure in the Trial number.
 */
export function haltonPoint(seed: number, index: number, dims: number): number[] {
  const shift = new Random(mix(seed, 0x4a17))
  return Array.from({ length: dims }, (_, j) => {
    const offset = shift.next()
    if (j >= PRIMES.length) return trialRandom(seed, index, `halton-${j}`).next()
    return (radicalInverse(index + 1, PRIMES[j]) + offset) % 1
  })
}
