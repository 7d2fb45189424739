/** The history service on real SQLite and a real data folder: compare, export, delete with files. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryService } from '../../../src-main/history/service'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { defaultConfig } from '../../../src-main/runs/config'
import { HistoryRepository } from '../../../src-main/store/history'
import { RunRepository } from '../../../src-main/store/runs'
import { evaluation, seedRun } from '../../helpers/history'
import { tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
let db: Db
let service: HistoryService
beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'osprey.db'))
  service = new HistoryService({ db, dataDir: dir.path })
})
afterEach(() => {
  db.close()
  dir.cleanup()
})

describe('compare', () => {
  it('lists only the settings that differ, the curves, per-class metrics and the best Run per metric', () => {
    const a = seedRun(db, { valAccuracy: 0.8, config: { learningRate: 0.001, augmentation: { ...defaultConfig('').augmentation, rotation: 33 } }, durationMs: 5000 })
    const b = seedRun(db, { valAccuracy: 0.9, config: { learningRate: 0.01 }, epochs: 5, durationMs: 9000 })
    const comparison = service.compare([a, b])
    expect(comparison.differences.map((d) => d.key)).toEqual(['learningRate', 'augmentation.rotation'])
    expect(comparison.differences[0].values).toEqual([0.001, 0.01])
    expect(comparison.runs.map((r) => r.epochs.length)).toEqual([3, 5])
    expect(comparison.runs[1].iterations).toHaveLength(20)
    expect(comparison.runs[0].evaluation?.perClass.map((c) => c.name)).toEqual(['cats', 'dogs'])
    // Both Runs trained at the same speed: a tie marks no best.
    expect(comparison.best).toEqual({ valAccuracy: 1, valLoss: 1, imagesPerSecond: null, durationMs: 0 })
  })

  it('refuses fewer than 2 or more than 10 Runs, and an unknown one', () => {
    const a = seedRun(db)
    expect(() => service.compare([a, a])).toThrow(/Compare 2 to 10 different Runs \(got 1\)/)
    expect(() => service.compare([a, 999])).toThrow(/No Run with id 999/)
  })
})

describe('export', () => {
  it('writes CSV with one row per Run, config columns and quoted notes', () => {
    seedRun(db, { name: 'plain', valAccuracy: 0.5 })
    seedRun(db, { name: 'with, comma', notes: 'said "hi"\nthen left', tags: ['a', 'b'], config: { learningRate: 0.05 } })
    const { text, filename, format } = service.export('csv')
    expect(format).toBe('csv')
    expect(filename).toMatch(/^osprey-runs-.*\.csv$/)
    const [header, first] = text.split('\r\n')
    const columns = header.split(',')
    expect(columns.slice(0, 3)).toEqual(['id', 'name', 'status'])
    expect(columns).toContain('config.learningRate')
    expect(columns).toContain('config.augmentation.rotation')
    expect(first).toContain('"with, comma"')
    expect(first).toContain('"said ""hi""\nthen left"')
    expect(first).toMatch(/,a;b,"said/)
    expect(text.trimEnd().split('\r\n')).toHaveLength(3)
  })

  it('carries the test accuracy of a Run trained on training + validation, which has no validation accuracy', () => {
    const final = seedRun(db, { name: 'final', valAccuracy: null, evaluation: { ...evaluation(0.9), split: 'test' } })
    const plain = seedRun(db, { name: 'plain', valAccuracy: 0.7 })
    const rows = new HistoryRepository(db).query().runs
    expect(rows.find((r) => r.id === final)).toMatchObject({ valAccuracy: null, testAccuracy: 0.9 })
    expect(rows.find((r) => r.id === plain)).toMatchObject({ valAccuracy: 0.7, testAccuracy: null }) // judged on validation images only
    expect(new RunRepository(db).summary(final)).toMatchObject({ valAccuracy: null, testAccuracy: 0.9 })
    const [header, ...lines] = service.export('csv').text.trimEnd().split('\r\n')
    const column = header.split(',').indexOf('test_accuracy')
    const byName = Object.fromEntries(lines.map((line) => [line.split(',')[1], line.split(',')[column]]))
    expect(byName).toEqual({ final: '0.9', plain: '' })
  })

  it('writes JSON of the filtered Runs with their configs', () => {
    seedRun(db, { name: 'kept', tags: ['x'] })
    seedRun(db, { name: 'other' })
    const parsed = JSON.parse(service.export('json', { tag: 'x' }).text)
    expect(parsed.runs).toHaveLength(1)
    expect(parsed.runs[0]).toMatchObject({ name: 'kept', tags: ['x'], config: { folder: '/data/pets', seed: 7 }, fingerprint: expect.any(String) })
  })
})

describe('delete', () => {
  it('removes the Run and its files under the data folder, but refuses a running Run', () => {
    const done = seedRun(db, { dataDir: dir.path })
    const running = seedRun(db, { status: 'running', dataDir: dir.path })
    mkdirSync(join(dir.path, 'runs', String(done), 'checkpoint-last'), { recursive: true })
    writeFileSync(join(dir.path, 'runs', String(done), 'checkpoint-last', 'state.json'), '{}')
    expect(service.artifacts(done)).toEqual([{ kind: 'model', path: join('runs', String(done), 'model'), bytes: 16, exists: true }])
    expect(() => service.delete(running)).toThrow(/is running: stop it first/)
    expect(service.delete(done)).toEqual({ deleted: true, filesRemoved: 3 })
    expect(existsSync(join(dir.path, 'runs', String(done)))).toBe(false)
    expect(existsSync(join(dir.path, 'runs', String(running), 'model', 'model.json'))).toBe(true)
    expect(() => service.get(done)).toThrow(/No Run with id/)
  })

  it('never removes a file outside the data folder, whatever an artifact row says', () => {
    const outside = tempDir()
    writeFileSync(join(outside.path, 'precious.txt'), 'x')
    const id = seedRun(db)
    db.prepare("INSERT INTO artifacts (run_id, kind, path) VALUES (?, 'model', ?)").run(id, join('..', '..', outside.path, 'precious.txt'))
    service.delete(id)
    expect(existsSync(join(outside.path, 'precious.txt'))).toBe(true)
    outside.cleanup()
  })
})

it('renames, notes and tags with clear errors for bad input', () => {
  const id = seedRun(db)
  expect(service.rename(id, '  tidy  ').name).toBe('tidy')
  expect(() => service.rename(id, ' ')).toThrow(/needs a name/)
  expect(service.note(id, 'good one').notes).toBe('good one')
  expect(service.tag(id, 'best').tags).toEqual(['best'])
  expect(service.untag(id, 'best').tags).toEqual([])
  expect(() => service.tag(404, 'x')).toThrow(/No Run with id 404/)
})
