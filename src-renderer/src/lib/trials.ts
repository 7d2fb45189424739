/**
 * Pure helpers for showing a Study's Trials: which is better, the best-so-far curve, sorting the
 * table, merging live events, and the axes of the parallel-coordinates plot.
 */
import type { Objective, ParamValue, TrialState, TrialSummary } from '../../../src-main/contract'
import { isObject } from './searchSpace'
import { trialNumber } from '../../../src-main/tuning/types'

/** True when `a` is a better objective value than `b`. */
export function better(objective: Objective, a: number, b: number): boolean {
  return objective === 'valLoss' ? a < b : a > b
}

/** The objective as people say it. */
export function objectiveLabel(objective: Objective): string {
  return objective === 'valLoss' ? 'Validation loss' : 'Validation accuracy'
}

/** An objective value for a table or a label: accuracy as a percentage, loss to 4 places. */
export function formatValue(objective: Objective, value: number | null): string {
  if (value === null) return '–'
  return objective === 'valAccuracy' ? `${(value * 100).toFixed(1)}%` : value.toFixed(4)
}

/** A hyperparameter value, short: numbers to 3 significant digits. */
export function formatParam(value: ParamValue | undefined): string {
  if (value === undefined) return '–'
  if (typeof value !== 'number') return String(value)
  if (Number.isInteger(value)) return String(value)
  const abs = Math.abs(value)
  return abs !== 0 && (abs < 0.001 || abs >= 1e5) ? value.toExponential(2) : String(Number(value.toPrecision(3)))
}

/** The best-so-far curve: per completed Trial (by number as shown, from 1), its value and the best value up to it. */
export function bestSoFar(trials: readonly TrialSummary[], objective: Objective): { x: number[]; value: number[]; best: number[] } {
  const done = trials.filter((t) => t.status === 'completed' && t.value !== null).sort((a, b) => a.number - b.number)
  const out = { x: [] as number[], value: [] as number[], best: [] as number[] }
  for (const t of done) {
    const last = out.best.at(-1)
    out.x.push(trialNumber(t.number))
    out.value.push(t.value!)
    out.best.push(last === undefined || better(objective, t.value!, last) ? t.value! : last)
  }
  return out
}

/** A column the Trial table sorts by: a Trial field, or `param:<name>`. */
export type SortKey = 'number' | 'status' | 'value' | 'secondary' | 'epochs' | 'duration' | `param:${string}`

const statusOrder: Record<TrialState, number> = { running: 0, completed: 1, pruned: 2, failed: 3 }

function sortValue(t: TrialSummary, key: SortKey): number | string | null {
  if (key === 'number') return t.number
  if (key === 'status') return statusOrder[t.status]
  if (key === 'value') return t.value
  if (key === 'secondary') return t.secondary
  if (key === 'epochs') return t.intermediate.length
  if (key === 'duration') return t.durationMs
  const v = t.params[key.slice('param:'.length)]
  return v === undefined ? null : typeof v === 'boolean' ? String(v) : v
}

/**
 * The Trials sorted by a column; empty values last whichever the direction, ties by number. Ties
 * on the objective go by the other figure, as the best Trial's do: best first, the best is on top.
 */
export function sortTrials(trials: readonly TrialSummary[], key: SortKey, ascending: boolean): TrialSummary[] {
  return [...trials].sort((a, b) => {
    const x = sortValue(a, key)
    const y = sortValue(b, key)
    if (x === null || y === null) return x === y ? a.number - b.number : x === null ? 1 : -1
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    // Accuracy runs opposite to loss: the better objective first means the better secondary first.
    const tie = key === 'value' && a.secondary !== null && b.secondary !== null ? (ascending ? b.secondary - a.secondary : a.secondary - b.secondary) : 0
    return (ascending ? order : -order) || tie || a.number - b.number
  })
}

/** Of two reports of the same Trial, the one further along (events and a loaded record can cross). */
export function newer(a: TrialSummary, b: TrialSummary): TrialSummary {
  const ended = (t: TrialSummary) => t.status !== 'running'
  if (ended(a) !== ended(b)) return ended(a) ? a : b
  if (a.runId !== b.runId) return a.runId === null ? b : b.runId === null ? a : a.runId > b.runId ? a : b
  return b.intermediate.length >= a.intermediate.length ? b : a
}

/** The Trial list with one Trial's latest report in place (or added), in number order. */
export function mergeTrial(list: readonly TrialSummary[], trial: TrialSummary): TrialSummary[] {
  const at = list.findIndex((t) => t.number === trial.number)
  if (at < 0) return [...list, trial].sort((a, b) => a.number - b.number)
  const next = [...list]
  next[at] = newer(list[at], trial)
  return next
}

/** One vertical axis of the parallel-coordinates plot: where a value sits (0 = bottom, 1 = top), and its labels. */
export interface Axis {
  name: string
  /** Position of a value in [0, 1]; null when the value does not fit the axis. */
  position: (value: ParamValue) => number | null
  ticks: { at: number; label: string }[]
  log: boolean
}

/** The axis of a hyperparameter from its dimension (log axes for log dimensions, a slot per choice), or from the values seen. */
export function paramAxis(name: string, dimension: unknown, values: readonly ParamValue[]): Axis {
  const d = isObject(dimension) ? dimension : {}
  const choices: ParamValue[] = Array.isArray(d.choices) ? (d.choices as ParamValue[]) : [...new Set(values.filter((v) => typeof v !== 'number'))]
  if (d.type === 'categorical' || (values.length > 0 && values.every((v) => typeof v !== 'number'))) {
    const slot = (v: ParamValue) => choices.findIndex((c) => c === v)
    const at = (i: number) => (choices.length === 1 ? 0.5 : i / (choices.length - 1))
    return { name, log: false, position: (v) => (slot(v) < 0 ? null : at(slot(v))), ticks: choices.map((c, i) => ({ at: at(i), label: String(c) })) }
  }
  const numbers = values.filter((v): v is number => typeof v === 'number')
  let low = typeof d.low === 'number' ? d.low : Math.min(...numbers)
  let high = typeof d.high === 'number' ? d.high : Math.max(...numbers)
  const log = d.log === true && low > 0
  if (!Number.isFinite(low) || !Number.isFinite(high)) [low, high] = [0, 1]
  if (high <= low) high = low + 1
  const scale = log ? Math.log : (v: number) => v
  const position = (v: ParamValue) => (typeof v === 'number' ? Math.min(1, Math.max(0, (scale(v) - scale(low)) / (scale(high) - scale(low)))) : null)
  const mid = log ? Math.sqrt(low * high) : (low + high) / 2
  return { name, log, position, ticks: [low, mid, high].map((v) => ({ at: position(v)!, label: formatParam(v) })) }
}

/** The objective's axis, over the values the Trials reached (better at the top). */
export function valueAxis(objective: Objective, values: readonly number[]): Axis {
  let low = values.length ? Math.min(...values) : 0
  let high = values.length ? Math.max(...values) : 1
  if (high - low < 1e-12) {
    // All equal: a little room either way, never past what the objective can be (an accuracy of 102.8% was shown).
    const pad = 0.05 * (Math.abs(low) || 1)
    ;[low, high] = objective === 'valAccuracy' ? [Math.max(0, low - pad), Math.min(1, high + pad)] : [Math.max(0, low - pad), high + pad]
  }
  const up = objective === 'valLoss' ? (v: number) => (high - v) / (high - low) : (v: number) => (v - low) / (high - low)
  const position = (v: ParamValue) => (typeof v === 'number' ? Math.min(1, Math.max(0, up(v))) : null)
  return { name: objectiveLabel(objective), log: false, position, ticks: [low, (low + high) / 2, high].map((v) => ({ at: position(v)!, label: formatValue(objective, v) })) }
}
