import { describe, expect, it } from 'vitest'
import { parseChoices, retype, rowProblems, rowsOf, spaceNames, spaceOf, spaceText, suggestedDimension } from '../../../src-renderer/src/lib/searchSpace'

/** A search space as a user writes it. */
const example = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  units: { type: 'int', low: 16, high: 512, log: true },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
  dropout: { type: 'float', low: 0, high: 0.6, step: 0.1 }
}

describe('the search-space editor model', () => {
  it('loads a space file into rows and saves exactly the same JSON back, key order included', () => {
    let key = 0
    const rows = rowsOf(structuredClone(example), () => key++)
    expect(rows.map((r) => r.name)).toEqual(['lr', 'units', 'optimizer', 'dropout'])
    expect(spaceText(spaceOf(rows))).toBe(JSON.stringify(example, null, 2))
  })

  it('keeps fields the form has no control for, so the server can say what is wrong with them', () => {
    const rows = rowsOf({ lr: { type: 'floaty', low: 1, extra: true } }, () => 0)
    expect(spaceOf(rows)).toEqual({ lr: { type: 'floaty', low: 1, extra: true } })
  })

  it('refuses a file that is not a JSON object, saying what a space looks like', () => {
    expect(() => rowsOf([1, 2], () => 0)).toThrow(/JSON object of name → dimension/)
    expect(() => rowsOf('lr', () => 0)).toThrow(/JSON object/)
  })

  it('reads typed choices as numbers, booleans or words', () => {
    expect(parseChoices('adam, sgd')).toEqual(['adam', 'sgd'])
    expect(parseChoices(' 16,32 , 64,')).toEqual([16, 32, 64])
    expect(parseChoices('true, false')).toEqual([true, false])
    expect(parseChoices('')).toEqual([])
  })

  it('keeps the bounds when a row changes type, rounded for integers', () => {
    expect(retype({ type: 'float', low: 0.4, high: 9.6, log: true }, 'int')).toEqual({ type: 'int', low: 0, high: 10, log: true })
    expect(retype({ type: 'int', low: 1, high: 5 }, 'categorical')).toEqual({ type: 'categorical', choices: [] })
    expect(retype({ type: 'categorical', choices: ['a'] }, 'float')).toEqual({ type: 'float', low: 0, high: 1 })
  })

  it('reports rows without a hyperparameter and a name used twice (a JSON object would silently keep one)', () => {
    const rows = [
      { key: 0, name: 'lr', dimension: {} },
      { key: 1, name: '', dimension: {} },
      { key: 2, name: 'lr', dimension: {} }
    ]
    expect(rowProblems(rows)).toEqual(['Row 2: choose a hyperparameter.', 'lr: named in two rows; each hyperparameter can appear once.'])
  })

  it('offers each tunable setting once, by the name the Train form uses, each with a ready range', () => {
    for (const name of ['learningRate', 'dropout', 'units', 'optimizer', 'batchSize', 'weightDecay', 'imageSize', 'rotation']) expect(spaceNames).toContain(name)
    // One spelling per hyperparameter: no alias listed beside it, no `augmentation.` prefix.
    for (const alias of ['lr', 'batch_size', 'weight_decay', 'image_size']) expect(spaceNames).not.toContain(alias)
    expect(spaceNames.some((n) => n.startsWith('augmentation.'))).toBe(false)
    expect(new Set(spaceNames).size).toBe(spaceNames.length)
    expect(suggestedDimension('learningRate')).toEqual({ type: 'float', low: 1e-4, high: 1e-1, log: true })
    // A copy: editing one row's range never changes the next row's suggestion.
    const first = suggestedDimension('optimizer') as { choices: string[] }
    first.choices.pop()
    expect(suggestedDimension('optimizer')).toEqual({ type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] })
  })
})
