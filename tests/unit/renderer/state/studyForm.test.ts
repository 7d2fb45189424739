/** The New Study form's state (StudyForm) over a fake client: a first Study that fits minutes. */
import { describe, expect, it } from 'vitest'
import type { DatasetListItem, RunEstimate, TrainingConfig } from '../../../../src-main/contract'
import { estimateStudy } from '../../../../src-main/runs/estimate'
import { StudyForm } from '../../../../src-renderer/src/lib/studyForm.svelte'
import { FakeClient } from '../../../helpers/fake-client'

const dataset: DatasetListItem = {
  id: 1,
  name: 'shapes',
  path: '/data/shapes',
  images: 180,
  classes: 3,
  errors: 0,
  warnings: 0,
  fingerprint: 'f',
  scannedAt: '2026-12-01T10:00:00Z',
  untrainable: null
}
const augmentation = { flipHorizontal: true, flipVertical: false, rotation: 0, scale: 1, translate: 0, brightness: 0, contrast: 0, saturation: 0, hue: 0, blur: 0, noise: 0, erasing: 0 }
const defaults: TrainingConfig = {
  folder: '/data/shapes',
  model: 'default-cnn',
  imageSize: 64,
  epochs: 30,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.001,
  weightDecay: 0,
  schedule: 'cosine',
  earlyStopping: 5,
  normalization: 'symmetric',
  augmentation,
  validationSplit: null,
  testSplit: null,
  seed: 7,
  backend: 'auto'
}

describe('a new Study', () => {
  it('starts from a budget of minutes: a dozen Trials, none started after 15 minutes, however slow each Trial is', async () => {
    const client = new FakeClient().answer('runs.defaults', () => structuredClone(defaults))
    const form = new StudyForm(client)
    await form.run.choose(dataset)
    const request = form.request()!
    expect(request).toMatchObject({ trials: 12, timeBudgetMinutes: 15 })
    // A Trial from scratch measured at 12 minutes on this machine: twelve of them would take over an hour; the limit ends it within half of one.
    const slow: RunEstimate = { totalMs: 12 * 60_000, steps: [{ label: 'Training', ms: 12 * 60_000, once: false }], backend: 'wasm', replicas: 1, cores: 2, long: false, advice: null }
    expect(estimateStudy(slow, request.trials, 2, 2).long).toBe(true)
    const study = estimateStudy(slow, request.trials, 2, 2, request.timeBudgetMinutes)
    expect(study).toMatchObject({ long: false, limited: true })
    expect(study.totalMs).toBeLessThanOrEqual(30 * 60_000)
  })
})
