/**
 * "Start from Run N": a new Run begins with the weights an earlier Run saved. Layers pair up by
 * name (a pretrained backbone and its head keep theirs) or else in order (a from-scratch model
 * built the same way); every pair must match in shape. The classifier layer is carried over only
 * when the classes are the same (its outputs reordered to this Run's class order); new classes
 * get a new classifier, which the Run trains from scratch on top of what was learned.
 */
import type * as tfjs from '@tensorflow/tfjs'
import { OspreyError } from '../errors'
import { fileHandler } from '../engine/io'
import type { TrainProgress } from './protocol'

type Tf = typeof tfjs

/** Copies the weights of the model saved in `modelDir` into `model`, whose outputs are `classes`. */
export async function warmStart(tf: Tf, model: tfjs.LayersModel, modelDir: string, classes: string[], progress: (p: TrainProgress) => void): Promise<void> {
  const from = await tf.loadLayersModel(fileHandler(tf, modelDir)).catch((e: Error) => {
    throw new OspreyError('bad-input', `The model to start from cannot be loaded from ${modelDir} (${e.message.split('\n')[0]}); it may have been deleted. Choose another Run or start afresh.`)
  })
  try {
    const earlier = ((from.getUserDefinedMetadata() as { classes?: string[] } | undefined)?.classes ?? []) as string[]
    const target = model.layers.filter((l) => l.weights.length)
    const source = from.layers.filter((l) => l.weights.length)
    const byName = new Map(source.map((l) => [l.name, l]))
    const pairs = target.every((l) => byName.has(l.name))
      ? target.map((l) => [l, byName.get(l.name)!] as const)
      : target.length === source.length
        ? target.map((l, i) => [l, source[i]] as const)
        : null
    const refuse = () =>
      new OspreyError(
        'bad-input',
        'The Run to start from has a different model (another network, image size or number of channels): start from a Run with the same model and settings, or start afresh.'
      )
    if (!pairs) throw refuse()
    const classifier = target.at(-1)
    const sameClasses = earlier.length === classes.length && classes.every((c) => earlier.includes(c))
    for (const [to, fromLayer] of pairs) {
      if (to === classifier && !sameClasses) continue
      const weights = fromLayer.getWeights()
      const expected = to.getWeights()
      if (weights.length !== expected.length || weights.some((w, i) => w.shape.join() !== expected[i].shape.join())) throw refuse()
      to.setWeights(to === classifier ? reorderOutputs(tf, weights, earlier, classes) : weights)
    }
    progress({
      kind: 'log',
      message: sameClasses
        ? "Started from the earlier Run's weights, classifier included."
        : `Started from the earlier Run's weights; its classes (${earlier.join(', ')}) differ from these, so the classifier layer starts afresh.`
    })
  } finally {
    from.dispose()
  }
}

/**
 * A dense classifier's kernel [in, n] and bias [n] with their outputs put in `classes` order. In
 * plain arrays: wasm's gather keeps its internal 4-D shape on the result, which _FusedMatMul then
 * refuses as a bias ("rank-1 bias but got rank 4").
 */
function reorderOutputs(tf: Tf, weights: tfjs.Tensor[], earlier: string[], classes: string[]): tfjs.Tensor[] {
  const order = classes.map((c) => earlier.indexOf(c))
  return weights.map((w) => {
    const n = w.shape.at(-1)!
    const from = w.dataSync() as Float32Array
    const to = new Float32Array(from.length)
    for (let row = 0; row < from.length / n; row++) for (let j = 0; j < n; j++) to[row * n + j] = from[row * n + order[j]]
    return tf.tensor(to, w.shape)
  })
}
