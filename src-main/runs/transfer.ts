/**
 * A pretrained Run inside its worker. Stage 1: every image's embedding by the frozen backbone,
 * computed once (cached by Dataset, backbone, size and view), then a head trained on them — an
 * ordinary trainer run over vectors, so Epochs, live charts, early stopping, pause and checkpoints
 * all work as for any Run. Stage 2 (when `fineTuneBlocks` > 0): the backbone's last blocks and
 * the head trained together on augmented images at a low rate. The saved model is one network,
 * image to logits, that Try it, `osprey predict` and export use like any other.
 */
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import type { TrainingConfig } from '../contract'
import type { Backend } from '../engine/backend'
import { initBackend } from '../engine/backend'
import { buildHead, composeClassifier, loadFeatureExtractor, unfreezeLastBlocks } from '../engine/backbone'
import { embedImages } from '../engine/embed'
import { evaluate, type EvaluationData } from '../engine/evaluate'
import { fileHandler } from '../engine/io'
import { forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { TrainerState, TrainingData, TrainResult } from '../engine/trainer'
import { OspreyError } from '../errors'
import { EmbeddingBatches, readEmbeddings, writeEmbeddings } from '../pipeline/embeddings'
import type { NormalizationStats } from '../pipeline/normalize'
import { restoreCheckpoint } from './checkpoint'
import { imagePipeline, labelAndSplit, splitRecord, throttled, type LabelledData } from './prepare'
import type { TrainJobInput, TrainJobResult, TrainProgress } from './protocol'
import { imageEvaluationData, imageTrainingData, trainStage, type RunContext } from './stage'
import { splitAtTrainable } from '../engine/split'
import { beforeTraining, timed, type Steering } from './steering'
import { warmStart } from './warm-start'

/** What a checkpoint of a pretrained Run records besides the trainer's state. */
interface StageState {
  trainer: TrainerState
  /** 1: the head on embeddings (the checkpoint's model is the head); 2: fine-tuning (the whole classifier). */
  stage: 1 | 2
  /** Stage 2: where stage 1 ended (Epochs, Iterations, time, best validation loss). */
  head?: { epochs: number; iterations: number; elapsedMs: number; bestValLoss: number | null; stoppedBy: TrainResult['stoppedBy'] }
}

/** Runs (or resumes) a pretrained Run; resolves with its outcome. */
export async function runTransferJob(input: TrainJobInput, signal: AbortSignal, progress: (p: TrainProgress) => void, control: Steering): Promise<TrainJobResult> {
  const { config } = input
  const source = input.backbone
  if (!source) throw new OspreyError('internal', 'A pretrained Run reached its worker without its backbone.')
  const data = labelAndSplit(input)
  const { classes, split } = data
  const stats = backboneStats(config.normalization)
  const fineTune = (config.fineTuneBlocks ?? 0) > 0
  let backend: Backend | null = null
  // Opened only when fine-tuning or evaluating on pixels; closed at the end.
  const opened: { images?: Awaited<ReturnType<typeof imagePipeline>> } = {}
  try {
    // One replica with every thread: embedding and fine-tuning's frozen trunk only infer, where XNNPACK's threads scale; the head and the top are small.
    progress({ kind: 'preparing', step: 'backend', done: 0, total: 0 })
    backend = await initBackend(config.backend, { log: (message) => progress({ kind: 'log', message }) })
    const { tf } = backend
    const run: RunContext = { backend, runDir: input.runDir, control, progress, signal, timing: { ms: 0, images: 0 } }
    const checkpointDir = join(input.runDir, 'checkpoint-last')
    progress({ kind: 'preparing', step: 'model', done: 0, total: 0, what: input.resume ? 'checkpoint' : source.title })
    const restored = input.resume ? await restoreCheckpoint<StageState>(tf, checkpointDir, config.optimizer, config.learningRate) : null
    const extractor = await loadFeatureExtractor(tf, source, config.imageSize)
    const dim = extractor.outputs[0].shape[1] as number
    const metadata = {
      classes,
      imageSize: config.imageSize,
      channels: 3,
      normalization: { kind: stats.normalization, mean: stats.mean, std: stats.std },
      backbone: { id: source.id, title: source.title }
    }
    const started = () =>
      progress({ kind: 'started', backend: backend!.name, versions: { ...backend!.versions, backbone: source.title }, split: splitRecord(classes, split.manifest), normalizationStats: null })

    let classifier: tfjs.LayersModel
    // Stage 1, unless a checkpoint says it is done: the head on the embeddings.
    let head: { model: tfjs.LayersModel; embeddings: EmbeddingBatches } | null = null
    let stage1: NonNullable<StageState['head']>
    if (restored?.state.stage === 2) {
      classifier = restored.model
      stage1 = restored.state.head!
    } else {
      const headModel = restored?.model ?? forTraining(buildHead(tf, dim, classes.length, { units: config.units ?? 0, dropout: config.dropout ?? 0 }, config.seed))
      classifier = composeClassifier(tf, extractor, headModel)
      if (!restored && input.warmStart) await warmStart(tf, classifier, input.warmStart, classes, progress)
      const embeddings = await beforeTraining(control, () =>
        embed(tf, () => loadFeatureExtractor(tf, source, config.imageSize, { inferenceOnly: true }), input, data, stats, progress, control.stopped)
      )
      const optimizer = restored?.optimizer ?? createOptimizer(tf, config.optimizer, config.learningRate)
      const result = await trainStage(run, headModel, optimizer, embeddingData(run, embeddings, data, dim), {
        config,
        optimizer: config.optimizer,
        replicas: 1,
        resume: restored?.state.trainer,
        checkpointState: { stage: 1 },
        onReady: started
      })
      head = { model: headModel, embeddings }
      stage1 = { epochs: result.state.epochsDone, iterations: result.state.iteration, elapsedMs: result.state.elapsedMs, bestValLoss: result.state.bestValLoss, stoppedBy: result.stoppedBy }
    }

    // Stage 2: fine-tuning, unless the head was stopped.
    let stage2: TrainResult | null = null
    const pixels = async () =>
      (opened.images ??= await imagePipeline({ ...input, config: { ...config, normalization: stats.normalization } }, data, signal, (done, total) =>
        progress({ kind: 'preparing', step: 'images', done, total })
      ))
    if (fineTune && stage1.stoppedBy !== 'stopped' && !control.stopRequested()) {
      const resumed = restored?.state.stage === 2
      const unfrozen = unfreezeLastBlocks(classifier, source.blocks, config.fineTuneBlocks!)
      progress({
        kind: 'log',
        message: `Fine-tuning the last ${config.fineTuneBlocks} block${config.fineTuneBlocks === 1 ? '' : 's'} of ${source.title} with the head (${unfrozen} layers with weights) at learning rate ${config.fineTuneLearningRate}.`
      })
      const { loader } = await pixels()
      const optimizer = resumed ? restored!.optimizer : createOptimizer(tf, config.optimizer, config.fineTuneLearningRate!)
      const images = imageTrainingData(run, loader, split, classes, [config.imageSize, config.imageSize, 3])
      // Only the top trains; the frozen trunk below it only infers, batch norm folded.
      const parts = await splitAtTrainable(tf, classifier)
      const trained = parts ? forTraining(parts.top) : classifier
      stage2 = await trainStage(run, trained, optimizer, parts ? throughTrunk(tf, parts.trunk, images) : images, {
        config: {
          ...config,
          epochs: config.fineTuneEpochs!,
          learningRate: config.fineTuneLearningRate!,
          offset: { epochs: stage1.epochs, iterations: stage1.iterations, elapsedMs: stage1.elapsedMs },
          // Fine-tuning that never beats the head alone ends with the head alone's weights.
          startsAtBest: !resumed && stage1.bestValLoss !== null
        },
        optimizer: config.optimizer,
        replicas: 1,
        resume: resumed ? restored!.state.trainer : { epochsDone: 0, iteration: 0, bestValLoss: stage1.bestValLoss, bestEpoch: 0, epochsWithoutImprovement: 0, schedule: {}, elapsedMs: 0 },
        checkpointState: { stage: 2, head: stage1 },
        checkpointModel: parts ? () => (parts.merge(), classifier) : undefined,
        onReady: resumed ? started : undefined
      })
      parts?.merge()
    }

    const modelPath = join(input.runDir, 'model')
    classifier.setUserDefinedMetadata?.(metadata)
    await classifier.save(fileHandler(tf, modelPath))
    // Without fine-tuning the head on the clean embeddings is the classifier on the images, at a fraction of the cost.
    const evaluateOn = async (indices: number[], name: 'validation' | 'test') =>
      indices.length === 0
        ? null
        : head && !stage2
          ? evaluate(tf, head.model, embeddingEvaluation(head.embeddings, indices, data, dim), name)
          : evaluate(tf, classifier, imageEvaluationData((await pixels()).loader, indices, data.images, classes, [config.imageSize, config.imageSize, 3]), name)
    const evaluation = await evaluateOn(split.validation, 'validation')
    const testEvaluation = await evaluateOn(split.test, 'test')
    return {
      stoppedBy: stage2?.stoppedBy ?? stage1.stoppedBy,
      epochsDone: stage1.epochs + (stage2?.state.epochsDone ?? 0),
      evaluation,
      testEvaluation,
      imagesPerSecond: run.timing.ms > 0 ? (run.timing.images / run.timing.ms) * 1000 : null,
      modelPath
    }
  } finally {
    await opened.images?.loader.close()
    await opened.images?.cache.close()
    backend?.dispose()
  }
}

/** The pixel scaling a backbone takes: every catalog backbone RGB in [-1, 1]; a folder of the user's may want [0, 1]. */
export function backboneStats(normalization: TrainingConfig['normalization']): NormalizationStats {
  return normalization === 'unit' ? { normalization, mean: [0, 0, 0], std: [1, 1, 1] } : { normalization: 'symmetric', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }
}

/** The embeddings of every image, clean and each augmented view: from the cache, or computed now (by the extractor `loadExtractor` gives) and cached. Also used by the learning-rate finder. */
export async function embed(
  tf: typeof tfjs,
  loadExtractor: () => Promise<tfjs.LayersModel>,
  input: Pick<TrainJobInput, 'config' | 'backbone' | 'embeddingDir' | 'warmStart'>,
  data: LabelledData,
  stats: NormalizationStats,
  progress: (p: TrainProgress) => void,
  signal?: AbortSignal
): Promise<EmbeddingBatches> {
  const { config } = input
  const source = input.backbone!
  const views: Float32Array[] = []
  let dim = 0
  let extractor: tfjs.LayersModel | null = null // loaded only when an embedding is missing
  for (let view = 0; view <= (config.augmentedViews ?? 0); view++) {
    const key = { fingerprint: data.report.fingerprint, backbone: source.key, size: config.imageSize, view, ...(view ? { augmentation: config.augmentation, seed: config.seed } : {}) }
    let found = input.warmStart ? null : await readEmbeddings(input.embeddingDir!, key, data.images.length)
    if (!found) {
      const what = `${source.title}${view ? `, augmented view ${view}` : ''}`
      const started = Date.now()
      extractor ??= await loadExtractor()
      found = await embedImages(tf, extractor, {
        root: data.report.path,
        files: data.images,
        size: config.imageSize,
        stats,
        view,
        augmentation: config.augmentation,
        seed: config.seed,
        signal,
        onProgress: throttled((done, total) => progress({ kind: 'preparing', step: 'features', done, total, what }))
      })
      const seconds = (Date.now() - started) / 1000
      progress({
        kind: 'log',
        message: `Computed the features (${what}) of ${data.images.length} images in ${seconds.toFixed(1)} s (${Math.round(data.images.length / Math.max(seconds, 1e-3))} images/s).`
      })
      // A warm start changes the backbone's weights: its embeddings are this Run's alone.
      if (!input.warmStart) await writeEmbeddings(input.embeddingDir!, key, found.data, found.dim)
    }
    views.push(found.data)
    dim = found.dim
  }
  extractor?.dispose()
  return new EmbeddingBatches({ views, dim, labels: data.images.map((i) => i.label), train: data.split.train, batchSize: config.batchSize, seed: config.seed })
}

/** The head's training data: batches of embeddings, timed like image batches. */
function embeddingData(run: RunContext, embeddings: EmbeddingBatches, data: LabelledData, dim: number): TrainingData {
  return {
    classes: data.classes,
    inputShape: [dim],
    trainCount: data.split.train.length,
    validationCount: data.split.validation.length,
    async *trainBatches(epoch) {
      const batches = (async function* () {
        for (const b of embeddings.epoch(epoch)) yield b
      })()
      for await (const b of timed(batches, run.timing, run.control)) yield { x: b.x, y: b.y, size: b.y.length }
    },
    async *validationBatches() {
      for (const b of embeddings.evaluation(data.split.validation)) yield { x: b.x, y: b.y, size: b.y.length }
    }
  }
}

/** Validation or test images as embeddings, in order, with their paths. */
function embeddingEvaluation(embeddings: EmbeddingBatches, indices: number[], data: LabelledData, dim: number): EvaluationData {
  return {
    classes: data.classes,
    inputShape: [dim],
    async *batches() {
      for (const b of embeddings.evaluation(indices)) yield { x: b.x, y: b.y, size: b.y.length, paths: Array.from(b.indices, (i) => data.images[i].path) }
    }
  }
}

/** `data` with every batch of images passed through the frozen `trunk`: the top trains on its output. */
function throughTrunk(tf: typeof tfjs, trunk: tfjs.LayersModel, data: TrainingData): TrainingData {
  const [height, width, channels] = data.inputShape
  const through = async function* (batches: AsyncIterable<{ x: Float32Array; y: Int32Array; size: number }>) {
    for await (const b of batches) {
      const features = tf.tidy(() => trunk.predict(tf.tensor4d(b.x, [b.size, height, width, channels])) as tfjs.Tensor)
      const x = (await features.data()) as Float32Array
      features.dispose()
      yield { x, y: b.y, size: b.size }
    }
  }
  return { ...data, inputShape: trunk.outputs[0].shape.slice(1) as number[], trainBatches: (epoch) => through(data.trainBatches(epoch)), validationBatches: () => through(data.validationBatches()) }
}
