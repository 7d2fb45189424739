/** Classifying new images with a saved model: the "Try it" of a Run (a predict job) and `osprey predict`. */
import type * as tfjs from '@tensorflow/tfjs'
import { initBackend } from './backend'
import { classProbabilities } from './evaluate'
import { foldBatchNorm } from './fold'
import { fileHandler } from './io'
import { decodeImage } from '../pipeline/cache'
import { normalizeRecord, type NormalizationStats } from '../pipeline/normalize'

type Tf = typeof tfjs

/** What a saved model records about its inputs (written by the training job). */
export interface ModelMetadata {
  classes: string[]
  imageSize: number
  channels: 1 | 3
  normalization: { kind: string; mean: number[]; std: number[] }
  /** Classify each image with its left–right mirror, averaged (a model trained with horizontal flips). */
  mirror?: boolean
}

/** One image's classification: the best classes, most likely first. */
export interface Prediction {
  path: string
  label: string
  confidence: number
  top: { label: string; probability: number }[]
}

/** A loaded model that classifies one image file at a time. */
export interface Classifier {
  metadata: ModelMetadata
  /** Decodes `path` exactly as training did (resize, centre-crop, channels, the Run's normalization) and classifies it; throws when it cannot be read. */
  classify(path: string, top?: number): Promise<Prediction>
  dispose(): void
}

/** Loads the model saved in `modelDir` on the backend `tf` is set to, batch norm folded into its convolutions (it only infers here). `mirror` overrides the model's own (to measure what the mirror adds). */
export async function loadClassifier(tf: Tf, modelDir: string, options: { mirror?: boolean } = {}): Promise<Classifier> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(await foldBatchNorm(tf, await fileHandler(tf, modelDir).load!())))
  const metadata = model.getUserDefinedMetadata() as unknown as ModelMetadata | undefined
  if (!metadata?.classes) {
    model.dispose()
    throw new Error(`${modelDir} has no class names: it was not saved by Osprey.`)
  }
  const { imageSize: size, channels } = metadata
  const mirror = options.mirror ?? metadata.mirror ?? false
  const stats: NormalizationStats = { normalization: metadata.normalization.kind as NormalizationStats['normalization'], mean: metadata.normalization.mean, std: metadata.normalization.std }
  return {
    metadata,
    async classify(path, top = 3) {
      const pixels = new Float32Array(size * size * channels)
      normalizeRecord(await decodeImage(path, size, channels), pixels, stats)
      const probabilities = tf.tidy(() => classProbabilities(tf, model, tf.tensor4d(pixels, [1, size, size, channels]), mirror))
      const p = Array.from(await probabilities.data())
      probabilities.dispose()
      const ranked = p.map((probability, i) => ({ label: metadata.classes[i], probability })).sort((a, b) => b.probability - a.probability)
      return { path, label: ranked[0].label, confidence: ranked[0].probability, top: ranked.slice(0, top) }
    },
    dispose: () => model.dispose()
  }
}

/** Loads the model in `modelDir` and classifies `files`; any unreadable file fails the whole call (see the predict job for per-image errors). */
export async function predictFiles(modelDir: string, files: string[], options: { backend?: Parameters<typeof initBackend>[0]; top?: number; mirror?: boolean } = {}): Promise<Prediction[]> {
  const backend = await initBackend(options.backend ?? 'auto')
  try {
    const classifier = await loadClassifier(backend.tf, modelDir, { mirror: options.mirror })
    const predictions: Prediction[] = []
    for (const path of files) predictions.push(await classifier.classify(path, options.top))
    classifier.dispose()
    return predictions
  } finally {
    backend.dispose()
  }
}
