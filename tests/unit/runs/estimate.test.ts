import { describe, expect, it } from 'vitest'
import { estimateRun, estimateStudy, LONG_MS, type Measurement, type RunPlan } from '../../../src-main/runs/estimate'

const measured: Measurement = { backend: 'wasm', startMs: 2000, modelMs: 300, stepMs: 50, decodeMsPerImage: 2, featureMsPerImage: 40, predictMsPerImage: 1 }
const photos: RunPlan = {
  pretrained: true,
  images: 180,
  trainImages: 144,
  validationImages: 36,
  epochs: 30,
  batchSize: 32,
  views: 0,
  fineTuneEpochs: 0,
  imagesCached: false,
  featuresCached: false,
  replicas: 2,
  cores: 2
}

describe('the estimate before Start', () => {
  it("counts a pretrained Run mostly as computing each image's features once, then seconds of training", () => {
    const estimate = estimateRun(photos, measured)
    const [start, features, head] = estimate.steps
    expect(start).toMatchObject({ ms: 2300, once: false })
    expect(features).toMatchObject({ label: 'Computing the features of 180 images (once for this Dataset)', ms: 180 * 42, once: true })
    expect(head.label).toBe('Training the head: up to 30 Epochs of 5 Iterations')
    expect(head.ms).toBe(30 * (5 * 50 + 36 * 1))
    expect(estimate).toMatchObject({ backend: 'wasm', replicas: 1, long: false, advice: null })
    // The second Run on the same Dataset reuses the features: seconds.
    expect(estimateRun({ ...photos, featuresCached: true }, measured).steps.map((s) => s.once)).toEqual([false, false])
  })

  it('ends a Run from scratch with a time limit at the limit, training the Epochs that fit', () => {
    const plan = { ...photos, pretrained: false, images: 60_000, trainImages: 51_000, validationImages: 6_000, epochs: 30, batchSize: 64 }
    const slow = { ...measured, stepMs: 900 }
    const limited = estimateRun({ ...plan, timeLimitMs: 30 * 60_000 }, slow)
    expect(limited.totalMs).toBeCloseTo(30 * 60_000)
    expect(limited).toMatchObject({ long: false, limited: true })
    // An Epoch: 1.6 × (797 steps × 900 ms + 6,000 × 1 ms) ≈ 19.3 minutes, so one whole Epoch fits after reading the images.
    expect(limited.steps.at(-1)!.label).toBe('Training until the time limit: about 1 of 30 Epochs of 797 Iterations')
    // A limit longer than the Run changes nothing.
    expect(estimateRun({ ...plan, timeLimitMs: 100 * 3_600_000 }, slow)).toEqual(estimateRun(plan, slow))
  })

  it('warns when a Run from scratch will take an hour or more, and says what is faster', () => {
    const slow = estimateRun({ ...photos, pretrained: false, images: 60_000, trainImages: 51_000, validationImages: 6_000, epochs: 30, batchSize: 64 }, { ...measured, stepMs: 900 })
    expect(slow.totalMs).toBeGreaterThan(LONG_MS)
    expect(slow.long).toBe(true)
    expect(slow.advice).toMatch(/pretrained model learns photos in minutes/)
    expect(slow.steps[1].label).toBe('Reading and resizing 60,000 images (once for this Dataset)')
  })

  it('counts a Study as the once-per-Dataset work, then its Trials side by side on one replica each', () => {
    const run = estimateRun({ ...photos, pretrained: false, imagesCached: true }, measured)
    const each = run.steps.reduce((sum, s) => sum + s.ms, 0)
    // Two Trials at a time on two cores, each on one replica (twice a two-replica Run's training): as long as the Trials one after another at full speed.
    expect(estimateStudy(run, 20, 2, 2).totalMs).toBeCloseTo(10 * each * 2)
    // Four at a time on two cores take turns: no faster.
    expect(estimateStudy(run, 20, 4, 2).totalMs).toBeCloseTo(5 * each * 2 * 2)
    const features = estimateRun(photos, measured)
    expect(estimateStudy(features, 1, 2, 2).totalMs).toBe(features.totalMs)
  })

  it('ends a Study with a time limit at most one round of Trials after it, however many Trials it may start', () => {
    const slow = estimateRun({ ...photos, pretrained: false, imagesCached: true }, { ...measured, stepMs: 2000 })
    const each = slow.steps.reduce((sum, s) => sum + s.ms, 0) * slow.replicas
    const open = estimateStudy(slow, 100, 2, 2)
    expect(open).toMatchObject({ long: true, limited: false })
    const limited = estimateStudy(slow, 100, 2, 2, 15)
    expect(limited).toMatchObject({ totalMs: 15 * 60_000 + each, long: false, limited: true })
    // A limit the Trials finish before changes nothing.
    expect(estimateStudy(slow, 2, 2, 2, 600)).toMatchObject({ totalMs: estimateStudy(slow, 2, 2, 2).totalMs, limited: false })
  })
})
