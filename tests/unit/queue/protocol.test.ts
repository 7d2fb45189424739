/** What crosses the queue is checked: job payloads, progress entries, Redis URLs. */
import { describe, expect, it } from 'vitest'
import { maskUrl, redisOptions } from '../../../src-main/queue/connection'
import { compareIds } from '../../../src-main/queue/progress-reader'
import { progressSchema, toTrainProgress, trialJobSchema } from '../../../src-main/queue/protocol'
import { phaseText } from '../../../src-main/runs/service'
import { defaultConfig } from '../../../src-main/runs/config'

const job = {
  version: 1,
  studio: { id: '0123456789abcdef', url: 'http://127.0.0.1:4000', key: 'k'.repeat(32) },
  runId: 7,
  studyId: 2,
  config: defaultConfig('/data/birds', undefined, 1, 'reference-cnn'),
  dataset: { fingerprint: 'a'.repeat(64), folder: '/data/birds', name: 'birds' }
}

describe('a Trial job payload', () => {
  it('passes when it is what the studio sends', () => {
    expect(trialJobSchema.safeParse(job).success).toBe(true)
  })

  it('is refused with anything else in it, a bad fingerprint, a model no worker knows, or a file:// studio', () => {
    expect(trialJobSchema.safeParse({ ...job, script: 'rm -rf /' }).success).toBe(false)
    expect(trialJobSchema.safeParse({ ...job, dataset: { ...job.dataset, fingerprint: 'x'.repeat(64) } }).success).toBe(false)
    expect(trialJobSchema.safeParse({ ...job, config: { ...job.config, model: 'my-own-code' } }).success).toBe(false)
    expect(trialJobSchema.safeParse({ ...job, studio: { ...job.studio, url: 'file:///etc/passwd' } }).success).toBe(false)
  })
})

describe('a progress entry', () => {
  it('is one of the known kinds, with numbers where numbers go', () => {
    expect(progressSchema.safeParse({ kind: 'worker', name: 'box-1', attempt: 2, fromEpoch: 1 }).success).toBe(true)
    expect(
      progressSchema.safeParse({ kind: 'iteration', metrics: { epoch: 1, iteration: 3, loss: null, accuracy: 0.5, learningRate: 0.001, imagesPerSecond: 10, elapsedMs: 5, memoryBytes: 0 } }).success
    ).toBe(true)
    expect(progressSchema.safeParse({ kind: 'checkpoint', epoch: 1, path: '/etc/passwd' }).success).toBe(false)
    expect(progressSchema.safeParse({ kind: 'epoch', improved: true, metrics: { epoch: 'one' } }).success).toBe(false)
  })

  it('keeps what a Run is preparing, so the studio says "Computing the features…" for a Trial on a worker too', () => {
    const entry = progressSchema.parse({ kind: 'preparing', step: 'features', done: 3, total: 48, what: 'MobileNetV2 α 0.35' })
    expect(toTrainProgress(entry)).toEqual({ kind: 'preparing', step: 'features', done: 3, total: 48, what: 'MobileNetV2 α 0.35' })
    expect(phaseText(toTrainProgress(entry) as Parameters<typeof phaseText>[0])).toBe(
      'Computing the features of every image with MobileNetV2 α 0.35 (once; later Runs on this Dataset reuse them): 3 of 48 images'
    )
    // From a worker that names no step: the images.
    expect(toTrainProgress(progressSchema.parse({ kind: 'preparing', done: 1, total: 2 }))).toMatchObject({ step: 'images' })
    expect(progressSchema.safeParse({ kind: 'preparing', step: 'mining', done: 1, total: 2 }).success).toBe(false)
  })

  it('streams are read in id order', () => {
    expect(compareIds('1700000000000-2', '1700000000000-10')).toBeLessThan(0)
    expect(compareIds('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0)
    expect(compareIds('5-0', '0')).toBeGreaterThan(0)
  })
})

describe('a Redis URL', () => {
  it('is shown without its password', () => {
    expect(maskUrl('redis://:s3cret@box:6379')).toBe('redis://:***@box:6379')
    expect(maskUrl('rediss://me:s3cret@box:6380/0')).toBe('rediss://me:***@box:6380/0')
  })

  it('uses TLS for rediss:// and refuses what is not Redis, saying how to write it', () => {
    expect(redisOptions('rediss://box:6380').tls).toEqual({ servername: 'box' })
    expect(redisOptions('redis://box:6379').tls).toBeUndefined()
    expect(() => redisOptions('http://box:6379')).toThrow(/redis:\/\/host:6379/)
    expect(() => redisOptions('box:6379')).toThrow(/not a Redis URL/)
  })
})
