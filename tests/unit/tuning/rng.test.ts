import { describe, expect, it } from 'vitest'
import { haltonPoint, trialRandom } from '../../../src-main/tuning/rng'

describe('Study randomness', () => {
  it('gives each (seed, Trial, purpose) its own repeatable stream', () => {
    expect(trialRandom(1, 5, 'random').next()).toBe(trialRandom(1, 5, 'random').next())
    const firsts = [trialRandom(1, 5, 'random'), trialRandom(1, 6, 'random'), trialRandom(2, 5, 'random'), trialRandom(1, 5, 'warmup')].map((r) => r.next())
    expect(new Set(firsts).size).toBe(4)
  })

  it('spreads warm-up points evenly: 16 Halton points put 4 in each quarter of an axis', () => {
    const points = Array.from({ length: 16 }, (_, i) => haltonPoint(3, i, 2))
    expect(haltonPoint(3, 7, 2)).toEqual(points[7])
    expect(points.every((p) => p.every((c) => c >= 0 && c < 1))).toBe(true)
    // The seeded shift moves every point by the same offset (mod 1); the first point is 1/2 unshifted.
    const offset = (points[0][0] - 0.5 + 1) % 1
    const quarters = [0, 0, 0, 0]
    for (const p of points) quarters[Math.floor(((((p[0] - offset) % 1) + 1) % 1) * 4)]++
    expect(quarters).toEqual([4, 4, 4, 4])
    expect(haltonPoint(4, 0, 2)).not.toEqual(haltonPoint(3, 0, 2))
  })
})
