/**
 * The Study loop over Trials whose Runs the test records itself, so that what the loop decides can
 * be checked exactly; the loop, its repository, the events and the scan are real.
 * - A time limit, on a clock the test turns: no Trial starts once the limit has passed, and the
 *   Trials already running finish (each "takes" 4 minutes on the test's clock).
 * - ASHA's rung on a Trial's last Epoch: the Trial has finished, so it counts as completed (and
 *   may win), never as pruned; the Epochs' losses are the test's.
 * - A pruned Trial's value: the Epoch it was stopped at, as a completed Trial's is its last.
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

/** A Study service whose Trial n reports `losses[n]`, one validation loss per Epoch; `stopped` lists the Runs it was asked to stop. */
function studiesWithLosses(losses: number[][]): { studies: StudyService; stopped: number[] } {
  const runs = new RunRepository(services.db)
  const stopped: number[] = []
  const trialOf = new Map<number, number>()
  let trials = 0
  const training = {
    start: async (): Promise<RunSummary> => {
      const id = seedRun(services.db, { status: 'running', epochs: 0, valAccuracy: null, config: { epochs: losses[trials].length } as never })
      trialOf.set(id, trials++)
      return runs.summary(id)!
    },
    finished: async (id: number): Promise<RunSummary> => {
      const curve = losses[trialOf.get(id)!]
      for (const [i, valLoss] of curve.entries()) {
        if (stopped.includes(id)) break
        const epoch = { runId: id, epoch: i + 1, trainLoss: valLoss, trainAccuracy: 0.5, valLoss, valAccuracy: 0.5, learningRate: 1e-3, durationMs: 1 }
        runs.addEpoch(epoch)
        services.events.emit('runs.epoch', epoch)
      }
      runs.update(id, { status: stopped.includes(id) ? 'stopped' : 'completed', outcome: { valAccuracy: 0.5, valLoss: curve.at(-1)!, imagesPerSecond: 100, evaluation: null } })
      return runs.summary(id)!
    },
    stop: (id: number) => void stopped.push(id)
  } as unknown as TrainingService
  return { studies: new StudyService({ db: services.db, events: services.events, training, datasets: services.datasets, defaultParallel: 1 }), stopped }
}

/** A finished grid Study with ASHA, Trial n training `losses[n].length` Epochs and reporting `losses[n]` (see studiesWithLosses). */
async function ashaStudy(losses: number[][]): Promise<{ study: ReturnType<Services['studies']['get']>; stopped: number[] }> {
  const { studies, stopped } = studiesWithLosses(losses)
  const started = await studies.start({
    folder: folder.path,
    space: { lr: { type: 'categorical', choices: losses.map((_, n) => 10 ** -(n + 1)) } },
    strategy: 'grid',
    trials: losses.length,
    parallel: 1,
    prune: 'asha',
    objective: 'valLoss',
    training: { model: 'reference-cnn', imageSize: 16, epochs: losses[0].length }
  })
  return { study: services.studies.get((await studies.finished(started.id)).id), stopped }
}

describe("ASHA on a Trial's last Epoch", () => {
  it('records a Trial that falls behind at the last rung as completed, with its final value, and stops no Run', async () => {
    // Rungs at Epochs 1 and 3. Trial 1 leads at rung 1, then falls behind Trial 0 at rung 3, its last Epoch.
    const { study, stopped } = await ashaStudy([
      [0.9, 0.6, 0.5],
      [0.8, 0.7, 0.6],
      [0.7, 0.55, 0.4]
    ])
    expect(study.trialList.map((t) => t.status)).toEqual(['completed', 'completed', 'completed'])
    expect(study.trialList.map((t) => t.value)).toEqual([0.5, 0.6, 0.4])
    expect(stopped).toEqual([])
    expect(study.best?.number).toBe(2)
  })

  it('still prunes at a rung before the last Epoch', async () => {
    const { study, stopped } = await ashaStudy([
      [0.5, 0.4, 0.3],
      [0.9, 0.8, 0.7]
    ])
    expect(study.trialList.map((t) => t.status)).toEqual(['completed', 'pruned'])
    expect(study.trialList[1].intermediate).toEqual([0.9])
    expect(stopped).toEqual([study.trialList[1].runId])
  })

  it('records a pruned Trial at the value it was stopped at, not at its best Epoch before', async () => {
    // Rungs at Epochs 1 and 3 of 5. Trial 1 leads at rung 1 and dips to 0.2 at Epoch 2, better
    // than Trial 0 ever gets, then falls behind at rung 3 (0.6 against 0.3) and is pruned there.
    const { study } = await ashaStudy([
      [0.9, 0.5, 0.3, 0.28, 0.25],
      [0.8, 0.2, 0.6, 0.5, 0.4]
    ])
    expect(study.trialList.map((t) => [t.status, t.value])).toEqual([
      ['completed', 0.25],
      ['pruned', 0.6]
    ])
    expect(study.best?.number).toBe(0)
  })
})
