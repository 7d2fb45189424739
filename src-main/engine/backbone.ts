/**
 * Pretrained backbones in tfjs: load one (its files checked first) for a chosen image size, cut it
 * at its embedding layer, and put a head on top; for fine-tuning, unfreeze its last blocks.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { verifyBackbone, type BackboneSource } from '../backbones/files'
import { OspreyError } from '../errors'
import { foldBatchNorm } from './fold'
import { fileHandler } from './io'

type Tf = typeof tfjs

/** Layers of a head are named so: fine-tuning and warm starts find them by name. */
export const HEAD_PREFIX = 'head_'

/** Name of the pooling layer that turns the cut layer's feature map into the embedding. */
export const FEATURES_LAYER = 'osprey_features'

/**
 * The backbone at `source` as a feature extractor for `size`×`size` RGB images: its layers up to
 * the embedding layer, averaged over the image, so each image gives one vector. Frozen. With
 * `inferenceOnly`, batch normalization is folded into the convolutions (twice as fast on wasm;
 * such a model cannot be fine-tuned or saved as the backbone).
 */
export async function loadFeatureExtractor(tf: Tf, source: BackboneSource, size: number, options: { inferenceOnly?: boolean } = {}): Promise<tfjs.LayersModel> {
  await verifyBackbone(source)
  let artifacts = await fileHandler(tf, source.dir).load!()
  resizeInput(artifacts.modelTopology as object, size, source)
  if (options.inferenceOnly) artifacts = await foldBatchNorm(tf, artifacts, [source.embeddingLayer])
  let model: tfjs.LayersModel
  try {
    model = await tf.loadLayersModel({ load: async () => artifacts })
  } catch (e) {
    throw new OspreyError('bad-input', `The backbone ${source.title} cannot be loaded by TensorFlow.js: ${(e as Error).message.split('\n')[0]}.`)
  }
  const names = model.layers.map((l) => l.name)
  if (!names.includes(source.embeddingLayer)) {
    model.dispose()
    throw new OspreyError('bad-input', `The backbone ${source.title} has no layer named "${source.embeddingLayer}". Choose one of its layers: ${names.slice(-8).join(', ')}, …`)
  }
  const cut = model.getLayer(source.embeddingLayer).getOutputAt(0) as tfjs.SymbolicTensor
  let features: tfjs.SymbolicTensor
  if (cut.shape.length === 4) features = tf.layers.globalAveragePooling2d({ name: FEATURES_LAYER }).apply(cut) as tfjs.SymbolicTensor
  else if (cut.shape.length === 2) features = cut
  else throw new OspreyError('bad-input', `The layer "${source.embeddingLayer}" of ${source.title} gives a ${cut.shape.length}-D output; cut at a layer that gives a feature map or a vector.`)
  const extractor = tf.model({ inputs: model.inputs, outputs: features, name: 'backbone' })
  for (const layer of extractor.layers) layer.trainable = false
  return extractor
}

/** Rewrites the input layer of a layers-model topology to `size`×`size`×3 (the networks are fully convolutional up to their top). */
function resizeInput(topology: object, size: number, source: BackboneSource): void {
  const root = (topology as { model_config?: object }).model_config ?? topology
  const config = (root as { config?: unknown }).config
  const layers = (Array.isArray(config) ? config : (config as { layers?: unknown[] })?.layers) as { config: Record<string, unknown> }[] | undefined
  for (const layer of layers ?? []) {
    for (const key of ['batch_input_shape', 'batchInputShape']) {
      const shape = layer.config[key] as (number | null)[] | undefined
      if (!shape || shape.length !== 4) continue
      if (shape[3] !== 3) throw new OspreyError('bad-input', `The backbone ${source.title} takes ${shape[3]}-channel images; the studio feeds backbones RGB images (3 channels).`)
      layer.config[key] = [null, size, size, 3]
    }
  }
}

/** Head settings: a hidden layer (0 units = none) and dropout before the classifier. */
export interface HeadShape {
  units: number
  dropout: number
}

/** The head a transfer Run trains on embeddings of `dim` numbers: [dense + ReLU] → dropout → logits. */
export function buildHead(tf: Tf, dim: number, classes: number, head: HeadShape, seed = 1): tfjs.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 1000 + k })
  const input = tf.input({ shape: [dim], name: `${HEAD_PREFIX}input` })
  let x = input
  if (head.units > 0) x = tf.layers.dense({ units: head.units, activation: 'relu', kernelInitializer: init(1), name: `${HEAD_PREFIX}hidden` }).apply(x) as tfjs.SymbolicTensor
  if (head.dropout > 0) x = tf.layers.dropout({ rate: head.dropout, seed: seed + 7, name: `${HEAD_PREFIX}dropout` }).apply(x) as tfjs.SymbolicTensor
  const logits = tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 2 }), name: `${HEAD_PREFIX}logits` }).apply(x) as tfjs.SymbolicTensor
  return tf.model({ inputs: input, outputs: logits, name: 'head' })
}

/** One model from image to logits: the extractor's layers, then the head's (the same layer objects, so the same weights). */
export function composeClassifier(tf: Tf, extractor: tfjs.LayersModel, head: tfjs.LayersModel): tfjs.LayersModel {
  let x = extractor.outputs[0]
  for (const layer of head.layers) if (layer.getClassName() !== 'InputLayer') x = layer.apply(x) as tfjs.SymbolicTensor
  return tf.model({ inputs: extractor.inputs, outputs: x, name: 'transfer-classifier' })
}

/**
 * Makes the head and the last `count` of `blocks` trainable and freezes everything else. Batch
 * normalization stays frozen everywhere in the backbone, so it keeps ImageNet's statistics and
 * runs in inference mode (see frozenBatchNorm): with small batches, its batch statistics would be noise.
 * Returns how many layers with weights are now trainable.
 */
export function unfreezeLastBlocks(model: tfjs.LayersModel, blocks: string[], count: number): number {
  const open = blocks.slice(Math.max(0, blocks.length - count)).map((b) => new RegExp(b))
  let trainable = 0
  for (const layer of model.layers) {
    const head = layer.name.startsWith(HEAD_PREFIX)
    layer.trainable = head || (layer.getClassName() !== 'BatchNormalization' && open.some((b) => b.test(layer.name)))
    if (layer.trainable && layer.weights.length) trainable++
  }
  return trainable
}
