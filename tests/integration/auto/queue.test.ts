/** "Find the best model" on a studio connected to a job queue: its Trials go to a worker, its final Run trains here. Real redis-server and `osprey worker`. Kept out of the queue group: beside queue.test.ts its training slowed that file's pruning race. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeShapeDataset } from '../../../bench/colour-shapes'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { startRedisServer, type RedisServer } from '../../../src-main/queue/redis-server'
import { QueueTrials } from '../../../src-main/queue/studio'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'
import { needsRedis, noRedis, startWorker, type OspreyProcess } from '../../helpers/queue'

vi.setConfig({ testTimeout: 300_000 })

let tmp: ReturnType<typeof tempDir>
let folder: string
let redis: RedisServer
let services: Services
let worker: OspreyProcess | null = null

beforeAll(async () => {
  if (noRedis) return
  tmp = tempDir()
  folder = join(tmp.path, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'star', 'cross'], perClass: 20, seed: 9 })
  redis = await startRedisServer(join(tmp.path, 'redis'))
  services = createServices({ dataDir: join(tmp.path, 'studio'), spawnWorker: nodeSpawner(workerFile()), transport: 'http', queue: (deps) => new QueueTrials({ url: redis.url, ...deps }) })
  await services.queue!.ready()
})
afterAll(async () => {
  if (noRedis) return
  // SIGTERM, not SIGKILL: the worker hands back what it trains and ends its training processes, which would otherwise train on, orphaned, beside the tests that follow.
  await worker?.stop('SIGTERM')
  services.close()
  await redis.stop()
  tmp.cleanup()
})

describe.skipIf(noRedis)(needsRedis('Find the best model with workers configured'), () => {
  it("sends the Study's Trials to the worker and trains the winner here, within the budget", async () => {
    worker = await startWorker(redis.url, join(tmp.path, 'machine'), 'alpha')
    // 2.5 minutes: with 1.5 the worker's first Trial (Dataset sent, process, tfjs, features) once missed the Study's share while the whole suite loaded the cores.
    const started = await services.auto.start({ folder, minutes: 2.5, seed: 2 })
    const done = await services.auto.finished(started.id)
    expect(done.status, done.error ?? '').toBe('completed')
    expect(done.usedMs).toBeLessThanOrEqual(2.5 * 60_000 * 1.05)
    const study = services.studies.get(done.studyId!)
    expect(study.trialsOn).toBe('queue')
    const trained = study.trialList.filter((t) => t.status !== 'running')
    expect(trained.length).toBeGreaterThan(0)
    expect(trained.every((t) => t.worker === 'alpha')).toBe(true)
    const final = services.training.get(done.finalRunId!)
    expect(final.worker ?? null).toBeNull() // the final Run is the studio's own
    expect(final.evaluation?.split).toBe('test')
    expect(done.result!.testAccuracy).toBeGreaterThan(0.5) // chance: 1/3
  })
})
