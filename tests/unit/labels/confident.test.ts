import { describe, expect, it } from 'vitest'
import { assignFolds, labelSuspects } from '../../../src-main/labels/confident'
import { copiesAmong, correlation, crossSplitCandidates } from '../../../src-main/labels/leaks'

describe('the label check', () => {
  it('flags an image the model sees as another class and hardly as its own, least sure of its own first, and leaves the right ones alone', () => {
    // 3 classes (bar: 0.1 / 3 ≈ 0.033); images 0–3 of class 0, 4–7 of class 1, 8–11 of class 2. Image 2 looks like class 1, image 9 like class 0.
    const rows = [
      [0.9, 0.05, 0.05],
      [0.8, 0.1, 0.1],
      [0.01, 0.97, 0.02],
      [0.85, 0.1, 0.05],
      [0.1, 0.8, 0.1],
      [0.05, 0.9, 0.05],
      [0.2, 0.7, 0.1],
      [0.1, 0.85, 0.05],
      [0.05, 0.05, 0.9],
      [0.95, 0.025, 0.025],
      [0.1, 0.1, 0.8],
      [0.05, 0.15, 0.8]
    ]
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    const suspects = labelSuspects(Float32Array.from(rows.flat()), labels, 3)
    expect(suspects.map((s) => [s.index, s.given, s.suggested])).toEqual([
      [2, 0, 1],
      [9, 2, 0]
    ])
    expect(suspects[0].givenProbability).toBeCloseTo(0.01)
    expect(suspects[1].confidence).toBeCloseTo(0.95)
  })

  it('leaves an ambiguous image alone: another class is more likely, but its own is still plausible', () => {
    // Image 0 (a shirt, say) looks a little more like class 1 (a T-shirt) but keeps 0.4 for its own class; image 3 keeps only 0.02.
    const rows = [
      [0.4, 0.55, 0.05],
      [0.9, 0.05, 0.05],
      [0.95, 0.03, 0.02],
      [0.02, 0.9, 0.08],
      [0.1, 0.85, 0.05],
      [0.05, 0.05, 0.9]
    ]
    expect(labelSuspects(Float32Array.from(rows.flat()), [0, 0, 0, 0, 1, 2], 3).map((s) => s.index)).toEqual([3])
  })

  it('spreads every class evenly over the folds, the same way for the same seed', () => {
    const labels = Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1))
    let s = 1
    const random = () => (s = (s * 16807) % 2147483647) / 2147483647
    const folds = assignFolds(labels, 5, random)
    for (let f = 0; f < 5; f++) {
      expect(labels.filter((l, i) => l === 0 && folds[i] === f)).toHaveLength(4)
      expect(labels.filter((l, i) => l === 1 && folds[i] === f)).toHaveLength(2)
    }
    s = 1
    expect(assignFolds(labels, 5, random)).toEqual(folds)
  })
})

describe('near-duplicates across the split', () => {
  it("finds each validation image's nearest training images by the centred embeddings", () => {
    // 4 images in 3-D around a common offset (all-positive, as MobileNet's are); image 3 nearly repeats image 1.
    const e = Float32Array.from([5, 5, 6, 6, 5, 5, 5, 6, 5, 6.02, 5, 5.01])
    const [first] = crossSplitCandidates(e, 3, [0, 1, 2], [3], 1)
    expect(first).toMatchObject({ validation: 3, train: 1 })
    expect(first.similarity).toBeGreaterThan(0.99)
  })

  it('measures how alike two pictures are, whatever their brightness and contrast', () => {
    const a = [10, 20, 30, 40, 50, 60]
    expect(
      correlation(
        a,
        a.map((v) => v * 2 + 7)
      )
    ).toBeCloseTo(1)
    expect(correlation(a, [...a].reverse())).toBeCloseTo(-1)
    expect(correlation(a, [5, 5, 5, 5, 5, 5])).toBe(0)
  })

  it('calls a pair a copy only when it stands apart from the look-alikes, so small centred pictures do not flood the list', () => {
    const scored = (validation: number, ...correlations: number[]) => correlations.map((correlation, train) => ({ validation, train, similarity: 0, correlation }))
    const found = copiesAmong([
      ...scored(10, 0.93, 0.92, 0.9), // three look-alikes, all over 0.85 (Fashion-MNIST trousers): none is a copy
      ...scored(11, 0.9, 0.995, 0.91), // a re-encoded copy (training image 1), far closer than the next
      ...scored(12, 0.8, 0.5, 0.4), // stands apart, but below the bar
      ...scored(13, 0.97, 0.95) // close, but not far closer than the next
    ])
    expect(found).toEqual([{ validation: 11, train: 1, similarity: 0.995 }])
    // Alone (nothing to compare it with), a candidate over the bar is a copy.
    expect(copiesAmong(scored(14, 0.9))).toEqual([{ validation: 14, train: 0, similarity: 0.9 }])
  })
})
