/** Which Trial of a Study is best: the best objective, ties broken by the Run's other validation figure. */
import type { Objective, TrialSummary } from '../contract'
import { TIE } from '../verdict'

type Scored = Pick<TrialSummary, 'number' | 'status' | 'value' | 'secondary'>

/**
 * The best completed Trial and how many others scored the same. Several Trials at the same
 * accuracy are common on a small validation split (often all at 100 %): the one with the lowest
 * validation loss is the most confident of them, so "Use best" trains that one rather than
 * whichever happened to finish first. For a loss objective, ties go to the higher accuracy.
 */
export function bestTrial<T extends Scored>(trials: readonly T[], objective: Objective): { trial: T; tiedWith: number } | null {
  const sign = objective === 'valLoss' ? 1 : -1
  const completed = trials.filter((t) => t.status === 'completed' && t.value !== null)
  if (!completed.length) return null
  const top = completed.reduce((a, b) => (sign * (b.value! - a.value!) < 0 ? b : a)).value!
  const tied = completed.filter((t) => Math.abs(t.value! - top) <= TIE)
  // The secondary figure runs the other way: lower loss, or higher accuracy, is better.
  const secondary = (a: T, b: T) => (a.secondary === null || b.secondary === null ? Number(a.secondary === null) - Number(b.secondary === null) : -sign * (a.secondary - b.secondary))
  const better = (a: T, b: T) => secondary(a, b) || a.number - b.number
  return { trial: [...tied].sort(better)[0], tiedWith: tied.length - 1 }
}

/** How a tie for best was broken, in words; null when there was none. */
export function tieNote(best: { tiedWith?: number }, objective: Objective): string | null {
  if (!best.tiedWith) return null
  return `${best.tiedWith + 1} Trials scored the same; this one has the ${objective === 'valLoss' ? 'highest validation accuracy' : 'lowest validation loss'}.`
}
