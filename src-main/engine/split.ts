/**
 * Fine-tuning the last blocks of a backbone without paying for the rest: the model is split where
 * its first trainable layer takes its input. Below, the frozen trunk only infers (batch norm
 * folded, no gradient tape); above, the top trains — a model of its own whose layers bear the same
 * names, so its weights go back into the whole model afterwards. Works on the layers-model JSON.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { foldBatchNorm } from './fold'

type Tf = typeof tfjs

interface LayerJson {
  name: string
  class_name: string
  config: Record<string, unknown>
  inbound_nodes: [string, number, number, object][][]
}
interface Topology {
  class_name: string
  config: { name: string; layers: LayerJson[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] }
}

const WEIGHTED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'BatchNormalization'])

/** The frozen trunk and the trainable top of `model`. */
export interface Split {
  /** Image → the cut layer's output; inference only. */
  trunk: tfjs.LayersModel
  /** The cut layer's output → logits; trains. */
  top: tfjs.LayersModel
  /** Copies the top's weights back into the whole model. */
  merge(): void
}

/** Splits `model` below its first trainable layer; null when no cut separates it cleanly (then train it whole). */
export async function splitAtTrainable(tf: Tf, model: tfjs.LayersModel): Promise<Split | null> {
  let artifacts!: tfjs.io.ModelArtifacts
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })))
  const topology = artifacts.modelTopology as Topology
  const layers = topology.config.layers
  const first = layers.findIndex((l) => WEIGHTED.has(l.class_name) && l.config.trainable !== false)
  if (first < 1 || layers[first].inbound_nodes.length !== 1 || layers[first].inbound_nodes[0].length !== 1) return null
  const cut = layers[first].inbound_nodes[0][0][0]
  const at = layers.findIndex((l) => l.name === cut)
  // Everything after the cut must reach the layers before it only through the cut.
  const above = new Set(layers.slice(at + 1).map((l) => l.name))
  if (!layers.slice(at + 1).every((l) => l.inbound_nodes.every((node) => node.every(([from]) => from === cut || above.has(from))))) return null
  const shape = model.getLayer(cut).outputShape as (number | null)[]
  const inputName = `${cut}_features`
  const topTopology: Topology = {
    class_name: 'Model',
    config: {
      name: 'top',
      layers: [
        { name: inputName, class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', sparse: false, name: inputName }, inbound_nodes: [] },
        ...structuredClone(layers.slice(at + 1)).map((l) => ({
          ...l,
          inbound_nodes: l.inbound_nodes.map((node) => node.map(([from, ...rest]) => [from === cut ? inputName : from, ...rest] as LayerJson['inbound_nodes'][0][0]))
        }))
      ],
      input_layers: [[inputName, 0, 0]],
      output_layers: topology.config.output_layers
    }
  }
  const top = await tf.models.modelFromJSON({ modelTopology: topTopology } as never)
  const weightsOf = (m: tfjs.LayersModel) => new Map(m.layers.map((l) => [l.name, l]))
  const whole = weightsOf(model)
  for (const layer of top.layers) if (layer.weights.length) layer.setWeights(whole.get(layer.name)!.getWeights())
  const folded = await tf.loadLayersModel(tf.io.fromMemory(await foldBatchNorm(tf, artifacts, [cut])))
  const trunk = tf.model({ inputs: folded.inputs, outputs: folded.getLayer(cut).output as tfjs.SymbolicTensor, name: 'trunk' })
  return {
    trunk,
    top,
    merge() {
      for (const layer of top.layers) if (layer.weights.length) whole.get(layer.name)!.setWeights(layer.getWeights())
    }
  }
}
