/**
 * A quick measurement of a Run's model on this machine, in a worker: start the backend, build the
 * model (or load the backbone), time a few training steps on random data of the Run's shape, a
 * prediction, and the decoding of a few of the Dataset's images. Seconds, not a Run: the Train
 * form turns it into an estimate (./estimate.ts). Nothing is recorded.
 */
import { availableParallelism } from 'node:os'
import type * as tfjs from '@tensorflow/tfjs'
import { buildHead, loadFeatureExtractor } from '../engine/backbone'
import { initBackend } from '../engine/backend'
import { buildModel } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import { localStep, MAX_SLICE_PIXELS } from '../engine/step'
import { decodeImage } from '../pipeline/cache'
import type { Measurement } from './estimate'
import type { MeasureJobInput } from './protocol'

/** Timed steps after one to warm up (kernels compile, memory grows on the first). */
const STEPS = 2
/** Images decoded and predicted to time one. */
const SAMPLE = 8

/** Measures `input.config`'s model; `startMs` is left for the caller (it also counts starting the worker). */
export async function runMeasureJob(input: MeasureJobInput, signal: AbortSignal): Promise<Omit<Measurement, 'startMs'> & { measuringMs: number }> {
  const { config } = input
  let at = performance.now()
  const lap = () => {
    const now = performance.now()
    const ms = now - at
    at = now
    return ms
  }
  const replicas = Math.max(1, input.replicas)
  const backend = await initBackend(config.backend, { threads: replicas > 1 ? 1 : undefined })
  lap()
  const measuring = performance.now()
  try {
    const { tf } = backend
    const decodeMsPerImage = await timeDecoding(input)
    lap()
    signal.throwIfAborted()
    if (config.model === 'pretrained') {
      const extractor = await loadFeatureExtractor(tf, input.backbone!, config.imageSize, { inferenceOnly: true })
      const dim = extractor.outputs[0].shape[1] as number
      const modelMs = lap()
      const featureMsPerImage = timePredict(tf, extractor, [config.imageSize, config.imageSize, 3])
      extractor.dispose()
      const head = buildHead(tf, dim, input.classes, { units: config.units ?? 0, dropout: config.dropout ?? 0 }, config.seed)
      const stepMs = await timeSteps(tf, head, config, [dim], input.classes, config.batchSize)
      const predictMsPerImage = timePredict(tf, head, [dim])
      head.dispose()
      return { backend: backend.name, measuringMs: performance.now() - measuring, modelMs, stepMs, decodeMsPerImage, featureMsPerImage, predictMsPerImage }
    }
    const shape = [config.imageSize, config.imageSize, input.channels]
    const model = buildModel(tf, config.model, { size: config.imageSize, channels: input.channels, classes: input.classes }, config.seed, { dropout: config.dropout, units: config.units })
    const modelMs = lap()
    // Replicas each train their share of a batch side by side: a step lasts as long as one share.
    const share = Math.ceil(config.batchSize / replicas)
    const stepMs = await timeSteps(tf, model, config, shape, input.classes, share, MAX_SLICE_PIXELS / replicas)
    const predictMsPerImage = timePredict(tf, model, shape)
    model.dispose()
    return { backend: backend.name, measuringMs: performance.now() - measuring, modelMs, stepMs, decodeMsPerImage, featureMsPerImage: 0, predictMsPerImage }
  } finally {
    backend.dispose()
  }
}

/** Milliseconds of one training step over `batch` examples, timed on a smaller batch when large and scaled (a step's cost grows with its images). */
async function timeSteps(tf: typeof tfjs, model: tfjs.LayersModel, config: MeasureJobInput['config'], shape: number[], classes: number, batch: number, maxSlicePixels?: number): Promise<number> {
  const size = Math.max(1, Math.min(batch, 16))
  const optimizer = createOptimizer(tf, config.optimizer, config.learningRate)
  const step = localStep(tf, model, optimizer, { inputShape: shape, classes, weightDecay: config.weightDecay, maxSlicePixels })
  const x = Float32Array.from({ length: size * shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5)
  const y = Int32Array.from({ length: size }, (_, i) => i % classes)
  await step({ x, y, size }, config.learningRate)
  const started = performance.now()
  for (let i = 0; i < STEPS; i++) await step({ x, y, size }, config.learningRate)
  optimizer.dispose()
  return ((performance.now() - started) / STEPS) * (batch / size)
}

/** Milliseconds per image of a prediction on a small batch (after one to warm up). */
function timePredict(tf: typeof tfjs, model: tfjs.LayersModel, shape: number[]): number {
  const run = () => tf.tidy(() => (model.predict(tf.randomUniform([SAMPLE, ...shape], -1, 1)) as tfjs.Tensor).dataSync())
  run()
  const started = performance.now()
  run()
  return (performance.now() - started) / SAMPLE
}

/** Milliseconds per image of decoding into the cache (sharp decodes several at once, one per core up to 4). */
async function timeDecoding(input: MeasureJobInput): Promise<number> {
  if (!input.samples.length) return 0
  const started = performance.now()
  for (const file of input.samples) await decodeImage(file, input.config.imageSize, input.channels).catch(() => null)
  return (performance.now() - started) / input.samples.length / Math.min(4, availableParallelism())
}
