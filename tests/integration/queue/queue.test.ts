/**
 * Studies across machines, with real parts: a redis-server on a free loopback port,
 * `osprey worker` processes, the studio's services (in this process, or `osprey tune` in its own
 * so that it can be killed), real SQLite and real training (wasm, tiny images).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { StudyRequest, TrialSummary } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { startRedisServer, type RedisServer } from '../../../src-main/queue/redis-server'
import { QueueTrials } from '../../../src-main/queue/studio'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'
import { needsRedis, noRedis, OspreyProcess, startWorker } from '../../helpers/queue'
import { writeStripes } from '../../helpers/stripes'

vi.setConfig({ testTimeout: 300_000 })

const training = { model: 'reference-cnn' as const, imageSize: 16, batchSize: 8, epochs: 2, backend: 'wasm' as const, augmentation: { erasing: 0 } }
const space = { lr: { type: 'float', low: 1e-3, high: 3e-2, log: true } }

let tmp: ReturnType<typeof tempDir>
let folder: string
let redis: RedisServer
let services: Services
let workers: OspreyProcess[] = []

beforeAll(async () => {
  if (noRedis) return
  tmp = tempDir()
  folder = join(tmp.path, 'stripes')
  await writeStripes(folder, 12)
  redis = await startRedisServer(join(tmp.path, 'redis'))
  services = createServices({ dataDir: join(tmp.path, 'studio'), spawnWorker: nodeSpawner(workerFile()), transport: 'http', queue: (deps) => new QueueTrials({ url: redis.url, ...deps }) })
  await services.queue!.ready()
})
afterAll(async () => {
  if (noRedis) return
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  services.close()
  await redis.stop()
  tmp.cleanup()
})

/** Starts workers `names` on one data folder (one machine), replacing any still running. */
async function machine(names: string[], dataDir = join(tmp.path, 'machine'), extra: string[] = []): Promise<OspreyProcess[]> {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  workers = await Promise.all(names.map((name) => startWorker(redis.url, dataDir, name, extra)))
  return workers
}

/** True when Run `runId`'s Trial has a checkpoint in a worker's `trialsDir`. */
function checkpointed(trialsDir: string, runId: number): boolean {
  const dir = existsSync(trialsDir) ? readdirSync(trialsDir).find((d) => d.includes(`-run-${runId}-`)) : undefined
  return Boolean(dir && existsSync(join(trialsDir, dir, 'checkpoint-last', 'state.json')))
}

async function study(request: Partial<StudyRequest>) {
  const events: TrialSummary[] = []
  const dispose = services.events.on('studies.trial', (t) => events.push(t))
  const started = await services.studies.start({ folder, space, strategy: 'random', trials: 2, parallel: 2, seed: 3, training, trialsOn: 'queue', ...request })
  return { id: started.id, events, done: () => services.studies.finished(started.id).finally(dispose) }
}

describe.skipIf(noRedis)(needsRedis('a Study on the queue'), () => {
  it('spreads its Trials over two workers, live, and survives a restart of Redis', async () => {
    await machine(['alpha', 'beta'])
    const s = await study({ trials: 4, parallel: 2 })
    // Redis restarts while the first Trials train; studio and workers reconnect and go on.
    await vi.waitFor(() => expect(s.events.some((t) => t.worker === 'alpha' || t.worker === 'beta')).toBe(true), { timeout: 60_000, interval: 100 })
    await redis.restart()
    const done = await s.done()
    expect(done.counts).toEqual({ running: 0, completed: 4, pruned: 0, failed: 0 })
    const trials = services.studies.get(s.id).trialList
    expect(new Set(trials.map((t) => t.worker))).toEqual(new Set(['alpha', 'beta']))
    // Shown while they ran, not only at the end.
    expect(s.events.some((t) => t.status === 'running' && (t.worker === 'alpha' || t.worker === 'beta'))).toBe(true)
    for (const t of trials) {
      const run = services.training.get(t.runId!)
      expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2])
      expect(run.backend).toBe('wasm')
      expect(existsSync(join(tmp.path, 'studio', 'runs', String(run.id), 'model', 'model.json'))).toBe(true)
      expect(t.value).toBe(run.valAccuracy)
    }
  })

  it('prunes across workers: the studio judges each Epoch and stops a poor Trial on its worker', async () => {
    await machine(['alpha', 'beta'])
    // Trial 0 learns; 1 and 2 (learning rates of 1e-7) cannot. Two at a time on two workers: ASHA
    // lets a Trial past its first rung (Epoch 1) only if it is the best there so far.
    const s = await study({
      space: { lr: { type: 'categorical', choices: [0.01, 1e-7, 2e-7] } },
      strategy: 'grid',
      seed: 2, // its shuffle trains 0.01 first: ASHA lets the first Trial at a rung through, whatever its loss
      trials: 3,
      prune: 'asha',
      objective: 'valLoss',
      training: { ...training, epochs: 4 }
    })
    const done = await s.done()
    const trials = services.studies.get(s.id).trialList
    expect(done.counts.pruned).toBeGreaterThan(0)
    for (const t of trials.filter((t) => t.status === 'pruned')) {
      expect(t.params.lr).toBeLessThan(1e-6)
      const run = services.training.get(t.runId!)
      expect(run.status).toBe('stopped') // stopped on its worker, what it learned kept
      expect(run.epochsDone).toBeLessThan(4)
    }
    expect(trials.find((t) => t.params.lr === 0.01)).toMatchObject({ status: 'completed', intermediate: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)] })
  })

  it('re-queues the Trial of a worker killed with kill -9, which another worker resumes from its checkpoint, counted once', async () => {
    const [alpha, beta] = await machine(['alpha', 'beta'])
    const s = await study({ trials: 2, parallel: 2, training: { ...training, epochs: 4 } })
    // Once a Trial has finished an Epoch and saved its checkpoint (on the workers' machine), its worker dies.
    const trialsDir = join(tmp.path, 'machine', 'trials')
    const first = await vi.waitFor(
      () => {
        const t = s.events.find((e) => e.status === 'running' && (e.worker === 'alpha' || e.worker === 'beta') && checkpointed(trialsDir, e.runId!))
        expect(t).toBeDefined()
        return t!
      },
      { timeout: 120_000, interval: 50 }
    )
    const killed = first.worker === 'alpha' ? alpha : beta
    await killed.stop('SIGKILL')
    const survivor = first.worker === 'alpha' ? 'beta' : 'alpha'
    const done = await s.done()
    expect(done.counts).toEqual({ running: 0, completed: 2, pruned: 0, failed: 0 })
    const trials = services.studies.get(s.id).trialList
    const rescued = trials.find((t) => t.number === first.number)!
    expect(rescued.worker).toBe(survivor)
    const run = services.training.get(rescued.runId!)
    expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3, 4]) // no Epoch twice, none missing
    expect(new Set(run.iterationMetrics.map((i) => i.iteration)).size).toBe(run.iterationMetrics.length)
    const survivorLog = workers.find((w) => w !== killed)!.logs(new RegExp(`^Run ${rescued.runId} .*taken again \\(attempt 2\\), resuming after Epoch [1-3]`))
    expect(survivorLog).toHaveLength(1)
    // Two Trials, two Runs: the killed attempt is not a Run of its own.
    expect(services.training.list().filter((r) => trials.some((t) => t.runId === r.id))).toHaveLength(2)
  })

  it('a worker stopped (SIGTERM, or Ctrl+C twice) hands its Trial back; another worker resumes it', async () => {
    const [alpha, beta] = await machine(['alpha', 'beta'])
    const s = await study({ trials: 1, parallel: 1, training: { ...training, epochs: 4 } })
    const trialsDir = join(tmp.path, 'machine', 'trials')
    const taken = await vi.waitFor(
      () => {
        const t = s.events.find((e) => e.status === 'running' && (e.worker === 'alpha' || e.worker === 'beta') && checkpointed(trialsDir, e.runId!))
        expect(t).toBeDefined()
        return t!
      },
      { timeout: 120_000, interval: 50 }
    )
    const [leaving, staying] = taken.worker === 'alpha' ? [alpha, beta] : [beta, alpha]
    await leaving.stop('SIGTERM')
    expect(leaving.child.exitCode).toBe(0)
    expect(leaving.logs(/handed back to the queue/)).toHaveLength(1)
    expect((await s.done()).counts.completed).toBe(1)
    expect(staying.logs(new RegExp(`^Run ${taken.runId} .*taken again \\(attempt 2\\), resuming after Epoch`))).toHaveLength(1)
    expect(services.training.get(taken.runId!).epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3, 4])
  })

  it('a Trial paused while it waits for a worker starts paused when one takes it, and trains on when resumed', async () => {
    await machine([]) // no worker yet: the Trial waits in the queue
    const s = await study({ trials: 1, parallel: 1 })
    const runId = await vi.waitFor(
      () => {
        const t = s.events.find((e) => e.runId !== null)
        expect(t).toBeDefined()
        return t!.runId!
      },
      { timeout: 30_000, interval: 50 }
    )
    await vi.waitFor(() => services.training.pause(runId), { timeout: 10_000, interval: 50 })
    const [alpha] = await machine(['alpha'])
    await vi.waitFor(() => expect(alpha.logs(new RegExp(`^Run ${runId} .*taken`))).toHaveLength(1), { timeout: 60_000, interval: 100 })
    await vi.waitFor(() => expect(services.training.get(runId)).toMatchObject({ status: 'paused', backend: 'wasm' }), { timeout: 60_000, interval: 100 })
    await new Promise((r) => setTimeout(r, 1_500))
    expect(services.training.get(runId)).toMatchObject({ status: 'paused', iterationMetrics: [] }) // it waits at its first Iteration
    await services.training.resume(runId)
    expect((await s.done()).counts.completed).toBe(1)
    expect(services.training.get(runId).epochMetrics.map((e) => e.epoch)).toEqual([1, 2])
  })

  it('records every Epoch of a worker that died before sending them: they come again with its checkpoint', async () => {
    const [alpha] = await machine(['alpha'])
    const s = await study({ trials: 1, parallel: 1, training: { ...training, epochs: 3 } })
    // Frozen once its training process has started, alpha forwards nothing more, while that process trains on and checkpoints.
    const runId = await vi.waitFor(
      () => {
        const t = s.events.find((e) => e.worker === 'alpha')
        expect(t && services.training.get(t.runId!).status).toBe('running')
        return t!.runId!
      },
      { timeout: 120_000, interval: 10 }
    )
    alpha.child.kill('SIGSTOP')
    const trialsDir = join(tmp.path, 'machine', 'trials')
    // The last whole checkpoint: while a new one is saved, the last is removed just before the new one (written whole in `.next`) takes its name.
    const checkpointEpoch = () => {
      const dir = readdirSync(trialsDir).find((d) => d.includes(`-run-${runId}-`))
      const state = dir && ['checkpoint-last', 'checkpoint-last.next'].map((c) => join(trialsDir, dir, c, 'state.json')).find((f) => existsSync(f))
      return state ? (JSON.parse(readFileSync(state, 'utf8')) as { epoch: number }).epoch : 0
    }
    await vi.waitFor(() => expect(checkpointEpoch()).toBeGreaterThanOrEqual(2), { timeout: 120_000, interval: 50 })
    await alpha.stop('SIGKILL')
    // The studio lacks Epochs that the checkpoint holds: a worker resuming from it must not leave a hole.
    expect(services.training.get(runId).epochMetrics.length).toBeLessThan(checkpointEpoch())
    const [beta] = await machine(['beta'])
    expect((await s.done()).counts.completed).toBe(1)
    expect(beta.logs(new RegExp(`^Run ${runId} .*taken again \\(attempt 2\\), resuming after Epoch [23]`))).toHaveLength(1)
    expect(services.training.get(runId).epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3])
  })

  it('sends the Dataset by fingerprint to a worker that keeps its own copy, checked image by image', async () => {
    const dataDir = join(tmp.path, 'far-machine')
    await machine(['far'], dataDir, ['--copy-datasets'])
    const s = await study({ trials: 1, parallel: 1 })
    const done = await s.done()
    expect(done.counts.completed).toBe(1)
    const report = services.datasets.list().find((d) => d.path === folder)!
    const copy = join(dataDir, 'datasets', report.fingerprint, 'files')
    expect(readdirSync(copy).sort()).toEqual(['horizontal', 'vertical'])
    expect(readdirSync(join(copy, 'horizontal'))).toHaveLength(12)
    expect(services.studies.get(s.id).trialList[0].worker).toBe('far')
  })

  it('resumes after the studio was killed mid-Study: a Trial that ended meanwhile is recorded, not trained again', async () => {
    await machine(['alpha', 'beta'])
    const dataDir = join(tmp.path, 'studio-2')
    const args = [
      '--space',
      join(tmp.path, 'space.json'),
      '--strategy',
      'random',
      '--trials',
      '3',
      '--parallel',
      '2',
      '--seed',
      '4',
      '--model',
      'reference-cnn',
      '--image-size',
      '16',
      '--batch-size',
      '8',
      '--epochs',
      '3',
      '--backend',
      'wasm',
      '--data-dir',
      dataDir,
      '--redis',
      redis.url
    ]
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(tmp.path, 'space.json'), JSON.stringify(space))
    const studio = new OspreyProcess(['tune', folder, ...args])
    const running = await studio.waitFor((l) => l.type === 'trial' && l.status === 'running' && typeof l.worker === 'string' && l.worker !== 'queue')
    await studio.stop('SIGKILL')
    const runId = Number(running.runId)
    // The Trial goes on without its studio and ends; its model waits in Redis.
    await Promise.race(workers.map((w) => w.waitFor((l) => l.type === 'log' && new RegExp(`^Run ${runId} .*completed`).test(String(l.message)))))
    const resumed = new OspreyProcess(['studies', 'resume', String(running.studyId), '--data-dir', dataDir, '--redis', redis.url])
    const end = await resumed.waitFor((l) => l.type === 'study')
    expect(await resumed.exited).toBe(0)
    expect(end).toMatchObject({ status: 'completed', trials: { completed: 3, running: 0, failed: 0, pruned: 0 } })
    const taken = workers.flatMap((w) => w.logs(new RegExp(`^Run ${runId} .*taken`)))
    expect(taken).toHaveLength(1) // trained once, by one worker
    const trialLines = resumed.lines.filter((l) => l.type === 'trial' && l.status === 'completed')
    expect(new Set(trialLines.map((l) => l.number)).size).toBe(trialLines.length)
    expect(existsSync(join(dataDir, 'runs', String(runId), 'model', 'model.json'))).toBe(true)
  })
})
