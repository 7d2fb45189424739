/** Pretrained Runs through the services, in real worker processes, on photo-like colour images (wasm backend). */
import * as tf from '@tensorflow/tfjs'
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Events, RunPhase } from '../../../src-main/contract'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeShapeDataset } from '../../../bench/colour-shapes'
import { fileHandler } from '../../../src-main/engine/io'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { decodeImage } from '../../../src-main/pipeline/cache'
import { resourcesDir, workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let shapes: ReturnType<typeof tempDir>
let services: Services
const messages: { runId: number; message: string }[] = []
// 96 px keeps the backbone quick here; the default is its own 224.
const quick = { imageSize: 96, epochs: 12, backend: 'wasm' as const, seed: 4 }

beforeAll(async () => {
  data = tempDir()
  shapes = tempDir()
  await writeShapeDataset(join(shapes.path, 'three'), { classes: ['circle', 'triangle', 'star'], perClass: 16, seed: 11 })
  await writeShapeDataset(join(shapes.path, 'two'), { classes: ['circle', 'square'], perClass: 12, seed: 12 })
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  services.events.on('runs.status', (s) => s.message && messages.push({ runId: s.run.id, message: s.message }))
  services.events.on('runs.phase', (p) => phaseLog.push(p))
})
afterAll(() => {
  services.close()
  data.cleanup()
  shapes.cleanup()
})

const phaseLog: RunPhase[] = []
const phases = (runId: number) => phaseLog.filter((p) => p.runId === runId)
// Each test trains in a worker: well under 30 s on an idle 2-core machine, several times that on a shared one.
vi.setConfig({ testTimeout: 180_000 })

const said = (runId: number, pattern: RegExp) => messages.some((m) => m.runId === runId && pattern.test(m.message))

describe('a pretrained Run', () => {
  it('is what "auto" picks for colour images, trains a head on the embeddings well above chance, and saves one model that Try it and export use', async () => {
    const folder = join(shapes.path, 'three')
    // Before Start (on the Dataset as scanned): the backbone measured on this machine; computing the features once is most of it.
    await services.datasets.scan(folder)
    const before = await services.training.estimate({ folder, ...quick })
    expect(before.steps.map((s) => s.label)).toEqual([
      'Starting the backend and the model',
      'Computing the features of 48 images (once for this Dataset)',
      'Training the head: up to 12 Epochs of 2 Iterations'
    ])
    expect(before).toMatchObject({ backend: 'wasm', long: false })
    expect(before.steps.every((s) => s.ms > 0)).toBe(true)
    const started = await services.training.start({ folder, ...quick })
    const done = await services.training.finished(started.id)
    expect(done).toMatchObject({ status: 'completed', error: null })
    const run = services.training.get(started.id)
    expect(run.config).toMatchObject({ model: 'pretrained', backbone: 'mobilenet-v2-0.35', normalization: 'symmetric' })
    expect(run.name).toBe(`three · MobileNetV2 α 0.35 · 96 px · #${run.id}`)
    expect(said(run.id, /^Colour images: a network pretrained on ImageNet/)).toBe(true)
    expect(said(run.id, /^Computed the features \(MobileNetV2 α 0\.35\) of 48 images/)).toBe(true)
    // Before the first Iteration the Run says what it does: the backend, the backbone, then the features of each image.
    const steps = phases(run.id).map((p) => p.step)
    expect(steps.slice(0, 2)).toEqual(['backend', 'model'])
    expect(steps.at(-1)).toBe('features')
    expect(phases(run.id).at(-1)!.text).toBe('Computing the features of every image with MobileNetV2 α 0.35 (once; later Runs on this Dataset reuse them): 48 of 48 images')
    expect(run.verdict?.kind).toBe('learned')
    expect(run.versions.backbone).toBe('MobileNetV2 α 0.35')
    expect(run.epochMetrics.length).toBeGreaterThan(0)
    // 9 validation images of 3 classes: chance is 0.33.
    expect(run.valAccuracy).toBeGreaterThanOrEqual(0.75)
    expect(run.evaluation?.confusion.flat().reduce((a, b) => a + b)).toBe(run.split!.validation)

    // Try it: the saved model is the backbone and the head in one, fed exactly as training was.
    const image = join(folder, 'star', 'star-0003.jpg')
    const { predictions } = await services.runModels.predict(run.id, [image])
    expect(predictions[0]).toMatchObject({ label: expect.any(String), error: null })
    const exported = join(data.path, 'exported')
    await services.runModels.exportModel(run.id, exported)
    const metadata = JSON.parse(readFileSync(join(exported, 'metadata.json'), 'utf8'))
    expect(metadata).toMatchObject({ model: 'pretrained', backbone: { id: 'mobilenet-v2-0.35', title: 'MobileNetV2 α 0.35' }, imageSize: 96, channels: 3, normalization: { kind: 'symmetric' } })
    // Another program loads the exported folder with tf.loadLayersModel and, preparing the image as documented, gets the same answer.
    const model = await tf.loadLayersModel(fileHandler(tf, exported))
    const pixels = Float32Array.from(await decodeImage(image, 96, 3), (v) => v / 127.5 - 1)
    const scores = (model.predict(tf.tensor4d(pixels, [1, 96, 96, 3])) as tf.Tensor).dataSync()
    expect(metadata.labels[scores.indexOf(Math.max(...scores))]).toBe(predictions[0].label)

    // A second Run on the same Dataset and backbone reuses the embeddings, and the estimate knows it.
    expect((await services.training.estimate({ folder, ...quick, seed: 5, epochs: 3 })).steps.some((s) => s.once)).toBe(false)
    const again = await services.training.start({ folder, ...quick, seed: 5, epochs: 3 })
    expect((await services.training.finished(again.id)).status).toBe('completed')
    expect(said(again.id, /^Computed the features/)).toBe(false)
  })

  it('stops while computing the features when asked: stopped, not failed, and says nothing was learned', async () => {
    const run = await services.training.start({ folder: join(shapes.path, 'three'), ...quick, imageSize: 224 })
    // As soon as computing the features begins (0 of 48): three batches of 16 are still to come.
    await waitFor(() => phases(run.id).some((p) => p.step === 'features' && p.total === 48))
    services.training.stop(run.id)
    const done = await services.training.finished(run.id)
    expect(done).toMatchObject({ status: 'stopped', epochsDone: 0 })
    expect(said(run.id, /^Stopped while preparing, before the first Iteration: nothing was learned/)).toBe(true)
  })

  it("fine-tunes the last blocks after the head (depthwise gradients on wasm), its Epochs numbered on from the head's", async () => {
    const folder = join(shapes.path, 'three')
    const started = await services.training.start({ folder, ...quick, epochs: 2, earlyStopping: 0, fineTuneBlocks: 2, fineTuneEpochs: 1, fineTuneLearningRate: 1e-4 })
    expect(started.epochs).toBe(3)
    const done = await services.training.finished(started.id)
    expect(done).toMatchObject({ status: 'completed', epochsDone: 3 })
    const run = services.training.get(started.id)
    expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3])
    expect(run.epochMetrics[2].learningRate).toBeLessThanOrEqual(1e-4)
    expect(said(run.id, /^Fine-tuning the last 2 blocks of MobileNetV2 α 0\.35 with the head/)).toBe(true)
    expect(run.valAccuracy).toBeGreaterThanOrEqual(0.75)
  })

  it('starts from an earlier Run on other classes: the backbone and hidden layer carry over, the classifier starts afresh', async () => {
    const first = await services.training.start({ folder: join(shapes.path, 'two'), ...quick, epochs: 3 })
    expect((await services.training.finished(first.id)).status).toBe('completed')
    const second = await services.training.start({ folder: join(shapes.path, 'three'), ...quick, epochs: 3, warmStart: first.id })
    expect((await services.training.finished(second.id)).status).toBe('completed')
    expect(said(second.id, /its classes \(circle, square\) differ from these, so the classifier layer starts afresh/)).toBe(true)
    // On the same classes the classifier carries over too: the first Epoch is already as good as where the earlier Run ended.
    const again = await services.training.start({ folder: join(shapes.path, 'two'), ...quick, epochs: 1, learningRate: 1e-5, warmStart: first.id })
    expect((await services.training.finished(again.id)).status).toBe('completed')
    expect(said(again.id, /^Started from the earlier Run's weights, classifier included\.$/)).toBe(true)
    expect(services.training.get(again.id).epochMetrics[0].valAccuracy).toBeGreaterThanOrEqual(services.training.get(first.id).valAccuracy! - 0.1)
    await expect(services.training.start({ folder: join(shapes.path, 'three'), ...quick, warmStart: 999 })).rejects.toThrow(/Run 999 has no saved model to start from/)
  })

  it("takes a model folder of the user's as its backbone, and refuses one whose weights are damaged", async () => {
    const mine = join(data.path, 'my-backbone')
    cpSync(join(resourcesDir(), 'models', 'mobilenet-v2-0.35'), mine, { recursive: true })
    const folder = join(shapes.path, 'two')
    const run = await services.training.start({ folder, ...quick, epochs: 2, model: 'pretrained', backbone: mine, backboneLayer: 'block_16_project' })
    expect((await services.training.finished(run.id)).status).toBe('completed')
    expect(services.training.get(run.id).name).toBe(`two · my-backbone · 96 px · #${run.id}`)
    writeFileSync(join(mine, 'weights.bin'), Buffer.alloc(100))
    await expect(services.training.start({ folder, ...quick, model: 'pretrained', backbone: mine })).rejects.toThrow(
      /The weight files in .*my-backbone hold 100 bytes where model.json describes 1640832/
    )
    await expect(services.training.start({ folder, ...quick, model: 'pretrained', backbone: join(data.path, 'nowhere') })).rejects.toThrow(/holds no model.json/)
    expect(existsSync(join(mine, 'model.json'))).toBe(true) // the user's folder is only read
  })
})

describe('a pretrained Run whose worker dies while fine-tuning', () => {
  it('resumes from its last checkpoint in the fine-tuning stage, without training an Epoch twice', async () => {
    const spawn = nodeSpawner(workerFile())
    const workers: ReturnType<typeof spawn>[] = []
    const dataDir = tempDir()
    const own = createServices({ dataDir: dataDir.path, spawnWorker: () => workers[workers.push(spawn()) - 1], transport: 'http' })
    const epochs: number[] = []
    own.events.on('runs.epoch', ({ runId, epoch }: Events['runs.epoch']) => {
      epochs.push(epoch)
      // Killed once the first fine-tuning Epoch's checkpoint is on disk, during the second.
      const state = join(dataDir.path, 'runs', String(runId), 'checkpoint-last', 'state.json')
      if (epoch === 3) void waitFor(() => existsSync(state) && JSON.parse(readFileSync(state, 'utf8')).epoch === 3).then(() => workers.at(-1)!.kill())
    })
    const run = await own.training.start({ folder: join(shapes.path, 'three'), ...quick, epochs: 2, earlyStopping: 0, fineTuneBlocks: 1, fineTuneEpochs: 3 })
    expect((await own.training.finished(run.id)).status).toBe('interrupted')
    await own.training.resume(run.id)
    const done = await own.training.finished(run.id)
    expect(done).toMatchObject({ status: 'completed', epochsDone: 5 })
    expect(own.training.get(run.id).epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5])
    expect(epochs.filter((e) => e === 3)).toHaveLength(1)
    own.close()
    dataDir.cleanup()
  }, 90_000)
})

it('finds a learning rate for a pretrained head, on the embeddings', async () => {
  const result = await services.training.findLearningRate({ folder: join(shapes.path, 'three'), ...quick })
  expect(result.points.length).toBeGreaterThan(20)
  expect(result.suggestion).toBeGreaterThan(1e-6)
  expect(result.suggestion).toBeLessThan(1)
})

async function waitFor(check: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}
