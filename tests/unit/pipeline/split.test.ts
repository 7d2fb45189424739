import { describe, expect, it } from 'vitest'
import { defaultSplitFractions, labelImages, mergeValidation, resolveSplitFractions, splitDataset, subsetTrain, type LabelledImage } from '../../../src-main/pipeline/split'

/** `counts[c]` images of class c, in path order. */
function images(counts: number[]): LabelledImage[] {
  return counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ path: `c${label}/${String(i).padStart(5, '0')}.png`, label })))
}

describe('splitDataset', () => {
  it('keeps the class balance in every split and uses every image once', () => {
    const set = images([100, 50, 10])
    const split = splitDataset(set, { seed: 1, fractions: { validation: 0.2, test: 0.1 } })
    expect(split.manifest.counts).toEqual([
      [70, 20, 10],
      [35, 10, 5],
      [7, 2, 1]
    ])
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b)
    expect(all).toEqual(set.map((_, i) => i))
    expect(split.manifest.totals).toEqual({ train: 112, validation: 32, test: 16 })
    for (const list of [split.train, split.validation, split.test]) expect(list).toEqual([...list].sort((a, b) => a - b))
  })

  it('is the same for the same seed and different for another', () => {
    const set = images([40, 40])
    expect(splitDataset(set, { seed: 3 })).toEqual(splitDataset(set, { seed: 3 }))
    expect(splitDataset(set, { seed: 3 }).validation).not.toEqual(splitDataset(set, { seed: 4 }).validation)
  })

  it('gives every class of 2 or more images a validation image', () => {
    const split = splitDataset(images([2, 3, 1, 200]), { seed: 1 })
    expect(split.manifest.counts).toEqual([
      [1, 1, 0],
      [2, 1, 0],
      [1, 0, 0],
      [160, 40, 0]
    ])
  })

  it('uses 20% validation below 10,000 images, and 10% + 5% test from 10,000', () => {
    expect(defaultSplitFractions(9_999)).toEqual({ validation: 0.2, test: 0 })
    expect(defaultSplitFractions(10_000)).toEqual({ validation: 0.1, test: 0.05 })
    expect(splitDataset(images([5000, 5000]), { seed: 1 }).manifest.totals).toEqual({ train: 8500, validation: 1000, test: 500 })
    expect(resolveSplitFractions(100, null, 0.1)).toEqual({ validation: 0.2, test: 0.1 })
  })

  it('refuses fractions out of range and splits that leave a class without training images', () => {
    expect(() => splitDataset(images([10]), { seed: 1, fractions: { validation: 1, test: 0 } })).toThrow(/validation fraction/)
    expect(() => splitDataset(images([10]), { seed: 1, fractions: { validation: -0.1, test: 0 } })).toThrow(/validation fraction/)
    expect(() => splitDataset(images([10]), { seed: 1, fractions: { validation: 0.6, test: 0.4 } })).toThrow(/leave images for training/)
    expect(() => splitDataset(images([10, 2]), { seed: 1, fractions: { validation: 0.4, test: 0.3 }, classNames: ['cat', 'dog'] })).toThrow(/Class "dog" has 2 image/)
  })

  it('labels classes by sorted name', () => {
    const { classes, images: labelled } = labelImages([
      { path: 'b/1.png', class: 'b' },
      { path: 'a/1.png', class: 'a' }
    ])
    expect(classes).toEqual(['a', 'b'])
    expect(labelled.map((i) => i.label)).toEqual([1, 0])
  })
})

describe('subsetTrain and mergeValidation', () => {
  const set = images([100, 50, 3])
  const split = splitDataset(set, { seed: 5, fractions: { validation: 0.2, test: 0.1 } })
  const labels = set.map((i) => i.label)

  it('keeps a seeded, stratified fraction of the training images and leaves validation and test alone', () => {
    const subset = subsetTrain(split, labels, 0.1, 5)
    expect(subset.manifest.counts.map((c) => c[0])).toEqual([7, 4, 1]) // 70, 35 and 1 training images: at least one per class
    expect(subset.train.every((i) => split.train.includes(i))).toBe(true)
    expect(subset.train).toEqual([...subset.train].sort((a, b) => a - b))
    expect(subset.validation).toEqual(split.validation)
    expect(subset.test).toEqual(split.test)
    expect(subsetTrain(split, labels, 0.1, 5)).toEqual(subset)
    expect(subsetTrain(split, labels, 0.1, 6).train).not.toEqual(subset.train)
    expect(subsetTrain(split, labels, 1, 5)).toBe(split)
    expect(() => subsetTrain(split, labels, 0, 5)).toThrow(/above 0/)
  })

  it('trains a final Run on training + validation without touching the test images', () => {
    const merged = mergeValidation(split)
    expect(merged.validation).toEqual([])
    expect(merged.test).toEqual(split.test)
    expect(merged.train).toEqual([...split.train, ...split.validation].sort((a, b) => a - b))
    expect(merged.manifest.totals).toEqual({ train: split.train.length + split.validation.length, validation: 0, test: split.test.length })
    expect(merged.train.some((i) => split.test.includes(i))).toBe(false)
  })
})
