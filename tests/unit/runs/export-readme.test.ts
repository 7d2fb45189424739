import { describe, expect, it } from 'vitest'
import type { ExportedModelMetadata } from '../../../src-main/contract'
import { exportReadme, type ReadmeFacts } from '../../../src-main/runs/export-readme'

const metadata: ExportedModelMetadata = {
  format: 'osprey-image-classifier',
  version: 1,
  runId: 7,
  runName: 'garments · default-cnn · 28 px · #7',
  labels: ['shirt', 'coat | jacket'],
  imageSize: 28,
  channels: 1,
  normalization: { kind: 'unit', mean: [0], std: [1] },
  model: 'default-cnn',
  backend: 'wasm',
  exportedAt: '2026-12-04T06:00:00.000Z'
}
const facts: ReadmeFacts = {
  dataset: 'garments',
  fingerprint: 'ab'.repeat(32),
  createdAt: '2026-12-03T22:10:00.000Z',
  epochs: 1,
  split: { train: 570, validation: 0, test: 30 },
  // 27 of 30 right: 90 %, Wilson 74.4–96.5 %.
  evaluation: {
    split: 'test',
    accuracy: 0.9,
    confusion: [
      [14, 1],
      [2, 13]
    ],
    perClass: [
      { name: 'shirt', precision: 14 / 16, recall: 14 / 15, f1: 0.9, support: 15 },
      { name: 'coat | jacket', precision: 13 / 14, recall: 13 / 15, f1: 0.9, support: 15 }
    ]
  }
}

describe('the README of an exported model', () => {
  it('says what was trained on what, and how well on the test images, with an interval and chance', () => {
    const readme = exportReadme(metadata, facts)
    expect(readme).toContain('Run 7, started 2026-12-03, trained for 1 Epoch on 570 images of the dataset "garments" (fingerprint `abababababababab`).')
    expect(readme).toContain(
      '**90.0 %** right on 30 test images (95 % interval 74.4 %–96.5 %; always answering the largest class would score 50.0 %). They are test images: neither training nor the choice of settings saw them.'
    )
    expect(readme).toContain('| coat \\| jacket | 92.9 % | 86.7 % | 15 |') // a | in a class name does not break the table
    expect(readme).not.toContain('Few test images')
  })

  it('says which classes had too few test images for their figures to mean much', () => {
    const perClass = [facts.evaluation!.perClass[0], { name: 'coat | jacket', precision: 1, recall: 1, f1: 1, support: 2 }]
    const readme = exportReadme(metadata, { ...facts, evaluation: { ...facts.evaluation!, perClass } })
    expect(readme).toContain('Few test images of coat | jacket (2 images: its recall of 100% could be anywhere from 34% to 100%).')
  })

  it('gives the preparation of a grayscale model on [0, 1], without a mirror', () => {
    const readme = exportReadme(metadata, facts)
    expect(readme).toContain('4. Make it one grayscale channel (luminance), values 0–255.')
    expect(readme).toContain('5. Divide each value by 255.')
    expect(readme).toContain('shape [1, 28, 28, 1]')
    expect(readme).not.toContain('mirror')
  })

  it('warns that validation figures were watched in training, and says when nothing was evaluated', () => {
    const validation = exportReadme(metadata, { ...facts, evaluation: { ...facts.evaluation!, split: 'validation' } })
    expect(validation).toContain('right on 30 validation images')
    expect(validation).toContain('the Run watched them as it trained, so the figure may be a little high')
    expect(exportReadme(metadata, { ...facts, evaluation: null })).toContain('No evaluation was recorded for this Run.')
  })
})
