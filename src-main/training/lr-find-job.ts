/** The learning-rate range test in a worker: the Run's own data and model, 100 growing-rate steps. */
import { initBackend } from '../engine/backend'
import { findLearningRate } from '../engine/lr-finder'
import { buildModel } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import { prepareData } from './prepare'
import type { LrFindInput, LrFindResult, TrainProgress } from './protocol'

/** Runs the test for `input.config` on its dataset; streams preparation progress. */
export async function runLrFindJob(input: LrFindInput, signal: AbortSignal, progress: (p: TrainProgress) => void): Promise<LrFindResult> {
  const { config } = input
  const { classes, channels, cache, loader } = await prepareData(input, signal, (done, total) => progress({ kind: 'preparing', done, total }))
  const backend = await initBackend(config.backend, { log: (message) => progress({ kind: 'log', message }) })
  try {
    const { tf } = backend
    const model = buildModel(tf, config.model, { size: config.imageSize, channels, classes: classes.length }, config.seed, { dropout: config.dropout, units: config.units })
    let epoch = 0
    const batches = async function* () {
      for await (const b of loader.epoch(++epoch, signal)) yield { x: b.x, y: b.y, size: b.y.length }
    }
    const result = await findLearningRate(tf, model, createOptimizer(tf, config.optimizer, 1e-7), batches, { size: config.imageSize, channels, classes: classes.length })
    model.dispose()
    return { ...result, backend: backend.name }
  } finally {
    await loader.close()
    await cache.close()
    backend.dispose()
  }
}
