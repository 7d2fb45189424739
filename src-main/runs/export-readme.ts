/**
 * The README.md of an exported model: what it tells apart, how well (with an interval, on images it
 * never trained on), what it cannot do, and how to prepare an image for it — with this model's own
 * numbers, so that whoever receives the folder can use it without Osprey. Pure.
 */
import type { Evaluation, ExportedModelMetadata } from '../contract'
import { fewImagesNote, wilsonInterval } from '../verdict'

/** What the Run adds to the metadata for its README. */
export interface ReadmeFacts {
  /** The dataset folder's name (not its path: the folder may be shared). */
  dataset: string
  fingerprint: string
  /** When the Run was started, ISO. */
  createdAt: string
  epochs: number
  split: { train: number; validation: number; test: number } | null
  evaluation: Pick<Evaluation, 'split' | 'accuracy' | 'confusion' | 'perClass'> | null
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
const numbers = (xs: number[]) => `[${xs.map((x) => Number(x.toPrecision(6))).join(', ')}]`

/** The README.md text for the model described by `m`. */
export function exportReadme(m: ExportedModelMetadata, facts: ReadmeFacts): string {
  const { imageSize: size, channels, labels } = m
  const trained = facts.split?.train
  const scale = m.normalization.mean.every((v) => v === 0) && m.normalization.std.every((v) => v === 1)
  return [
    `# ${m.runName}`,
    '',
    `An image classifier made with Osprey Studio: Run ${m.runId}, started ${facts.createdAt.slice(0, 10)}, trained for ${plural(facts.epochs, 'Epoch')}` +
      `${trained ? ` on ${plural(trained, 'image')}` : ''} of the dataset "${facts.dataset}" (fingerprint \`${facts.fingerprint.slice(0, 16)}\`).`,
    '',
    `It tells apart ${labels.length} classes, in the order of its outputs (also in labels.json): ${labels.join(', ')}.`,
    '',
    '## How well',
    '',
    ...quality(facts.evaluation),
    '',
    `It always answers one of these ${labels.length} classes, even for an image that shows none of them, and it learned from the dataset's images only: photos unlike them (another camera, light or background) may fare worse than the figures above.`,
    '',
    '## Files',
    '',
    '- `model.json` and its weights: a TensorFlow.js layers model (`tf.loadLayersModel`).',
    '- `labels.json`: the class names, in the order of the outputs.',
    '- `metadata.json`: the image size, channels and normalization below, and where the model comes from.',
    '- `classify.mjs`: classifies images from the command line, preparing them as below (`npm install @tensorflow/tfjs-node sharp`, then `node classify.mjs photo.jpg`).',
    '',
    '## Preparing an image, as in training',
    '',
    '1. Turn it upright by its EXIF orientation.',
    `2. Scale it so that its shorter side is ${size} px (Lanczos 3, as sharp does), then keep the centre ${size} × ${size}: no stretching.`,
    '3. Put transparent areas on white.',
    channels === 1 ? '4. Make it one grayscale channel (luminance), values 0–255.' : '4. Take its three sRGB channels, values 0–255.',
    scale
      ? '5. Divide each value by 255.'
      : `5. For each channel c: (value / 255 − mean[c]) / std[c], with mean ${numbers(m.normalization.mean)} and std ${numbers(m.normalization.std)}${m.backbone ? ` (the preprocessing of ${m.backbone.title}, the pretrained network inside)` : ''}.`,
    `6. Make a float32 tensor of shape [1, ${size}, ${size}, ${channels}] (images, height, width, channels).`,
    '',
    `The model gives one score per class (logits): apply softmax for probabilities.${
      m.mirror
        ? ' It was trained with left–right flips, and Osprey averages the probabilities of the image and of its mirror (reverse the width axis): a little more accurate than the image alone.'
        : ''
    }`,
    ''
  ].join('\n')
}

/** The evaluation as a user reads it: accuracy with its interval, on which images, and per class. */
function quality(evaluation: ReadmeFacts['evaluation']): string[] {
  if (!evaluation) return ['No evaluation was recorded for this Run.']
  const rows = evaluation.confusion.map((row) => row.reduce((a, b) => a + b, 0))
  const n = rows.reduce((a, b) => a + b, 0)
  if (n === 0) return ['No evaluation was recorded for this Run.']
  const correct = evaluation.confusion.reduce((sum, row, i) => sum + row[i], 0)
  const { low, high } = wilsonInterval(correct, n)
  const few = fewImagesNote(evaluation)
  const which =
    evaluation.split === 'test'
      ? 'They are test images: neither training nor the choice of settings saw them.'
      : 'They are validation images: held out from training, but the Run watched them as it trained, so the figure may be a little high.'
  return [
    `**${pct(correct / n)}** right on ${plural(n, `${evaluation.split} image`)} (95 % interval ${pct(low)}–${pct(high)}; always answering the largest class would score ${pct(Math.max(...rows) / n)}). ${which}`,
    '',
    '| class | precision | recall | images |',
    '|---|---:|---:|---:|',
    ...evaluation.perClass.map((c) => `| ${c.name.replaceAll('|', '\\|')} | ${pct(c.precision)} | ${pct(c.recall)} | ${c.support} |`),
    '',
    'Precision: of the images it calls this class, the share that are. Recall: of this class’s images, the share it finds.',
    ...(few ? ['', few] : [])
  ]
}
