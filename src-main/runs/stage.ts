/**
 * One stage of a Run inside its worker — all of a from-scratch Run; the head, then fine-tuning, of a
 * pretrained one: the trainer with the Run's hooks (live metrics, a checkpoint after every Epoch,
 * the best checkpoint kept), on two wasm replicas when asked, plus the image data both kinds use.
 */
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import type { OptimizerName } from '../contract'
import type { Backend } from '../engine/backend'
import type { EvaluationData } from '../engine/evaluate'
import { MAX_SLICE_PIXELS, type Step } from '../engine/step'
import { DivergedError, train, type TrainerState, type TrainingData, type TrainResult } from '../engine/trainer'
import { DataParallel } from '../engine/wasm/data-parallel'
import { OspreyError } from '../errors'
import type { BatchLoader } from '../pipeline/loader'
import type { Split } from '../pipeline/split'
import { saveCheckpoint } from './checkpoint'
import { readCheckpointSummary } from './checkpoint-state'
import type { TrainProgress } from './protocol'
import { timed, type Steering } from './steering'

/** What every stage of one Run shares. */
export interface RunContext {
  backend: Backend
  runDir: string
  control: Steering
  progress: (p: TrainProgress) => void
  signal: AbortSignal
  /** Time spent training and images trained on, for images/s (pauses excluded). */
  timing: { ms: number; images: number }
}

/** How a stage trains. */
export interface StageOptions {
  config: Parameters<typeof train>[4]
  optimizer: OptimizerName
  /** Model replicas side by side (wasm only; 1 = this thread alone). */
  replicas: number
  resume?: TrainerState
  /** Saved beside the trainer state in each checkpoint (e.g. which stage it is). */
  checkpointState?: object
  /** The model a checkpoint holds, when it is not the one trained (the whole model around a trained top). */
  checkpointModel?: () => tfjs.LayersModel
  /** Train until `endsAt` (a time of Date.now's; pauses in training move it on), leaving time to evaluate `thenEvaluates` images after. */
  timeLimit?: { endsAt: number; thenEvaluates: number }
  /** Called once the replicas are known, before the first Iteration. */
  onReady?: (replicas: number) => void
}

/** Trains `model` on `data` with the Run's hooks; a diverged loss becomes a plain error for the user. */
export async function trainStage(run: RunContext, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, data: TrainingData, options: StageOptions): Promise<TrainResult> {
  const { tf } = run.backend
  const { config } = options
  const checkpoint = join(run.runDir, 'checkpoint-last')
  const parallel = await startReplicas(
    run.backend,
    model,
    optimizer,
    { ...config, optimizer: options.optimizer, replicas: options.replicas, inputShape: data.inputShape, classes: data.classes.length },
    (message) => run.progress({ kind: 'log', message })
  )
  options.onReady?.(parallel ? 2 : 1)
  // Each checkpoint keeps every Epoch's metrics so far: a queue worker resuming from it sends again
  // what a worker killed between the checkpoint and its next send never delivered.
  const epochs = options.resume ? (await readCheckpointSummary(checkpoint)).epochs : []
  try {
    const step: Step | undefined = parallel ? async (batch, lr) => parallel!.step(batch, lr) : undefined
    return await train(
      tf,
      model,
      optimizer,
      data,
      { ...config, step, ...(options.timeLimit ? { timeLimit: { ms: options.timeLimit.endsAt - Date.now(), thenEvaluates: options.timeLimit.thenEvaluates } } : {}) },
      {
        control: run.control,
        onIteration: (metrics) => run.progress({ kind: 'iteration', metrics: { ...metrics, memoryBytes: process.memoryUsage.rss() } }),
        onPlan: (plan) => run.progress({ kind: 'plan', ...plan }),
        onEpoch: async (metrics, improved, state) => {
          run.progress({ kind: 'epoch', metrics, improved })
          epochs.push(metrics)
          const saved = options.checkpointModel?.() ?? model
          await saveCheckpoint(tf, checkpoint, saved, optimizer, { ...options.checkpointState, epoch: metrics.epoch, trainer: state, epochs })
          if (improved) await saveCheckpoint(tf, join(run.runDir, 'checkpoint-best'), saved, optimizer, { ...options.checkpointState, epoch: metrics.epoch })
          run.progress({ kind: 'checkpoint', epoch: metrics.epoch, path: checkpoint })
        }
      },
      options.resume
    )
  } catch (e) {
    if (e instanceof DivergedError) throw new OspreyError('bad-input', e.message)
    throw e
  } finally {
    await parallel?.dispose()
  }
}

/** How replicas train: the step's settings and the optimizer's. */
export interface ReplicaOptions {
  replicas: number
  optimizer: OptimizerName
  learningRate: number
  batchSize: number
  weightDecay: number
  inputShape: number[]
  classes: number
}

/** A second wasm replica beside this thread when `replicas` > 1 (null: train on this thread alone; `log` says why when it could not start). */
export async function startReplicas(backend: Backend, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, options: ReplicaOptions, log: (message: string) => void): Promise<DataParallel | null> {
  if (options.replicas <= 1 || backend.name !== 'wasm') return null
  const step = { inputShape: options.inputShape, classes: options.classes, weightDecay: options.weightDecay, maxSlicePixels: MAX_SLICE_PIXELS / options.replicas }
  try {
    return await DataParallel.start(model, optimizer, { optimizer: options.optimizer, learningRate: options.learningRate, step, maxBatch: options.batchSize })
  } catch (e) {
    log(`Training on one thread: the second replica did not start (${(e as Error).message.split('\n')[0]}).`)
    return null
  }
}

/** Training data from the image loader: shuffled, augmented training batches; validation in order. */
export function imageTrainingData(run: RunContext, loader: BatchLoader, split: Split, classes: string[], inputShape: number[]): TrainingData {
  return {
    classes,
    inputShape,
    trainCount: split.train.length,
    validationCount: split.validation.length,
    async *trainBatches(epoch) {
      for await (const b of timed(loader.epoch(epoch, run.signal), run.timing, run.control)) yield { x: b.x, y: b.y, size: b.y.length }
    },
    async *validationBatches() {
      for await (const b of loader.evalBatches(split.validation, undefined, run.signal)) yield { x: b.x, y: b.y, size: b.y.length }
    }
  }
}

/** Validation or test images from the loader, in order, with their paths. */
export function imageEvaluationData(loader: BatchLoader, indices: number[], images: { path: string }[], classes: string[], inputShape: number[]): EvaluationData {
  return {
    classes,
    inputShape,
    async *batches() {
      for await (const b of loader.evalBatches(indices)) yield { x: b.x, y: b.y, size: b.y.length, paths: Array.from(b.indices, (i) => images[i].path) }
    }
  }
}
