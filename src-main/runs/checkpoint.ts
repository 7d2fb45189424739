/** Checkpoints of a Run: model, optimizer state and trainer state, written as one set and read back to resume. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import type { OptimizerName } from '../contract'
import { fileHandler, loadTensors, saveTensors } from '../engine/io'
import { forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { TrainerState } from '../engine/trainer'

/** Writes model, optimizer state and trainer state to `dir`, replacing the old set at once. */
export async function saveCheckpoint(tf: typeof tfjs, dir: string, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, state: object): Promise<void> {
  const next = `${dir}.next`
  await rm(next, { recursive: true, force: true })
  await mkdir(next, { recursive: true })
  await model.save(fileHandler(tf, join(next, 'model')))
  await saveTensors(tf, join(next, 'optimizer'), await optimizer.getWeights())
  await writeFile(join(next, 'state.json'), JSON.stringify(state))
  await rm(dir, { recursive: true, force: true })
  await rename(next, dir)
}

/** Reads a checkpoint back: model, optimizer state, and the state saved with them (`trainer`: where the trainer was). */
export async function restoreCheckpoint<S extends { trainer: TrainerState } = { trainer: TrainerState }>(tf: typeof tfjs, dir: string, optimizerName: OptimizerName, lr: number) {
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as S
  const model = forTraining(await tf.loadLayersModel(fileHandler(tf, join(dir, 'model'))))
  const optimizer = createOptimizer(tf, optimizerName, lr)
  await optimizer.setWeights(await loadTensors(tf, join(dir, 'optimizer')))
  return { model, optimizer, state }
}
