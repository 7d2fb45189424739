/** Checkpoints of a Run: model, optimizer state and trainer state, written as one set and read back to resume. */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import type { OptimizerName } from '../contract'
import { fileHandler, loadTensors, saveTensors } from '../engine/io'
import { forTraining } from '../engine/models'
import { createOptimizer } from '../engine/optimizers'
import type { TrainerState } from '../engine/trainer'
import { nextOf, oldOf, settleCheckpoint } from './checkpoint-state'

/**
 * Writes model, optimizer state and trainer state to `dir`, replacing the old set. The new set is
 * written whole beside it first, and the old one is moved aside before the new takes its name, so a
 * process killed at any moment leaves a whole checkpoint (settleCheckpoint finds it).
 */
export async function saveCheckpoint(tf: typeof tfjs, dir: string, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, state: object): Promise<void> {
  settleCheckpoint(dir)
  const next = nextOf(dir)
  await rm(next, { recursive: true, force: true })
  await mkdir(next, { recursive: true })
  await model.save(fileHandler(tf, join(next, 'model')))
  await saveTensors(tf, join(next, 'optimizer'), await optimizer.getWeights())
  // state.json last, and whole (a rename): its presence says the set is complete.
  await writeFile(join(next, 'state.json.part'), JSON.stringify(state))
  await rename(join(next, 'state.json.part'), join(next, 'state.json'))
  if (existsSync(dir)) await rename(dir, oldOf(dir))
  await rename(next, dir)
  await rm(oldOf(dir), { recursive: true, force: true })
}

/** Reads a checkpoint back: model, optimizer state, and the state saved with them (`trainer`: where the trainer was). */
export async function restoreCheckpoint<S extends { trainer: TrainerState } = { trainer: TrainerState }>(tf: typeof tfjs, dir: string, optimizerName: OptimizerName, lr: number) {
  settleCheckpoint(dir)
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as S
  const model = forTraining(await tf.loadLayersModel(fileHandler(tf, join(dir, 'model'))))
  const optimizer = createOptimizer(tf, optimizerName, lr)
  await optimizer.setWeights(await loadTensors(tf, join(dir, 'optimizer')))
  return { model, optimizer, state }
}
