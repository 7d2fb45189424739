// Classifies images with the model in this folder, preparing each one exactly as Osprey Studio
// did in training (README.md says each step). Needs Node.js 18 or later:
//
//   npm install @tensorflow/tfjs-node sharp
//   node classify.mjs photo.jpg [more.jpg …]
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-node'
import sharp from 'sharp'

const here = new URL('.', import.meta.url)
const { labels, imageSize: size, channels, normalization, mirror } = JSON.parse(readFileSync(new URL('metadata.json', here), 'utf8'))
const model = await tf.loadLayersModel(new URL('model.json', here).href)

/** The image as the model's input: upright, the shorter side scaled to `size`, the centre kept, on white, normalized. */
async function prepare(file) {
  let image = sharp(file)
    .rotate() // upright, by its EXIF orientation
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .flatten({ background: '#ffffff' })
  image = channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb')
  const pixels = await image.raw().toBuffer()
  const { mean, std } = normalization
  const x = Float32Array.from(pixels, (v, i) => (v / 255 - mean[i % channels]) / std[i % channels])
  return tf.tensor4d(x, [1, size, size, channels])
}

for (const file of process.argv.slice(2)) {
  const x = await prepare(file)
  // tidy frees every tensor made on the way (the mirrored image too), so a large folder keeps its memory.
  const p = tf.tidy(() => {
    // The model gives one score per class; softmax turns them into probabilities.
    const scores = tf.softmax(model.predict(x))
    // Trained with left–right flips: Osprey averages the image's and its mirror's probabilities.
    return mirror ? scores.add(tf.softmax(model.predict(tf.reverse(x, 2)))).div(2) : scores
  })
  const probabilities = await p.data()
  const ranked = labels.map((label, i) => ({ label, probability: probabilities[i] })).sort((a, b) => b.probability - a.probability)
  console.log(`${file}: ${ranked.slice(0, 3).map((r) => `${r.label} ${(100 * r.probability).toFixed(1)} %`).join(', ')}`)
  tf.dispose([x, p])
}
