import { describe, expect, it } from 'vitest'
import type { EpochMetrics } from '../../src-main/contract'
import { bestRuns } from '../../src-main/history/compare'
import { NO_AUGMENTATION } from '../../src-main/pipeline/augment-spec'
import { paramImportance } from '../../src-main/tuning/importance'
import { chanceAccuracy, fewImagesNote, memorisingHint, memorisingFrom, runVerdict, studyVerdict, trialsTie, type VerdictInput } from '../../src-main/verdict'

type Epoch = VerdictInput['epochs'][number]

/** Epochs whose figures move linearly from `from` to `to`. */
function epochs(n: number, from: Omit<Epoch, 'epoch'>, to: Omit<Epoch, 'epoch'>): Epoch[] {
  const at = (a: number | null, b: number | null, t: number) => (a === null || b === null ? null : a + (b - a) * t)
  return Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 1 : i / (n - 1)
    return {
      epoch: i + 1,
      trainLoss: at(from.trainLoss, to.trainLoss, t)!,
      trainAccuracy: at(from.trainAccuracy, to.trainAccuracy, t)!,
      valLoss: at(from.valLoss, to.valLoss, t),
      valAccuracy: at(from.valAccuracy, to.valAccuracy, t)
    }
  })
}

/** A confusion matrix over 3 classes of 12 validation images each, `right` of each class right, the rest answered as class 0. */
function evaluation(right: number) {
  const confusion = [0, 1, 2].map((t) => [0, 1, 2].map((p) => (p === t ? right : p === 0 ? 12 - right : 0)))
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0)
  return { accuracy: correct / 36, loss: 1, classes: ['circle', 'star', 'triangle'], confusion }
}

const base = { status: 'completed' as const, classes: 3, model: 'default-cnn' as const, learningRate: 0.001, validationImages: 36 }

describe('the verdict at the end of a Run', () => {
  it('says a model at chance is guessing, not that it is starting to memorise, and what to try', () => {
    const history = epochs(10, { trainLoss: 1.12, trainAccuracy: 0.33, valLoss: 1.098, valAccuracy: 0.33 }, { trainLoss: 1.09, trainAccuracy: 0.36, valLoss: 1.1, valAccuracy: 0.35 })
    const verdict = runVerdict({ ...base, epochs: history })!
    expect(verdict.kind).toBe('guessing')
    expect(verdict.tone).toBe('error')
    expect(verdict.headline).toBe('The model is guessing')
    expect(verdict.detail).toContain('about 33%')
    expect(verdict.advice.join(' ')).toMatch(/pretrained model/)
    // The charts' "starting to memorise" hint stays quiet: both losses drift at chance.
    expect(memorisingFrom(history as EpochMetrics[], 3)).toBeNull()
  })

  it('does not call a validation loss 2 % above its best "rising": a from-scratch Run at chance on 48 images', () => {
    // Seen live on 4 colour classes: training 37 % on augmented images, validation at chance and its loss flat.
    const live = [
      [1.9, 0.25, 1.45, 0.25],
      [1.57, 0.3, 1.45, 0.25],
      [1.55, 0.26, 1.4, 0.29],
      [1.37, 0.31, 1.41, 0.23],
      [1.36, 0.37, 1.43, 0.23]
    ].map(([trainLoss, trainAccuracy, valLoss, valAccuracy], i) => ({ epoch: i + 1, trainLoss, trainAccuracy, valLoss, valAccuracy }))
    expect(memorisingFrom(live, 4)).toBeNull()
    // The same Run once its validation loss climbs clearly: the hint, from the first Epoch of the rise.
    live.push({ epoch: 6, trainLoss: 1.2, trainAccuracy: 0.45, valLoss: 1.6, valAccuracy: 0.24 })
    expect(memorisingFrom(live, 4)).toBe(3)
  })

  it("the charts' memorising hint names the Epoch early stopping keeps, and advises early stopping only to a Run without it", () => {
    // Seen on the colour shapes: a pretrained head whose validation loss was lowest at Epoch 9, then crept up.
    const run = [0.56, 0.39, 0.37, 0.35, 0.35, 0.31, 0.32, 0.32, 0.3, 0.33, 0.32].map((valLoss, i) => ({ epoch: i + 1, valLoss }))
    expect(memorisingHint(run, { earlyStopping: 8, status: 'completed' })).toMatch(/^Early stopping keeps the weights of Epoch 9, where validation loss was lowest/)
    expect(memorisingHint(run, { earlyStopping: 8, status: 'running' })).not.toMatch(/fewer epochs/)
    // Without early stopping, or stopped by hand (the last weights are kept): the general advice.
    expect(memorisingHint(run, { earlyStopping: 0, status: 'completed' })).toBe('More augmentation, early stopping, fewer epochs or more data help.')
    expect(memorisingHint(run, { earlyStopping: 8, status: 'stopped' })).toBe('More augmentation, early stopping, fewer epochs or more data help.')
  })

  it('names the one answer a guessing model gives to nearly every image', () => {
    const verdict = runVerdict({
      ...base,
      epochs: epochs(3, { trainLoss: 1.1, trainAccuracy: 0.34, valLoss: 1.1, valAccuracy: 0.33 }, { trainLoss: 1.1, trainAccuracy: 0.34, valLoss: 1.1, valAccuracy: 0.33 }),
      evaluation: evaluation(0)
    })!
    expect(verdict.kind).toBe('guessing')
    expect(verdict.detail).toContain('answers “circle” for 100% of the images')
  })

  it('tells memorising at chance apart from learning nothing', () => {
    const verdict = runVerdict({
      ...base,
      epochs: epochs(10, { trainLoss: 1, trainAccuracy: 0.5, valLoss: 1.1, valAccuracy: 0.33 }, { trainLoss: 0.05, trainAccuracy: 0.99, valLoss: 2.5, valAccuracy: 0.36 })
    })!
    expect(verdict.kind).toBe('guessing')
    expect(verdict.detail).toMatch(/memorised the training images/)
    expect(verdict.advice.join(' ')).toMatch(/augmentation/)
  })

  it('advises the augmentation and early stopping a memorising Run does not have yet, not the flips it already has', () => {
    const over = epochs(10, { trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.55 }, { trainLoss: 0.02, trainAccuracy: 0.99, valLoss: 1.4, valAccuracy: 0.7 })
    over[5].valLoss = 0.6
    const advice = (augmentation?: VerdictInput['augmentation']) => runVerdict({ ...base, epochs: over, augmentation })!.advice[0]
    expect(advice({ ...NO_AUGMENTATION })).toBe('Add augmentation (flips, crops, rotation, shifts, erasing), so the model cannot learn the exact images.')
    expect(advice({ ...NO_AUGMENTATION, flipHorizontal: true })).toBe(
      'Add more augmentation: crops, rotation, shifts and erasing, besides the flips already on, so the model cannot learn the exact images.'
    )
    expect(advice({ ...NO_AUGMENTATION, flipVertical: true, scale: 0.8, rotation: 10, translate: 0.1, erasing: 0.5 })).toMatch(
      /^Make the augmentation stronger \(flips, crops, rotation, shifts and erasing are on\)/
    )
    // A Run recorded before its augmentation was known: the general advice.
    expect(advice()).toBe('Add augmentation (flips, crops, rotation), so the model cannot learn the exact images.')
    // A pretrained head on clean embeddings only: its augmentation settings did nothing, so it is told to embed augmented views.
    const head = (more: Partial<VerdictInput>) => runVerdict({ ...base, model: 'pretrained', epochs: over, augmentation: { ...NO_AUGMENTATION, flipHorizontal: true }, ...more })!.advice[0]
    expect(head({ augmentedViews: 0 })).toMatch(/^Embed augmented views of each image/)
    expect(head({ augmentedViews: 2 })).toMatch(/^Add more augmentation: .* besides the flips already on/)
    expect(head({ fineTuneBlocks: 1 })).toMatch(/besides the flips already on/)
    // Early stopping is advised only to a Run without it.
    const all = (earlyStopping: number) => runVerdict({ ...base, epochs: over, earlyStopping })!.advice.join(' ')
    expect(all(0)).toMatch(/Turn on early stopping/)
    expect(all(5)).not.toMatch(/early stopping/)
  })

  it('flags a loss that exploded as diverged even though the Run completed, with a lower learning rate to try', () => {
    const verdict = runVerdict({
      ...base,
      learningRate: 10,
      epochs: epochs(4, { trainLoss: 5e4, trainAccuracy: 0.33, valLoss: 2e5, valAccuracy: 0.33 }, { trainLoss: 3e11, trainAccuracy: 0.33, valLoss: 4e11, valAccuracy: 0.33 })
    })!
    expect(verdict.kind).toBe('diverged')
    expect(verdict.detail).toContain('5.0e+4 at Epoch 1')
    expect(verdict.advice[0]).toContain('try 1.0 (it was 10)')
  })

  it('does not call a Run diverged when its training loss spiked and recovered, but says a lower rate may be steadier', () => {
    // As a Trial with learning rate 0.074 on a pretrained head did: 13.9 at Epoch 1 (3 classes: limit 11), then 96 %.
    const recovered = epochs(6, { trainLoss: 0.6, trainAccuracy: 0.8, valLoss: 0.5, valAccuracy: 0.85 }, { trainLoss: 0.1, trainAccuracy: 0.98, valLoss: 0.26, valAccuracy: 0.958 })
    recovered[0].trainLoss = 13.9
    const verdict = runVerdict({ ...base, epochs: recovered, learningRate: 0.0744 })!
    expect(verdict.kind).toBe('learned')
    expect(verdict.advice.at(-1)).toBe('The training loss spiked to 13.90 at Epoch 1 before it recovered: a lower learning rate (try 0.0074) may train more steadily.')
    // Blown up again at the end: diverged, named from the first Epoch it blew up.
    const again = [...recovered.slice(0, -1), { ...recovered.at(-1)!, trainLoss: 40 }]
    expect(runVerdict({ ...base, epochs: again })).toMatchObject({ kind: 'diverged', detail: expect.stringContaining('13.90 at Epoch 1') })
  })

  it('does not call a Run diverged when only its validation loss was huge while the training loss stayed sound', () => {
    // An early Epoch validated with batch-norm statistics that had not caught up yet; the model learned.
    const recovered = epochs(5, { trainLoss: 1.0, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.55 }, { trainLoss: 0.1, trainAccuracy: 0.97, valLoss: 0.2, valAccuracy: 0.94 })
    recovered[0].valLoss = 40
    expect(runVerdict({ ...base, epochs: recovered })?.kind).toBe('learned')
    // Still huge at the end, training fine: the model answers new images confidently wrong, which is guessing, not divergence.
    const confidentlyWrong = epochs(5, { trainLoss: 1.0, trainAccuracy: 0.5, valLoss: 30, valAccuracy: 0.33 }, { trainLoss: 0.5, trainAccuracy: 0.8, valLoss: 25, valAccuracy: 0.33 })
    expect(runVerdict({ ...base, epochs: confidentlyWrong })?.kind).toBe('guessing')
    // A last validation loss that is not a number is divergence.
    const nan = epochs(3, { trainLoss: 1.0, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.55 }, { trainLoss: 0.8, trainAccuracy: 0.6, valLoss: 0.8, valAccuracy: 0.6 })
    nan[2].valLoss = Number.NaN
    expect(runVerdict({ ...base, epochs: nan })?.kind).toBe('diverged')
  })

  it('calls a Run that failed on a NaN loss diverged', () => {
    const error = 'The loss became NaN at Iteration 3 (Epoch 1): training diverged. Lower the learning rate (try 0.10) or use normalization.'
    expect(runVerdict({ ...base, status: 'failed', epochs: [], error, learningRate: 1 })?.kind).toBe('diverged')
    expect(runVerdict({ ...base, status: 'failed', epochs: [], error: 'The dataset folder is gone.' })).toBeNull()
  })

  it('tells overfitting (a wide gap, validation loss rising) from underfitting (both low, close together)', () => {
    const over = epochs(10, { trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.55 }, { trainLoss: 0.02, trainAccuracy: 0.99, valLoss: 1.4, valAccuracy: 0.7 })
    over[5].valLoss = 0.6 // the best Epoch, then it rises
    expect(runVerdict({ ...base, epochs: over })?.kind).toBe('overfitting')
    expect(memorisingFrom(over as EpochMetrics[], 3)).not.toBeNull()

    const under = runVerdict({
      ...base,
      epochs: epochs(5, { trainLoss: 1.05, trainAccuracy: 0.4, valLoss: 1.0, valAccuracy: 0.45 }, { trainLoss: 0.8, trainAccuracy: 0.62, valLoss: 0.75, valAccuracy: 0.66 })
    })!
    expect(under.kind).toBe('underfitting')
    expect(under.advice[0]).toMatch(/more Epochs: validation loss was still falling/)
    // Less augmentation is advised naming what is on; with none on, regularization alone.
    const lessAdvice = (augmentation: VerdictInput['augmentation']) =>
      runVerdict({
        ...base,
        epochs: epochs(5, { trainLoss: 1.05, trainAccuracy: 0.4, valLoss: 1.0, valAccuracy: 0.45 }, { trainLoss: 0.8, trainAccuracy: 0.62, valLoss: 0.75, valAccuracy: 0.66 }),
        augmentation
      })!.advice.find((a) => a.startsWith('Use less'))
    expect(lessAdvice({ ...NO_AUGMENTATION, flipHorizontal: true, brightness: 0.1, erasing: 0.25 })).toBe(
      'Use less augmentation (flips, colour changes and erasing are on) or regularization (dropout, weight decay): they make the training images harder to fit.'
    )
    expect(lessAdvice({ ...NO_AUGMENTATION })).toBe('Use less regularization (dropout, weight decay): it makes the training images harder to fit.')
    const underHead = runVerdict({
      ...base,
      model: 'pretrained',
      augmentation: { ...NO_AUGMENTATION, flipHorizontal: true },
      epochs: epochs(5, { trainLoss: 1.05, trainAccuracy: 0.4, valLoss: 1.0, valAccuracy: 0.45 }, { trainLoss: 0.8, trainAccuracy: 0.62, valLoss: 0.75, valAccuracy: 0.66 })
    })!
    expect(underHead.advice).toContain('Use less regularization (dropout, weight decay): it makes the training images harder to fit.')
  })

  it('names the augmentation strong enough to hide the subject first, when a Run guesses or underfits', () => {
    // Figures of a from-scratch Run on Fashion-MNIST with noise 100% and blur up to 10 px (BENCHMARKS): 20% where the defaults gave 79%.
    const under = epochs(8, { trainLoss: 2.2, trainAccuracy: 0.15, valLoss: 2.1, valAccuracy: 0.18 }, { trainLoss: 1.9, trainAccuracy: 0.32, valLoss: 1.95, valAccuracy: 0.4 })
    const heavy = { ...NO_AUGMENTATION, flipHorizontal: true, rotation: 10, noise: 1, blur: 10 }
    const advice = (more: Partial<VerdictInput>) => runVerdict({ ...base, epochs: under, augmentation: heavy, ...more })!.advice
    const strong = 'Use less augmentation: noise 100% and blur up to 10 px hide much of what the images show (the augmentation preview in the Train form shows it). The defaults are a good start.'
    expect(advice({})).toContain(strong)
    expect(advice({})).not.toContainEqual(expect.stringMatching(/^Use less augmentation \(/)) // instead of the list of everything on
    const guessing = runVerdict({
      ...base,
      epochs: epochs(8, { trainLoss: 1.1, trainAccuracy: 0.33, valLoss: 1.1, valAccuracy: 0.33 }, { trainLoss: 1.1, trainAccuracy: 0.34, valLoss: 1.1, valAccuracy: 0.33 }),
      augmentation: heavy
    })!
    expect(guessing.kind).toBe('guessing')
    expect(guessing.advice[0]).toBe(strong)
    // One strong setting; settings at the edge of the bars (noise 29%, blur 2.5 px, crops keeping 30%, shifts ±29%) are not named.
    expect(advice({ augmentation: { ...NO_AUGMENTATION, scale: 0.1 } })[0]).toMatch(/^Use less augmentation: crops keeping 10% hides much/)
    const mild = advice({ augmentation: { ...NO_AUGMENTATION, noise: 0.29, blur: 2.5, scale: 0.3, translate: 0.29 } })
    expect(mild.join(' ')).not.toMatch(/hide/)
    // A pretrained head on clean embeddings only never saw its augmentation: nothing to blame on it.
    expect(advice({ model: 'pretrained' }).join(' ')).not.toMatch(/hide/)
  })

  it('says a model that generalizes learned, with the figures against chance', () => {
    const verdict = runVerdict({
      ...base,
      epochs: epochs(5, { trainLoss: 0.9, trainAccuracy: 0.6, valLoss: 0.8, valAccuracy: 0.7 }, { trainLoss: 0.1, trainAccuracy: 0.97, valLoss: 0.2, valAccuracy: 0.94 }),
      evaluation: { ...evaluation(11), accuracy: 0.94 }
    })!
    expect(verdict).toMatchObject({ kind: 'learned', tone: 'ok', headline: 'The model learned' })
    expect(verdict.detail).toContain('94% of the validation images right')
  })

  it('names the test images when a Run trained on training + validation was judged on them', () => {
    // The final Run of "Find the best model": no validation images left, no validation figures per Epoch.
    const noValidation = epochs(5, { trainLoss: 0.9, trainAccuracy: 0.6, valLoss: null, valAccuracy: null }, { trainLoss: 0.1, trainAccuracy: 0.99, valLoss: null, valAccuracy: null })
    const learned = runVerdict({ ...base, validationImages: null, epochs: noValidation, evaluation: { ...evaluation(11), split: 'test', accuracy: 0.97 } })!
    expect(learned.detail).toMatch(/^97% of the test images right \(a model answering at random scores about 3\d%\); training accuracy 99%\.$/)
    const guessing = runVerdict({ ...base, validationImages: null, epochs: noValidation, evaluation: { ...evaluation(4), split: 'test' } })!
    expect(guessing.kind).toBe('guessing')
    expect(guessing.detail).toContain('of the test images')
    expect(guessing.detail).not.toContain('validation')
    // A few lucky answers: the test loss, not a validation loss, is a random guess's.
    const atChance = epochs(4, { trainLoss: 3, trainAccuracy: 0.3, valLoss: null, valAccuracy: null }, { trainLoss: 1.3, trainAccuracy: 0.34, valLoss: null, valAccuracy: null })
    const lucky = runVerdict({
      ...base,
      validationImages: null,
      epochs: atChance,
      evaluation: {
        split: 'test',
        accuracy: 0.6,
        loss: 1.09,
        classes: ['circle', 'star', 'triangle'],
        confusion: [
          [24, 8, 8],
          [8, 24, 8],
          [8, 8, 24]
        ]
      }
    })!
    expect(lucky.kind).toBe('guessing')
    expect(lucky.detail).toContain('its test loss (1.090) is that of a random guess')
    expect(lucky.detail).not.toContain('validation')
  })

  it('has nothing to say while a Run trains or before its first Epoch', () => {
    expect(
      runVerdict({
        ...base,
        status: 'running',
        epochs: epochs(2, { trainLoss: 1, trainAccuracy: 0.3, valLoss: 1, valAccuracy: 0.3 }, { trainLoss: 1, trainAccuracy: 0.3, valLoss: 1, valAccuracy: 0.3 })
      })
    ).toBeNull()
    expect(runVerdict({ ...base, status: 'stopped', epochs: [] })).toBeNull()
  })

  it('takes chance as the largest class share when the classes are unbalanced', () => {
    expect(
      chanceAccuracy({
        classes: 2,
        evaluation: {
          accuracy: 0.9,
          loss: 0.3,
          classes: ['a', 'b'],
          confusion: [
            [90, 0],
            [10, 0]
          ]
        }
      })
    ).toBe(0.9)
    expect(
      runVerdict({
        ...base,
        classes: 2,
        validationImages: 100,
        epochs: epochs(3, { trainLoss: 0.4, trainAccuracy: 0.9, valLoss: 0.35, valAccuracy: 0.9 }, { trainLoss: 0.3, trainAccuracy: 0.9, valLoss: 0.33, valAccuracy: 0.9 }),
        evaluation: {
          accuracy: 0.9,
          loss: 0.33,
          classes: ['a', 'b'],
          confusion: [
            [90, 0],
            [10, 0]
          ]
        }
      })?.kind
    ).toBe('guessing')
  })
})

describe('classes with too few held-out images to judge', () => {
  const c = (name: string, recall: number, support: number) => ({ name, recall, support, precision: 1, f1: 1 })

  it('names each with the 95 % interval of its recall, and says what to do', () => {
    expect(fewImagesNote({ split: 'validation', perClass: [c('circle', 1, 16), c('crescent', 1, 1)] })).toBe(
      'Few validation images of crescent (1 image: its recall of 100% could be anywhere from 21% to 100%). Figures on so few images say little: add images of this class, so that more are held out to measure it.'
    )
    const two = fewImagesNote({ split: 'test', perClass: [c('circle', 1, 16), c('crescent', 0, 0), c('moon', 0.75, 4)] })!
    expect(two).toContain('Few test images of crescent (none: it is not measured at all) and moon (4 images: its recall of 75% could be anywhere from 30% to 95%).')
    expect(two).toContain('add images of these classes')
  })

  it('says it once when every class has few, and nothing from 10 images a class', () => {
    expect(fewImagesNote({ split: 'test', perClass: [c('a', 1, 5), c('b', 0.8, 5), c('c', 0.75, 4)] })).toMatch(/^Every class has fewer than 10 test images \(the smallest 4\)/)
    expect(fewImagesNote({ split: 'test', perClass: [c('a', 1, 10), c('b', 0.9, 10)] })).toBeNull()
  })
})

describe('a Study whose Trials all tie', () => {
  const trial = (value: number | null, status = 'completed', verdict: 'guessing' | 'learned' | null = 'learned') => ({ status, value, verdict })

  it('says so instead of naming a best, and says when no Trial learned at all', () => {
    const tied = [trial(0.3333, 'completed', 'guessing'), trial(0.3333, 'completed', 'guessing'), trial(null, 'failed', null)]
    expect(trialsTie(tied)).toBe(true)
    expect(studyVerdict(tied, 'valAccuracy')).toMatchObject({ kind: 'guessing', headline: 'No Trial learned: all 2 are guessing' })
    const sameScore = [trial(0.8), trial(0.8), trial(0.8)]
    expect(studyVerdict(sameScore, 'valAccuracy')).toMatchObject({ kind: 'tie', headline: 'All 3 Trials tie' })
    expect(studyVerdict(sameScore, 'valAccuracy')!.detail).toContain('80.0% validation accuracy')
  })

  it('blames a perfect tie on the validation images, not on the settings', () => {
    const perfect = studyVerdict([trial(0), trial(0)], 'valLoss')!
    expect(perfect).toMatchObject({ kind: 'tie', headline: 'All 2 Trials tie' })
    expect(perfect.detail).toContain('a validation loss of 0.0000, a perfect score: the validation images are too few or too easy')
    expect(perfect.advice[0]).toContain('Any of these recipes will do')
    expect(studyVerdict([trial(1), trial(1)], 'valAccuracy')!.detail).toContain('too few or too easy')
    expect(studyVerdict([trial(0.8), trial(0.8)], 'valAccuracy')!.detail).not.toContain('too few or too easy')
  })

  it('has no verdict when the Trials differ, or when only one completed', () => {
    expect(studyVerdict([trial(0.8), trial(0.9)], 'valAccuracy')).toBeNull()
    expect(studyVerdict([trial(0.8), trial(null, 'running', null)], 'valAccuracy')).toBeNull()
    expect(trialsTie([trial(0.8)])).toBe(false)
  })

  it('gets no parameter importance rather than equal shares', () => {
    const space = { lr: { type: 'float' as const, low: 1e-4, high: 1e-1, log: true }, optimizer: { type: 'categorical' as const, choices: ['adam', 'sgd'] } }
    const tied = [0.001, 0.01, 0.05].map((lr, i) => ({ params: { lr, optimizer: i % 2 ? 'sgd' : 'adam' }, value: 0.3333 }))
    expect(paramImportance(space, tied)).toEqual([])
    const differ = tied.map((t, i) => ({ ...t, value: 0.5 + i * 0.1 }))
    expect(paramImportance(space, differ)[0].name).toBe('lr')
  })
})

describe('the best Run of a comparison', () => {
  const run = (valAccuracy: number | null, durationMs: number | null) => ({ valAccuracy, valLoss: null, imagesPerSecond: null, durationMs }) as Parameters<typeof bestRuns>[0][number]

  it('gets no ★ when two Runs share the best value', () => {
    expect(bestRuns([run(0.9, 100), run(0.9, 50), run(0.5, 80)])).toMatchObject({ valAccuracy: null, durationMs: 1 })
    expect(bestRuns([run(0.9, 100), run(0.95, 100), run(0.5, 80)])).toMatchObject({ valAccuracy: 1, durationMs: 2 })
  })
})

describe('a few lucky answers', () => {
  it("are still guessing when the training images stay at chance and the validation loss is a random guess's", () => {
    const verdict = runVerdict({
      ...base,
      epochs: epochs(4, { trainLoss: 3, trainAccuracy: 0.3, valLoss: 1.5, valAccuracy: 0.33 }, { trainLoss: 1.3, trainAccuracy: 0.34, valLoss: 1.086, valAccuracy: 0.5 })
    })!
    expect(verdict.kind).toBe('guessing')
    expect(verdict.detail).toContain('its 50% on the validation images')
  })
})
