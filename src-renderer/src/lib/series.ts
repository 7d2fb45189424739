/**
 * A Run's metric series, shaped for the charts: one x value per Iteration, with the per-Epoch
 * figures placed at the last Iteration of their Epoch. Plain arrays, no Svelte: the state class
 * pushes into them as events arrive and publishes copies a few times a second.
 */
import type { EpochMetrics, IterationMetrics } from '../../../src-main/contract'

/** The charts' columns, all the same length; `null` where a series has no value at that x. */
export interface ChartData {
  /** The Iteration of each point. */
  x: number[]
  loss: (number | null)[]
  accuracy: (number | null)[]
  learningRate: (number | null)[]
  trainLoss: (number | null)[]
  valLoss: (number | null)[]
  trainAccuracy: (number | null)[]
  valAccuracy: (number | null)[]
}

/** One chart point per Iteration, plus every finished Epoch, with helpers to keep them in order. */
export class RunSeries {
  #data: ChartData = emptyChart()
  // The Epoch each point belongs to, so an Epoch's figures land on its last Iteration.
  #epochOf: number[] = []
  #epochs: EpochMetrics[] = []
  // The x of each Epoch's point, in step with #epochs (the charts shade from one of them).
  #epochX: number[] = []
  #latest: IterationMetrics | null = null
  // Recent (iteration, elapsed) pairs: the pace of the last stretch predicts the end best.
  #recent: { iteration: number; elapsedMs: number }[] = []

  /** The newest Iteration, or null before the first. */
  get latest(): IterationMetrics | null {
    return this.#latest
  }

  /** Adds an Iteration. One at or before the last (a Run resumed from a checkpoint) rewinds the series to it first. */
  addIteration(m: IterationMetrics): void {
    const d = this.#data
    if (d.x.length && m.iteration <= d.x[d.x.length - 1]) this.#rewind(m.iteration, m.epoch)
    d.x.push(m.iteration)
    d.loss.push(finite(m.loss))
    d.accuracy.push(finite(m.accuracy))
    d.learningRate.push(finite(m.learningRate))
    d.trainLoss.push(null)
    d.valLoss.push(null)
    d.trainAccuracy.push(null)
    d.valAccuracy.push(null)
    this.#epochOf.push(m.epoch)
    this.#latest = m
    this.#recent.push({ iteration: m.iteration, elapsedMs: m.elapsedMs })
    if (this.#recent.length > 60) this.#recent.shift()
  }

  /** Adds a finished Epoch at its last Iteration (or after the last point, when none of its Iterations is known). */
  addEpoch(m: EpochMetrics): void {
    const d = this.#data
    const known = this.#epochs.findIndex((e) => e.epoch >= m.epoch)
    if (known >= 0) {
      // The same Epoch again (a resumed Run): forget it and what came after.
      this.#epochs.length = known
      this.#epochX.length = known
    }
    let at = this.#epochOf.length - 1
    while (at >= 0 && this.#epochOf[at] > m.epoch) at--
    if (at < 0 || this.#epochOf[at] !== m.epoch) {
      // No Iteration of this Epoch to hang it on: a point of its own, right after the last.
      at = d.x.length
      d.x.push(d.x.length ? d.x[d.x.length - 1] : 0)
      for (const column of [d.loss, d.accuracy, d.learningRate]) column.push(null)
      for (const column of [d.trainLoss, d.valLoss, d.trainAccuracy, d.valAccuracy]) column.push(null)
      this.#epochOf.push(m.epoch)
    }
    d.trainLoss[at] = finite(m.trainLoss)
    d.valLoss[at] = m.valLoss === null ? null : finite(m.valLoss)
    d.trainAccuracy[at] = finite(m.trainAccuracy)
    d.valAccuracy[at] = m.valAccuracy === null ? null : finite(m.valAccuracy)
    this.#epochs.push(m)
    this.#epochX.push(d.x[at])
  }

  /** Replaces everything with a recorded Run's metrics (Iterations in order, each Epoch after its Iterations). */
  load(iterations: readonly IterationMetrics[], epochs: readonly EpochMetrics[]): void {
    this.reset()
    let next = 0
    for (const m of iterations) {
      while (next < epochs.length && epochs[next].epoch < m.epoch) this.addEpoch(epochs[next++])
      this.addIteration(m)
    }
    while (next < epochs.length) this.addEpoch(epochs[next++])
  }

  /** Empties every series. */
  reset(): void {
    this.#data = emptyChart()
    this.#epochOf = []
    this.#epochs = []
    this.#epochX = []
    this.#latest = null
    this.#recent = []
  }

  /** Copies of the columns, safe to hand to a chart while this keeps growing. */
  snapshot(): { chart: ChartData; epochs: EpochMetrics[]; epochX: number[] } {
    const d = this.#data
    const chart: ChartData = {
      x: d.x.slice(),
      loss: d.loss.slice(),
      accuracy: d.accuracy.slice(),
      learningRate: d.learningRate.slice(),
      trainLoss: d.trainLoss.slice(),
      valLoss: d.valLoss.slice(),
      trainAccuracy: d.trainAccuracy.slice(),
      valAccuracy: d.valAccuracy.slice()
    }
    return { chart, epochs: this.#epochs.slice(), epochX: this.#epochX.slice() }
  }

  /** Milliseconds per Iteration over the recent stretch, or null until there are two points. */
  msPerIteration(): number | null {
    const first = this.#recent[0]
    const last = this.#recent[this.#recent.length - 1]
    if (!first || !last || last.iteration <= first.iteration) return null
    return (last.elapsedMs - first.elapsedMs) / (last.iteration - first.iteration)
  }

  #rewind(iteration: number, epoch: number): void {
    const d = this.#data
    let keep = d.x.length
    while (keep > 0 && d.x[keep - 1] >= iteration) keep--
    for (const column of Object.values(d) as unknown[][]) column.length = keep
    this.#epochOf.length = keep
    const epochs = this.#epochs.findIndex((e) => e.epoch >= epoch)
    if (epochs >= 0) {
      this.#epochs.length = epochs
      this.#epochX.length = epochs
    }
    this.#recent = []
  }
}

/** Columns with no points. */
export function emptyChart(): ChartData {
  return { x: [], loss: [], accuracy: [], learningRate: [], trainLoss: [], valLoss: [], trainAccuracy: [], valAccuracy: [] }
}

// A diverged loss (NaN, Infinity) is shown as a gap rather than wrecking the axis.
function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null
}
