import { describe, expect, it } from 'vitest'
import { fitLambda, warpValues, yeoJohnson } from '../../../src-main/tuning/gp/warp'
import { Random } from '../../../src-main/pipeline/random'

describe('output warping (Yeo-Johnson)', () => {
  it('is monotone, so the best Trial stays the best', () => {
    for (const lambda of [-2, -0.5, 0, 0.5, 1]) {
      const xs = [-5, -1, -0.1, 0, 0.1, 1, 5, 50]
      const t = xs.map((x) => yeoJohnson(x, lambda))
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1])
    }
    expect(yeoJohnson(3, 1)).toBe(3) // λ = 1 is the identity
  })

  it('compresses a heavy bad tail (values spanning orders of magnitude) and leaves Gaussian values alone', () => {
    const rng = new Random(3)
    const gaussian = Array.from({ length: 200 }, () => rng.normal())
    expect(fitLambda(gaussian)).toBeGreaterThan(0.8)
    // Rosenbrock-like: most values small, a few enormous
    const heavy = Array.from({ length: 40 }, () => Math.exp(6 * rng.next()))
    const { values, lambda } = warpValues(heavy)
    expect(lambda).toBeLessThan(0.3)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    expect(mean).toBeCloseTo(0, 9)
    expect(sd).toBeCloseTo(1, 9)
    // the best values are now told apart: the gap between the two best grows relative to the spread
    const order = heavy.map((_, i) => i).sort((a, b) => heavy[a] - heavy[b])
    const rawSd = Math.sqrt(heavy.reduce((a, b) => a + (b - heavy.reduce((s, v) => s + v, 0) / heavy.length) ** 2, 0) / heavy.length)
    expect(values[order[5]] - values[order[0]]).toBeGreaterThan((heavy[order[5]] - heavy[order[0]]) / rawSd)
  })

  it('never stretches the bad tail (λ ≤ 1) even when the values are skewed towards the good end', () => {
    const rng = new Random(5)
    const leftSkewed = Array.from({ length: 60 }, () => -Math.exp(4 * rng.next()))
    expect(fitLambda(leftSkewed)).toBe(1)
  })
})
