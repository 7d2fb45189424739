import { describe, expect, it } from 'vitest'
import type { TrialSummary } from '../../../src-main/contract'
import { bestTrial } from '../../../src-main/studies/best'

type T = Pick<TrialSummary, 'number' | 'status' | 'value' | 'secondary'>
const trial = (number: number, status: TrialSummary['status'], value: number | null, secondary: number | null = null): T => ({ number, status, value, secondary })

describe("a Study's best Trial", () => {
  it('is the completed Trial with the best objective; pruned, failed and running ones never count', () => {
    const trials = [trial(0, 'completed', 0.6), trial(1, 'completed', 0.5), trial(2, 'pruned', 0.9), trial(3, 'failed', null), trial(4, 'completed', 0.8), trial(5, 'running', null)]
    expect(bestTrial(trials, 'valAccuracy')).toEqual({ trial: trials[4], tiedWith: 0 })
    expect(bestTrial(trials, 'valLoss')).toEqual({ trial: trials[1], tiedWith: 0 })
    expect(bestTrial([trial(0, 'pruned', 0.9), trial(1, 'running', null)], 'valAccuracy')).toBeNull()
  })

  it('among Trials at the same accuracy, is the one with the lowest validation loss, not the first to finish', () => {
    const trials = [trial(0, 'completed', 0.9, 0.2), trial(1, 'completed', 1, 0.08), trial(2, 'completed', 1, 0.01), trial(3, 'completed', 1, 0.05)]
    expect(bestTrial(trials, 'valAccuracy')).toEqual({ trial: trials[2], tiedWith: 2 })
  })

  it('among Trials at the same loss, is the one with the highest accuracy', () => {
    const trials = [trial(0, 'completed', 0, 0.97), trial(1, 'completed', 0, 1), trial(2, 'completed', 0.3, 1)]
    expect(bestTrial(trials, 'valLoss')).toEqual({ trial: trials[1], tiedWith: 1 })
  })

  it('keeps the earlier Trial when the tie holds on both figures, or a tied Trial lacks the second', () => {
    expect(bestTrial([trial(0, 'completed', 1, 0.1), trial(1, 'completed', 1, 0.1)], 'valAccuracy')?.trial.number).toBe(0)
    expect(bestTrial([trial(0, 'completed', 1, null), trial(1, 'completed', 1, 0.3)], 'valAccuracy')?.trial.number).toBe(1)
    expect(bestTrial([trial(0, 'completed', 1, null), trial(1, 'completed', 1, null)], 'valAccuracy')?.trial.number).toBe(0)
    expect(bestTrial([trial(2, 'completed', 1, null), trial(0, 'completed', 1, null), trial(1, 'completed', 1, null)], 'valAccuracy')?.trial.number).toBe(0)
  })
})
