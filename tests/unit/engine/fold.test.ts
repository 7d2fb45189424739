// Folding batch norm into convolutions changes how an extractor computes, never what.
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { foldBatchNorm } from '../../../src-main/engine/fold'

/** A small net with every pattern MobileNetV2 has: conv→BN→ReLU6, depthwise→BN, conv(with bias)→BN, a residual add, a BN that follows an add. */
function net(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] })
  const bn = (x: tf.SymbolicTensor) => tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor
  const a = tf.layers.reLU({ maxValue: 6 }).apply(bn(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor)) as tf.SymbolicTensor
  const b = bn(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, useBias: false }).apply(a) as tf.SymbolicTensor)
  const c = bn(tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: true }).apply(b) as tf.SymbolicTensor)
  const d = bn(tf.layers.add().apply([b, c]) as tf.SymbolicTensor)
  const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(d) as tf.SymbolicTensor })
  // Batch-norm statistics far from the identity, so a wrong fold shows.
  let s = 1
  model.setWeights(
    model.getWeights().map((w) =>
      tf.tensor(
        Array.from({ length: w.size }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 1.5 + 0.25),
        w.shape
      )
    )
  )
  return model
}

async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved!: tf.io.ModelArtifacts
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })))
  return saved
}

describe('folding batch norm into convolutions', () => {
  it('gives the same outputs with the convolution→BN pairs merged, and leaves a BN after an add alone', async () => {
    const model = net()
    const artifacts = await artifactsOf(model)
    const folded = await tf.loadLayersModel(tf.io.fromMemory(await foldBatchNorm(tf, artifacts)))
    const kinds = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length
    expect(kinds(model)).toBe(4)
    expect(kinds(folded)).toBe(1) // the one after the add cannot be folded
    const x = tf.randomUniform([2, 9, 9, 3], -1, 1, 'float32', 5)
    const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, folded.predict(x) as tf.Tensor))).dataSync()[0]
    expect(diff).toBeLessThan(1e-4)
    expect(tf.max(tf.abs(model.predict(x) as tf.Tensor)).dataSync()[0]).toBeGreaterThan(0.1) // not a trivial zero
    // Each folded convolution takes its batch norm's name, so a cut made at that name still finds it.
    const bnNames = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name)
    expect(folded.getLayer(bnNames[0]).getClassName()).toBe('Conv2D')
    expect(folded.getLayer(bnNames[1]).getClassName()).toBe('DepthwiseConv2D')
  })

  it('leaves a Sequential model (no graph to rewrite) as it is, so it still loads', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }), tf.layers.batchNormalization(), tf.layers.flatten(), tf.layers.dense({ units: 2 })]
    })
    const artifacts = await artifactsOf(model)
    expect(await foldBatchNorm(tf, artifacts)).toBe(artifacts)
  })

  it('leaves a convolution it is told to keep (a model is cut there) as it is', async () => {
    const model = net()
    const conv = model.layers.find((l) => l.getClassName() === 'DepthwiseConv2D')!.name
    const kept = await tf.loadLayersModel(tf.io.fromMemory(await foldBatchNorm(tf, await artifactsOf(model), [conv])))
    expect(kept.getLayer(conv).getClassName()).toBe('DepthwiseConv2D')
    expect(kept.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(2)
  })
})
