import { describe, expect, it } from 'vitest'
import { Random, rngFor } from '../../../src-main/pipeline/random'

const take = (r: Random, n: number) => Array.from({ length: n }, () => r.next())

describe('Random', () => {
  it('repeats exactly for a seed and differs for another', () => {
    expect(take(new Random(42), 20)).toEqual(take(new Random(42), 20))
    expect(take(new Random(42), 20)).not.toEqual(take(new Random(43), 20))
  })

  it('stays in range: next in [0,1), int in [0,n)', () => {
    const r = new Random(1)
    for (let i = 0; i < 2_000; i++) {
      const x = r.next()
      expect(x >= 0 && x < 1).toBe(true)
      const k = r.int(7)
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true)
    }
  })

  it('draws normals with mean 0 and standard deviation 1', () => {
    const r = new Random(7)
    const xs = Array.from({ length: 50_000 }, () => r.normal())
    const mean = xs.reduce((a, b) => a + b) / xs.length
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)
    expect(Math.abs(mean)).toBeLessThan(0.02)
    expect(Math.abs(sd - 1)).toBeLessThan(0.02)
  })

  it('shuffles into a permutation, the same for the same seed', () => {
    const a = new Random(5).shuffle(Array.from({ length: 100 }, (_, i) => i))
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(new Random(5).shuffle(Int32Array.from({ length: 100 }, (_, i) => i))).toEqual(Int32Array.from(a))
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i))
  })

  it('forks streams that do not depend on how much the parent was used', () => {
    const used = new Random(9)
    take(used, 5)
    expect(take(used.fork('x'), 5)).toEqual(take(new Random(9).fork('x'), 5))
    expect(take(new Random(9).fork('x'), 5)).not.toEqual(take(new Random(9).fork('y'), 5))
  })

  it('gives each sample of each epoch its own stream', () => {
    expect(take(rngFor(1, 2, 3), 4)).toEqual(take(rngFor(1, 2, 3), 4))
    expect(take(rngFor(1, 2, 3), 4)).not.toEqual(take(rngFor(1, 2, 4), 4))
    expect(take(rngFor(1, 2, 3), 4)).not.toEqual(take(rngFor(1, 3, 3), 4))
    expect(take(rngFor(1, 2, 3), 4)).not.toEqual(take(rngFor(2, 2, 3), 4))
  })
})
