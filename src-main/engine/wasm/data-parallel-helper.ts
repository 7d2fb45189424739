/** Worker entry of DataParallel: builds the replica on its own wasm backend and serves steps. */
import * as tf from '@tensorflow/tfjs'
import { parentPort, workerData } from 'node:worker_threads'
import { startWasm } from './init'
import { helperLoop, Replica, type ReplicaSpec } from './data-parallel'

const spec = workerData as ReplicaSpec
try {
  await startWasm(1)
  const model = await tf.models.modelFromJSON(spec.modelJson as tf.io.ModelJSON['modelTopology'] as never)
  model.setWeights(spec.weights.map((w, i) => tf.tensor(w, spec.shapes[i])))
  parentPort!.postMessage('ready')
  helperLoop(spec, new Replica(model, spec.learningRate, spec.classes, spec.grads))
} catch (err) {
  parentPort!.postMessage(`helper failed: ${(err as Error).stack}`)
}
