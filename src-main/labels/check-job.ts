/**
 * The label check in a worker: every image's embedding by the pretrained backbone (from the cache
 * when a Run made it), out-of-fold class probabilities from k linear classifiers (each trained on
 * the other folds' embeddings: cheap, seconds to a few minutes), then confident learning for the
 * probably mislabeled images and nearest neighbours for the near-duplicates across the split.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { LabelCheckResult } from '../contract'
import { initBackend } from '../engine/backend'
import { buildHead, loadFeatureExtractor } from '../engine/backbone'
import { forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import { trainingStep } from '../engine/step'
import { Random } from '../pipeline/random'
import { labelAndSplit } from '../runs/prepare'
import type { TrainJobInput, TrainProgress } from '../runs/protocol'
import { backboneStats, embed } from '../runs/transfer'
import { assignFolds, labelSuspects } from './confident'
import { correlation, crossSplitCandidates, LEAK_CORRELATION, LEAK_THUMBNAIL } from './leaks'

/** What the check needs: a pretrained Run's data source and settings (its seed decides the split checked for leaks). */
export type LabelCheckInput = Pick<TrainJobInput, 'dbFile' | 'nativeBinding' | 'datasetId' | 'cacheDir' | 'embeddingDir' | 'config' | 'backbone'> & { folds?: number }

/** Runs the check; streams the features' progress. */
export async function runLabelCheckJob(input: LabelCheckInput, signal: AbortSignal, progress: (p: TrainProgress) => void): Promise<LabelCheckResult> {
  const { config } = input
  const data = labelAndSplit(input)
  const backend = await initBackend(config.backend, { log: (message) => progress({ kind: 'log', message }) })
  try {
    const { tf } = backend
    const embeddings = await embed(tf, () => loadFeatureExtractor(tf, input.backbone!, config.imageSize, { inferenceOnly: true }), input, data, backboneStats(config.normalization), progress, signal)
    const { dim } = embeddings
    const rows = embeddings.rows()
    const labels = Int32Array.from(data.images, (i) => i.label)
    const k = Math.max(2, Math.min(input.folds ?? 5, Math.min(...classCounts(labels, data.classes.length))))
    const folds = assignFolds(labels, k, seeded(config.seed))
    const probabilities = outOfFold(tf, rows, dim, labels, data.classes.length, folds, k, config.seed, signal)
    let right = 0
    for (let i = 0; i < labels.length; i++) right += +(argmax(probabilities, i, data.classes.length) === labels[i])
    const suspects = labelSuspects(probabilities, labels, data.classes.length)
    const path = (i: number) => data.images[i].path
    const leaks = await confirmedLeaks(crossSplitCandidates(rows, dim, data.split.train, data.split.validation), (i) => join(data.report.path, path(i)), signal)
    return {
      backbone: input.backbone!.title,
      images: labels.length,
      folds: k,
      seed: config.seed,
      accuracy: right / Math.max(1, labels.length),
      suspects: suspects.map((s) => ({ path: path(s.index), given: data.classes[s.given], suggested: data.classes[s.suggested], confidence: s.confidence, givenProbability: s.givenProbability })),
      leaks: leaks.map((l) => ({ path: path(l.validation), duplicateOf: path(l.train), similarity: l.similarity }))
    }
  } finally {
    backend.dispose()
  }
}

/** Each image's class probabilities from a linear classifier that never saw it (k-fold). */
function outOfFold(tf: typeof tfjs, rows: Float32Array, dim: number, labels: Int32Array, classes: number, folds: Int32Array, k: number, seed: number, signal: AbortSignal): Float32Array {
  const n = labels.length
  const out = new Float32Array(n * classes)
  const batchSize = 64
  for (let f = 0; f < k; f++) {
    signal.throwIfAborted()
    const train = Array.from({ length: n }, (_, i) => i).filter((i) => folds[i] !== f)
    const held = Array.from({ length: n }, (_, i) => i).filter((i) => folds[i] === f)
    // The studio's default head: on Fashion-MNIST features it ranks the flipped images a little better than a linear classifier.
    const model = forTraining(buildHead(tf, dim, classes, { units: 128, dropout: 0.3 }, seed + f))
    const step = trainingStep(tf, model, createOptimizer(tf, 'adam', 1e-3), { inputShape: [dim], classes })
    // About 150,000 images seen in all: enough for a linear classifier to settle, small or large set.
    const epochs = Math.max(3, Math.min(40, Math.round(150_000 / train.length)))
    const shuffle = new Random(seed).fork('label-check').fork(f)
    for (let e = 0; e < epochs; e++) {
      const order = shuffle.shuffle(Int32Array.from(train))
      for (let s = 0; s < order.length; s += batchSize) {
        const batch = order.subarray(s, s + batchSize)
        const x = new Float32Array(batch.length * dim)
        batch.forEach((i, r) => x.set(rows.subarray(i * dim, (i + 1) * dim), r * dim))
        step({ x, y: Int32Array.from(batch, (i) => labels[i]), size: batch.length }).dispose()
      }
    }
    const x = new Float32Array(held.length * dim)
    held.forEach((i, r) => x.set(rows.subarray(i * dim, (i + 1) * dim), r * dim))
    const p = tf.tidy(() => tf.softmax(model.predict(tf.tensor2d(x, [held.length, dim])) as tfjs.Tensor).dataSync() as Float32Array)
    held.forEach((i, r) => out.set(p.subarray(r * classes, (r + 1) * classes), i * classes))
    model.dispose()
  }
  return out
}

function classCounts(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0)
  for (const l of labels) counts[l]++
  return counts.filter((c) => c > 0)
}

function argmax(p: Float32Array, i: number, classes: number): number {
  let best = 0
  for (let j = 1; j < classes; j++) if (p[i * classes + j] > p[i * classes + best]) best = j
  return best
}

function seeded(seed: number): () => number {
  const r = new Random(seed).fork('folds')
  return () => r.next()
}

/** The candidates whose two pictures agree pixel for pixel (32 × 32 grayscale), best first; `similarity` is then that correlation. */
async function confirmedLeaks(
  candidates: ReturnType<typeof crossSplitCandidates>,
  file: (i: number) => string,
  signal: AbortSignal
): Promise<{ validation: number; train: number; similarity: number }[]> {
  const thumbnails = new Map<number, Promise<Buffer | null>>()
  const thumbnail = (i: number) => {
    if (!thumbnails.has(i))
      thumbnails.set(
        i,
        sharp(file(i))
          .autoOrient()
          .resize(LEAK_THUMBNAIL, LEAK_THUMBNAIL, { fit: 'cover' })
          .greyscale()
          .raw()
          .toBuffer()
          .catch(() => null)
      )
    return thumbnails.get(i)!
  }
  const found = new Map<number, { validation: number; train: number; similarity: number }>()
  for (const c of candidates) {
    signal.throwIfAborted()
    const [a, b] = await Promise.all([thumbnail(c.validation), thumbnail(c.train)])
    const r = a && b ? correlation(a, b) : 0
    if (r >= LEAK_CORRELATION && r > (found.get(c.validation)?.similarity ?? -1)) found.set(c.validation, { validation: c.validation, train: c.train, similarity: r })
  }
  return [...found.values()].sort((x, y) => y.similarity - x.similarity)
}
