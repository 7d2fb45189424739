/** Start-up interrupts only the Runs and Studies whose process is gone, not those of another live process. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { HistoryService } from '../../../src-main/history/service'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { processStart } from '../../../src-main/store/owner'
import { RunRepository } from '../../../src-main/store/runs'
import { StudyRepository } from '../../../src-main/store/studies'
import { defaultConfig } from '../../../src-main/runs/config'
import { tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
let db: Db
beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'osprey.db'))
})
afterEach(() => {
  db.close()
  dir.cleanup()
})

it('leaves a Run and a Study that another live process runs (the app, while the CLI opens the history), and interrupts those of a dead one', async () => {
  const runs = new RunRepository(db)
  const studies = new StudyRepository(db)
  const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
  const dead = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => dead.once('exit', resolve))
  const newRun = () => runs.create({ name: 'r', datasetId: null, fingerprint: 'f', config: defaultConfig('/data') })
  const [appRun, crashedRun] = [newRun(), newRun()]
  runs.update(appRun, { status: 'running' })
  runs.update(crashedRun, { status: 'running' })
  const settings = { folder: '/data', trials: 2, timeBudgetMinutes: null, parallel: 1, prune: 'none' as const, seed: 1, training: {} }
  const newStudy = () => studies.create({ name: 's', datasetId: null, strategy: 'random', objective: 'valAccuracy', space: {}, settings })
  const [appStudy, crashedStudy] = [newStudy(), newStudy()]
  for (const [table, id, pid] of [
    ['runs', appRun, alive.pid],
    ['runs', crashedRun, dead.pid],
    ['studies', appStudy, alive.pid],
    ['studies', crashedStudy, dead.pid]
  ] as const) {
    db.prepare(`UPDATE ${table} SET owner_pid = ? WHERE id = ?`).run(pid, id)
  }
  try {
    expect(runs.interruptOrphans()).toBe(1)
    expect(studies.interruptOrphans()).toBe(1)
    expect([runs.summary(appRun)?.status, runs.summary(crashedRun)?.status]).toEqual(['running', 'interrupted'])
    expect([studies.summary(appStudy)?.status, studies.summary(crashedStudy)?.status]).toEqual(['running', 'interrupted'])
  } finally {
    alive.kill()
  }
})

it('interrupts a Run and a Study whose pid now names another process (reused after a reboot), so they can be resumed or deleted', async () => {
  const runs = new RunRepository(db)
  const studies = new StudyRepository(db)
  // A live process stands for whatever holds the owner's old pid now.
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
  await new Promise((resolve) => other.once('spawn', resolve))
  const run = runs.create({ name: 'r', datasetId: null, fingerprint: 'f', config: defaultConfig('/data') })
  const liveRun = runs.create({ name: 'r', datasetId: null, fingerprint: 'f', config: defaultConfig('/data') })
  runs.update(run, { status: 'running' })
  runs.update(liveRun, { status: 'running' })
  const settings = { folder: '/data', trials: 2, timeBudgetMinutes: null, parallel: 1, prune: 'none' as const, seed: 1, training: {} }
  const study = studies.create({ name: 's', datasetId: null, strategy: 'random', objective: 'valAccuracy', space: {}, settings })
  // The Run and the Study were claimed by a process that started at another time (before the reboot).
  const before = 'an earlier boot/4242'
  db.prepare('UPDATE runs SET owner_pid = ?, owner_started = ? WHERE id = ?').run(other.pid, before, run)
  db.prepare('UPDATE studies SET owner_pid = ?, owner_started = ? WHERE id = ?').run(other.pid, before, study)
  // The same pid with its own start time is the owner itself: its Run stays.
  db.prepare('UPDATE runs SET owner_pid = ?, owner_started = ? WHERE id = ?').run(other.pid, processStart(other.pid!), liveRun)
  try {
    expect(processStart(other.pid!)).not.toBeNull()
    expect(runs.interruptOrphans()).toBe(1)
    expect(studies.interruptOrphans()).toBe(1)
    expect([runs.summary(run)?.status, runs.summary(liveRun)?.status, studies.summary(study)?.status]).toEqual(['interrupted', 'running', 'interrupted'])
    expect(runs.summary(run)?.error).toMatch(/Resume it/)
    expect(new HistoryService({ db, dataDir: dir.path }).delete(run)).toMatchObject({ filesRemoved: 0 })
  } finally {
    other.kill()
  }
})

it('reads a start time that tells two processes apart, on Linux from /proc and elsewhere from ps', () => {
  const mine = processStart(process.pid)
  expect(mine).not.toBeNull()
  expect(processStart(process.pid)).toBe(mine)
  if (process.platform === 'linux') {
    expect(mine).toMatch(/^[0-9a-f-]{36}\/\d+$/)
    expect(processStart(process.pid, 'darwin')).toMatch(/\d{2}:\d{2}:\d{2}/) // the ps path, as on macOS
  }
  expect(processStart(2 ** 22 + 1)).toBeNull() // above Linux's pid_max: no such process
})
