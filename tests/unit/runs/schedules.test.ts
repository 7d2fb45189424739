import { describe, expect, it } from 'vitest'
import { perClass } from '../../../src-main/engine/evaluate'
import { suggest } from '../../../src-main/engine/lr-finder'
import { createSchedule } from '../../../src-main/engine/schedules'

describe('learning-rate schedules', () => {
  it('constant keeps the rate', () => {
    const s = createSchedule('constant', 0.01, 10, 100)
    expect([0, 500, 999].map((i) => s.rate(i))).toEqual([0.01, 0.01, 0.01])
  })

  it('step divides by 10 at a third and two thirds of the Run', () => {
    const s = createSchedule('step', 0.1, 9, 10)
    const expected = [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    ;[0, 29, 30, 59, 60, 89].forEach((i, k) => expect(s.rate(i)).toBeCloseTo(expected[k], 12))
  })

  it('cosine falls from the rate to zero', () => {
    const s = createSchedule('cosine', 1, 1, 100)
    expect(s.rate(0)).toBe(1)
    expect(s.rate(50)).toBeCloseTo(0.5)
    expect(s.rate(100)).toBeCloseTo(0)
  })

  it('one-cycle warms up over 30% to the rate, then anneals far below', () => {
    const s = createSchedule('onecycle', 1, 1, 100)
    expect(s.rate(0)).toBeCloseTo(1 / 25)
    expect(s.rate(30)).toBeCloseTo(1)
    expect(s.rate(15)).toBeGreaterThan(s.rate(5))
    expect(s.rate(100)).toBeCloseTo(1 / 25e4)
  })

  it('plateau divides by 10 after two Epochs without a better validation loss, and resumes from its state', () => {
    const s = createSchedule('plateau', 1, 10, 10)
    for (const loss of [1, 0.9, 0.95]) s.epochEnded(loss)
    expect(s.rate(0)).toBe(1)
    s.epochEnded(0.91)
    expect(s.rate(0)).toBeCloseTo(0.1)
    const resumed = createSchedule('plateau', 1, 10, 10)
    resumed.restore(s.state())
    expect(resumed.rate(0)).toBeCloseTo(0.1)
  })
})

it('per-class precision, recall and F1 follow from the confusion matrix', () => {
  // Truth rows: 8 cats (6 right, 2 called dogs), 4 dogs (1 called cat).
  const metrics = perClass(
    ['cat', 'dog'],
    [
      [6, 2],
      [1, 3]
    ]
  )
  expect(metrics[0]).toEqual({ name: 'cat', precision: 6 / 7, recall: 6 / 8, f1: expect.closeTo((2 * (6 / 7) * 0.75) / (6 / 7 + 0.75)), support: 8 })
  expect(metrics[1]).toMatchObject({ precision: 3 / 5, recall: 3 / 4, support: 4 })
})

describe('the learning-rate suggestion', () => {
  const curve = (losses: number[]) => losses.map((loss, i) => ({ learningRate: 10 ** (-6 + i), loss }))

  it('is where the loss falls fastest before its minimum', () => {
    // Flat, then a steep fall at 1e-3, a gentler one, the minimum at 1e-1, then divergence.
    expect(suggest(curve([2.3, 2.3, 2.29, 1.2, 0.9, 0.8, 3]))).toBe(1e-3)
  })

  // 80 rates from 1e-7 to 10: flat at 0.7 with ±0.05 wobble below 1e-4, a fall to 0.3 at 1e-1, then divergence.
  const wobbling = () =>
    Array.from({ length: 80 }, (_, i) => {
      const learningRate = 1e-7 * 10 ** ((8 * i) / 79)
      const decades = Math.log10(learningRate)
      const loss = decades < -4 ? 0.7 + 0.05 * Math.sin(i * 2.1) : decades < -1 ? 0.7 - (0.4 * (decades + 4)) / 3 : 0.3 + 2 * (decades + 1)
      return { learningRate, loss }
    })

  it('ignores a wobbling flat start and picks the real fall', () => {
    const suggestion = suggest(wobbling())!
    expect(suggestion).toBeGreaterThan(1e-4)
    expect(suggestion).toBeLessThan(1e-1)
  })

  it('ignores a lucky first batch below the whole curve, and still picks the real fall', () => {
    // Small batches: the first, unsmoothed points can sit below everything that follows.
    const points = wobbling().map((p, i) => (i < 3 ? { ...p, loss: 0.1 } : p))
    const suggestion = suggest(points)!
    expect(suggestion).toBeGreaterThan(1e-4)
    expect(suggestion).toBeLessThan(1e-1)
  })

  it('is a tenth of the minimum when the loss bottoms out too soon to measure its fall', () => {
    // 30 points, one decade apart: the fall ends at the 6th, inside the first window past the skipped tenth.
    expect(suggest(curve([2, 2, 2, 1.9, 1.8, 1.7, ...Array.from({ length: 24 }, (_, i) => 1.8 + i / 10)]))).toBeCloseTo(1e-2)
  })

  it('is withheld when the loss never falls: no rate below the tested range is suggested', () => {
    expect(suggest(curve([2, 2.1, 2.2, 2.3, 2.4, 2.5]))).toBeNull()
  })

  it('is withheld when the test stopped too early to tell', () => {
    expect(suggest(curve([2, 1, 5]))).toBeNull()
  })
})
