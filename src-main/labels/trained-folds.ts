/**
 * Out-of-fold class probabilities from CNNs trained from scratch, for the Datasets whose own Runs
 * train one (small grayscale images): a backbone pretrained on photos sees such images
 * poorly (0.82 of Fashion-MNIST right out of fold, against 0.88 for these CNNs). The default CNN is
 * trained k times, each time on all folds but one, and judges the fold it never saw; two such
 * rounds with other seeds are averaged, which calms the single models' overconfidence (on
 * Fashion-MNIST with 5 % of the labels moved: precision 0.77 → 0.81 at recall 0.84 → 0.82).
 */
import type * as tfjs from '@tensorflow/tfjs'
import type { Backend } from '../engine/backend'
import { buildModel } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { StepBatch } from '../engine/step'
import { train, type TrainingData } from '../engine/trainer'
import type { BatchLoader } from '../pipeline/loader'
import { startReplicas } from '../runs/stage'

/** Rounds of k trainings whose probabilities are averaged. */
export const ROUNDS = 2

/** What the trainings need: the loaders' images and how to train. */
export interface FoldTraining {
  backend: Backend
  /** A loader over every image whose training split is the images outside `fold`, shuffled by `seed` (normalized, not augmented). */
  loaderFor(fold: number, seed: number): BatchLoader
  folds: Int32Array
  k: number
  classes: number
  inputShape: number[]
  seed: number
  signal: AbortSignal
  onEpoch(model: number, models: number, epoch: number, epochs: number): void
  log(message: string): void
}

/** Epochs of each training: about 50,000 images seen (measured: 10 Epochs of 4,800 Fashion-MNIST images), 3 to 30; 60,000 small images would take about 35 minutes (estimated at 700 images/s). */
export function foldEpochs(trainImages: number): number {
  return Math.max(3, Math.min(30, Math.round(50_000 / Math.max(1, trainImages))))
}

/** Each image's class probabilities, averaged over `ROUNDS` models that never saw it. */
export async function trainedOutOfFold(t: FoldTraining): Promise<Float32Array> {
  const out = new Float32Array(t.folds.length * t.classes)
  for (let round = 0; round < ROUNDS; round++) {
    for (let fold = 0; fold < t.k; fold++) {
      t.signal.throwIfAborted()
      await judgeFold(t, round * t.k + fold, fold, out)
    }
  }
  return out
}

/** Trains model `number` (0-based) without `fold`, and adds its probabilities for the fold's images (a `ROUNDS`th each) to `out`. */
async function judgeFold(t: FoldTraining, number: number, fold: number, out: Float32Array): Promise<void> {
  const { tf } = t.backend
  const held = Array.from(t.folds.keys()).filter((i) => t.folds[i] === fold)
  const trainCount = t.folds.length - held.length
  const seed = t.seed * 100 + number
  const epochs = foldEpochs(trainCount)
  // Measured settings: Adam at 2e-3 with a cosine schedule, batches of 64, no augmentation.
  const config = { epochs, batchSize: 64, learningRate: 2e-3, weightDecay: 0, schedule: 'cosine' as const, earlyStopping: 0 }
  const loader = t.loaderFor(fold, seed)
  const model = buildModel(tf, 'default-cnn', { size: t.inputShape[0], channels: t.inputShape[2], classes: t.classes }, seed)
  const optimizer = createOptimizer(tf, 'adam', config.learningRate)
  try {
    const parallel = await startReplicas(t.backend, model, optimizer, { ...config, optimizer: 'adam', replicas: 2, inputShape: t.inputShape, classes: t.classes }, t.log)
    try {
      const step = parallel ? async (batch: StepBatch, lr: number) => parallel.step(batch, lr) : undefined
      await train(
        tf,
        model,
        optimizer,
        foldData(loader, t, trainCount),
        { ...config, step },
        {
          control: { waitWhilePaused: async () => {}, stopRequested: () => t.signal.aborted },
          onIteration: () => {},
          onEpoch: (m) => t.onEpoch(number + 1, ROUNDS * t.k, m.epoch, epochs)
        }
      )
    } finally {
      await parallel?.dispose()
    }
    t.signal.throwIfAborted()
    for await (const b of loader.evalBatches(held, 256, t.signal)) {
      const p = tf.tidy(() => tf.softmax(model.predict(tf.tensor(b.x, [b.y.length, ...t.inputShape])) as tfjs.Tensor).dataSync() as Float32Array)
      b.indices.forEach((i, r) => {
        for (let j = 0; j < t.classes; j++) out[i * t.classes + j] += p[r * t.classes + j] / ROUNDS
      })
    }
  } finally {
    model.dispose()
    optimizer.dispose()
    await loader.close()
  }
}

/** The fold's training images, shuffled anew each Epoch; no validation. */
function foldData(loader: BatchLoader, t: FoldTraining, trainCount: number): TrainingData {
  return {
    classes: Array.from({ length: t.classes }, (_, i) => String(i)),
    inputShape: t.inputShape,
    trainCount,
    validationCount: 0,
    async *trainBatches(epoch) {
      for await (const b of loader.epoch(epoch, t.signal)) yield { x: b.x, y: b.y, size: b.y.length }
    },
    async *validationBatches() {}
  }
}
