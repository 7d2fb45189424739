import { describe, expect, it } from 'vitest'
import { imbalanceNote } from '../../../src-main/datasets/problems'

const classes = (...counts: number[]) => counts.map((count) => ({ count }))

describe('the note on unbalanced classes', () => {
  it('speaks from 2:1 between the largest and the smallest class that has images', () => {
    expect(imbalanceNote(classes(200, 200, 10, 200))).toBe('The largest class has 20.0× the images of the smallest (10 images). The model may favour the larger classes.')
    expect(imbalanceNote(classes(2, 1))).toBe('The largest class has 2.0× the images of the smallest (1 image). The model may favour the larger classes.')
    expect(imbalanceNote(classes(1999, 1000))).toBeNull()
    expect(imbalanceNote(classes(3000, 1000))).toMatch(/\(1,000 images\)/)
  })

  it('leaves out empty classes (they are not trained on) and says nothing of a single class', () => {
    expect(imbalanceNote(classes(40, 0, 35))).toBeNull()
    expect(imbalanceNote(classes(40, 0))).toBeNull()
    expect(imbalanceNote([])).toBeNull()
  })
})
