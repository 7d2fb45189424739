/** The models a Run can train, built for the dataset's image size, channels and classes. */
import type * as tfjs from '@tensorflow/tfjs'
import type { ScratchModelName } from '../contract'
import { DEFAULT_CNN_HEAD } from '../runs/config'
import { batchNormInTraining, moveAverage, type MovingAverage } from './batch-norm'
import { sumOfSameShape } from './forward'

type Tf = typeof tfjs

/** What a model is built for. */
export interface ModelShape {
  size: number
  channels: number
  classes: number
}

/** Head settings a Run (or a tuning Trial) may override; absent = the model's own. */
export interface HeadOptions {
  dropout?: number
  units?: number
}

/** Builds model `name`; its output is logits (softmax is applied by the loss). Dropout masks change every Iteration (see freshDropoutMasks). */
export function buildModel(tf: Tf, name: ScratchModelName, shape: ModelShape, seed = 1, head: HeadOptions = {}): tfjs.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 1000 + k })
  const build = { 'reference-cnn': referenceCnn, 'default-cnn': defaultCnn, 'compact-resnet': compactResnet }[name]
  return forTraining(build(tf, shape, init, head))
}

/** What every model that trains needs: fresh dropout masks per Iteration, frozen batch norm in inference mode, lean sums. Returns `model`. */
export function forTraining<M extends tfjs.LayersModel>(model: M, stream = 0): M {
  return leanAdd(frozenBatchNorm(freshDropoutMasks(model, stream)))
}

/** Add layers of same-shaped inputs sum with sumOfSameShape in training mode (nothing saved for the gradient). Returns `model`. */
export function leanAdd<M extends tfjs.LayersModel>(model: M): M {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Add') continue
    const call = layer.call.bind(layer)
    layer.call = (inputs, kwargs) => {
      const xs = (Array.isArray(inputs) ? inputs : [inputs]) as tfjs.Tensor[]
      const same = xs.length > 1 && xs.every((x) => x.dtype === 'float32' && x.shape.join() === xs[0].shape.join())
      return kwargs?.training && same ? sumOfSameShape(xs) : call(inputs, kwargs)
    }
  }
  return model
}

/**
 * tfjs's BatchNormalization normalizes by batch statistics (and moves its averages) whenever it is
 * called in training mode, trainable or not. A frozen one — a pretrained backbone's — must keep the
 * statistics it was trained with, as in Keras: this runs it in inference mode while it is frozen.
 * A trainable one in training mode normalizes with batchNormInTraining (same numbers, a fraction
 * of the memory) and moves its averages as tfjs-layers does, after a warm-up (below). A model
 * loaded to go on training (resume, start from a Run) warms up again: its first batches'
 * statistics, from its current weights, are the better ones.
 */
export function frozenBatchNorm<M extends tfjs.LayersModel>(model: M): M {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue
    const call = layer.call.bind(layer)
    const bn = layer as unknown as LayerBatchNorm
    let updates = 0
    layer.call = (inputs, kwargs) => {
      if (!layer.trainable) return call(inputs, { ...kwargs, training: false })
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfjs.Tensor
      const lastAxis = bn.axis === -1 || bn.axis === x.rank - 1
      if (!kwargs?.training || !lastAxis || !bn.gamma || !bn.beta || (Array.isArray(inputs) && inputs.length !== 1)) return call(inputs, kwargs)
      const { y, mean, variance } = batchNormInTraining(x, bn.gamma.read(), bn.beta.read(), bn.epsilon)
      // The first updates average the batches seen so far (the first replaces the start values): the
      // moving statistics are the batches' from the first Iteration, not a mix with 0 and 1.
      updates++
      const momentum = Math.min(bn.momentum, 1 - 1 / updates)
      moveAverage(bn.movingMean, mean, momentum)
      moveAverage(bn.movingVariance, variance, momentum)
      return y
    }
  }
  return model
}

/** The fields of tfjs-layers' BatchNormalization used above (its class is not exported with types). */
interface LayerBatchNorm {
  axis: number
  epsilon: number
  momentum: number
  gamma: { read(): tfjs.Tensor } | null
  beta: { read(): tfjs.Tensor } | null
  movingMean: MovingAverage
  movingVariance: MovingAverage
}

/**
 * tfjs's seeded Dropout draws the same mask at every call (the seed restarts its generator), so a
 * unit at a given place in the batch is always dropped or always kept. This gives each of the
 * model's Dropout layers a new seed per training call, derived from its own, so masks differ
 * from Iteration to Iteration and a re-run still draws the same ones. `stream` separates
 * replicas that train the same model side by side. Returns `model`.
 */
export function freshDropoutMasks<M extends tfjs.LayersModel>(model: M, stream = 0): M {
  for (const layer of model.layers) {
    const dropout = layer as tfjs.layers.Layer & { seed?: number; rate?: number }
    if (layer.getClassName() !== 'Dropout' || dropout.seed === undefined) continue
    const base = dropout.seed
    const call = layer.call.bind(layer)
    let calls = 0
    layer.call = (inputs, kwargs) => {
      if (!kwargs?.training) return call(inputs, kwargs)
      dropout.seed = base + 7919 * ++calls + 104729 * stream
      try {
        return call(inputs, kwargs)
      } finally {
        dropout.seed = base // the saved model keeps its own seed
      }
    }
  }
  return model
}

// How much of its moving statistics a batch-norm layer keeps per Iteration. Keras' 0.99 averages
// over ~100 Iterations: a Run on a few hundred images has that many in all, so it validated with
// statistics still near their start (0 and 1): validation loss 2.8 (chance: 1.1) after one Epoch of
// 3 × 160 colour images, accuracy 0.450 after 30 against 0.525 with 0.9, PyTorch's default.
const BN_MOMENTUM = 0.9

type Init = (k: number) => tfjs.serialization.Serializable & ReturnType<Tf['initializers']['heNormal']>

// Exactly ../shared/reference/torch_cnn.py's network: conv3x3x32 relu, maxpool2, conv3x3x64 relu,
// maxpool2, dense128 relu, dense10 (225,034 parameters at 28×28×1 with 10 classes).
function referenceCnn(tf: Tf, s: ModelShape, init: Init, head: HeadOptions): tfjs.LayersModel {
  return tf.sequential({
    name: 'reference-cnn',
    layers: [
      tf.layers.conv2d({ inputShape: [s.size, s.size, s.channels], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: head.units ?? 128, activation: 'relu', kernelInitializer: init(3) }),
      ...(head.dropout ? [tf.layers.dropout({ rate: head.dropout, seed: 3 })] : []),
      tf.layers.dense({ units: s.classes, kernelInitializer: init(4) })
    ]
  })
}

// One convolution per block, then max pooling, batch normalization and ReLU; blocks are added
// until the feature map is 7×7 or smaller. Pooling before normalizing gives batch norm and ReLU 4×
// fewer values (the ReLU and the max commute; the statistics are those of the pooled map): the wasm
// step at 28×28 went from 450 to 233 ms (batch 64). One convolution per block keeps it cheap enough
// to train on a CPU (two cost ~8× the reference CNN). Dropout only in the head: before a batch-norm
// layer it shifts the variance that layer sees between training and inference (Li et al., 2019),
// and with it after every block the net underfit Fashion-MNIST in 10 Epochs.
function defaultCnn(tf: Tf, s: ModelShape, init: Init, head: HeadOptions): tfjs.LayersModel {
  const model = tf.sequential({ name: 'default-cnn' })
  let size = s.size
  let filters = 32
  let k = 0
  for (let block = 0; block === 0 || size > 7; block++) {
    model.add(tf.layers.conv2d({ ...(block === 0 ? { inputShape: [s.size, s.size, s.channels] } : {}), filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(++k) }))
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
    model.add(tf.layers.batchNormalization({ momentum: BN_MOMENTUM }))
    model.add(tf.layers.reLU())
    size = Math.floor(size / 2)
    filters = Math.min(filters * 2, 256)
  }
  filters = Math.max(32, filters / 2) // the last block's width, for the head below
  // Flatten keeps where things are (better on small images) while it stays cheap; else pool.
  model.add(size * size * filters <= 4096 ? tf.layers.flatten() : tf.layers.globalAveragePooling2d({}))
  model.add(tf.layers.dense({ units: head.units ?? DEFAULT_CNN_HEAD.units, useBias: false, kernelInitializer: init(++k) }))
  model.add(tf.layers.batchNormalization({ momentum: BN_MOMENTUM }))
  model.add(tf.layers.reLU())
  model.add(tf.layers.dropout({ rate: head.dropout ?? DEFAULT_CNN_HEAD.dropout, seed: k }))
  model.add(tf.layers.dense({ units: s.classes, kernelInitializer: init(++k) }))
  return model
}

// A stem, then three stages of two residual blocks (32, 64, 128 filters; stages 2 and 3 halve
// the size), global average pooling, dense. On 3 × 200 colour shapes at 64 px it was less accurate
// than the default CNN after 30 Epochs (0.425 vs 0.525) at 6.4× its time (docs/BENCHMARKS.md).
function compactResnet(tf: Tf, s: ModelShape, init: Init, head: HeadOptions): tfjs.LayersModel {
  let k = 0
  const input = tf.input({ shape: [s.size, s.size, s.channels] })
  const conv = (x: tfjs.SymbolicTensor, filters: number, strides = 1, kernelSize = 3) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init(++k) }).apply(x) as tfjs.SymbolicTensor
  const bn = (x: tfjs.SymbolicTensor) => tf.layers.batchNormalization({ momentum: BN_MOMENTUM }).apply(x) as tfjs.SymbolicTensor
  const relu = (x: tfjs.SymbolicTensor) => tf.layers.reLU().apply(x) as tfjs.SymbolicTensor
  const block = (x: tfjs.SymbolicTensor, filters: number, strides: number) => {
    const y = bn(conv(relu(bn(conv(x, filters, strides))), filters))
    const shortcut = strides === 1 && x.shape[3] === filters ? x : bn(conv(x, filters, strides, 1))
    return relu(tf.layers.add().apply([y, shortcut]) as tfjs.SymbolicTensor)
  }
  // Large inputs shrink early so the cost stays bounded.
  let x = relu(bn(conv(input, 32, s.size >= 96 ? 2 : 1)))
  if (s.size >= 160) x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfjs.SymbolicTensor
  for (const [filters, strides] of [
    [32, 1],
    [64, 2],
    [128, 2]
  ])
    x = block(block(x, filters, strides), filters, 1)
  let features = tf.layers.globalAveragePooling2d({}).apply(x) as tfjs.SymbolicTensor
  if (head.units) features = tf.layers.dense({ units: head.units, activation: 'relu', kernelInitializer: init(++k) }).apply(features) as tfjs.SymbolicTensor
  if (head.dropout) features = tf.layers.dropout({ rate: head.dropout, seed: k }).apply(features) as tfjs.SymbolicTensor
  const output = tf.layers.dense({ units: s.classes, kernelInitializer: init(++k) }).apply(features) as tfjs.SymbolicTensor
  return tf.model({ name: 'compact-resnet', inputs: input, outputs: output })
}
