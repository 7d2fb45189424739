/** Jobs in real worker processes: results, progress, cancellation, and a worker that dies. */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WorkerPool } from '../../../src-main/jobs/pool'
import type { SpawnWorker } from '../../../src-main/jobs/protocol'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { DatasetRepository } from '../../../src-main/store/datasets'
import { png, put, tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let db: Db
let dbFile: string

beforeEach(async () => {
  data = tempDir()
  folder = tempDir()
  dbFile = join(data.path, 'osprey.db')
  db = openDatabase(dbFile) // the main side holds the database, as in the app
  for (let i = 0; i < 40; i++) put(folder.path, `${i % 2 ? 'a' : 'b'}/${i}.png`, await png(i))
})
afterEach(() => {
  db.close()
  data.cleanup()
  folder.cleanup()
})

describe('WorkerPool', () => {
  it('scans in a worker process, streams progress, and records the dataset for the main side', async () => {
    const pool = new WorkerPool(nodeSpawner(workerFile()), 1)
    const phases = new Set<string>()
    let peak = 0
    const report = await pool.run('scan', { path: folder.path, dbFile }, { onProgress: (p) => phases.add(p.phase), onUsage: (u) => (peak = u.maxRssBytes) })
    expect(report.images).toBe(40)
    expect([...phases]).toEqual(['listing', 'reading', 'saving'])
    expect(peak).toBeGreaterThan(10 * 1024 * 1024)
    expect(new DatasetRepository(db).get(report.id)?.fingerprint).toBe(report.fingerprint)
  })

  it('fails a job whose worker dies, and goes on with the next one', async () => {
    const spawn = nodeSpawner(workerFile())
    let first = true
    // The first worker is killed as soon as it reports progress, as if it crashed mid-scan.
    const crashing: SpawnWorker = () => {
      const worker = spawn()
      const killNow = first
      first = false
      return { ...worker, onMessage: (listener) => worker.onMessage((m) => (killNow && m.type === 'progress' ? worker.kill() : listener(m))) }
    }
    const pool = new WorkerPool(crashing, 1)
    await expect(pool.run('scan', { path: folder.path, dbFile })).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('stopped unexpectedly') })
    const report = await pool.run('scan', { path: folder.path, dbFile })
    expect(report.images).toBe(40)
  })

  it('cancels a running job', async () => {
    const pool = new WorkerPool(nodeSpawner(workerFile()), 1)
    const controller = new AbortController()
    const job = pool.run('scan', { path: folder.path, dbFile }, { signal: controller.signal, onProgress: () => controller.abort() })
    await expect(job).rejects.toMatchObject({ code: 'cancelled' })
    expect(new DatasetRepository(db).list()).toEqual([])
  })

  it('reports bad input from the worker with its code and message', async () => {
    const pool = new WorkerPool(nodeSpawner(workerFile()), 1)
    await expect(pool.run('scan', { path: join(folder.path, 'missing'), dbFile })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('Folder not found') })
  })

  it('runs as many jobs at once as its size, and no more', async () => {
    let alive = 0
    let most = 0
    const spawn = nodeSpawner(workerFile())
    const counting: SpawnWorker = () => {
      const worker = spawn()
      most = Math.max(most, ++alive)
      worker.onExit(() => alive--)
      return worker
    }
    const pool = new WorkerPool(counting, 2)
    const reports = await Promise.all([1, 2, 3, 4].map(() => pool.run('scan', { path: folder.path, dbFile })))
    expect(reports.map((r) => r.images)).toEqual([40, 40, 40, 40])
    expect(most).toBe(2) // two at once: neither one at a time, nor more than its size
  })
})
