/**
 * A model's forward pass in training mode that frees as it goes. tfjs-layers disposes a layer's
 * input once its last reader has run only in inference mode; in training mode every intermediate
 * tensor lives until the pass ends, so the peak is every activation at once, saved for the
 * gradient or not. What the gradient needs the tape keeps on its own (it clones what it saves),
 * so freeing the layer outputs here changes no number.
 */
import * as tf from '@tensorflow/tfjs'
import type * as tfjs from '@tensorflow/tfjs'

type Tensor = tfjs.Tensor

/** One call of a layer in a model's graph (tfjs-layers' Node; not in its public types). */
interface GraphNode {
  outboundLayer: tfjs.layers.Layer
  inputTensors: tfjs.SymbolicTensor[]
  outputTensors: tfjs.SymbolicTensor[]
}

/** The parts of a functional model (tfjs-layers' Container) this walks. */
interface Graph {
  inputs: tfjs.SymbolicTensor[]
  outputs: tfjs.SymbolicTensor[]
  nodesByDepth: Record<string, GraphNode[]>
}

/** `model(x)` in training mode, each intermediate tensor disposed once the layers that read it have run (a Sequential's layer by layer). */
export function applyForTraining(model: tfjs.LayersModel, x: Tensor): Tensor {
  const kwargs = { training: true }
  if (model.getClassName() === 'Sequential') {
    // One layer after another: each output is read by the next layer only.
    let y = x
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue
      const next = layer.apply(y, kwargs) as Tensor
      if (y !== x && next !== y) y.dispose()
      y = next
    }
    return y
  }
  const maybe = model as unknown as Partial<Graph>
  if (!maybe.nodesByDepth || maybe.inputs?.length !== 1 || maybe.outputs?.length !== 1) return model.apply(x, kwargs) as Tensor
  const graph = maybe as Graph
  const nodes = Object.keys(graph.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((depth) => graph.nodesByDepth[depth])
    .filter((node) => node.outboundLayer.getClassName() !== 'InputLayer')
  const readers = new Map<number, number>()
  for (const node of nodes) for (const s of node.inputTensors) readers.set(s.id, (readers.get(s.id) ?? 0) + 1)
  const values = new Map<number, Tensor>([[graph.inputs[0].id, x]])
  // Readers left per tensor (a layer may hand back its input, so several symbols can share one).
  const left = new Map<Tensor, number>([[x, Infinity]])
  const output = graph.outputs[0]
  for (const node of nodes) {
    const inputs = node.inputTensors.map((s) => values.get(s.id))
    if (inputs.some((t) => !t)) continue // not on the path from the input (tfjs-layers skips these too)
    const result = node.outboundLayer.apply(inputs.length === 1 ? inputs[0]! : (inputs as Tensor[]), kwargs) as Tensor | Tensor[]
    const outs = Array.isArray(result) ? result : [result]
    node.outputTensors.forEach((s, i) => {
      values.set(s.id, outs[i])
      left.set(outs[i], (left.get(outs[i]) ?? 0) + (s.id === output.id ? Infinity : (readers.get(s.id) ?? 0)))
    })
    for (const t of inputs as Tensor[]) {
      const n = left.get(t)! - 1
      left.set(t, n)
      if (n === 0) t.dispose()
    }
    // An output nobody reads (a branch that leads nowhere) goes at once.
    for (const t of outs) if (left.get(t) === 0) t.dispose()
  }
  const y = values.get(output.id)
  if (!y) throw new Error(`the model's output ${output.name} could not be computed from its input`)
  return y
}

/**
 * a + b + … of same-shaped tensors, whose gradient (dy to each) saves nothing: tfjs's Add keeps
 * both inputs for their shapes, which in a residual block holds a batch norm's output that
 * nothing else needs until the backward pass reaches the sum.
 */
export function sumOfSameShape(inputs: Tensor[]): Tensor {
  const op = tf.customGrad((...args) => {
    const xs = args.slice(0, -1) as Tensor[]
    return { value: tf.addN(xs), gradFunc: (dy) => xs.map(() => tf.clone(dy as Tensor)) }
  })
  return op(...inputs)
}
