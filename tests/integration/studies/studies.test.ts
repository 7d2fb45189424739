/** Whole Studies through the services: every Trial a real Run in a real worker (wasm backend). */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { TrialSummary } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'
import { writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services
const open = () => createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
// Small and quick: 1 Epoch of 16×16 stripes per Trial.
const training = { model: 'reference-cnn' as const, imageSize: 16, batchSize: 8, epochs: 1, backend: 'wasm' as const, augmentation: { erasing: 0 } }

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  await writeStripes(folder.path, 12)
  services = open()
})
// Folders kept until the end, for tests that train on a Study's folder again.
const later: ReturnType<typeof tempDir>[] = []
afterAll(() => {
  later.forEach((dir) => dir.cleanup())
  services.close()
  data.cleanup()
  folder.cleanup()
})

// Each Trial starts a worker and trains: minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000 })

describe('a Study', () => {
  it('runs its budget of Trials two at a time, each a recorded Run; Trials that all tie name no best and no importance', async () => {
    const trials: TrialSummary[] = []
    const dispose = services.events.on('studies.trial', (t) => trials.push(t))
    const started = await services.studies.start({
      folder: folder.path,
      space: { lr: { type: 'float', low: 1e-4, high: 1e-2, log: true }, units: { type: 'int', low: 8, high: 64, log: true } },
      strategy: 'random',
      trials: 3,
      parallel: 2,
      seed: 5,
      training
    })
    expect(started.status).toBe('running')
    const done = await services.studies.finished(started.id)
    dispose()
    expect(done).toMatchObject({ status: 'completed', counts: { completed: 3, pruned: 0, failed: 0, running: 0 } })
    const study = services.studies.get(started.id)
    expect(study.trialList.map((t) => t.number)).toEqual([0, 1, 2])
    for (const trial of study.trialList) {
      const run = services.training.get(trial.runId!)
      expect(run.config.learningRate).toBe(trial.params.lr)
      expect(run.config.units).toBe(trial.params.units)
      expect(run.config.seed).toBe(5) // every Trial trains on the same split from the same start
      expect(trial.value).toBe(run.valAccuracy)
      expect(trial.intermediate).toHaveLength(1)
    }
    // Stripes are easy: every Trial gets every validation image right, so no setting made a difference.
    expect(study.trialList.map((t) => t.value)).toEqual([1, 1, 1])
    expect(study.verdict).toMatchObject({ kind: 'tie', headline: 'All 3 Trials tie' })
    expect(study.best).toBeNull()
    expect(study.importance).toEqual([])
    await expect(services.studies.useBest(started.id)).rejects.toThrow(/has no best Trial: all 3 trials tie/)
    expect(new Set(trials.filter((t) => t.studyId === started.id && t.status === 'completed').map((t) => t.number))).toEqual(new Set([0, 1, 2]))
  })

  it('walks every point of a grid, stops when it is exhausted, and fails a Trial with bad settings without ending the Study', async () => {
    const started = await services.studies.start({
      folder: folder.path,
      space: { batchSize: { type: 'categorical', choices: [8, 500] }, optimizer: { type: 'categorical', choices: ['adam', 'sgd'] } },
      strategy: 'grid',
      trials: 50,
      parallel: 1,
      training
    })
    expect(started.trials).toBe(4) // the grid's size, not the budget asked for
    const study = services.studies.get((await services.studies.finished(started.id)).id)
    expect(study.status).toBe('completed')
    // In the order the Study's seed shuffled them; each point once.
    expect(study.trialList.map((t) => `${t.params.batchSize} ${t.params.optimizer}`).sort()).toEqual(['500 adam', '500 sgd', '8 adam', '8 sgd'])
    for (const t of study.trialList) {
      expect(t.status).toBe(t.params.batchSize === 8 ? 'completed' : 'failed')
      if (t.params.batchSize === 500) expect(t.error).toMatch(/larger than the training set/)
    }
  })

  it('prunes a Trial that falls behind at an ASHA rung: its Run stops after that Epoch and keeps its best value', async () => {
    // Trial 0 learns (lr 0.003, 8 Iterations an Epoch); Trial 1 barely moves (lr 1e-7), so its loss after Epoch 1 is worse.
    const larger = tempDir()
    await writeStripes(larger.path, 40)
    const started = await services.studies.start({
      folder: larger.path,
      space: { lr: { type: 'categorical', choices: [0.003, 1e-7] } },
      strategy: 'grid',
      seed: 0, // its shuffle trains 0.003 first: ASHA lets the first Trial at a rung through, whatever its loss
      trials: 2,
      parallel: 1,
      prune: 'asha',
      objective: 'valLoss',
      training: { ...training, epochs: 3, earlyStopping: 0 }
    })
    const study = services.studies.get((await services.studies.finished(started.id)).id)
    later.push(larger) // its best Trial is trained again below
    const [kept, pruned] = [0.003, 1e-7].map((lr) => study.trialList.find((t) => t.params.lr === lr)!)
    expect([kept.status, pruned.status]).toEqual(['completed', 'pruned'])
    expect(kept.intermediate).toHaveLength(3)
    expect(pruned.intermediate).toHaveLength(1)
    expect(pruned.intermediate[0]).toBeGreaterThan(kept.intermediate[0])
    expect(pruned.value).toBe(pruned.intermediate[0])
    expect(services.training.get(pruned.runId!)).toMatchObject({ status: 'stopped', epochsDone: 1 })
    expect(study.best?.number).toBe(kept.number) // a pruned Trial is never the best
  })

  it('refuses a bad space or bad settings, listing every problem, before anything starts', async () => {
    const before = services.studies.list().length
    await expect(
      services.studies.start({ folder: folder.path, space: { lr: { type: 'float', low: 1, high: 0.1 }, colour: { type: 'categorical', choices: [] } }, strategy: 'random', trials: 2 })
    ).rejects.toMatchObject({ code: 'bad-input', issues: [expect.stringMatching(/^lr/), expect.stringMatching(/^colour/), expect.stringMatching(/^colour/)] })
    await expect(
      services.studies.start({ folder: folder.path, space: { lr: { type: 'float', low: 1e-4, high: 1e-2 } }, strategy: 'random', trials: 2, training: { batchSize: 0 } })
    ).rejects.toMatchObject({
      code: 'bad-input',
      issues: [expect.stringMatching(/^training.batchSize/)]
    })
    expect(services.studies.checkSpace({ a: { type: 'int', low: 0, high: 9 }, lr: { type: 'float', low: 1e-4, high: 1e-2, steps: 3 } })).toMatchObject({
      problems: [expect.stringMatching(/^a: unknown/)]
    })
    expect(services.studies.checkSpace({ units: { type: 'int', low: 1, high: 100 }, lr: { type: 'float', low: 1e-4, high: 1e-2, steps: 3 } })).toEqual({ problems: [], gridSize: 15 }) // 5 steps of an int without steps × 3
    const huge = { units: { type: 'int', low: 1, high: 1000, step: 1 }, dropout: { type: 'float', low: 0, high: 0.5, steps: 11 } }
    await expect(services.studies.start({ folder: folder.path, space: huge, strategy: 'grid', trials: 20 })).rejects.toMatchObject({ message: expect.stringMatching(/11,000 points.*Confirm/) })
    const single = tempDir()
    await writeStripes(single.path, 3)
    rmSync(join(single.path, 'vertical'), { recursive: true })
    await expect(services.studies.start({ folder: single.path, space: { lr: { type: 'float', low: 1e-4, high: 1e-2 } }, strategy: 'random', trials: 2 })).rejects.toMatchObject({
      message: expect.stringMatching(/cannot be tuned on yet/)
    })
    single.cleanup()
    expect(services.studies.list().length).toBe(before)
  })

  it("trains the Trials it is asked to try first, in order, then its strategy's; refuses ones outside the space, or with a grid", async () => {
    const space = { lr: { type: 'float', low: 1e-4, high: 1e-2, log: true }, units: { type: 'categorical', choices: [16, 32] } }
    const first = [
      { lr: 1e-3, units: 32 },
      { lr: 1e-4, units: 16 }
    ]
    const started = await services.studies.start({ folder: folder.path, space, strategy: 'bayesian', trials: 3, parallel: 2, seed: 4, training, startWith: first })
    await services.studies.finished(started.id)
    const study = services.studies.get(started.id)
    expect(study.trialList.map((t) => t.params).slice(0, 2)).toEqual(first)
    expect(study.trialList[2].params).not.toEqual(first[0])
    expect(services.training.get(study.trialList[0].runId!).config).toMatchObject({ learningRate: 1e-3, units: 32 })
    expect(study.counts.completed).toBe(3)

    const before = services.studies.list().length
    const refused = services.studies.start({
      folder: folder.path,
      space,
      strategy: 'random',
      trials: 2,
      training,
      startWith: [
        { lr: 0.5, units: 32 },
        { units: 64, colour: 'red' }
      ]
    })
    await expect(refused).rejects.toMatchObject({
      code: 'bad-input',
      issues: [
        'Trial 1 to try first: "lr": 0.5 is not a value the space allows',
        'Trial 2 to try first: "colour" is not in the space',
        'Trial 2 to try first: "lr" is missing',
        'Trial 2 to try first: "units": 64 is not a value the space allows'
      ]
    })
    await expect(services.studies.start({ folder: folder.path, space, strategy: 'grid', trials: 2, training, startWith: [first[0]] })).rejects.toMatchObject({
      message: expect.stringMatching(/grid tries every point/)
    })
    expect(services.studies.list().length).toBe(before)
  })

  it('stops, resumes without repeating a completed Trial, and resumes after the app closed mid-Study', async () => {
    const space = { lr: { type: 'float', low: 1e-4, high: 1e-2, log: true } }
    const started = await services.studies.start({ folder: folder.path, space, strategy: 'random', trials: 3, parallel: 1, seed: 9, training })
    await new Promise<void>((resolve) => {
      const dispose = services.events.on('studies.trial', (t) => {
        if (t.studyId === started.id && t.number === 0 && t.status === 'completed') {
          dispose()
          services.studies.stop(started.id)
          resolve()
        }
      })
    })
    const stopped = await services.studies.finished(started.id)
    expect(stopped.status).toBe('stopped')
    const firstRun = services.studies.get(started.id).trialList[0].runId

    // As if the app had died while the Study ran: the next start finds it `running`.
    services.db.prepare("UPDATE studies SET status = 'running' WHERE id = ?").run(started.id)
    services.close()
    services = open()
    expect(services.studies.get(started.id).status).toBe('interrupted')

    services.studies.resume(started.id)
    const done = services.studies.get((await services.studies.finished(started.id)).id)
    expect(done.status).toBe('completed')
    expect(done.trialList.map((t) => [t.number, t.status])).toEqual([
      [0, 'completed'],
      [1, 'completed'],
      [2, 'completed']
    ])
    expect(done.trialList[0].runId).toBe(firstRun)
    // The same sequence as an uninterrupted Study with the same seed would have asked for.
    const again = await services.studies.start({ folder: folder.path, space, strategy: 'random', trials: 3, parallel: 1, seed: 9, training })
    const fresh = services.studies.get((await services.studies.finished(again.id)).id)
    expect(fresh.trialList.map((t) => t.params)).toEqual(done.trialList.map((t) => t.params))
    expect(() => services.studies.resume(started.id)).toThrow(/whole budget/)
  })

  it('trains the best settings again as an ordinary Run', async () => {
    // The ASHA Study above: Trial 1 learned, Trial 2 was pruned.
    const study = services.studies.list().find((s) => s.best && s.prune === 'asha')!
    const run = await services.studies.useBest(study.id)
    const done = await services.training.finished(run.id)
    expect(done.status).toBe('completed')
    expect(services.training.get(run.id).config.learningRate).toBe(study.best!.params.lr)
  })
})
