/** Start-up interrupts only the Runs and Studies whose process is gone, not those of another live process. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { RunRepository } from '../../../src-main/store/runs'
import { StudyRepository } from '../../../src-main/store/studies'
import { defaultConfig } from '../../../src-main/training/config'
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
  const newStudy = () => studies.create({ name: 's', datasetId: null, strategy: 'random', objective: 'val_accuracy', space: {}, settings })
  const [appStudy, crashedStudy] = [newStudy(), newStudy()]
  for (const [table, id, pid] of [['runs', appRun, alive.pid], ['runs', crashedRun, dead.pid], ['studies', appStudy, alive.pid], ['studies', crashedStudy, dead.pid]] as const) {
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
