/**
 * A Run inside its worker process. From scratch: prepare the images (split, decode cache,
 * normalization), start the backend, build or restore the model, train with checkpoints, save,
 * evaluate. A pretrained model goes through ./transfer.ts instead.
 */
import { join } from 'node:path'
import { initBackend, type Backend } from '../engine/backend'
import { evaluate } from '../engine/evaluate'
import { fileHandler } from '../engine/io'
import { buildModel } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { ControlListener } from '../jobs/protocol'
import { restoreCheckpoint } from './checkpoint'
import { mirrorsAtTest } from './config'
import { prepareData, splitRecord } from './prepare'
import type { TrainJobInput, TrainJobResult, TrainProgress } from './protocol'
import { imageEvaluationData, imageTrainingData, trainStage, type RunContext } from './stage'
import { beforeTraining, steering } from './steering'
import { runTransferJob } from './transfer'
import { warmStart } from './warm-start'

/** Runs (or resumes) the Run described by `input`; streams progress; resolves with its outcome. */
export async function runTrainJob(input: TrainJobInput, signal: AbortSignal, progress: (p: TrainProgress) => void, onControl: (l: ControlListener) => void): Promise<TrainJobResult> {
  const { config } = input
  const began = Date.now()
  const control = steering(onControl, progress)
  signal.addEventListener('abort', () => control.stop())
  if (config.model === 'pretrained') return runTransferJob(input, signal, progress, control)

  const { classes, images, split, channels, cache, stats, loader } = await beforeTraining(control, () =>
    prepareData(input, AbortSignal.any([signal, control.stopped]), (done, total) => progress({ kind: 'preparing', step: 'images', done, total }))
  )
  let backend: Backend | null = null
  try {
    // Two wasm replicas of one thread each beat one backend with two threads (most of a step is
    // outside XNNPACK's threaded kernels); other backends use their own parallelism.
    const replicas = Math.max(1, input.replicas ?? 1)
    progress({ kind: 'preparing', step: 'backend', done: 0, total: 0 })
    backend = await initBackend(config.backend, { threads: replicas > 1 ? 1 : undefined, log: (message) => progress({ kind: 'log', message }) })
    const { tf } = backend
    const run: RunContext = { backend, runDir: input.runDir, control, progress, signal, timing: { ms: 0, images: 0 } }
    progress({ kind: 'preparing', step: 'model', done: 0, total: 0, what: input.resume ? 'checkpoint' : undefined })
    const restored = input.resume ? await restoreCheckpoint(tf, join(input.runDir, 'checkpoint-last'), config.optimizer, config.learningRate) : null
    const inputShape = [config.imageSize, config.imageSize, channels]
    const mirror = mirrorsAtTest(config)
    const model = restored?.model ?? buildModel(tf, config.model, { size: config.imageSize, channels, classes: classes.length }, config.seed, { dropout: config.dropout, units: config.units })
    if (!restored && input.warmStart) await warmStart(tf, model, input.warmStart, classes, progress)
    const optimizer = restored?.optimizer ?? createOptimizer(tf, config.optimizer, config.learningRate)
    const result = await trainStage(run, model, optimizer, imageTrainingData(run, loader, split, classes, inputShape), {
      config,
      // A time limit counts this Run's preparing too, and keeps time to test the model after training.
      timeLimit: config.timeLimitMinutes ? { endsAt: began + config.timeLimitMinutes * 60_000, thenEvaluates: (split.validation.length + split.test.length) * (mirror ? 2 : 1) } : undefined,
      optimizer: config.optimizer,
      replicas,
      resume: restored?.state.trainer,
      onReady: (used) =>
        progress({
          kind: 'started',
          backend: backend!.name,
          versions: used > 1 ? { ...backend!.versions, replicas: String(used) } : backend!.versions,
          split: splitRecord(classes, split.manifest),
          normalizationStats: config.normalization === 'standardize' ? { mean: stats.mean, std: stats.std } : null
        })
    })
    const modelPath = join(input.runDir, 'model')
    model.setUserDefinedMetadata?.({ classes, imageSize: config.imageSize, channels, normalization: { kind: stats.normalization, mean: stats.mean, std: stats.std }, ...(mirror ? { mirror } : {}) })
    await model.save(fileHandler(tf, modelPath))
    const evaluation = split.validation.length ? await evaluate(tf, model, imageEvaluationData(loader, split.validation, images, classes, inputShape), 'validation', { mirror }) : null
    const testEvaluation = split.test.length ? await evaluate(tf, model, imageEvaluationData(loader, split.test, images, classes, inputShape), 'test', { mirror }) : null
    model.dispose()
    return {
      stoppedBy: result.stoppedBy,
      epochsDone: result.state.epochsDone,
      evaluation,
      testEvaluation,
      imagesPerSecond: run.timing.ms > 0 ? (run.timing.images / run.timing.ms) * 1000 : null,
      modelPath
    }
  } finally {
    await loader.close()
    await cache.close()
    backend?.dispose()
  }
}
