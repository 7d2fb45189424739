/**
 * The tuning vocabulary shared by strategies, pruners, the Study runner, the CLI and the UI.
 * Pure: no Electron, no tfjs. Strategies and pruners always MINIMIZE; the Study runner turns
 * "maximize validation accuracy" into minimizing its negative.
 */
import type { TrialState } from '../contract'

/** One searchable hyperparameter, in the JSON shape users write (see docs/ARCHITECTURE.md). */
export type Dimension =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number; steps?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number; steps?: number }
  | { type: 'categorical'; choices: (string | number | boolean)[] }

/** A search space: hyperparameter name → its Dimension. */
export type SearchSpace = Record<string, Dimension>

/** One point of a space: hyperparameter name → value. */
export type Params = Record<string, string | number | boolean>

/** The number a person sees for Trial `index`: Trials count from 1, like Runs; the store and the strategies count from 0. */
export function trialNumber(index: number): number {
  return index + 1
}

/** A Trial as strategies and pruners see it. */
export interface Observation {
  /** 0-based, the order in which Trials were asked for. */
  number: number
  params: Params
  status: TrialState
  /** The final value to minimize; null while running or when failed. */
  value: number | null
  /** Per-Epoch values to minimize (index 0 = Epoch 1), for pruning and for pruned Trials. */
  intermediate: number[]
}

/**
 * A search strategy only proposes; the Study runner owns execution and storage.
 * `suggest` is a pure function of (space, seed, history, number): a Study resumed with the same
 * history asks for exactly the same Trials, so no strategy state needs persisting.
 */
export interface Strategy {
  readonly name: 'grid' | 'random' | 'bayesian'
  /** Params for Trial `number`; `history` holds every earlier Trial, running ones included.
   *  Returns undefined when the strategy has nothing left (a finished grid). */
  suggest(history: readonly Observation[], number: number): Params | undefined
}

/** Decides, after each Epoch, whether a running Trial should stop early. */
export interface Pruner {
  readonly name: 'none' | 'median' | 'asha'
  /** True when `trial` (its `intermediate` just grew to `epoch` values) should be pruned,
   *  judged against `others` (every other Trial of the Study, any status). */
  shouldPrune(trial: Observation, others: readonly Observation[], epoch: number): boolean
}
