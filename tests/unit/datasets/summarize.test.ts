import { describe, expect, it } from 'vitest'
import type { FileEntry } from '../../../src-main/datasets/inspect'
import { cropNote, everySizeDiffers } from '../../../src-main/datasets/problems'
import { summarize } from '../../../src-main/datasets/summarize'

let n = 0
const photo = (width: number, height: number): FileEntry => ({
  path: `birds/${n++}.jpg`,
  class: 'birds',
  size: 1000,
  mtimeMs: 0,
  hash: String(n),
  format: 'jpeg',
  width,
  height,
  space: 'srgb',
  hasAlpha: false,
  problem: null,
  message: null
})

describe('image sizes', () => {
  it('names the smallest and the largest by area', () => {
    const { stats } = summarize(['birds'], [photo(640, 480), photo(100, 50), photo(4000, 3000), photo(640, 480)], [])
    expect(stats).toMatchObject({ smallest: { width: 100, height: 50 }, largest: { width: 4000, height: 3000 }, mostCommon: { width: 640, height: 480, count: 2 } })
  })

  it('gives a phone’s portrait and landscape photos, equal in area, the more common size', () => {
    // The portrait photo comes first, as in a folder whose first file was taken upright.
    const { stats } = summarize(['birds'], [photo(3024, 4032), photo(4032, 3024), photo(4032, 3024)], [])
    expect(stats).toMatchObject({ smallest: { width: 4032, height: 3024 }, largest: { width: 4032, height: 3024 }, mostCommon: { width: 4032, height: 3024, count: 2 } })
  })

  it('says when every size differs, and a lone image is its own', () => {
    const varied = summarize(['birds'], [photo(640, 480), photo(100, 50), photo(4000, 3000)], []).stats
    expect(everySizeDiffers(varied)).toBe(true)
    expect(varied.mostCommon).toMatchObject({ count: 1 }) // image-size defaults still read one
    expect(everySizeDiffers(summarize(['birds'], [photo(640, 480)], []).stats)).toBe(false)
    expect(everySizeDiffers(summarize(['birds'], [photo(640, 480), photo(640, 480), photo(1, 1)], []).stats)).toBe(false)
  })

  it('counts images more than twice as long as wide, either way, and says what training sees of them', () => {
    const { stats } = summarize(['birds'], [photo(640, 480), photo(1000, 500), photo(1001, 500), photo(300, 900), photo(500, 500)], [])
    expect(stats.elongated).toBe(2) // exactly 2:1 keeps half: not counted
    expect(cropNote(stats)).toBe(
      '2 images are more than twice as long as wide: training sees only the centre square of an image, less than half of these. Where the subject is off-centre, crop the image around it first.'
    )
    expect(cropNote({ elongated: 1 })).toBe(
      '1 image is more than twice as long as wide: training sees only the centre square of an image, less than half of this one. Where the subject is off-centre, crop the image around it first.'
    )
    expect(cropNote({ elongated: 0 })).toBeNull()
    expect(cropNote({})).toBeNull() // a report from before the count
  })
})
