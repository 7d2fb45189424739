/** Config differences and export formats, pure. */
import { describe, expect, it } from 'vitest'
import type { TrainingConfig } from '../../../src-main/contract'
import { configDifferences } from '../../../src-main/history/compare'
import { csvField, runsToCsv } from '../../../src-main/history/export'
import { defaultConfig } from '../../../src-main/runs/config'

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

it('neutralises text a spreadsheet would run as a formula (names, notes, tags), and keeps numbers numbers', () => {
  const config = defaultConfig('=cmd|"/c calc"!A1', undefined, 1)
  const run = {
    id: 7,
    name: '=HYPERLINK("http://evil.example","open")',
    status: 'completed' as const,
    datasetId: 1,
    datasetName: '@SUM(A1:A9)',
    model: config.model,
    backend: 'wasm',
    epochsDone: 1,
    epochs: 1,
    valAccuracy: 0.5,
    valLoss: -0.5,
    imagesPerSecond: null,
    createdAt: '2026-11-27T10:00:00.000Z',
    durationMs: 1000,
    error: null,
    studyId: null,
    notes: '+1+1',
    tags: ['-2+3', '\tx'],
    seed: 1,
    verdict: null,
    config,
    fingerprint: 'f'
  }
  const [header, row] = runsToCsv([run]).split('\r\n')
  const cells = Object.fromEntries(header.split(',').map((name, i) => [name, row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)![i].replace(/,$/, '')]))
  expect(cells.name).toBe(`"'=HYPERLINK(""http://evil.example"",""open"")"`)
  expect(cells.dataset).toBe("'@SUM(A1:A9)")
  expect(cells.notes).toBe("'+1+1")
  expect(cells.tags).toBe("'-2+3;\tx")
  expect(cells.folder).toBe(`"'=cmd|""/c calc""!A1"`)
  expect([cells.val_loss, cells.val_accuracy, cells.id]).toEqual(['-0.5', '0.5', '7'])
  expect([csvField('-0.5'), csvField(-0.5), csvField('\rx'), csvField('a=b')]).toEqual(["'-0.5", '-0.5', `"'\rx"`, 'a=b'])
})
