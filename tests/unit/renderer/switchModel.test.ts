import { describe, expect, it } from 'vitest'
import type { TrainingConfig } from '../../../src-main/contract'
import { defaultConfig } from '../../../src-main/runs/config'
import { switchModel } from '../../../src-renderer/src/lib/switchModel'

describe('switching the New Run form to another model', () => {
  const scratch = defaultConfig('/photos', undefined, 7, 'default-cnn')
  const pretrained = defaultConfig('/photos', undefined, 7, 'pretrained')

  it("keeps what the user changed and takes the new model's defaults for the rest", () => {
    const edited: TrainingConfig = { ...scratch, epochs: 12, backend: 'wasm' }
    const next = switchModel(edited, scratch, pretrained)
    expect(next).toMatchObject({ model: 'pretrained', epochs: 12, backend: 'wasm', imageSize: 224, normalization: 'symmetric', batchSize: 32, backbone: 'mobilenet-v2-0.35' })
  })

  it('drops the settings only the old model has', () => {
    const next = switchModel({ ...pretrained, fineTuneBlocks: 2 }, pretrained, scratch)
    expect(next.model).toBe('default-cnn')
    expect(next).not.toHaveProperty('fineTuneBlocks')
    expect(next).not.toHaveProperty('backbone')
    expect(next.imageSize).toBe(scratch.imageSize)
  })

  it('keeps a time limit from one model from scratch to another, and drops it for the pretrained head', () => {
    const limited = { ...scratch, timeLimitMinutes: 5 }
    expect(switchModel(limited, scratch, defaultConfig('/photos', undefined, 7, 'reference-cnn')).timeLimitMinutes).toBe(5)
    expect(switchModel(limited, scratch, pretrained)).not.toHaveProperty('timeLimitMinutes')
  })
})
