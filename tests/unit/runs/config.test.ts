import { describe, expect, it } from 'vitest'
import type { DatasetReport } from '../../../src-main/contract'
import { DEFAULT_AUGMENTATION, parseAugmentation } from '../../../src-main/pipeline/augment-spec'
import { chooseModel, defaultConfig, mirrorsAtTest, resolveConfig } from '../../../src-main/runs/config'

const report = (width: number, height: number, colour = false) =>
  ({ stats: { mostCommon: { width, height, count: 1 }, channels: { rgb: colour ? 10 : 0, grey: colour ? 0 : 10 } } }) as unknown as DatasetReport

describe('defaults for a new Run', () => {
  it('train small grayscale images at their own size with the default CNN and only gentle augmentation', () => {
    const config = defaultConfig('/data/mnist', report(28, 28), 5)
    expect(config).toMatchObject({ model: 'default-cnn', imageSize: 28, seed: 5, backend: 'auto', validationSplit: null })
    expect(config.augmentation).toMatchObject({ flipHorizontal: true, translate: 0, rotation: 0, scale: 1, erasing: 0 })
    expect(config.backbone).toBeUndefined()
  })

  it('train colour photos on the included pretrained backbone, at its own size and preprocessing', () => {
    const config = defaultConfig('/data/birds', report(500, 375, true))
    expect(config).toMatchObject({ model: 'pretrained', backbone: 'mobilenet-v2-0.35', imageSize: 224, normalization: 'symmetric', fineTuneBlocks: 0, augmentedViews: 0 })
  })

  it('train large grayscale images on the backbone too, and anything at all from scratch when asked', () => {
    expect(chooseModel(report(256, 256)).model).toBe('pretrained')
    const config = defaultConfig('/data/birds', report(500, 375, true), 1, 'compact-resnet')
    expect(config).toMatchObject({ model: 'compact-resnet', imageSize: 128 })
    expect(config.augmentation).toEqual(DEFAULT_AUGMENTATION)
  })

  it('test a network from scratch on each image and its mirror only when it trained with horizontal flips; a pretrained head never', () => {
    const small = defaultConfig('/data/mnist', report(28, 28), 5)
    expect(mirrorsAtTest(small)).toBe(true)
    expect(mirrorsAtTest({ ...small, augmentation: { ...small.augmentation, flipHorizontal: false } })).toBe(false)
    expect(mirrorsAtTest(defaultConfig('/data/birds', report(500, 375, true)))).toBe(false)
    expect(mirrorsAtTest({ ...defaultConfig('/data/birds', report(500, 375, true)), augmentation: small.augmentation })).toBe(false)
  })

  it("fit the batch to a small Dataset's training split", () => {
    const tiny = { ...report(300, 300, true), images: 24 } as DatasetReport
    expect(defaultConfig('/x', tiny).batchSize).toBe(19) // 24 images less 20 % for validation
    expect(defaultConfig('/x', tiny, 1, 'default-cnn').batchSize).toBe(19)
  })

  it('say why the model was chosen, in words', () => {
    expect(chooseModel(report(500, 375, true)).reason).toMatch(/^Colour images: .*pretrained on ImageNet/)
    expect(chooseModel(report(28, 28)).reason).toMatch(/^Small grayscale images \(28 px\)/)
  })

  it('train tiny colour images on the backbone too, enlarged to its input (from scratch they barely beat chance)', () => {
    expect(chooseModel(report(16, 16, true))).toMatchObject({ model: 'pretrained', reason: expect.stringMatching(/^Colour images, tiny \(16 px\) but enlarged to the backbone's input: /) })
    expect(defaultConfig('/icons', report(16, 16, true))).toMatchObject({ model: 'pretrained', imageSize: 224 })
    expect(chooseModel(report(16, 16)).model).toBe('default-cnn')
    // Grey pictures saved as RGB files are grey: none of the RGB images decoded held colour.
    const greyAsRgb = report(28, 28, true)
    expect(chooseModel({ ...greyAsRgb, stats: { ...greyAsRgb.stats, colourSample: { colour: 0, of: 12 } } }).model).toBe('default-cnn')
    expect(chooseModel({ ...greyAsRgb, stats: { ...greyAsRgb.stats, colourSample: { colour: 3, of: 12 } } }).model).toBe('pretrained')
  })
})

describe('resolveConfig', () => {
  it('merges a request over the defaults, augmentation field by field', () => {
    const config = resolveConfig({ folder: '/data/x', epochs: 3, augmentation: { noise: 0.05 } }, report(28, 28))
    expect(config.epochs).toBe(3)
    expect(config.augmentation).toMatchObject({ noise: 0.05, flipHorizontal: true })
  })

  it("reads --augment default as the Dataset's own default: gentle on small images, not the photo default", () => {
    // `default,erasing=0.25` on 28-pixel images once meant rotations, crops and shifts: 0.91 on Fashion-MNIST against 0.93.
    const small = resolveConfig({ folder: '/x', augmentation: parseAugmentation('default,erasing=0.25') }, report(28, 28))
    expect(small.augmentation).toEqual({ ...resolveConfig({ folder: '/x' }, report(28, 28)).augmentation, erasing: 0.25 })
    expect(small.augmentation).toMatchObject({ rotation: 0, scale: 1, translate: 0 })
    const photos = resolveConfig({ folder: '/x', model: 'default-cnn', augmentation: parseAugmentation('default,erasing=0') }, report(300, 300, true))
    expect(photos.augmentation).toEqual({ ...DEFAULT_AUGMENTATION, erasing: 0 })
  })

  it('lists every problem at once, each naming its field', () => {
    expect(() => resolveConfig({ folder: '/x', batchSize: 0, learningRate: -1, imageSize: 4000, epochs: 1.5, model: 'vgg' })).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        issues: [
          expect.stringMatching(/^model:/),
          expect.stringMatching(/^imageSize:/),
          expect.stringMatching(/^epochs:/),
          expect.stringMatching(/^batchSize:/),
          expect.stringMatching(/^learningRate:/)
        ]
      })
    )
    // Each in words a person reads, with its limit: none of the validator's own phrasing.
    expect(() => resolveConfig({ folder: '/x', batchSize: 5000, epochs: 2000, seed: -1, earlyStopping: 2.5 })).toThrow(
      expect.objectContaining({
        issues: ['epochs: at most 1000 Epochs', 'batchSize: at most 4096 images per batch', 'earlyStopping: a whole number of Epochs', 'seed: cannot be negative']
      })
    )
    // A choice outside its list names the list.
    expect(() => resolveConfig({ folder: '/x', optimizer: 'adamw', schedule: 'linear', normalization: 'imagenet', backend: 'cuda' } as never)).toThrow(
      expect.objectContaining({
        issues: [
          'optimizer: unknown optimizer: choose adam, sgd or rmsprop',
          'schedule: unknown schedule: choose constant, step, cosine, onecycle or plateau',
          'normalization: unknown normalization: choose unit, symmetric or standardize',
          'backend: unknown backend: choose auto, tensorflow-gpu, tensorflow, webgpu, wasm or cpu'
        ]
      })
    )
  })

  it('takes "auto" as the dataset\'s choice, and a model\'s own defaults when one is named', () => {
    expect(resolveConfig({ folder: '/x', model: 'auto' }, report(300, 300, true)).model).toBe('pretrained')
    expect(resolveConfig({ folder: '/x', model: 'reference-cnn' }, report(300, 300, true))).toMatchObject({ model: 'reference-cnn', imageSize: 128 })
  })

  it('feeds a catalog backbone its own preprocessing, whatever the request says', () => {
    expect(resolveConfig({ folder: '/x', model: 'pretrained', normalization: 'standardize' }).normalization).toBe('symmetric')
  })

  it('refuses pretrained settings that cannot work, and drops them from a from-scratch Run', () => {
    expect(() => resolveConfig({ folder: '/x', model: 'pretrained', imageSize: 16, fineTuneBlocks: 40, backbone: 'resnet-9000' })).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^backbone: unknown backbone/)] })
    )
    expect(() => resolveConfig({ folder: '/x', model: 'pretrained', imageSize: 16, fineTuneBlocks: 40 })).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^imageSize: at least 32/), expect.stringMatching(/^fineTuneBlocks: MobileNetV2 α 0.35 has 17 blocks/)] })
    )
    const scratch = resolveConfig({ folder: '/x', model: 'default-cnn', backbone: 'mobilenet-v2-0.35', fineTuneBlocks: 2 }, report(28, 28))
    expect(scratch).not.toHaveProperty('backbone')
    expect(scratch).not.toHaveProperty('fineTuneBlocks')
    expect(() => resolveConfig({ folder: '/x', model: 'default-cnn', units: 0 }, report(28, 28))).toThrow(/units: at least 4/)
  })

  it("takes a model folder of the user's as a backbone, by its full path only", () => {
    expect(resolveConfig({ folder: '/x', model: 'pretrained', backbone: '/models/mine', backboneLayer: 'conv5', normalization: 'unit' })).toMatchObject({
      backbone: '/models/mine',
      backboneLayer: 'conv5',
      normalization: 'unit'
    })
    expect(() => resolveConfig({ folder: '/x', model: 'pretrained', backbone: 'models/mine' })).toThrow(/unknown backbone/)
  })

  it('trains a final Run on training + validation only with fixed Epochs, and on a fraction of the training split only between 0 and 1', () => {
    expect(resolveConfig({ folder: '/x', trainOn: 'train+validation', earlyStopping: 0, epochs: 4 }, report(28, 28))).toMatchObject({ trainOn: 'train+validation', earlyStopping: 0 })
    expect(() => resolveConfig({ folder: '/x', trainOn: 'train+validation' }, report(28, 28))).toThrow(/earlyStopping: 0 when training on training \+ validation/)
    expect(() => resolveConfig({ folder: '/x', trainOn: 'train+validation', earlyStopping: 0, schedule: 'plateau' }, report(28, 28))).toThrow(/plateau needs a validation split/)
    expect(resolveConfig({ folder: '/x', trainFraction: 0.1 }, report(28, 28)).trainFraction).toBe(0.1)
    expect(() => resolveConfig({ folder: '/x', trainFraction: 0 }, report(28, 28))).toThrow(/trainFraction: must be above 0/)
    expect(() => resolveConfig({ folder: '/x', trainFraction: 1.5 }, report(28, 28))).toThrow(/trainFraction: at most 1/)
  })
})
