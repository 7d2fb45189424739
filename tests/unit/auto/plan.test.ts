import { describe, expect, it } from 'vitest'
import { finalRecipe, finalReserveMs, planSearch, reachesChance, winningTrial } from '../../../src-main/auto/plan'
import { wilsonInterval } from '../../../src-main/verdict'
import { validateSpace } from '../../../src-main/tuning/space'
import { TUNABLE_NAMES } from '../../../src-main/tuning/params'
import type { DatasetReport } from '../../../src-main/contract'

/** The parts of a scan the plan reads: per-class counts, the most common size, colour. */
function report(counts: number[], side: number, colour: boolean): Pick<DatasetReport, 'images' | 'classes' | 'stats'> {
  const images = counts.reduce((a, b) => a + b, 0)
  return {
    images,
    classes: counts.map((count, i) => ({ name: `c${i}`, count })),
    stats: {
      smallest: null,
      largest: null,
      mostCommon: { width: side, height: side, count: images },
      channels: { grayscale: colour ? 0 : images, rgb: colour ? images : 0, alpha: 0 },
      formats: { png: images }
    }
  }
}

describe('planSearch', () => {
  it('searches a pretrained head for a small colour photo set, one Trial at a time, fine-tuning only with time to spare', () => {
    const quick = planSearch(report([100, 100, 100], 128, true), 5)
    expect(quick.family).toBe('pretrained')
    expect(quick.training).toMatchObject({ model: 'pretrained', earlyStopping: 0, validationSplit: 0.2, testSplit: 0.2 })
    expect(quick.parallel).toBe(1)
    expect(quick.space.imageSize).toEqual({ type: 'categorical', choices: [96, 128, 160] })
    expect(quick.space.fineTuneBlocks).toBeUndefined()
    expect(quick.reasons.join(' ')).toMatch(/Fine-tuning the backbone is left out/)
    expect(quick.testImages).toBe(60)
    const long = planSearch(report([100, 100, 100], 256, true), 30)
    expect(long.space.fineTuneBlocks).toEqual({ type: 'categorical', choices: [0, 1, 2] })
    expect(long.space.imageSize).toEqual({ type: 'categorical', choices: [128, 160, 224] })
    // Tiny colour images too, enlarged to sizes the backbone sees well.
    const icons = planSearch(report([189, 189, 189], 24, true), 5)
    expect(icons.family).toBe('pretrained')
    expect(icons.space.imageSize).toEqual({ type: 'categorical', choices: [96, 128, 160] })
  })

  it('trains small grayscale images from scratch, and Trials on a subset of a large set with half the budget kept for the winner', () => {
    const fmnist = planSearch(report(Array(10).fill(6000), 28, false), 60, 2)
    expect(fmnist.family).toBe('scratch')
    expect(fmnist.training).toMatchObject({ model: 'default-cnn', imageSize: 28, validationSplit: 0.1, testSplit: 0.05, trainFraction: 0.118 })
    expect(fmnist.parallel).toBe(2)
    expect(fmnist.studyShare).toBe(0.5)
    expect(fmnist.testImages).toBe(3000)
    expect(fmnist.reasons.join(' ')).toMatch(/11\.8 % of the training images/)
    const small = planSearch(report([300, 300], 28, false), 15)
    expect(small.training.trainFraction).toBeUndefined()
    expect(small.studyShare).toBe(0.75)
    // Enough Iterations to learn from scratch: more Epochs on fewer images (360 training images: 12 Iterations an Epoch).
    expect(fmnist.training.epochs).toBe(8)
    expect(planSearch(report([1000, 1000], 28, false), 15).training.epochs).toBe(24)
    expect(small.training.epochs).toBe(60)
  })

  it('counts without the images excluded after a label check, and says they are left out', () => {
    const whole = planSearch(report([100, 100, 100], 128, true), 5)
    const kept = planSearch(report([100, 100, 100], 128, true), 5, 2, ['c0/a.jpg', 'c0/b.jpg', 'c1/c.jpg', 'c1/d.jpg', 'c1/e.jpg', 'c1/f.jpg', 'c1/g.jpg', 'c1/h.jpg'])
    expect(whole.testImages).toBe(60)
    expect(kept.testImages).toBe(59) // 98, 94 and 100 images: 20 + 19 + 20 (was 20 each)
    expect(kept.reasons.join(' ')).toContain('292 images in 3 classes')
    expect(kept.reasons.join(' ')).toContain('8 images you excluded after the label check are left out of every Trial and of the final Run (the files stay in the folder).')
    expect(planSearch(report([100, 100, 100], 128, true), 5, 2, ['c2/x.jpg']).reasons.join(' ')).toContain('1 image you excluded after the label check is left out')
    expect(whole.reasons.join(' ')).not.toContain('excluded')
  })

  it('says so when the classes are unbalanced, and never offers a batch larger than the training split', () => {
    const plan = planSearch(report([10, 40], 28, false), 5)
    expect(plan.reasons.join(' ')).toMatch(/unbalanced \(10 to 40 images\)/)
    expect(plan.space.batchSize).toEqual({ type: 'categorical', choices: [30] })
    expect(planSearch(report([100, 100], 28, false), 5).reasons.join(' ')).not.toMatch(/unbalanced/)
  })

  it('ends no Trial on an ASHA rung (1, 3, 9, 27 Epochs), so one that trains to its end is judged by its result', () => {
    const rungs = [1, 3, 9, 27, 81]
    const head = planSearch(report([100, 100], 256, true), 30).training
    expect(rungs).not.toContain(head.epochs)
    expect(rungs).not.toContain(head.epochs! + head.fineTuneEpochs!)
    for (const counts of [[100, 100], [1000, 1000], Array(10).fill(6000)]) expect(rungs).not.toContain(planSearch(report(counts, 28, false), 30).training.epochs)
  })

  it("makes Trial 1 the default recipe from scratch, and on a large set keeps the winner at least the default recipe's Epochs", () => {
    const fmnist = planSearch(report(Array(10).fill(6000), 28, false), 15, 2)
    // What Train does unchanged on these images: Adam at 1e-3, batch 64, the CNN's head (128 units, dropout 0.4), cosine, no erasing.
    expect(fmnist.startWith).toEqual([{ learningRate: 1e-3, batchSize: 64, units: 128, dropout: 0.4, weightDecay: 0, erasing: 0, schedule: 'cosine' }])
    expect(fmnist.finalEpochsAtLeast).toBe(10)
    expect(fmnist.reasons.join(' ')).toMatch(/Trial 1 is the default recipe/)
    expect(fmnist.reasons.join(' ')).toMatch(/at least the time of the default recipe's 10 Epochs/)
    // A set small enough for Trials on all its images: the default recipe first, the budget shared as before.
    const small = planSearch(report([300, 300], 28, false), 15)
    expect(small.startWith?.[0]).toMatchObject({ learningRate: 1e-3, batchSize: 64 })
    expect(small.finalEpochsAtLeast).toBeUndefined()
    // A default outside the space (batch 64 from 40 training images) leaves the strategy to choose every Trial.
    expect(planSearch(report([10, 40], 28, false), 5).startWith).toBeUndefined()
    expect(planSearch(report([100, 100, 100], 128, true), 5).startWith).toBeUndefined()
  })

  it('gives spaces the Study accepts', () => {
    for (const r of [report([60, 60, 60], 96, true), report(Array(10).fill(6000), 28, false), report([50, 50], 48, false), report([5000, 5000], 300, true)]) {
      expect(() => validateSpace(planSearch(r, 15).space, { known: TUNABLE_NAMES })).not.toThrow()
    }
  })

  it('refuses a budget outside 1 minute to a day', () => {
    expect(() => planSearch(report([60, 60], 64, true), 0.5)).toThrow(/from 1 to 1440 minutes/)
    expect(() => planSearch(report([60, 60], 64, true), Number.NaN)).toThrow(/time budget/)
  })
})

describe('finalReserveMs', () => {
  const fmnist = planSearch(report(Array(10).fill(6000), 28, false), 15, 2)
  const minute = 60_000
  const measured = (epochMs: number) => ({ epochMs, aroundMs: 30_000, epochs: 30, subset: true })

  it("keeps the final Run the default recipe's 10 Epochs when they are more than its share, and at most its 30", () => {
    // Fashion-MNIST here: ~3 minutes an Epoch as timed on the Trials. In 15 minutes the search gets no time; in 60 it keeps its half.
    expect(finalReserveMs(fmnist, 15 * minute, measured(3 * minute))).toBe(30_000 + 30 * minute)
    expect(finalReserveMs(fmnist, 60 * minute, measured(2.5 * minute))).toBe(30 * minute)
    // A fast machine (20 s an Epoch): the share (half of 15 minutes); on a faster one still, 30 Epochs' time is enough.
    expect(finalReserveMs(fmnist, 15 * minute, measured(20_000))).toBe(7.5 * minute)
    expect(finalReserveMs(fmnist, 15 * minute, measured(5_000))).toBe(30_000 + 30 * 5_000)
  })

  it('keeps the Epochs the winner trained when its Trials trained on all the images, and the share in searches planned before the rule', () => {
    expect(finalReserveMs(fmnist, 15 * minute, { epochMs: 1_000, aroundMs: 4_000, epochs: 24, subset: false })).toBe(28_000)
    expect(finalReserveMs({ studyShare: 0.5 }, 15 * minute, measured(3 * minute))).toBe(7.5 * minute)
  })
})

describe('finalRecipe', () => {
  const trial = (number: number, status: 'completed' | 'pruned' | 'running') => ({ number, status, params: { learningRate: number ? 0.004 : 0.001 } }) as never
  const defaults = { startWith: [{ learningRate: 0.001 }] }

  it('trains the best Trial; with none finished, Trial 1 when it is the default recipe; otherwise nothing', () => {
    const best = { number: 1, value: 0.3, params: { learningRate: 0.004 }, runId: 2 }
    expect(finalRecipe(defaults, { best, verdict: null, trialList: [trial(0, 'pruned'), trial(1, 'completed')] })).toEqual({ number: 1, params: { learningRate: 0.004 } })
    expect(finalRecipe(defaults, { best: null, verdict: null, trialList: [trial(0, 'running'), trial(1, 'running')] })).toEqual({ number: 0, params: { learningRate: 0.001 } })
    // Planned before Trial 1 was the default recipe, no Trial at all, or Trials that all guessed: no recipe to train.
    expect(finalRecipe({}, { best: null, verdict: null, trialList: [trial(0, 'running')] })).toBeNull()
    expect(finalRecipe(defaults, { best: null, verdict: null, trialList: [] })).toBeNull()
    expect(finalRecipe(defaults, { best: null, verdict: { kind: 'guessing' } as never, trialList: [trial(0, 'completed')] })).toBeNull()
  })

  it('trains the first of Trials that all tie (several reach a loss of 0 on a small, easy validation split)', () => {
    const tie = { kind: 'tie' } as never
    const tied = (number: number) => ({ ...(trial(number, 'completed') as object), value: 0 }) as never
    const trials = [trial(0, 'pruned'), tied(3), tied(1), trial(2, 'running')]
    expect(finalRecipe(defaults, { best: null, verdict: tie, trialList: trials })).toEqual({ number: 1, params: { learningRate: 0.004 }, tied: 2 })
    expect(winningTrial({ best: null, verdict: tie, trialList: trials })).toEqual({ number: 1, params: { learningRate: 0.004 }, tied: 2 })
    expect(winningTrial({ best: null, verdict: null, trialList: trials })).toBeNull()
  })
})

describe('reachesChance', () => {
  it('flags a result whose interval reaches a guess: 9 of 24 right among 3 classes, not 20 of 24', () => {
    expect(reachesChance(wilsonInterval(9, 24), 3)).toBe(true) // 37.5 %, interval from 21 %
    expect(reachesChance(wilsonInterval(20, 24), 3)).toBe(false) // 83 %, interval from 64 %
    expect(reachesChance(wilsonInterval(60, 100), 2)).toBe(false) // 60 %, interval from 50.2 % over a coin's 50 %
    expect(reachesChance(wilsonInterval(57, 100), 2)).toBe(true)
  })
})

describe('wilsonInterval', () => {
  it('matches the textbook values and stays inside [0, 1]', () => {
    const i = wilsonInterval(81, 100)
    expect(i.low).toBeCloseTo(0.7222, 3)
    expect(i.high).toBeCloseTo(0.8749, 3)
    const all = wilsonInterval(60, 60)
    expect(all.high).toBe(1)
    expect(all.low).toBeCloseTo(0.9398, 3)
    expect(wilsonInterval(0, 10).low).toBe(0)
    expect(() => wilsonInterval(3, 0)).toThrow()
  })
})
