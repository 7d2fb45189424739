/**
 * Pruners: after each Epoch, should a running Trial stop? Values are minimized; a NaN value is
 * always pruned (the Trial diverged). Semantics follow Optuna's MedianPruner and
 * SuccessiveHalvingPruner so that users who know them are not surprised.
 */
import type { Observation, Pruner } from './types'

/** Options of the pruners; each reads only its own. */
export interface PrunerOptions {
  /** median: no pruning until this many Trials have completed (Optuna n_startup_trials). Default 5. */
  startupTrials?: number
  /** median: the first this many Epochs of a Trial are never judged (Optuna n_warmup_steps). Default 0. */
  warmupEpochs?: number
  /** asha: the first rung, in Epochs (the minimum resource). Default 1. */
  minEpochs?: number
  /** asha: η; rungs at minEpochs·η^k and the top 1/η of each rung go on. Default 3. */
  reductionFactor?: number
}

/** The pruner names users may choose. */
export const PRUNER_NAMES = ['none', 'median', 'asha'] as const

/** The value of `o` at Epoch `epoch` (1-based), or undefined when it has not run that far. */
const valueAt = (o: Observation, epoch: number): number | undefined => o.intermediate[epoch - 1]

/** The middle of a list (the mean of the two middle values for even lengths). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Never prunes. */
export const noPruner: Pruner = { name: 'none', shouldPrune: () => false }

/**
 * Median pruner: prunes a Trial whose best value so far is worse than the median of the
 * completed Trials' values at the same Epoch. Only completed Trials count (as in Optuna): pruned
 * Trials stopped early and would drag the median towards the poor ones.
 */
export function createMedianPruner({ startupTrials = 5, warmupEpochs = 0 }: PrunerOptions = {}): Pruner {
  return {
    name: 'median',
    shouldPrune(trial, others, epoch) {
      const current = valueAt(trial, epoch)
      if (current === undefined) return false
      if (Number.isNaN(current)) return true
      const completed = others.filter((o) => o.number !== trial.number && o.status === 'completed')
      if (completed.length < startupTrials || epoch <= warmupEpochs) return false
      const peers = completed.map((o) => valueAt(o, epoch)).filter((v): v is number => v !== undefined && !Number.isNaN(v))
      if (peers.length === 0) return false
      const bestSoFar = Math.min(...trial.intermediate.slice(0, epoch).filter((v) => !Number.isNaN(v)))
      return bestSoFar > median(peers)
    }
  }
}

/** The rung Epochs of ASHA: minEpochs·η^k. */
export function rungEpochs(minEpochs: number, reductionFactor: number, upTo: number): number[] {
  const rungs: number[] = []
  for (let e = minEpochs; e <= upTo; e *= reductionFactor) rungs.push(e)
  return rungs
}

/**
 * Asynchronous successive halving (ASHA): a Trial is judged only when it reaches a rung Epoch
 * (1, 3, 9, 27 … by default). It goes on if its value there is among the top ⌊n/η⌋ (at least the
 * top one) of the n Trials — itself included, any status — that reached that rung so far;
 * otherwise it is pruned. Asynchronous: no Trial waits for a rung to fill.
 */
export function createAshaPruner({ minEpochs = 1, reductionFactor = 3 }: PrunerOptions = {}): Pruner {
  if (!(Number.isInteger(minEpochs) && minEpochs >= 1)) throw new Error(`ASHA minEpochs must be an integer ≥ 1, got ${minEpochs}`)
  if (!(Number.isInteger(reductionFactor) && reductionFactor >= 2)) throw new Error(`ASHA reductionFactor must be an integer ≥ 2, got ${reductionFactor}`)
  return {
    name: 'asha',
    shouldPrune(trial, others, epoch) {
      const current = valueAt(trial, epoch)
      if (current === undefined) return false
      if (Number.isNaN(current)) return true
      if (!rungEpochs(minEpochs, reductionFactor, epoch).includes(epoch)) return false
      const rivals = others
        .filter((o) => o.number !== trial.number)
        .map((o) => valueAt(o, epoch))
        .filter((v): v is number => v !== undefined && !Number.isNaN(v))
      const competing = [...rivals, current].sort((a, b) => a - b)
      const kept = Math.max(1, Math.floor(competing.length / reductionFactor))
      return current > competing[kept - 1]
    }
  }
}

/** A Pruner by name. */
export function createPruner(name: Pruner['name'], options: PrunerOptions = {}): Pruner {
  switch (name) {
    case 'none':
      return noPruner
    case 'median':
      return createMedianPruner(options)
    case 'asha':
      return createAshaPruner(options)
    default:
      throw new Error(`Unknown pruner "${String(name)}": choose one of ${PRUNER_NAMES.join(', ')}`)
  }
}
