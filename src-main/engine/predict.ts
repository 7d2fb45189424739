/** Classifying new images with a saved model: the "Try it" of a Run and `osprey predict`. */
import { initBackend } from './backend'
import { fileHandler } from './io'
import { decodeImage } from '../pipeline/cache'
import { normalizeRecord } from '../pipeline/normalize'

/** What a saved model records about its inputs (written by the training job). */
export interface ModelMetadata {
  classes: string[]
  imageSize: number
  channels: 1 | 3
  normalization: { kind: string; mean: number[]; std: number[] }
}

/** One image's classification: the best classes, most likely first. */
export interface Prediction {
  path: string
  label: string
  confidence: number
  top: { label: string; probability: number }[]
}

/** Loads the model in `modelDir` and classifies `files` (decoded as in training). */
export async function predictFiles(modelDir: string, files: string[], options: { backend?: Parameters<typeof initBackend>[0]; top?: number } = {}): Promise<Prediction[]> {
  const backend = await initBackend(options.backend ?? 'auto')
  try {
    const { tf } = backend
    const model = await tf.loadLayersModel(fileHandler(tf, modelDir))
    const meta = model.getUserDefinedMetadata() as unknown as ModelMetadata | undefined
    if (!meta?.classes) throw new Error(`${modelDir} has no class names: it was not saved by Osprey.`)
    const { imageSize: size, channels } = meta
    const stats = { normalization: meta.normalization.kind as 'unit', mean: meta.normalization.mean, std: meta.normalization.std }
    const predictions: Prediction[] = []
    for (const path of files) {
      const pixels = new Float32Array(size * size * channels)
      normalizeRecord(await decodeImage(path, size, channels), pixels, stats)
      const probabilities = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(pixels, [1, size, size, channels])) as import('@tensorflow/tfjs').Tensor))
      const p = Array.from(await probabilities.data())
      probabilities.dispose()
      const ranked = p.map((probability, i) => ({ label: meta.classes[i], probability })).sort((a, b) => b.probability - a.probability)
      predictions.push({ path, label: ranked[0].label, confidence: ranked[0].probability, top: ranked.slice(0, options.top ?? 3) })
    }
    model.dispose()
    return predictions
  } finally {
    backend.dispose()
  }
}
