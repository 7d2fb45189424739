/** "Find the best model" through the services: paused and resumed, the clock stops while paused; stopped cleanly. Real workers, wasm. */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeShapeDataset } from '../../../bench/colour-shapes'
import type { AutoSearch } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'
import { writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  await writeShapeDataset(folder.path, { classes: ['square', 'cross', 'crescent'], perClass: 25, seed: 5 })
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
})
afterAll(() => {
  services.close()
  data.cleanup()
  folder.cleanup()
})

vi.setConfig({ testTimeout: 300_000 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves with the first Trial of Study `studyId` that ends. */
function trialEnded(studyId: number): Promise<void> {
  return new Promise((resolve) => {
    const dispose = services.events.on('studies.trial', (t) => {
      if (t.studyId === studyId && t.status !== 'running') {
        dispose()
        resolve()
      }
    })
  })
}

describe('Find the best model', () => {
  it('pauses (the clock stops, the Study stops resumably), resumes with the budget left, and still ends within it with a tested final model', async () => {
    const statuses: AutoSearch['status'][] = []
    const dispose = services.events.on('auto.status', (s) => statuses.push(s.status))
    const started = await services.auto.start({ folder: folder.path, minutes: 1.5, seed: 3 })
    expect(started).toMatchObject({ status: 'searching', budgetMinutes: 1.5, family: 'pretrained' })
    await trialEnded(started.studyId!)
    const paused = services.auto.pause(started.id)
    await services.auto.finished(started.id)
    const afterPause = services.auto.get(started.id)
    expect(afterPause.status).toBe('paused')
    expect(services.studies.get(started.studyId!).status).toBe('stopped')
    await sleep(2_000)
    expect(services.auto.get(started.id).usedMs).toBe(afterPause.usedMs) // paused time is not spent
    expect(afterPause.usedMs).toBeGreaterThanOrEqual(paused.usedMs)

    await services.auto.resume(started.id)
    expect(services.studies.get(started.studyId!).status).toBe('running')
    const done = await services.auto.finished(started.id)
    dispose()
    expect(done.status, done.error ?? '').toBe('completed')
    expect(done.usedMs).toBeLessThanOrEqual(1.5 * 60_000 * 1.05)
    expect(statuses).toEqual(expect.arrayContaining(['searching', 'paused', 'training', 'completed']))
    expect(done.result).toMatchObject({ runId: done.finalRunId, testImages: 15 })
    expect(done.result!.testAccuracy).toBeGreaterThan(0.5) // chance: 1/3
    // No Trial was repeated after the resume: the Study is the same ordinary Study, counted once.
    const study = services.studies.get(started.studyId!)
    // Why it won is the Study's own importance (it needs 3 completed Trials).
    expect(done.result!.importance).toEqual(study.importance)
    if (study.counts.completed >= 3 && !done.result!.tiedTrials) expect(done.result!.importance.length).toBeGreaterThan(0)
    const numbers = study.trialList.map((t) => t.number)
    expect(new Set(numbers).size).toBe(numbers.length)
    await expect(services.auto.resume(started.id)).rejects.toThrow(/completed; only a paused, stopped or interrupted/)
  })

  it('on a machine measured slow to start and evaluate Trials, ends the search early enough for the final Run to fit', async () => {
    // A loaded machine, as the Trials' records see it: each ended Trial's Run took 15 s more before its first Iteration.
    const shifted = new Set<number>()
    const slow = services.events.on('studies.trial', (t) => {
      if (t.status === 'running' || t.runId === null || shifted.has(t.runId)) return
      shifted.add(t.runId)
      services.db.prepare("UPDATE runs SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '-15 seconds') WHERE id = ?").run(t.runId)
    })
    const at = Date.now()
    const started = await services.auto.start({ folder: folder.path, minutes: 1, seed: 6 })
    const done = await services.auto.finished(started.id)
    slow()
    expect(done.status, done.error ?? '').toBe('completed')
    expect(shifted.size).toBeGreaterThan(0)
    // 15 s to stop the running Trial and 15 s to start the final Run are kept: it starts with at least 30 s left, where 8 s were kept before.
    const finalAt = Date.parse(services.training.get(done.finalRunId!).createdAt) - at
    expect(finalAt).toBeLessThan(60_000 * 0.975 - 30_000 + 3_000)
    expect(done.usedMs).toBeLessThanOrEqual(60_000 * 1.05)
  })

  it('when the completed Trials all tie (several reach a validation loss of exactly 0), trains the first of them', async () => {
    // On a small, easy validation split every good head scores a loss of 0 in float32: here every completed Trial does.
    const tie = services.events.on('studies.trial', (t) => {
      if (t.status === 'completed') services.db.prepare('UPDATE trials SET value = 0 WHERE study_id = ? AND number = ?').run(t.studyId, t.number)
    })
    const started = await services.auto.start({ folder: folder.path, minutes: 1, seed: 7 })
    const done = await services.auto.finished(started.id)
    tie()
    const study = services.studies.get(started.studyId!)
    expect(done.status, done.error ?? '').toBe('completed')
    expect(study.verdict).toMatchObject({ kind: 'tie' })
    const tied = study.trialList.filter((t) => t.status === 'completed')
    expect(done.result).toMatchObject({ tiedTrials: tied.length, trial: { number: Math.min(...tied.map((t) => t.number)), valLoss: 0 }, importance: [] })
    expect(done.result!.testAccuracy).toBeGreaterThan(0.5) // chance: 1/3
  })

  it('stops cleanly mid-search: no final Run, the Study stopped and resumable', async () => {
    const started = await services.auto.start({ folder: folder.path, minutes: 5, seed: 4 })
    const startedAt = Date.now() // its clock started before start() answered
    await trialEnded(started.studyId!)
    // The clock is on disk within seconds: a process killed now would resume with the time left, not the whole budget.
    await sleep(Math.max(0, 9_000 - (Date.now() - startedAt)))
    const db = new Database(join(data.path, 'osprey.db'), { readonly: true })
    const saved = db.prepare('SELECT used_ms FROM auto_searches WHERE id = ?').pluck().get(started.id) as number
    db.close()
    expect(saved).toBeGreaterThan(Date.now() - startedAt - 7_000) // written every 5 s, checked every 0.5 s; 2 s to spare for a busy machine
    services.auto.stop(started.id)
    const done = await services.auto.finished(started.id)
    expect(done).toMatchObject({ status: 'stopped', finalRunId: null, result: null, error: null })
    expect(services.studies.get(started.studyId!).status).toBe('stopped')
    expect(() => services.auto.stop(started.id)).toThrow(/not running/)
  })

  it('from scratch on small grayscale images: Trial 1 trains the default recipe, and the winner is tested within the budget', async () => {
    const stripes = tempDir()
    await writeStripes(stripes.path, 60) // 16 px grayscale: 72 training images, so the default batch of 64 is among the choices
    const started = await services.auto.start({ folder: stripes.path, minutes: 1, seed: 8 })
    const done = await services.auto.finished(started.id)
    stripes.cleanup()
    expect(done.status, done.error ?? '').toBe('completed')
    const study = services.studies.get(done.studyId!)
    const defaults = { learningRate: 1e-3, batchSize: 64, units: 128, dropout: 0.4, weightDecay: 0, erasing: 0, schedule: 'cosine' }
    expect(study.trialList[0].params).toEqual(defaults)
    const { erasing, ...settings } = defaults
    expect(services.training.get(study.trialList[0].runId!).config).toMatchObject({ model: 'default-cnn', ...settings, augmentation: { erasing } })
    expect(study.trialList.length).toBeGreaterThan(1) // then the strategy's own
    expect(done.result!.testAccuracy).toBeGreaterThan(0.75) // chance: 1/2
    expect(done.usedMs).toBeLessThanOrEqual(60_000 * 1.05)
  })
})
