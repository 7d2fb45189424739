import { describe, expect, it } from 'vitest'
import type { DatasetReport } from '../../../src-main/contract'
import { DEFAULT_AUGMENTATION } from '../../../src-main/pipeline/augment-spec'
import { defaultConfig, resolveConfig } from '../../../src-main/training/config'

const report = (width: number, height: number) => ({ stats: { mostCommon: { width, height, count: 1 } } }) as DatasetReport

describe('defaults for a new Run', () => {
  it('train small images at their own size with the default CNN and only gentle augmentation', () => {
    const config = defaultConfig('/data/mnist', report(28, 28), 5)
    expect(config).toMatchObject({ model: 'default-cnn', imageSize: 28, seed: 5, backend: 'auto', validationSplit: null })
    expect(config.augmentation).toMatchObject({ flipHorizontal: true, translate: 0, rotation: 0, scale: 1, erasing: 0 })
  })

  it('train photos at 128 px with the ResNet-style model and the full default augmentation', () => {
    const config = defaultConfig('/data/birds', report(500, 375))
    expect(config).toMatchObject({ model: 'compact-resnet', imageSize: 128 })
    expect(config.augmentation).toEqual(DEFAULT_AUGMENTATION)
  })
})

describe('resolveConfig', () => {
  it('merges a request over the defaults, augmentation field by field', () => {
    const config = resolveConfig({ folder: '/data/x', epochs: 3, augmentation: { noise: 0.05 } }, report(28, 28))
    expect(config.epochs).toBe(3)
    expect(config.augmentation).toMatchObject({ noise: 0.05, flipHorizontal: true })
  })

  it('lists every problem at once, each naming its field', () => {
    expect(() => resolveConfig({ folder: '/x', batchSize: 0, learningRate: -1, imageSize: 4000, epochs: 1.5, model: 'vgg' })).toThrow(
      expect.objectContaining({ code: 'bad-input', issues: [expect.stringMatching(/^model:/), expect.stringMatching(/^imageSize:/), expect.stringMatching(/^epochs:/), expect.stringMatching(/^batchSize:/), expect.stringMatching(/^learningRate:/)] })
    )
  })
})
