/** The learning-rate range test in a worker: the Run's own data and model, 100 growing-rate steps (a pretrained Run: its head, on the embeddings). */
import { initBackend, type Backend } from '../engine/backend'
import { buildHead, loadFeatureExtractor } from '../engine/backbone'
import { findLearningRate } from '../engine/lr-finder'
import { buildModel, forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { StepBatch } from '../engine/step'
import { labelAndSplit, prepareData } from './prepare'
import type { LrFindInput, LrFindResult, TrainProgress } from './protocol'
import { backboneStats, embed } from './transfer'

/** Runs the test for `input.config` on its dataset; streams preparation progress. */
export async function runLrFindJob(input: LrFindInput, signal: AbortSignal, progress: (p: TrainProgress) => void): Promise<LrFindResult> {
  const { config } = input
  const log = (message: string) => progress({ kind: 'log', message })
  if (config.model === 'pretrained') {
    const data = labelAndSplit(input)
    const backend = await initBackend(config.backend, { log })
    try {
      const { tf } = backend
      const embeddings = await embed(tf, () => loadFeatureExtractor(tf, input.backbone!, config.imageSize, { inferenceOnly: true }), input, data, backboneStats(config.normalization), progress)
      const dim = embeddings.dim
      const head = forTraining(buildHead(tf, dim, data.classes.length, { units: config.units ?? 0, dropout: config.dropout ?? 0 }, config.seed))
      let epoch = 0
      const batches = async function* (): AsyncIterable<StepBatch> {
        for (const b of embeddings.epoch(++epoch)) yield { x: b.x, y: b.y, size: b.y.length }
      }
      return await result(backend, await findLearningRate(tf, head, createOptimizer(tf, config.optimizer, 1e-7), batches, { inputShape: [dim], classes: data.classes.length }))
    } finally {
      backend.dispose()
    }
  }
  const { classes, channels, cache, loader } = await prepareData(input, signal, (done, total) => progress({ kind: 'preparing', step: 'images', done, total }))
  const backend = await initBackend(config.backend, { log })
  try {
    const { tf } = backend
    const model = buildModel(tf, config.model, { size: config.imageSize, channels, classes: classes.length }, config.seed, { dropout: config.dropout, units: config.units })
    let epoch = 0
    const batches = async function* () {
      for await (const b of loader.epoch(++epoch, signal)) yield { x: b.x, y: b.y, size: b.y.length }
    }
    const found = await findLearningRate(tf, model, createOptimizer(tf, config.optimizer, 1e-7), batches, { inputShape: [config.imageSize, config.imageSize, channels], classes: classes.length })
    model.dispose()
    return result(backend, found)
  } finally {
    await loader.close()
    await cache.close()
    backend.dispose()
  }
}

function result(backend: Backend, found: Omit<LrFindResult, 'backend'>): LrFindResult {
  return { ...found, backend: backend.name }
}
