/** Config differences and export formats, pure. */
import { describe, expect, it } from 'vitest'
import type { TrainingConfig } from '../../../src-main/contract'
import { configDifferences } from '../../../src-main/history/compare'
import { csvField } from '../../../src-main/history/export'
import { defaultConfig } from '../../../src-main/training/config'

describe('configDifferences', () => {
  it('reports nested settings by dotted key, and a setting an older Run lacks as null', () => {
    const a = defaultConfig('/a', undefined, 1)
    const b: TrainingConfig = { ...a, augmentation: { ...a.augmentation, hue: 0.3 } }
    const old = { ...a } as Partial<TrainingConfig>
    delete old.weightDecay
    expect(configDifferences([a, b, old as TrainingConfig])).toEqual([
      { key: 'weightDecay', values: [0, 0, null] },
      { key: 'augmentation.hue', values: [a.augmentation.hue, 0.3, a.augmentation.hue] }
    ])
    expect(configDifferences([a, { ...a }])).toEqual([])
  })
})

it('quotes CSV fields only when they need it', () => {
  expect([csvField('plain'), csvField('a,b'), csvField('say "x"'), csvField('two\nlines'), csvField(null), csvField(0.5)]).toEqual(['plain', '"a,b"', '"say ""x"""', '"two\nlines"', '', '0.5'])
})
