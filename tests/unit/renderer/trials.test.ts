import { describe, expect, it } from 'vitest'
import type { TrialSummary } from '../../../src-main/contract'
import { bestSoFar, mergeTrial, paramAxis, sortTrials, valueAxis } from '../../../src-renderer/src/lib/trials'

function trial(number: number, status: TrialSummary['status'], value: number | null, params: TrialSummary['params'] = {}, intermediate: number[] = []): TrialSummary {
  return { studyId: 1, number, runId: number + 10, params, status, value, intermediate, durationMs: null, wallMs: null, error: null, verdict: null, secondary: null }
}

describe('the Trials of a Study as shown', () => {
  const trials = [trial(0, 'completed', 0.6), trial(1, 'completed', 0.5), trial(2, 'pruned', 0.9), trial(3, 'failed', null), trial(4, 'completed', 0.8), trial(5, 'running', null)]

  it('draws best-so-far over completed Trials only (a pruned Trial stopped early and is not comparable)', () => {
    expect(bestSoFar(trials, 'valAccuracy')).toEqual({ x: [1, 2, 5], value: [0.6, 0.5, 0.8], best: [0.6, 0.6, 0.8] })
    expect(bestSoFar(trials, 'valLoss').best).toEqual([0.6, 0.5, 0.5])
  })

  it('sorts by any column with empty values last either way', () => {
    expect(sortTrials(trials, 'value', false).map((t) => t.number)).toEqual([2, 4, 0, 1, 3, 5])
    expect(sortTrials(trials, 'value', true).map((t) => t.number)).toEqual([1, 0, 4, 2, 3, 5])
    const withParams = [trial(0, 'completed', 1, { optimizer: 'sgd', lr: 0.1 }), trial(1, 'completed', 1, { optimizer: 'adam', lr: 0.01 })]
    expect(sortTrials(withParams, 'param:optimizer', true).map((t) => t.number)).toEqual([1, 0])
    expect(sortTrials(withParams, 'param:lr', false).map((t) => t.number)).toEqual([0, 1])
  })

  it('sorts Trials that tie on the objective by the other figure, so the best is on top either way', () => {
    const tied = [trial(0, 'completed', 1), trial(1, 'completed', 1), trial(2, 'completed', 0.9)].map((t, i) => ({ ...t, secondary: [0.3, 0.05, 0.01][i] }))
    expect(sortTrials(tied, 'value', false).map((t) => t.number)).toEqual([1, 0, 2]) // accuracy: the lower loss first
    expect(sortTrials(tied, 'value', true).map((t) => t.number)).toEqual([2, 0, 1])
    expect(sortTrials(tied, 'secondary', true).map((t) => t.number)).toEqual([2, 1, 0])
  })

  it('never lets a late "running" report undo a Trial that has ended', () => {
    const list = [trial(0, 'completed', 0.7, {}, [0.5, 0.7])]
    expect(mergeTrial(list, trial(0, 'running', null, {}, [0.5]))[0].status).toBe('completed')
    expect(mergeTrial(list, trial(1, 'running', null)).map((t) => t.number)).toEqual([0, 1])
    const running = [trial(2, 'running', null, {}, [0.4])]
    expect(mergeTrial(running, trial(2, 'running', null, {}, [0.4, 0.6]))[0].intermediate).toEqual([0.4, 0.6])
  })

  it('spaces a log axis by ratios and gives each choice its own slot', () => {
    const lr = paramAxis('lr', { type: 'float', low: 1e-4, high: 1e-2, log: true }, [])
    expect(lr.log).toBe(true)
    expect(lr.position(1e-3)).toBeCloseTo(0.5)
    expect(lr.ticks.map((t) => t.label)).toEqual(['1.00e-4', '0.001', '0.01'])
    const optimizer = paramAxis('optimizer', { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] }, [])
    expect(['adam', 'sgd', 'rmsprop'].map((c) => optimizer.position(c))).toEqual([0, 0.5, 1])
    expect(optimizer.position('lion')).toBeNull()
  })

  it('puts the better result at the top of the objective axis, for accuracy and for loss', () => {
    expect(valueAxis('valAccuracy', [0.5, 0.9]).position(0.9)).toBe(1)
    expect(valueAxis('valLoss', [0.2, 1.4]).position(0.2)).toBe(1)
    // Trials that all tie get a little room around their value, never an accuracy over 100% or a loss under 0.
    const ticks = (objective: 'valAccuracy' | 'valLoss', v: number) => valueAxis(objective, [v, v, v]).ticks.map((t) => t.label)
    expect(ticks('valAccuracy', 0.979)).toEqual(['93.0%', '96.5%', '100.0%'])
    expect(ticks('valAccuracy', 1)).toEqual(['95.0%', '97.5%', '100.0%'])
    expect(ticks('valLoss', 0)).toEqual(['0.0000', '0.0250', '0.0500'])
  })
})
