/** Whole Runs through the services, in real worker processes, on real images (wasm backend). */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName, Events, RunPhase } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { put, tempDir } from '../../helpers/images'
import { stripes, writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services
const events: { name: EventName; payload: Events[EventName] }[] = []
const small = { model: 'reference-cnn' as const, imageSize: 16, batchSize: 8, backend: 'wasm' as const, augmentation: { erasing: 0 }, seed: 3 }

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  await writeStripes(folder.path, 16)
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  services.events.subscribe((name, payload) => events.push({ name, payload }))
})
afterAll(() => {
  services.close()
  data.cleanup()
  folder.cleanup()
})

describe('a Run', () => {
  it('trains, streams Iterations and Epochs, records everything, saves and evaluates the model', async () => {
    const started = await services.training.start({ folder: folder.path, ...small, epochs: 3 })
    expect(started.status).toBe('queued')
    const done = await services.training.finished(started.id)
    expect(done).toMatchObject({ status: 'completed', backend: 'wasm', epochsDone: 3, epochs: 3, error: null })
    const run = services.training.get(started.id)
    expect(run.split).toMatchObject({ train: 26, validation: 6, test: 0, classes: ['horizontal', 'vertical'] })
    expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3])
    expect(run.iterationMetrics.length).toBe(3 * Math.ceil(26 / 8))
    expect(run.evaluation?.confusion.flat().reduce((a, b) => a + b)).toBe(6)
    expect(run.evaluation?.perClass.map((c) => c.name)).toEqual(['horizontal', 'vertical'])
    expect(run.valAccuracy).toBe(run.evaluation?.accuracy)
    expect(run.normalizationStats?.mean).toHaveLength(1)
    expect(run.versions.tfjs).toBe('4.22.0')
    // With two cores or more, the batches were split over two model replicas (one thread each).
    if (availableParallelism() >= 2) expect(run.versions).toMatchObject({ replicas: '2', threads: '1' })
    expect(existsSync(join(services.training.modelPath(started.id)!, 'model.json'))).toBe(true)
    // The model, checkpoints and decoded image cache are the user's alone, whatever the umask.
    if (process.platform !== 'win32') {
      const written = readdirSync(data.path, { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name))
      expect(written).toEqual(expect.arrayContaining([join(data.path, 'runs', String(started.id), 'model', 'weights.bin'), join(data.path, 'cache', 'images')]))
      for (const path of written) expect([path, statSync(path).mode & 0o777]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600])
    }
    const names = new Set(events.filter((e) => 'run' in (e.payload as object) || 'runId' in (e.payload as object)).map((e) => e.name))
    expect(names).toEqual(new Set(['runs.status', 'runs.phase', 'runs.iteration', 'runs.epoch']))
    // Before its first Iteration the Run said what it was doing: decoding the images, starting the backend, building the model.
    const phases = events.filter((e) => e.name === 'runs.phase').map((e) => (e.payload as RunPhase).step)
    expect([...new Set(phases)]).toEqual(['images', 'backend', 'model'])
    expect(run.verdict).toMatchObject({ kind: expect.stringMatching(/^(learned|underfitting|guessing)$/), headline: expect.any(String) })
  })

  it('says so when the dataset changed since its last scan', async () => {
    put(folder.path, 'vertical/extra.png', await stripes(false, 99))
    const messages: string[] = []
    const dispose = services.events.on('runs.status', (s) => s.message && messages.push(s.message))
    const run = await services.training.start({ folder: folder.path, ...small, epochs: 1 })
    await services.training.finished(run.id)
    dispose()
    expect(messages).toContainEqual(expect.stringContaining('The dataset changed since its last scan (1 added, 0 removed, 0 changed)'))
  })

  it('refuses bad settings before it starts, listing every problem', async () => {
    await expect(services.training.start({ folder: folder.path, batchSize: 0, learningRate: -1, model: 'nope' as never })).rejects.toMatchObject({
      code: 'bad-input',
      issues: expect.arrayContaining([expect.stringMatching(/^batchSize/), expect.stringMatching(/^learningRate/), expect.stringMatching(/^model/)])
    })
    await expect(services.training.start({ folder: folder.path, ...small, batchSize: 500 })).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringContaining('larger than the training set')
    })
    await expect(services.training.start({ folder: join(folder.path, 'missing'), ...small })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('Folder not found') })
    // Class folders without images: say so, not that the batch size is too large for 0 images.
    const empty = tempDir()
    mkdirSync(join(empty.path, 'cats'))
    mkdirSync(join(empty.path, 'dogs'))
    const refused = services.training.start({ folder: empty.path, ...small, batchSize: 1 })
    await expect(refused).rejects.toMatchObject({
      code: 'bad-input',
      message: 'This dataset cannot be trained on yet: the class folders (cats, dogs) have no usable images. Put the images of each class in its folder, then try again.'
    })
    empty.cleanup()
    await expect(services.training.start({ folder: folder.path, model: 'pretrained', timeLimitMinutes: 1 })).rejects.toMatchObject({
      code: 'bad-input',
      issues: [expect.stringMatching(/^timeLimitMinutes: only for a model trained from scratch/)]
    })
  })

  it('with a time limit, ends on time with its schedule run down, and records the Epochs that fit as its own', async () => {
    const limitMs = 15_000
    const began = Date.now()
    const started = await services.training.start({ folder: folder.path, ...small, epochs: 1000, earlyStopping: 0, schedule: 'cosine', learningRate: 1e-3, timeLimitMinutes: limitMs / 60_000 })
    const done = await services.training.finished(started.id)
    const took = Date.now() - began
    expect(done.status).toBe('completed')
    // It trained until the limit (not its 1,000 Epochs); starting the worker and tfjs is the only time outside it.
    expect(took).toBeGreaterThan(0.8 * limitMs)
    expect(took).toBeLessThan(1.05 * limitMs + 10_000)
    const run = services.training.get(started.id)
    expect(run.epochMetrics.length).toBeGreaterThan(3)
    expect(run.config.epochs).toBe(run.epochMetrics.length)
    expect(done.epochs).toBe(run.epochMetrics.length)
    expect(run.epochMetrics.at(-1)!.learningRate).toBeLessThan(0.05 * 1e-3)
    expect(run.evaluation?.confusion.flat().reduce((a, b) => a + b)).toBe(6)
    // While it trained, its status said how many Iterations it planned: the last plan, those it trained.
    const planned = events
      .filter((e) => e.name === 'runs.status' && (e.payload as Events['runs.status']).run.id === started.id)
      .map((e) => (e.payload as Events['runs.status']).run.iterations)
      .filter((n) => n !== undefined)
    expect(planned.length).toBeGreaterThan(0)
    expect(planned.at(-1)).toBe(iterationsOf(started.id))
  })

  it('pauses, resumes and stops on request, keeping what it learned', async () => {
    const run = await services.training.start({ folder: folder.path, ...small, epochs: 50 })
    await waitFor(() => events.some((e) => e.name === 'runs.iteration' && (e.payload as Events['runs.iteration']).runId === run.id))
    services.training.pause(run.id)
    await waitFor(() => services.training.get(run.id).status === 'paused')
    const pausedAt = iterationsOf(run.id)
    await new Promise((r) => setTimeout(r, 500))
    expect(iterationsOf(run.id)).toBe(pausedAt) // nothing moves while paused
    await services.training.resume(run.id)
    await waitFor(() => iterationsOf(run.id) > pausedAt)
    services.training.stop(run.id)
    const done = await services.training.finished(run.id)
    expect(done.status).toBe('stopped')
    expect(done.epochsDone).toBeLessThan(50)
    expect(existsSync(join(services.training.modelPath(run.id)!, 'model.json'))).toBe(true)
  })
})

function iterationsOf(runId: number): number {
  return events.filter((e) => e.name === 'runs.iteration' && (e.payload as Events['runs.iteration']).runId === runId).length
}

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('a new Run whose folder already holds files (of a history set aside or removed by hand)', () => {
  it('moves those files aside, whole, instead of writing over them, and says where', async () => {
    const own = tempDir()
    put(own.path, 'runs/1/model/model.json', 'the earlier Run 1')
    const fresh = createServices({ dataDir: own.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
    const messages: string[] = []
    fresh.events.on('runs.status', (s) => s.message && messages.push(s.message))
    try {
      const run = await fresh.training.start({ folder: folder.path, ...small, epochs: 1 })
      expect(run.id).toBe(1)
      expect(await fresh.training.finished(run.id)).toMatchObject({ status: 'completed' })
      const kept = readdirSync(join(own.path, 'runs')).filter((name) => name.startsWith('1.kept-'))
      expect(kept).toHaveLength(1)
      expect(readFileSync(join(own.path, 'runs', kept[0], 'model', 'model.json'), 'utf8')).toBe('the earlier Run 1')
      expect(messages).toContainEqual(expect.stringContaining(`were moved to ${join(own.path, 'runs', kept[0])}`))
    } finally {
      fresh.close()
      own.cleanup()
    }
  })
})

it('finds a learning rate: the loss against a growing rate, and a suggestion inside the range', async () => {
  const result = await services.training.findLearningRate({ folder: folder.path, ...small })
  expect(result.backend).toBe('wasm')
  expect(result.points.length).toBeGreaterThan(20)
  const rates = result.points.map((p) => p.learningRate)
  expect(rates).toEqual([...rates].sort((a, b) => a - b))
  expect(rates[0]).toBeCloseTo(1e-7)
  expect(result.suggestion).toBeGreaterThan(1e-5)
  expect(result.suggestion).toBeLessThan(1)
  // The suggestion lies before the lowest loss (the rule itself is tested exactly in tests/unit).
  const lowest = result.points.reduce((a, b) => (b.loss < a.loss ? b : a))
  expect(result.suggestion).toBeLessThan(lowest.learningRate)
  expect(services.training.list().some((r) => r.status === 'queued')).toBe(false) // nothing recorded
})

describe('a Run whose worker dies', () => {
  it('is left interrupted, and resumes from its last checkpoint to the end — even one it was killed while replacing', async () => {
    const spawn = nodeSpawner(workerFile())
    const workers: ReturnType<typeof spawn>[] = []
    const dataDir = tempDir()
    const own = createServices({ dataDir: dataDir.path, spawnWorker: () => workers[workers.push(spawn()) - 1], transport: 'http' })
    const epochs: number[] = []
    own.events.subscribe((name, payload) => {
      if (name !== 'runs.epoch') return
      const { runId, epoch } = payload as Events['runs.epoch']
      epochs.push(epoch)
      // Killed once the Epoch 1 checkpoint is on disk, mid-way through Epoch 2.
      const checkpoint = join(dataDir.path, 'runs', String(runId), 'checkpoint-last', 'state.json')
      if (epochs.length === 1) void waitFor(() => existsSync(checkpoint)).then(() => workers.at(-1)!.kill())
    })
    const run = await own.training.start({ folder: folder.path, ...small, epochs: 3 })
    const interrupted = await own.training.finished(run.id)
    expect(interrupted.status).toBe('interrupted')
    expect(interrupted.error).toContain('stopped unexpectedly')
    // As if killed between moving the old checkpoint aside and giving the new one its name.
    const last = join(dataDir.path, 'runs', String(run.id), 'checkpoint-last')
    renameSync(last, `${last}.next`)

    await own.training.resume(run.id)
    const done = await own.training.finished(run.id)
    expect(done.status).toBe('completed')
    expect(own.training.get(run.id).epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3])
    expect(epochs[0]).toBe(1)
    expect(epochs.at(-1)).toBe(3)
    expect(epochs.filter((e) => e === 1)).toHaveLength(1) // Epoch 1 was not trained again
    own.close()
    dataDir.cleanup()
  }, 90_000) // two training workers, each with a replica thread, started one after the other
})
