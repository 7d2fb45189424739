import { describe, expect, it } from 'vitest'
import { createPruner, rungEpochs } from '../../../src-main/tuning/pruners'
import type { TrialState } from '../../../src-main/contract'
import type { Observation } from '../../../src-main/tuning/types'

const trial = (number: number, intermediate: number[], status: TrialState = 'completed'): Observation => ({
  number,
  params: {},
  status,
  value: status === 'completed' ? intermediate.at(-1)! : null,
  intermediate
})

describe('the median pruner', () => {
  // Five completed Trials; at Epoch 2 their values are 0.5 0.6 0.7 0.8 0.9 → median 0.7.
  const completed = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i) => trial(i, [v + 0.2, v, v - 0.1]))
  const median = createPruner('median', { startupTrials: 5, warmupEpochs: 1 })

  it('prunes a Trial whose best value so far is worse than the median at that Epoch', () => {
    expect(median.shouldPrune(trial(9, [1.0, 0.75], 'running'), completed, 2)).toBe(true)
    expect(median.shouldPrune(trial(9, [1.0, 0.65], 'running'), completed, 2)).toBe(false)
    expect(median.shouldPrune(trial(9, [1.0, 0.7], 'running'), completed, 2)).toBe(false) // at the median: kept
    // Its best so far counts: 0.6 at Epoch 1 keeps it although Epoch 2 went up to 0.75.
    expect(median.shouldPrune(trial(9, [0.6, 0.75], 'running'), completed, 2)).toBe(false)
  })

  it('waits for its startup Trials and warm-up Epochs, and counts only completed Trials', () => {
    expect(median.shouldPrune(trial(9, [5], 'running'), completed, 1)).toBe(false) // Epoch 1 is warm-up
    expect(median.shouldPrune(trial(9, [1, 5], 'running'), completed.slice(0, 4), 2)).toBe(false) // 4 < 5 completed
    const withPruned = [...completed.slice(0, 4), trial(4, [0.1, 0.1], 'pruned')]
    expect(median.shouldPrune(trial(9, [1, 5], 'running'), withPruned, 2)).toBe(false)
    expect(median.shouldPrune(trial(9, [1, 0.66, 5], 'running'), completed, 3)).toBe(true) // Epoch-3 median 0.6
  })

  it('prunes a diverged Trial (NaN) and never judges an Epoch it has not run', () => {
    expect(median.shouldPrune(trial(9, [1, NaN], 'running'), completed, 2)).toBe(true)
    expect(median.shouldPrune(trial(9, [1], 'running'), completed, 2)).toBe(false)
  })
})

describe('the ASHA pruner', () => {
  const asha = createPruner('asha')

  it('has rungs at 1, 3, 9, 27 Epochs by default', () => {
    expect(rungEpochs(1, 3, 30)).toEqual([1, 3, 9, 27])
  })

  it('keeps only the top third of the Trials that reached a rung (at least the best one)', () => {
    // The first Trial is alone at rung 1: kept.
    expect(asha.shouldPrune(trial(0, [0.5], 'running'), [], 1)).toBe(false)
    // Second at rung 1: ⌊2/3⌋ = 0 → the top 1 goes on; 0.6 is behind 0.5.
    expect(asha.shouldPrune(trial(1, [0.6], 'running'), [trial(0, [0.5])], 1)).toBe(true)
    expect(asha.shouldPrune(trial(1, [0.4], 'running'), [trial(0, [0.5])], 1)).toBe(false)
    // Six values at rung 1 with this one: 0.1 0.2 0.3 0.35 0.5 0.6 → top ⌊6/3⌋ = 2 go on.
    const others = [0.1, 0.3, 0.5, 0.6, 0.2].map((v, i) => trial(i, [v], i % 2 ? 'pruned' : 'running'))
    expect(asha.shouldPrune(trial(9, [0.35], 'running'), others, 1)).toBe(true)
    expect(asha.shouldPrune(trial(9, [0.2], 'running'), others, 1)).toBe(false) // ties with the 2nd: kept
    expect(asha.shouldPrune(trial(9, [0.15], 'running'), others, 1)).toBe(false)
  })

  it('judges only at rungs, against the Trials that reached that rung', () => {
    const others = [trial(0, [0.1, 0.1, 0.1]), trial(1, [0.2, 0.2, 0.2]), trial(2, [0.3]), trial(3, [0.4])]
    // Epoch 2 is not a rung: never pruned there.
    expect(asha.shouldPrune(trial(9, [0.25, 0.9], 'running'), others, 2)).toBe(false)
    // Rung 3: only Trials 0 and 1 got there; with this one, 3 values → top 1 goes on.
    expect(asha.shouldPrune(trial(9, [0.25, 0.2, 0.15], 'running'), others, 3)).toBe(true)
    expect(asha.shouldPrune(trial(9, [0.25, 0.2, 0.05], 'running'), others, 3)).toBe(false)
  })

  it('follows its options, and refuses nonsense ones', () => {
    const asha2 = createPruner('asha', { minEpochs: 2, reductionFactor: 2 })
    expect(asha2.shouldPrune(trial(1, [0.1, 0.9], 'running'), [trial(0, [0.5, 0.5])], 2)).toBe(true)
    expect(asha2.shouldPrune(trial(1, [0.9], 'running'), [trial(0, [0.5, 0.5])], 1)).toBe(false)
    expect(() => createPruner('asha', { reductionFactor: 1 })).toThrow(/reductionFactor/)
  })
})

describe('no pruner', () => {
  it('never prunes', () => {
    expect(createPruner('none').shouldPrune(trial(1, [NaN], 'running'), [trial(0, [0.1])], 1)).toBe(false)
  })
})
