/**
 * A Run inside its worker process: prepare the images (split, decode cache, normalization),
 * start the backend, build or restore the model, train with checkpoints, save, evaluate.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import { initBackend, type Backend } from '../engine/backend'
import { evaluate, type EvaluationData } from '../engine/evaluate'
import { fileHandler, loadTensors, saveTensors } from '../engine/io'
import { buildModel, freshDropoutMasks } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import { MAX_SLICE_PIXELS, type Step } from '../engine/step'
import { DivergedError, train, type RunControl, type TrainerState, type TrainingData } from '../engine/trainer'
import { DataParallel } from '../engine/wasm/data-parallel'
import { OspreyError } from '../errors'
import type { ControlListener } from '../jobs/worker'
import type { BatchLoader } from '../pipeline/loader'
import { prepareData } from './prepare'
import type { SplitRecord, TrainJobInput, TrainJobResult, TrainProgress } from './protocol'

/** Runs (or resumes) the Run described by `input`; streams progress; resolves with its outcome. */
export async function runTrainJob(input: TrainJobInput, signal: AbortSignal, progress: (p: TrainProgress) => void, onControl: (l: ControlListener) => void): Promise<TrainJobResult> {
  const { config } = input
  const control = steering(onControl, progress)
  signal.addEventListener('abort', () => control.stop())

  const { classes, images, split, channels, cache, stats, loader } = await prepareData(input, signal, (done, total) => progress({ kind: 'preparing', done, total }))
  let backend: Backend | null = null
  let parallel: DataParallel | null = null
  try {
    // Two wasm replicas of one thread each beat one backend with two threads (most of a step is
    // outside XNNPACK's threaded kernels); other backends use their own parallelism.
    const replicas = Math.max(1, input.replicas ?? 1)
    backend = await initBackend(config.backend, { threads: replicas > 1 ? 1 : undefined, log: (message) => progress({ kind: 'log', message }) })
    const { tf } = backend
    const checkpoint = join(input.runDir, 'checkpoint-last')
    const restored = input.resume ? await restore(tf, checkpoint, config.optimizer, config.learningRate) : null
    const model = restored?.model ?? buildModel(tf, config.model, { size: config.imageSize, channels, classes: classes.length }, config.seed, { dropout: config.dropout, units: config.units })
    const optimizer = restored?.optimizer ?? createOptimizer(tf, config.optimizer, config.learningRate)
    const stepOptions = { size: config.imageSize, channels, classes: classes.length, weightDecay: config.weightDecay, maxSlicePixels: MAX_SLICE_PIXELS / replicas }
    if (replicas > 1 && backend.name === 'wasm') {
      try {
        parallel = await DataParallel.start(model, optimizer, { optimizer: config.optimizer, learningRate: config.learningRate, step: stepOptions, maxBatch: config.batchSize })
      } catch (e) {
        progress({ kind: 'log', message: `Training on one thread: the second replica did not start (${(e as Error).message.split('\n')[0]}).` })
      }
    }
    const versions = parallel ? { ...backend.versions, replicas: '2' } : backend.versions
    progress({ kind: 'started', backend: backend.name, versions, split: splitRecord(classes, split.manifest), normalizationStats: config.normalization === 'standardize' ? { mean: stats.mean, std: stats.std } : null })

    const timing = { ms: 0, images: 0 }
    const data: TrainingData = {
      classes,
      size: config.imageSize,
      channels,
      trainCount: split.train.length,
      validationCount: split.validation.length,
      async *trainBatches(epoch) {
        for await (const b of timed(loader.epoch(epoch, signal), timing, control)) yield { x: b.x, y: b.y, size: b.y.length }
      },
      async *validationBatches() {
        for await (const b of loader.evalBatches(split.validation, undefined, signal)) yield { x: b.x, y: b.y, size: b.y.length }
      }
    }
    const metadata = { classes, imageSize: config.imageSize, channels, normalization: { kind: stats.normalization, mean: stats.mean, std: stats.std } }
    let result
    try {
      const step: Step | undefined = parallel ? async (batch, lr) => parallel!.step(batch, lr) : undefined
      result = await train(tf, model, optimizer, data, { ...config, step }, {
        control,
        onIteration: (metrics) => progress({ kind: 'iteration', metrics: { ...metrics, memoryBytes: process.memoryUsage.rss() } }),
        onEpoch: async (metrics, improved, state) => {
          progress({ kind: 'epoch', metrics, improved })
          await saveCheckpoint(tf, checkpoint, model, optimizer, { epoch: metrics.epoch, trainer: state })
          if (improved) await saveCheckpoint(tf, join(input.runDir, 'checkpoint-best'), model, optimizer, { epoch: metrics.epoch })
          progress({ kind: 'checkpoint', epoch: metrics.epoch, path: checkpoint })
        }
      }, restored?.state)
    } catch (e) {
      if (e instanceof DivergedError) throw new OspreyError('bad-input', e.message)
      throw e
    }
    const modelPath = join(input.runDir, 'model')
    model.setUserDefinedMetadata?.(metadata)
    await model.save(fileHandler(tf, modelPath))
    const evaluation = split.validation.length ? await evaluate(tf, model, evaluationData(loader, split.validation, images, classes, config.imageSize, channels), 'validation') : null
    const testEvaluation = split.test.length ? await evaluate(tf, model, evaluationData(loader, split.test, images, classes, config.imageSize, channels), 'test') : null
    model.dispose()
    return {
      stoppedBy: result.stoppedBy,
      epochsDone: result.state.epochsDone,
      evaluation,
      testEvaluation,
      imagesPerSecond: timing.ms > 0 ? (timing.images / timing.ms) * 1000 : null,
      modelPath
    }
  } finally {
    await parallel?.dispose()
    await loader.close()
    await cache.close()
    backend?.dispose()
  }
}

/** Pause, resume and stop, as the trainer asks for them. */
function steering(onControl: (l: ControlListener) => void, progress: (p: TrainProgress) => void): RunControl & { stop(): void; pausedMs(): number } {
  let stopped = false
  let paused: { since: number; release: () => void; gate: Promise<void> } | null = null
  let pausedTotal = 0
  const unpause = () => {
    if (!paused) return
    pausedTotal += Date.now() - paused.since
    paused.release()
    paused = null
  }
  const control = {
    waitWhilePaused: () => paused?.gate ?? Promise.resolve(),
    stopRequested: () => stopped,
    stop() {
      stopped = true
      unpause()
    },
    pausedMs: () => pausedTotal + (paused ? Date.now() - paused.since : 0)
  }
  onControl((action) => {
    if (action === 'stop') control.stop()
    else if (action === 'pause' && !paused && !stopped) {
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      paused = { since: Date.now(), release, gate }
      progress({ kind: 'paused' })
    } else if (action === 'resume' && paused) {
      unpause()
      progress({ kind: 'resumed' })
    }
  })
  return control
}

/** Passes batches through while adding up the time spent training on them (pauses excluded). */
async function* timed<T extends { y: Int32Array }>(batches: AsyncIterable<T>, timing: { ms: number; images: number }, control: { pausedMs(): number }): AsyncIterable<T> {
  let start = Date.now()
  let pausedAtStart = control.pausedMs()
  for await (const batch of batches) {
    yield batch
    const now = Date.now()
    timing.ms += now - start - (control.pausedMs() - pausedAtStart)
    timing.images += batch.y.length
    start = now
    pausedAtStart = control.pausedMs()
  }
}

/** Validation or test images, in order, with their paths. */
function evaluationData(loader: BatchLoader, indices: number[], images: { path: string }[], classes: string[], size: number, channels: number): EvaluationData {
  return {
    classes,
    size,
    channels,
    async *batches() {
      for await (const b of loader.evalBatches(indices)) yield { x: b.x, y: b.y, size: b.y.length, paths: Array.from(b.indices, (i) => images[i].path) }
    }
  }
}

/** Writes model, optimizer state and trainer state to `dir`, replacing the old set at once. */
async function saveCheckpoint(tf: typeof tfjs, dir: string, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, state: object): Promise<void> {
  const next = `${dir}.next`
  await rm(next, { recursive: true, force: true })
  await mkdir(next, { recursive: true })
  await model.save(fileHandler(tf, join(next, 'model')))
  await saveTensors(tf, join(next, 'optimizer'), await optimizer.getWeights())
  await writeFile(join(next, 'state.json'), JSON.stringify(state))
  await rm(dir, { recursive: true, force: true })
  await rename(next, dir)
}

/** Reads the last checkpoint back: model, optimizer state, and where the trainer was. */
async function restore(tf: typeof tfjs, dir: string, optimizerName: Parameters<typeof createOptimizer>[1], lr: number) {
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { trainer: TrainerState }
  const model = freshDropoutMasks(await tf.loadLayersModel(fileHandler(tf, join(dir, 'model'))))
  const optimizer = createOptimizer(tf, optimizerName, lr)
  await optimizer.setWeights(await loadTensors(tf, join(dir, 'optimizer')))
  return { model, optimizer, state: state.trainer }
}

function splitRecord(classes: string[], manifest: { counts: [number, number, number][]; totals: { train: number; validation: number; test: number } }): SplitRecord {
  return {
    ...manifest.totals,
    classes,
    perClass: Object.fromEntries(classes.map((c, i) => [c, { train: manifest.counts[i][0], validation: manifest.counts[i][1], test: manifest.counts[i][2] }]))
  }
}

