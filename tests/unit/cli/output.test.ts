/** Columns on a terminal line up whatever the class names are written in. */
import { describe, expect, it } from 'vitest'
import { cells, fitCells, padCells } from '../../../src-main/cli/output'

describe('terminal columns', () => {
  it('counts a Chinese or Japanese character and an emoji as two columns', () => {
    expect(cells('chat noir')).toBe(9)
    expect(cells('oiseau é')).toBe(8)
    expect(cells('日本 犬')).toBe(7)
    expect(cells('🐦 birds')).toBe(8)
    expect(cells(padCells('日本 犬', 9))).toBe(9)
    expect(padCells('日本 犬', 9)).toBe('日本 犬  ')
  })

  it('cuts a long name between characters, never inside one, and pads it to the column', () => {
    expect(fitCells('写真テスト長い名前', 7)).toBe('写真テ ')
    expect(fitCells('🐦🐦🐦', 5)).toBe('🐦🐦 ')
    expect(fitCells('uni · MobileNetV2', 8)).toBe('uni · Mo')
    expect(fitCells('cats', 6)).toBe('cats  ')
  })
})
