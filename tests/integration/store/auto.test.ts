/** The searches of "Find the best model" in SQLite: recorded, updated, and those whose process is gone marked interrupted. */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planSearch } from '../../../src-main/auto/plan'
import { AutoRepository } from '../../../src-main/store/auto'
import { DatasetRepository } from '../../../src-main/store/datasets'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { processStart } from '../../../src-main/store/owner'
import { tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
let db: Db
const plan = planSearch(
  {
    images: 200,
    classes: [
      { name: 'a', count: 100 },
      { name: 'b', count: 100 }
    ],
    stats: { smallest: null, largest: null, mostCommon: { width: 28, height: 28, count: 200 }, channels: { grayscale: 200, rgb: 0, alpha: 0 }, formats: {} }
  },
  5
)

beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'osprey.db'))
})
afterEach(() => {
  db.close()
  dir.cleanup()
})

describe('AutoRepository', () => {
  it('keeps the budget, the time used, the phase and the result; an ended status stamps the end', () => {
    const datasetId = new DatasetRepository(db).ensure('/data/x', 'x')
    const repo = new AutoRepository(db)
    const id = repo.create({ name: 'x · Find the best model', folder: '/data/x', datasetId, budgetMs: 300_000, plan })
    expect(repo.get(id)).toMatchObject({ status: 'searching', phase: 'search', budgetMinutes: 5, usedMs: 0, family: 'scratch', reasons: plan.reasons, result: null, endedAt: null })
    repo.update(id, { phase: 'final', usedMs: 1234.6, status: 'completed' })
    expect(repo.get(id)).toMatchObject({ phase: 'final', usedMs: 1235, status: 'completed', endedAt: expect.any(String) })
    expect(repo.list().map((s) => s.id)).toEqual([id])
  })

  it('marks searches of a process that is gone interrupted, but leaves one paused mid-search paused', () => {
    const datasetId = new DatasetRepository(db).ensure('/data/x', 'x')
    const repo = new AutoRepository(db)
    const ids = ['searching', 'training', 'paused', 'paused'].map(() => repo.create({ name: 'x', folder: '/data/x', datasetId, budgetMs: 60_000, plan }))
    repo.update(ids[1], { status: 'training', phase: 'final' })
    repo.update(ids[2], { status: 'paused', phase: 'final' })
    repo.update(ids[3], { status: 'paused' })
    // Another live process (the app, while the command line looks): its search stays.
    const app = repo.create({ name: 'x', folder: '/data/x', datasetId, budgetMs: 60_000, plan })
    db.prepare('UPDATE auto_searches SET owner_pid = ?, owner_started = ? WHERE id = ?').run(process.ppid, processStart(process.ppid), app)
    // A process id no process has (above Linux's pid_max).
    db.prepare('UPDATE auto_searches SET owner_pid = 99999999 WHERE id IN (?, ?, ?, ?)').run(...ids)
    expect(repo.interruptOrphans()).toBe(3)
    expect(ids.map((id) => repo.get(id)!.status)).toEqual(['interrupted', 'interrupted', 'interrupted', 'paused'])
    expect(repo.get(app)!.status).toBe('searching')
  })
})
