// A model trained with horizontal flips is tested and used on each image and its mirror, averaged: the evaluation and Try it must agree on that.
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { evaluate, type EvaluationData } from '../../../src-main/engine/evaluate'
import { fileHandler } from '../../../src-main/engine/io'
import { loadClassifier } from '../../../src-main/engine/predict'
import { put, tempDir } from '../../helpers/images'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** A 2×2 grey image's logits: its left column's sum ("left") and its right column's ("right"); the mirror of an image swaps them. */
function leftOrRight(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 2, useBias: false })] })
  model.setWeights([tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2])])
  return model
}

/** One image, brighter on the left (logits 3 and 1), of class "left" (0). */
const brightLeft: EvaluationData = {
  classes: ['left', 'right'],
  inputShape: [2, 2, 1],
  async *batches() {
    yield { x: new Float32Array([2, 1, 1, 0]), y: new Int32Array([0]), size: 1, paths: ['a.png'] }
  }
}

describe('mirrored predictions', () => {
  it('averages the class probabilities of the image and of its mirror in the evaluation, and says so', async () => {
    const model = leftOrRight()
    const once = await evaluate(tf, model, brightLeft, 'test')
    const twice = await evaluate(tf, model, brightLeft, 'test', { mirror: true })
    // One look: softmax([3, 1]) gives "left" 0.881; with its mirror (softmax([1, 3])) the two average to 0.5.
    expect(once.loss).toBeCloseTo(-Math.log(1 / (1 + Math.exp(-2))), 5)
    expect(once.mirrored).toBeUndefined()
    expect(twice.loss).toBeCloseTo(Math.log(2), 5)
    expect(twice.mirrored).toBe(true)
  })

  it("classifies a file with its mirror when the saved model's metadata says so, and with one look otherwise", async () => {
    const dir = tempDir()
    try {
      // A 2×2 grey PNG, white on the left and black on the right (logits 2 and 0 once scaled to [0, 1]).
      const png = await sharp(Buffer.from([255, 0, 255, 0]), { raw: { width: 2, height: 2, channels: 1 } })
        .png()
        .toBuffer()
      const image = put(dir.path, 'left.png', png)
      const confidence = async (mirror: boolean, override?: boolean) => {
        const model = leftOrRight()
        model.setUserDefinedMetadata({ classes: ['left', 'right'], imageSize: 2, channels: 1, normalization: { kind: 'unit', mean: [0], std: [1] }, ...(mirror ? { mirror } : {}) })
        const modelDir = `${dir.path}/${mirror ? 'mirrored' : 'plain'}-${override}`
        await model.save(fileHandler(tf, modelDir))
        const classifier = await loadClassifier(tf, modelDir, { mirror: override })
        const prediction = await classifier.classify(image)
        classifier.dispose()
        return prediction.top.find((t) => t.label === 'left')!.probability
      }
      expect(await confidence(false)).toBeGreaterThan(0.7)
      expect(await confidence(true)).toBeCloseTo(0.5, 5)
      // One look at a mirrored model's image, asked for (the benchmark measures what the mirror adds).
      expect(await confidence(true, false)).toBeGreaterThan(0.7)
    } finally {
      dir.cleanup()
    }
  })
})
