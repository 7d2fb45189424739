/** The Train screen's state (TrainingState) driven by a fake client: what the header shows between a click and the worker's answer. */
import { beforeAll, describe, expect, it } from 'vitest'
import type { RunDetail, RunSummary } from '../../../../src-main/contract'
import { TrainingState } from '../../../../src-renderer/src/lib/training.svelte'
import { FakeClient, settle } from '../../../helpers/fake-client'

beforeAll(() => {
  // The state publishes charts on animation frames, which a test runs at once.
  globalThis.requestAnimationFrame ??= (callback: FrameRequestCallback) => Number(setTimeout(() => callback(performance.now()), 0))
  globalThis.cancelAnimationFrame ??= (id: number) => clearTimeout(id)
})

function summary(id: number, status: RunSummary['status'], extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    name: `Run ${id}`,
    status,
    datasetId: 1,
    studyId: null,
    model: 'reference-cnn',
    backend: 'wasm',
    epochsDone: 0,
    epochs: 5,
    valAccuracy: null,
    valLoss: null,
    imagesPerSecond: null,
    createdAt: '2026-12-01T10:00:00Z',
    durationMs: null,
    error: null,
    verdict: null,
    ...extra
  }
}

/** A TrainingState showing Run 1, running, over a client that answers the list and the Run. */
async function showing(client: FakeClient, status: RunSummary['status'] = 'running', detail: Partial<RunDetail> = {}): Promise<TrainingState> {
  client.answer('runs.list', () => [summary(1, status), summary(2, 'completed', { studyId: 4, name: 'Trial' })])
  client.answer('runs.get', () => ({
    ...summary(1, status),
    config: {} as never,
    seed: 1,
    fingerprint: 'f',
    split: null,
    versions: {},
    normalizationStats: null,
    epochMetrics: [],
    iterationMetrics: [],
    evaluation: null,
    trial: null,
    ...detail
  }))
  const training = new TrainingState(client)
  training.start()
  await settle()
  await training.open(1)
  return training
}

describe('the Train state', () => {
  it('says "pausing" from the click until the worker has paused (it pauses between Iterations, seconds later)', async () => {
    const client = new FakeClient()
    const training = await showing(client)
    // The command answers at once with the Run still running; the pause lands with a status event.
    client.answer('runs.pause', () => summary(1, 'running'))
    await training.pause()
    expect(training.pending).toBe('pausing')
    expect(training.run?.status).toBe('running')
    client.emit('runs.status', { run: summary(1, 'paused') })
    expect(training.pending).toBeNull()
    expect(training.run?.status).toBe('paused')
  })

  it('says "stopping" until the Run has ended, and forgets it if the command fails', async () => {
    const client = new FakeClient()
    const training = await showing(client)
    client.answer('runs.stop', () => summary(1, 'running'))
    await training.stop()
    expect(training.pending).toBe('stopping')
    client.emit('runs.status', { run: summary(1, 'paused') })
    expect(training.pending).toBe('stopping')
    client.emit('runs.status', { run: summary(1, 'stopped') })
    expect(training.pending).toBeNull()

    const other = await showing(new FakeClient())
    await other.pause() // no answer for runs.pause: the command fails
    expect(other.pending).toBeNull()
    expect(other.message?.tone).toBe('error')
  })

  it('shows what the Run does before its first Iteration, and drops it once training has begun', async () => {
    const client = new FakeClient()
    const training = await showing(client, 'queued')
    client.emit('runs.phase', { runId: 1, step: 'features', text: 'Computing the features…: 60 of 180 images', done: 60, total: 180 })
    expect(training.phase?.step).toBe('features')
    client.emit('runs.phase', { runId: 9, step: 'images', text: 'another Run', done: 1, total: 2 })
    expect(training.phase?.done).toBe(60)
    client.emit('runs.iteration', { runId: 1, epoch: 1, iteration: 1, loss: 1, accuracy: 0.5, learningRate: 0.001, imagesPerSecond: 10, elapsedMs: 100, memoryBytes: 0 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(training.phase).toBeNull()
    expect(training.latest?.iteration).toBe(1)
  })

  it("counts the time left to a time-limited Run's planned Iterations once it has a plan (its last Epoch may be partial)", async () => {
    const client = new FakeClient()
    // 40 training images in batches of 4: 10 Iterations an Epoch, 5 Epochs asked.
    const training = await showing(client, 'running', { config: { batchSize: 4 } as never, split: { train: 40, validation: 4, test: 4, classes: ['a', 'b'] } })
    for (let i = 1; i <= 5; i++)
      client.emit('runs.iteration', { runId: 1, epoch: 1, iteration: i, loss: 1, accuracy: 0.5, learningRate: 0.001, imagesPerSecond: 40, elapsedMs: 100 * i, memoryBytes: 0 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(training.etaMs).toBe(45 * 100) // 50 Iterations, 5 done, 100 ms each
    client.emit('runs.status', { run: summary(1, 'running', { epochs: 3, iterations: 25 }) })
    expect(training.etaMs).toBe(20 * 100)
  })

  it("lists Runs of their own, not a Study's Trials", async () => {
    const training = await showing(new FakeClient())
    expect(training.runs.map((r) => r.id)).toEqual([1])
  })
})
