/** How a Trial's params become a Run's settings, and how importance is judged. */
import { describe, expect, it } from 'vitest'
import { paramImportance } from '../../../src-main/tuning/importance'
import { applyParams, TUNABLE_NAMES } from '../../../src-main/tuning/params'

describe('applyParams', () => {
  it('lays params over the shared settings, aliases and augmentation strengths included', () => {
    const fixed = { folder: '/data', epochs: 3, learningRate: 0.1, augmentation: { flipHorizontal: true, rotation: 5 } }
    expect(applyParams(fixed, { lr: 0.01, batchSize: 32, rotation: 20, 'augmentation.noise': 0.05, dropout: 0.3 })).toEqual({
      folder: '/data',
      epochs: 3,
      learningRate: 0.01,
      batchSize: 32,
      dropout: 0.3,
      augmentation: { flipHorizontal: true, rotation: 20, noise: 0.05 }
    })
    expect(fixed.augmentation.rotation).toBe(5) // the shared settings are not changed
  })

  it('names every training setting a space may search', () => {
    for (const name of ['lr', 'learningRate', 'batchSize', 'optimizer', 'model', 'dropout', 'units', 'weightDecay', 'rotation', 'augmentation.erasing']) expect(TUNABLE_NAMES).toContain(name)
    // A pretrained Run's backbone, fine-tuning depth and rate, and augmented views.
    for (const name of ['backbone', 'fineTuneBlocks', 'fineTuneEpochs', 'fineTuneLearningRate', 'augmentedViews']) expect(TUNABLE_NAMES).toContain(name)
    expect(applyParams({ folder: '/d', model: 'pretrained' }, { backbone: 'mobilenet-v2-0.5', fineTuneBlocks: 2, fineTuneLearningRate: 3e-4 })).toEqual({
      folder: '/d',
      model: 'pretrained',
      backbone: 'mobilenet-v2-0.5',
      fineTuneBlocks: 2,
      fineTuneLearningRate: 3e-4
    })
    expect(TUNABLE_NAMES).not.toContain('folder')
    expect(TUNABLE_NAMES).not.toContain('backend')
  })
})

describe('paramImportance', () => {
  const space = {
    lr: { type: 'float' as const, low: 1e-4, high: 1, log: true },
    units: { type: 'int' as const, low: 8, high: 64 },
    optimizer: { type: 'categorical' as const, choices: ['adam', 'sgd'] }
  }

  it('ranks the parameter that drives the objective first, and shares sum to 1', () => {
    // The value follows lr exactly; units and optimizer are noise around it.
    const trials = [0.001, 0.01, 0.1, 0.5, 0.03, 0.002].map((lr, i) => ({ params: { lr, units: [8, 64, 16, 32, 8, 64][i], optimizer: i % 2 ? 'adam' : 'sgd' }, value: Math.log(lr) }))
    const importance = paramImportance(space, trials)
    expect(importance[0].name).toBe('lr')
    expect(importance[0].importance).toBeGreaterThan(0.5)
    expect(importance.reduce((a, b) => a + b.importance, 0)).toBeCloseTo(1, 10)
  })

  it('sees a learning rate that fails both too low and too high (a bowl), which a rank correlation misses', () => {
    // Validation loss: lowest at lr 3e-3, high at both ends; units and optimizer do not matter.
    const lrs = [-4.5, -4, -3.5, -3, -2.75, -2.25, -2, -1.5, -1, -0.5, -2.6, -2.4].map((e) => 10 ** e)
    const trials = lrs.map((lr, i) => ({ params: { lr, units: [8, 64, 16, 32, 8, 64, 40, 24, 56, 16, 48, 32][i], optimizer: i % 3 ? 'adam' : 'sgd' }, value: (Math.log10(lr) + 2.5) ** 2 }))
    const importance = paramImportance(space, trials)
    expect(importance[0].name).toBe('lr')
    expect(importance[0].importance).toBeGreaterThan(0.5)
  })

  it('sees a categorical parameter that splits the results', () => {
    const trials = [1, 2, 3, 4, 5, 6].map((i) => ({ params: { lr: 0.01 * i, units: 8 * i, optimizer: i % 2 ? 'adam' : 'sgd' }, value: i % 2 ? 0.9 : 0.1 }))
    expect(paramImportance(space, trials)[0].name).toBe('optimizer')
  })

  it('says nothing when all Trials but one scored the same (one image apart on a small validation set)', () => {
    const accuracy = [1, 1, 1, 1, 1, 0.958, 1, 1]
    const trials = accuracy.map((value, i) => ({ params: { lr: 0.001 * (i + 1), units: 8 + 4 * i, optimizer: i % 2 ? 'adam' : 'sgd' }, value }))
    expect(paramImportance(space, trials)).toEqual([])
    // A second Trial apart: two results against six is a spread the settings may explain.
    trials[2].value = 0.958
    expect(paramImportance(space, trials).length).toBe(3)
  })

  it('says nothing from fewer than 3 Trials', () => {
    expect(paramImportance(space, [{ params: { lr: 0.1, units: 8, optimizer: 'adam' }, value: 1 }])).toEqual([])
  })
})
