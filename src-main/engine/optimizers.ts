/** The optimizers a Run can use, and setting their learning rate between steps. */
import type * as tfjs from '@tensorflow/tfjs'
import type { OptimizerName } from '../contract'

/** A fresh optimizer for the config. */
export function createOptimizer(tf: typeof tfjs, name: OptimizerName, lr: number): tfjs.Optimizer {
  if (name === 'sgd') return tf.train.momentum(lr, 0.9)
  if (name === 'rmsprop') return tf.train.rmsprop(lr, 0.9)
  return tf.train.adam(lr)
}

/** Sets the optimizer's rate for the next step (tfjs reads it at every applyGradients). */
export function setLearningRate(optimizer: tfjs.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number }
  if (o.setLearningRate) o.setLearningRate(lr)
  else o.learningRate = lr
}
