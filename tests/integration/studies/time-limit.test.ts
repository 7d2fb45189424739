/**
 * A Study's time limit, on a clock the test turns: no Trial starts once the limit has passed,
 * and the Trials already running finish. The Study loop, its repository and the scan are real;
 * the Trials' Runs are recorded instantly (each "takes" 4 minutes on the test's clock), so
 * minutes of training pass in milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { RunRepository } from '../../../src-main/store/runs'
import { StudyService } from '../../../src-main/studies/service'
import type { TrainingService } from '../../../src-main/runs/service'
import { seedRun } from '../../helpers/history'
import { tempDir } from '../../helpers/images'
import { writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  await writeStripes(folder.path, 6)
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
})
afterAll(() => {
  services.close()
  data.cleanup()
  folder.cleanup()
})

/** A Study service whose Trials each take `trialMinutes` on a clock that starts at 0; `started` lists the clock at each Trial's start. */
function studiesOnAClock(trialMinutes: number): { studies: StudyService; started: number[] } {
  let clock = 0
  const started: number[] = []
  const runs = new RunRepository(services.db)
  const training = {
    start: async (): Promise<RunSummary> => {
      started.push(clock / 60_000)
      return runs.summary(seedRun(services.db, { status: 'running', valAccuracy: null }))!
    },
    finished: async (id: number): Promise<RunSummary> => {
      clock += trialMinutes * 60_000
      runs.update(id, { status: 'completed', outcome: { valAccuracy: 0.5 + id / 1000, valLoss: 0.5, imagesPerSecond: 100, evaluation: null } })
      return runs.summary(id)!
    },
    stop: () => {}
  } as unknown as TrainingService
  const studies = new StudyService({ db: services.db, events: services.events, training, datasets: services.datasets, defaultParallel: 1, now: () => clock })
  return { studies, started }
}

describe('a Study with a time limit', () => {
  it('starts no Trial after the limit, however many it may still start, and ends completed', async () => {
    const { studies, started } = studiesOnAClock(4)
    const study = await studies.start({
      folder: folder.path,
      space: { learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true } },
      strategy: 'random',
      trials: 100,
      timeBudgetMinutes: 10,
      parallel: 1,
      training: { model: 'reference-cnn', imageSize: 16, epochs: 1 }
    })
    const done = await studies.finished(study.id)
    // Trials start at 0, 4 and 8 minutes; at 12 the 10-minute limit has passed.
    expect(started).toEqual([0, 4, 8])
    expect(done).toMatchObject({ status: 'completed', counts: { completed: 3, running: 0, failed: 0 } })
  })

  it('without a limit, runs its whole budget of Trials', async () => {
    const { studies, started } = studiesOnAClock(60)
    const study = await studies.start({
      folder: folder.path,
      space: { dropout: { type: 'float', low: 0, high: 0.5 } },
      strategy: 'random',
      trials: 4,
      parallel: 1,
      training: { model: 'reference-cnn', imageSize: 16, epochs: 1 }
    })
    expect(await studies.finished(study.id)).toMatchObject({ status: 'completed', counts: { completed: 4 } })
    expect(started).toEqual([0, 60, 120, 180])
  })
})
