/** The history database under faults: an old schema, a damaged file, a killed writer, a full disk. */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toCommandError } from '../../../src-main/errors'
import { openDatabase } from '../../../src-main/store/db'
import { HistoryRepository } from '../../../src-main/store/history'
import { openHistoryDatabase } from '../../../src-main/store/recover'
import { RunRepository } from '../../../src-main/store/runs'
import { seedRun } from '../../helpers/history'
import { put, tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
beforeEach(() => (dir = tempDir()))
afterEach(() => dir.cleanup())

describe('a database from the first schema (tests/fixtures/schema-001.db)', () => {
  it('migrates on open and keeps its Runs, metrics, notes and tags, searchable and sortable', () => {
    const file = join(dir.path, 'osprey.db')
    copyFileSync(join(__dirname, '..', '..', 'fixtures', 'schema-001.db'), file)
    const { db, notices } = openHistoryDatabase(file)
    expect(notices).toEqual([])
    expect(db.prepare('SELECT version FROM migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    const history = new HistoryRepository(db)
    const page = history.query({ sort: { by: 'valAccuracy', direction: 'desc' } })
    expect(page.runs.map((r) => [r.id, r.valAccuracy, r.model, r.datasetName, r.tags])).toEqual([
      [1, 0.75, 'default-cnn', 'pets', ['baseline']],
      [2, null, 'compact-resnet', 'pets', []]
    ])
    expect(history.query({ search: 'old schema' }).runs.map((r) => r.id)).toEqual([1])
    const detail = new RunRepository(db).detail(1)!
    expect(detail.epochMetrics.map((e) => e.valAccuracy)).toEqual([0.6, 0.75])
    expect(detail.iterationMetrics.map((i) => [i.iteration, i.imagesPerSecond])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0]
    ])
    db.close()
  })
})

describe('a damaged database file', () => {
  it('is kept aside byte for byte, a fresh database starts, and the user is told where the old one is', () => {
    const file = join(dir.path, 'osprey.db')
    const garbage = Buffer.from('this is not a database, but someone may want it back '.repeat(200))
    writeFileSync(file, garbage)
    const { db, notices } = openHistoryDatabase(file, {}, new Date('2026-11-27T10:20:30.456Z'))
    const backup = `${file}.corrupt-2026-11-27T10-20-30Z`
    expect(notices).toEqual([expect.stringContaining(`The old file is kept at ${backup}`)])
    expect(readFileSync(backup)).toEqual(garbage)
    expect(seedRun(db)).toBe(1)
    db.close()
  })

  it("takes its Runs' folder aside with it, so the fresh database's Run 1 cannot overwrite the old Run 1's files", () => {
    const file = join(dir.path, 'osprey.db')
    writeFileSync(file, Buffer.from('damaged '.repeat(1000)))
    const oldModel = put(dir.path, 'runs/1/model/model.json', '{"the old Run 1": true}')
    const { db, notices } = openHistoryDatabase(file, {}, new Date('2026-11-27T10:20:30.456Z'))
    const kept = join(dir.path, 'runs.corrupt-2026-11-27T10-20-30Z')
    expect(notices).toEqual([expect.stringContaining(`its Runs' files (models, checkpoints) at ${kept}; nothing was deleted.`)])
    expect(readFileSync(join(kept, '1/model/model.json'), 'utf8')).toBe('{"the old Run 1": true}')
    expect(existsSync(oldModel)).toBe(false) // the new Run 1 finds its folder free
    expect(seedRun(db)).toBe(1)
    db.close()
  })

  it('with a damaged schema page is set aside the same way', () => {
    const file = join(dir.path, 'osprey.db')
    const db = openDatabase(file)
    seedRun(db)
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    const bytes = readFileSync(file)
    bytes.fill(0xa5, 100, 4096) // page 1 past the header: the schema table
    writeFileSync(file, bytes)
    const opened = openHistoryDatabase(file)
    expect(opened.notices).toHaveLength(1)
    expect(readdirSync(dir.path).filter((f) => /^osprey\.db\.corrupt-[\dT-]+Z$/.test(f))).toHaveLength(1)
    expect(new HistoryRepository(opened.db).query().total).toBe(0)
    opened.db.close()
  })
})

describe('a writer killed mid-write', () => {
  it('leaves a consistent database: every Run recorded whole or not at all', async () => {
    const file = join(dir.path, 'osprey.db')
    openDatabase(file).close()
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'helpers', 'db-writer.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] })
    let committed = 0
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        committed = Number(chunk.toString().trim().split('\n').at(-1))
        if (committed >= 30) resolve()
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const db = openDatabase(file)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const runs = db.prepare('SELECT count(*) FROM runs').pluck().get() as number
    expect(runs).toBeGreaterThanOrEqual(committed)
    // No half transaction: each Run has all its Iterations, its Epoch and its final status.
    expect(db.prepare('SELECT count(*) FROM iterations').pluck().get()).toBe(runs * 200)
    expect(db.prepare("SELECT count(*) FROM runs WHERE status = 'completed' AND id IN (SELECT run_id FROM epochs)").pluck().get()).toBe(runs)
    db.close()
  })
})

describe('a full disk', () => {
  it('gives a clear error and loses nothing already written', () => {
    const file = join(dir.path, 'osprey.db')
    const db = openDatabase(file)
    const kept = seedRun(db, { name: 'kept', epochs: 5 })
    // No room for more pages: SQLite answers SQLITE_FULL, as on a full disk.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`)
    const runs = new RunRepository(db)
    let error: unknown
    try {
      runs.addIterations(
        Array.from({ length: 20_000 }, (_, i) => ({ runId: kept, epoch: 1, iteration: 100 + i, loss: 0.5, accuracy: 0.5, learningRate: 1e-3, imagesPerSecond: 1, elapsedMs: i, memoryBytes: 0 }))
      )
    } catch (e) {
      error = e
    }
    expect((error as { code?: string })?.code).toBe('SQLITE_FULL')
    expect(toCommandError(error).message).toMatch(/disk holding the Osprey data folder is full.*Free some space.*everything saved before is kept/)
    db.close()
    const again = openDatabase(file)
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(new HistoryRepository(again).get(kept)).toMatchObject({ name: 'kept', epochsDone: 5 })
    expect(again.prepare('SELECT count(*) FROM iterations WHERE iteration >= 100').pluck().get()).toBe(0) // the failed batch is all or nothing
    again.close()
  })
})
