import { describe, expect, it } from 'vitest'
import { LARGE_GRID, decode, decodeValue, encode, encodeValue, gridPoint, gridPoints, gridSize, gridValues, snapUnit, validateSpace } from '../../../src-main/tuning/space'
import type { SearchSpace } from '../../../src-main/tuning/types'

/** The example space. */
const EXAMPLE: SearchSpace = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  units: { type: 'int', low: 16, high: 512, log: true },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
  dropout: { type: 'float', low: 0, high: 0.6, step: 0.1 }
}

describe('validateSpace', () => {
  it('accepts the documented example as it is', () => {
    expect(validateSpace(JSON.parse(JSON.stringify(EXAMPLE)))).toEqual(EXAMPLE)
  })

  it('lists every problem of a bad space in one error', () => {
    const bad = {
      lr: { type: 'float', low: 0.1, high: 0.01 }, // low ≥ high
      wd: { type: 'float', low: 0, high: 1, log: true }, // log with low ≤ 0
      optimizer: { type: 'categorical', choices: [] }, // empty choices
      units: { type: 'int', low: 'a', high: 3.5 }, // wrong types
      dropout: { type: 'float', low: 0, high: 0.5, step: 0.2 }, // step does not divide
      colour: { type: 'string' }, // unknown type
      momentum: { type: 'float', low: 0, high: 1 } // not a known hyperparameter
    }
    let message = ''
    try {
      validateSpace(bad, { known: ['lr', 'wd', 'optimizer', 'units', 'dropout', 'colour'] })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/^Invalid search space \(8 problems\)/)
    for (const expected of [
      'lr: "low" (0.1) must be below "high" (0.01)',
      'wd: log scale needs "low" > 0, got 0',
      'optimizer: "choices" is empty',
      'units: "low" must be a number',
      'units: "high" of an int must be an integer',
      'dropout: "step" (0.2) does not divide high − low (0.5)',
      'colour: "type" must be "float", "int" or "categorical", got "string"',
      'momentum: unknown hyperparameter'
    ])
      expect(message).toContain(expected)
  })

  it('refuses what is not an object of dimensions', () => {
    expect(() => validateSpace([1, 2])).toThrow(/JSON object/)
    expect(() => validateSpace({})).toThrow(/empty/)
    expect(() => validateSpace({ lr: 0.1 })).toThrow(/lr: must be an object/)
  })
})

describe('the unit-cube encoding', () => {
  it('round-trips allowed values exactly', () => {
    const params = { lr: 0.003, units: 100, optimizer: 'sgd', dropout: 0.4 }
    const u = encode(EXAMPLE, params)
    expect(u.every((c) => c >= 0 && c <= 1)).toBe(true)
    const back = decode(EXAMPLE, u)
    expect(back.lr).toBeCloseTo(0.003, 12)
    expect(back).toMatchObject({ units: 100, optimizer: 'sgd', dropout: 0.4 })
  })

  it('places log dimensions on the log scale', () => {
    expect(encodeValue(EXAMPLE.lr, 1e-4)).toBe(0)
    expect(encodeValue(EXAMPLE.lr, 1e-1)).toBe(1)
    expect(encodeValue(EXAMPLE.lr, Math.sqrt(1e-5))).toBeCloseTo(0.5, 12) // the geometric middle
  })

  it('gives every int and step value an equal slice, so uniform points decode uniformly', () => {
    const counts = new Map<number, number>()
    for (let i = 0; i < 7000; i++) {
      const v = decodeValue(EXAMPLE.dropout, (i + 0.5) / 7000) as number
      counts.set(v, (counts.get(v) ?? 0) + 1)
    }
    expect([...counts.keys()]).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    expect([...counts.values()]).toEqual(Array(7).fill(1000))
    expect(decodeValue({ type: 'int', low: 1, high: 3 }, 0)).toBe(1)
    expect(decodeValue({ type: 'int', low: 1, high: 3 }, 0.5)).toBe(2)
    expect(decodeValue({ type: 'int', low: 1, high: 3 }, 1)).toBe(3)
  })

  it('encodes a categorical choice as the centre of its slice and snaps points onto allowed values', () => {
    expect(encodeValue(EXAMPLE.optimizer, 'adam')).toBe(0.25)
    expect(encodeValue(EXAMPLE.optimizer, 'sgd')).toBe(0.75)
    expect(() => encodeValue(EXAMPLE.optimizer, 'rmsprop')).toThrow(/not one of the choices/)
    const snapped = snapUnit(EXAMPLE, [0.3, 0.51, 0.1, 0.52])
    expect(snapped[0]).toBe(0.3)
    expect(snapped[2]).toBe(0.25)
    expect(decode(EXAMPLE, snapped)).toEqual(decode(EXAMPLE, [0.3, 0.51, 0.1, 0.52]))
  })
})

describe('the grid', () => {
  it('enumerates every point in a stable nested-loop order, the last dimension fastest', () => {
    const space: SearchSpace = {
      optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
      dropout: { type: 'float', low: 0, high: 0.2, step: 0.1 },
      units: { type: 'int', low: 16, high: 64, log: true, steps: 3 }
    }
    expect(gridValues(space.units)).toEqual([16, 32, 64])
    expect(gridSize(space)).toBe(18)
    const points = gridPoints(space)
    expect(points.slice(0, 4)).toEqual([
      { optimizer: 'adam', dropout: 0, units: 16 },
      { optimizer: 'adam', dropout: 0, units: 32 },
      { optimizer: 'adam', dropout: 0, units: 64 },
      { optimizer: 'adam', dropout: 0.1, units: 16 }
    ])
    expect(points[17]).toEqual({ optimizer: 'sgd', dropout: 0.2, units: 64 })
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(18)
    expect(gridPoint(space, 18)).toBeUndefined()
  })

  it('uses 5 steps per numeric dimension by default and drops repeated int values', () => {
    expect(gridValues({ type: 'float', low: 0, high: 1 })).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(gridValues({ type: 'float', low: 1e-4, high: 1, log: true })).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1])
    expect(gridValues({ type: 'int', low: 1, high: 3 })).toEqual([1, 2, 3])
    expect(gridSize(EXAMPLE)).toBe(5 * 5 * 2 * 7)
  })

  it('sizes a grid over 10,000 points without enumerating it', () => {
    const big: SearchSpace = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, { type: 'float', low: 0, high: 1, steps: 5 }]))
    expect(gridSize(big)).toBe(15_625)
    expect(gridSize(big) > LARGE_GRID).toBe(true)
    expect(gridPoint(big, 15_624)).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 })
  })
})
