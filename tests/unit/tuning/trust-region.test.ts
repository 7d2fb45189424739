import { describe, expect, it } from 'vitest'
import { inBox, neighbours, trustRegion } from '../../../src-main/tuning/strategies/trust-region'

describe('the trust region of a local step', () => {
  it('holds the incumbent and its nearest Trials, distance scaled by the lengthscales', () => {
    const x = [
      [0.5, 0.5],
      [0.52, 0.9],
      [0.9, 0.52],
      [0.1, 0.1],
      [0.55, 0.45]
    ]
    // the objective hardly depends on the 2nd coordinate (long lengthscale): [0.52, 0.9] is near
    const { members, box } = trustRegion(x, 0, [0.1, 10], [false, false], 3)
    expect(members).toEqual([0, 1, 4])
    expect(box.lo[0]).toBeCloseTo(0.45)
    expect(box.hi[0]).toBeCloseTo(0.55)
    expect(box.hi[1]).toBeCloseTo(0.9)
    for (const i of members) expect(inBox(x[i], box)).toBe(true)
    expect(inBox(x[3], box)).toBe(false)
  })

  it("keeps the incumbent's choice of a categorical hyperparameter and a sliver of width on a lone coordinate", () => {
    const x = [
      [0.25, 0.3],
      [0.75, 0.3],
      [0.25, 0.3]
    ]
    const { box } = trustRegion(x, 0, [1, 1], [true, false], 2)
    expect([box.lo[0], box.hi[0]]).toEqual([0.25, 0.25])
    expect(box.hi[1] - box.lo[1]).toBeCloseTo(0.02)
  })

  it('uses more neighbours in more dimensions, never more than there are Trials', () => {
    expect(neighbours(2, 40)).toBe(14)
    expect(neighbours(10, 40)).toBe(22)
    expect(neighbours(10, 12)).toBe(12)
  })
})
