/**
 * The label check in a worker: out-of-fold class probabilities for every image, from the kind of
 * model a Run of this Dataset trains — k linear classifiers on the pretrained backbone's
 * embeddings (from the cache when a Run made them: seconds to a few minutes), or for small
 * grayscale images k trainings of the default CNN (./trained-folds.ts: minutes) — then
 * the probably mislabeled images (./confident.ts) and nearest neighbours for the near-duplicates
 * across the split.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { LabelCheckResult } from '../contract'
import { initBackend, type Backend } from '../engine/backend'
import { buildHead, loadFeatureExtractor } from '../engine/backbone'
import { forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import { trainingStep } from '../engine/step'
import { NO_AUGMENTATION } from '../pipeline/augment'
import { BatchLoader } from '../pipeline/loader'
import { normalizationStats } from '../pipeline/normalize'
import { Random } from '../pipeline/random'
import { imageCache, labelAndSplit, type LabelledData } from '../runs/prepare'
import type { TrainJobInput, TrainProgress } from '../runs/protocol'
import { backboneStats, embed } from '../runs/transfer'
import { assignFolds, labelSuspects } from './confident'
import { copiesAmong, correlation, crossSplitCandidates, LEAK_THUMBNAIL, type ScoredCandidate } from './leaks'
import { trainedOutOfFold } from './trained-folds'

/** What the check needs: the Dataset's data source and the settings of a Run of it (its seed decides the split checked for leaks; its model, how images are judged). */
export type LabelCheckInput = Pick<TrainJobInput, 'dbFile' | 'nativeBinding' | 'datasetId' | 'cacheDir' | 'embeddingDir' | 'config' | 'backbone'> & { folds?: number }

/** What the check streams: the preparation of the images or features, and each model trained. */
export type LabelCheckProgress = TrainProgress | { kind: 'model'; model: number; models: number; epoch: number; epochs: number }

/** Every image as the models see it: a row of `dim` numbers, and each image's out-of-fold class probabilities. */
interface Judged {
  model: string
  rows: Float32Array
  dim: number
  probabilities: Float32Array
}

/** One check's images, their labels and folds, and where it reports. */
interface Check {
  input: LabelCheckInput
  data: LabelledData
  labels: Int32Array
  folds: Int32Array
  k: number
  signal: AbortSignal
  progress: (p: LabelCheckProgress) => void
}

/** Runs the check; streams its progress. */
export async function runLabelCheckJob(input: LabelCheckInput, signal: AbortSignal, progress: (p: LabelCheckProgress) => void): Promise<LabelCheckResult> {
  const { config } = input
  const data = labelAndSplit(input)
  const pretrained = config.model === 'pretrained'
  // Two wasm replicas of one thread each train the CNNs fastest (as a Run's); the embeddings use both threads.
  const backend = await initBackend(config.backend, { threads: pretrained ? undefined : 1, log: (message) => progress({ kind: 'log', message }) })
  try {
    const labels = Int32Array.from(data.images, (i) => i.label)
    const k = Math.max(2, Math.min(input.folds ?? 5, Math.min(...classCounts(labels, data.classes.length))))
    const folds = assignFolds(labels, k, seeded(config.seed))
    const check: Check = { input, data, labels, folds, k, signal, progress }
    const judged = pretrained ? await byEmbeddings(backend.tf, check) : await byTrainedCnns(backend, check)
    const { probabilities, rows, dim } = judged
    let right = 0
    for (let i = 0; i < labels.length; i++) right += +(argmax(probabilities, i, data.classes.length) === labels[i])
    const suspects = labelSuspects(probabilities, labels, data.classes.length)
    const path = (i: number) => data.images[i].path
    const leaks = await confirmedLeaks(crossSplitCandidates(rows, dim, data.split.train, data.split.validation), (i) => join(data.report.path, path(i)), signal)
    return {
      model: judged.model,
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

/** Heads on the pretrained backbone's embeddings; the embeddings are also what near-duplicates are looked for by. */
async function byEmbeddings(tf: typeof tfjs, { input, data, labels, folds, k, signal, progress }: Check): Promise<Judged> {
  const { config } = input
  const embeddings = await embed(tf, () => loadFeatureExtractor(tf, input.backbone!, config.imageSize, { inferenceOnly: true }), input, data, backboneStats(config.normalization), progress, signal)
  const rows = embeddings.rows()
  const probabilities = outOfFold(tf, rows, embeddings.dim, labels, data.classes.length, folds, k, config.seed, signal)
  return { model: input.backbone!.title, rows, dim: embeddings.dim, probabilities }
}

/** Default CNNs trained on the pixels at the Run's size; the normalized pixels are what near-duplicates are looked for by. */
async function byTrainedCnns(backend: Backend, { input, data, labels, folds, k, signal, progress }: Check): Promise<Judged> {
  const { config } = input
  const { images, channels } = data
  const cache = await imageCache(input, data, signal, (done, total) => progress({ kind: 'preparing', step: 'images', done, total }))
  try {
    const all = Array.from({ length: images.length }, (_, i) => i)
    const stats = await normalizationStats(config.normalization, cache, all)
    const loaderFor = (fold: number, seed: number) => new BatchLoader({ cache, labels, train: all.filter((i) => folds[i] !== fold), batchSize: 64, seed, augmentation: NO_AUGMENTATION, stats })
    const inputShape = [config.imageSize, config.imageSize, channels]
    const probabilities = await trainedOutOfFold({
      backend,
      loaderFor,
      folds,
      k,
      classes: data.classes.length,
      inputShape,
      seed: config.seed,
      signal,
      onEpoch: (model, models, epoch, epochs) => progress({ kind: 'model', model, models, epoch, epochs }),
      log: (message) => progress({ kind: 'log', message })
    })
    const dim = inputShape.reduce((a, b) => a * b, 1)
    const rows = new Float32Array(images.length * dim)
    const pixels = loaderFor(-1, config.seed)
    try {
      for await (const b of pixels.evalBatches(all, 256, signal)) b.indices.forEach((i, r) => rows.set(b.x.subarray(r * dim, (r + 1) * dim), i * dim))
    } finally {
      await pixels.close()
    }
    return { model: 'the default CNN, trained from scratch', rows, dim, probabilities }
  } finally {
    await cache.close()
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

/** The candidates that are copies (leaks.ts: their 32 × 32 grayscale thumbnails agree, and stand apart from the other candidates), best first. */
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
  const scored: ScoredCandidate[] = []
  for (const c of candidates) {
    signal.throwIfAborted()
    const [a, b] = await Promise.all([thumbnail(c.validation), thumbnail(c.train)])
    scored.push({ ...c, correlation: a && b ? correlation(a, b) : 0 })
  }
  return copiesAmong(scored)
}
