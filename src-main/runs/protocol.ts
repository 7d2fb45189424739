/** What a training worker is given and what it reports back. Plain objects only. */
import type { BackboneSource } from '../backbones/files'
import type { EpochMetrics, Evaluation, ImagePrediction, IterationMetrics, RunPhase, TrainingConfig } from '../contract'
import type { DatasetManifest } from './prepare'

/** Everything a training worker needs to run (or resume) a Run. */
export interface TrainJobInput {
  runId: number
  dbFile: string
  nativeBinding?: string
  /** Where checkpoints and the model go (absolute). */
  runDir: string
  /** Where decoded-image caches are kept (shared by Runs on the same dataset). */
  cacheDir: string
  datasetId: number
  config: TrainingConfig
  /** Continue from the Run's last checkpoint instead of starting afresh. */
  resume: boolean
  /** Model replicas training halves of each batch side by side (wasm only); default 1. */
  replicas?: number
  /** A pretrained Run's backbone: where its files are and how to cut it (resolved and downloaded by main). */
  backbone?: BackboneSource
  /** Where embeddings are kept (shared by Runs on the same Dataset and backbone). */
  embeddingDir?: string
  /** The model folder of the Run to start from (`config.warmStart`), resolved by main. */
  warmStart?: string
  /** The Dataset itself, for a worker without the database (on the queue); dbFile and datasetId are then not read. */
  dataset?: DatasetManifest
}

/** The split a Run trains on, as recorded with it. */
export interface SplitRecord {
  train: number
  validation: number
  test: number
  classes: string[]
  perClass: Record<string, { train: number; validation: number; test: number }>
}

/** What a Run does before its first Iteration: decode images, compute a backbone's features, start the backend, build the model. */
export type PrepareStep = RunPhase['step']

/** Progress a training worker streams: main records it and tells the renderer. */
export type TrainProgress =
  | { kind: 'preparing'; step: PrepareStep; done: number; total: number; /** What is being prepared, in words (e.g. the backbone's features). */ what?: string }
  | { kind: 'started'; backend: string; versions: Record<string, string>; split: SplitRecord; normalizationStats: { mean: number[]; std: number[] } | null }
  | { kind: 'iteration'; metrics: Omit<IterationMetrics, 'runId'> }
  | { kind: 'epoch'; metrics: Omit<EpochMetrics, 'runId'>; improved: boolean }
  | { kind: 'checkpoint'; epoch: number; path: string }
  /** A Run with a time limit found how many Epochs fit (the last possibly partial) and how many Iterations. */
  | { kind: 'plan'; epochs: number; iterations: number }
  | { kind: 'paused' }
  | { kind: 'resumed' }
  | { kind: 'log'; message: string }
  /** A worker on the queue took the Run (attempt 1, or again after a worker was lost): metrics after Epoch `fromEpoch` are its to write.
   *  `epochs`: the Epochs its checkpoint holds, which the lost worker may have died before sending. */
  | { kind: 'worker'; name: string; attempt: number; fromEpoch: number; epochs?: Omit<EpochMetrics, 'runId'>[] }

/** How a Run ended, with its final evaluation. */
export interface TrainJobResult {
  stoppedBy: 'completed' | 'stopped' | 'early-stopping'
  epochsDone: number
  evaluation: Evaluation | null
  testEvaluation: Evaluation | null
  imagesPerSecond: number | null
  /** Model folder (model.json + weights.bin), absolute. */
  modelPath: string
}

/** A learning-rate range test: the data and settings of a Run that is not started. */
export type LrFindInput = Omit<TrainJobInput, 'runId' | 'runDir' | 'resume'>

/** The test's curve and its suggested rate. */
export interface LrFindResult {
  points: { learningRate: number; loss: number }[]
  suggestion: number | null
  backend: string
}

/** A quick measurement of a Run's model on this machine (no Dataset is read but a few sample images). */
export interface MeasureJobInput {
  config: TrainingConfig
  channels: 1 | 3
  classes: number
  /** A pretrained Run's backbone (already on this machine). */
  backbone?: BackboneSource
  /** Model replicas the Run would train on (wasm: 2 for a Run of its own). */
  replicas: number
  /** A few of the Dataset's images (absolute paths), to time decoding. */
  samples: string[]
}

// --- Try it ---

/** Classifying images with a Run's saved model, in a worker (tfjs never loads on the main process). */
export interface PredictJobInput {
  /** The model folder (model.json + weights.bin), absolute. */
  modelDir: string
  /** Absolute image paths; each one succeeds or fails on its own. */
  paths: string[]
  backend: TrainingConfig['backend']
  /** Side of the square thumbnail sent back with each image, in pixels; 0 = none. */
  thumbnailSize: number
}

/** The backend used and one entry per path, in order. */
export interface PredictJobResult {
  backend: string
  predictions: ImagePrediction[]
}
