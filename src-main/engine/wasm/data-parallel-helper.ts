/** Worker entry of DataParallel: builds the replica (model and optimizer) on its own wasm backend and serves steps. */
import * as tf from '@tensorflow/tfjs'
import { parentPort, workerData } from 'node:worker_threads'
import { forTraining } from '../models'
import { createOptimizer } from '../optimizers'
import { startWasm } from './init'
import { helperLoop, Replica, type ReplicaSpec } from './data-parallel'

const spec = workerData as ReplicaSpec
try {
  await startWasm(1)
  const model = await tf.models.modelFromJSON(spec.modelJson as tf.io.ModelJSON['modelTopology'] as never)
  model.setWeights(spec.weights.map((w, i) => tf.tensor(w, spec.shapes[i])))
  forTraining(model, 1) // its own dropout masks: the two halves of a batch are different images
  const optimizer = createOptimizer(tf, spec.optimizer, spec.learningRate)
  await optimizer.setWeights(spec.optimizerState.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) })))
  parentPort!.postMessage('ready')
  helperLoop(spec, new Replica(model, optimizer, spec.step, spec.grads))
} catch (err) {
  parentPort!.postMessage(`helper failed: ${(err as Error).stack}`)
}
