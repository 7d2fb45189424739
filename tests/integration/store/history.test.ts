/** The history repository on real SQLite: filters, full-text search, sort, pages, tags, notes. */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../../src-main/store/db'
import { openDatabase } from '../../../src-main/store/db'
import { DatasetRepository } from '../../../src-main/store/datasets'
import { HistoryRepository, searchExpression } from '../../../src-main/store/history'
import { StudyRepository, type StudySettings } from '../../../src-main/store/studies'
import { seedRun } from '../../helpers/history'
import { tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
let db: Db
let history: HistoryRepository
beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'osprey.db'))
  history = new HistoryRepository(db)
})
afterEach(() => {
  db.close()
  dir.cleanup()
})

const names = (q: Parameters<HistoryRepository['query']>[0]) => history.query(q).runs.map((r) => r.name)

describe('HistoryRepository.query', () => {
  it('lists newest first with the dataset name, tags, Epochs done and the final metrics', () => {
    const pets = new DatasetRepository(db).ensure('/data/pets', 'pets')
    seedRun(db, { name: 'first', createdAt: '2026-11-01T10:00:00.000Z', datasetId: pets })
    seedRun(db, { name: 'second', createdAt: '2026-11-02T10:00:00.000Z', tags: ['baseline', 'adam'], valAccuracy: 0.9 })
    const page = history.query()
    expect(page.total).toBe(2)
    expect(page.runs.map((r) => r.name)).toEqual(['second', 'first'])
    expect(page.runs[0]).toMatchObject({ tags: ['adam', 'baseline'], valAccuracy: 0.9, epochsDone: 3, epochs: 10, model: 'default-cnn', backend: 'wasm', seed: 7 })
    expect(page.runs[1]).toMatchObject({ datasetName: 'pets', datasetId: pets, tags: [] })
  })

  it('filters by dataset, model, status, backend, tag, dates and a metric range, together', () => {
    const pets = new DatasetRepository(db).ensure('/data/pets', 'pets')
    seedRun(db, { name: 'a', datasetId: pets, valAccuracy: 0.95, tags: ['keep'], createdAt: '2026-11-20T00:00:00.000Z' })
    seedRun(db, { name: 'b', datasetId: pets, valAccuracy: 0.6, tags: ['keep'], createdAt: '2026-11-21T00:00:00.000Z' })
    seedRun(db, { name: 'c', valAccuracy: 0.97, config: { model: 'compact-resnet' }, backend: 'tensorflow', createdAt: '2026-11-22T00:00:00.000Z' })
    seedRun(db, { name: 'd', status: 'failed', valAccuracy: null, createdAt: '2026-11-23T12:00:00.000Z' })
    expect(names({ datasetId: pets })).toEqual(['b', 'a'])
    expect(names({ model: 'compact-resnet' })).toEqual(['c'])
    expect(names({ backend: 'tensorflow' })).toEqual(['c'])
    expect(names({ status: ['failed'] })).toEqual(['d'])
    expect(names({ tag: 'keep' })).toEqual(['b', 'a'])
    expect(names({ metric: { name: 'valAccuracy', min: 0.9 } })).toEqual(['c', 'a'])
    expect(names({ metric: { name: 'valLoss', max: 0.1 } })).toEqual(['c', 'a'])
    expect(names({ from: '2026-11-21', to: '2026-11-22' })).toEqual(['c', 'b'])
    expect(names({ to: '2026-11-23' })).toEqual(['d', 'c', 'b', 'a'])
    expect(names({ tag: 'keep', metric: { name: 'valAccuracy', min: 0.9 }, datasetId: pets })).toEqual(['a'])
    expect(history.query({ tag: 'nobody' })).toEqual({ runs: [], total: 0, offset: 0 })
  })

  it('finds Runs by words in their names and notes, by prefix, and follows renames', () => {
    const a = seedRun(db, { name: 'Résumé of cats', notes: 'heavy augmentation helped' })
    seedRun(db, { name: 'dogs baseline' })
    expect(names({ search: 'resume' })).toEqual(['Résumé of cats'])
    expect(names({ search: 'augment' })).toEqual(['Résumé of cats'])
    expect(names({ search: 'dog base' })).toEqual(['dogs baseline'])
    expect(names({ search: 'cats dogs' })).toEqual([])
    history.rename(a, 'lynx')
    expect(names({ search: 'cats' })).toEqual([])
    expect(names({ search: 'lynx' })).toEqual(['lynx'])
    // Quotes, operators and stray punctuation are words, never FTS syntax errors.
    expect(names({ search: '"NEAR( OR *' })).toEqual([])
    expect(names({ search: '  ' })).toHaveLength(2)
  })

  it('sorts by any metric with Runs lacking it last, and pages with a stable order and total', () => {
    seedRun(db, { name: 'mid', valAccuracy: 0.7, durationMs: 3000 })
    seedRun(db, { name: 'none', valAccuracy: null, durationMs: 1000 })
    seedRun(db, { name: 'top', valAccuracy: 0.9, durationMs: 2000 })
    expect(names({ sort: { by: 'valAccuracy', direction: 'desc' } })).toEqual(['top', 'mid', 'none'])
    expect(names({ sort: { by: 'valAccuracy', direction: 'asc' } })).toEqual(['mid', 'top', 'none'])
    expect(names({ sort: { by: 'durationMs', direction: 'asc' } })).toEqual(['none', 'top', 'mid'])
    expect(names({ sort: { by: 'name', direction: 'asc' } })).toEqual(['mid', 'none', 'top'])
    const first = history.query({ sort: { by: 'valAccuracy', direction: 'desc' }, limit: 2 })
    const second = history.query({ sort: { by: 'valAccuracy', direction: 'desc' }, limit: 2, offset: 2 })
    expect([first.total, second.total]).toEqual([3, 3])
    expect([...first.runs, ...second.runs].map((r) => r.name)).toEqual(['top', 'mid', 'none'])
  })

  it('tags once, untags, counts tags, and deletes a finished Run with its metrics but never a running one', () => {
    const done = seedRun(db, { tags: ['x'] })
    const running = seedRun(db, { status: 'running', tags: ['x'] })
    history.tag(done, 'x')
    history.tag(done, 'y')
    expect(history.tags()).toEqual([
      { tag: 'x', runs: 2 },
      { tag: 'y', runs: 1 }
    ])
    expect(history.untag(done, 'y')).toBe(true)
    expect(history.untag(done, 'y')).toBe(false)
    expect(history.delete(running)).toBe(false)
    expect(history.delete(done)).toBe(true)
    for (const table of ['epochs', 'iterations', 'tags']) {
      expect(db.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(done)).toBe(0)
      expect(db.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(running)).toBeGreaterThan(0)
    }
    expect(history.get(done)).toBeUndefined()
  })

  it('tells a Trial its pruner stopped early from a Run the user stopped', () => {
    const studies = new StudyRepository(db)
    const study = studies.create({ name: 'study', datasetId: null, strategy: 'random', objective: 'valLoss', space: {}, settings: {} as StudySettings })
    const trial = (number: number, status: 'pruned' | 'completed') => {
      const id = seedRun(db, { name: `trial ${number}`, status: status === 'pruned' ? 'stopped' : 'completed' })
      db.prepare('UPDATE runs SET study_id = ? WHERE id = ?').run(study, id)
      studies.startTrial(study, number, {}, id)
      studies.endTrial(study, number, status, 0.5)
    }
    trial(0, 'pruned')
    trial(1, 'completed')
    seedRun(db, { name: 'mine', status: 'stopped' })
    const pruned = Object.fromEntries(history.query().runs.map((r) => [r.name, r.pruned]))
    expect(pruned).toEqual({ 'trial 0': true, 'trial 1': false, mine: false })
  })
})

it('turns free text into a safe FTS5 prefix query', () => {
  expect(searchExpression('cats  "dogs"*')).toBe('"cats"* "dogs"*')
  expect(searchExpression('-- ()')).toBeNull()
})
