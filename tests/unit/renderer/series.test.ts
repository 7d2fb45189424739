/** A Run's chart series (lib/series.ts): what the Loss and Accuracy charts draw, live and reopened. */
import { describe, expect, it } from 'vitest'
import type { EpochMetrics, IterationMetrics } from '../../../src-main/contract'
import { RunSeries } from '../../../src-renderer/src/lib/series'

const iteration = (n: number, epoch: number, loss = 1 / n): IterationMetrics => ({
  runId: 1,
  epoch,
  iteration: n,
  loss,
  accuracy: 0.5,
  learningRate: 1e-3,
  imagesPerSecond: 100,
  elapsedMs: n * 200,
  memoryBytes: 0
})
const epoch = (n: number, valLoss: number | null = 0.4): EpochMetrics => ({
  runId: 1,
  epoch: n,
  trainLoss: 0.5,
  trainAccuracy: 0.8,
  valLoss,
  valAccuracy: valLoss === null ? null : 0.7,
  learningRate: 1e-3,
  durationMs: 1000
})

describe("a Run's chart series", () => {
  it("puts each Epoch's figures at its last Iteration, every column the same length", () => {
    const series = new RunSeries()
    for (let i = 1; i <= 4; i++) series.addIteration(iteration(i, i <= 2 ? 1 : 2))
    series.addEpoch(epoch(1))
    series.addEpoch(epoch(2, null)) // no validation split: a gap, not a zero
    const { chart, epochX } = series.snapshot()
    expect(chart.x).toEqual([1, 2, 3, 4])
    expect(chart.valLoss).toEqual([null, 0.4, null, null])
    expect(chart.trainLoss).toEqual([null, 0.5, null, 0.5])
    expect(epochX).toEqual([2, 4])
    for (const column of Object.values(chart)) expect(column).toHaveLength(4)
  })

  it('shows a diverged loss (NaN, Infinity) as a gap rather than a point off the axis', () => {
    const series = new RunSeries()
    series.addIteration(iteration(1, 1, 2.3))
    series.addIteration(iteration(2, 1, Number.NaN))
    series.addIteration(iteration(3, 1, Number.POSITIVE_INFINITY))
    expect(series.snapshot().chart.loss).toEqual([2.3, null, null])
  })

  it('rewinds to a checkpoint when a resumed Run repeats Iterations, instead of drawing them twice', () => {
    const series = new RunSeries()
    for (let i = 1; i <= 6; i++) series.addIteration(iteration(i, Math.ceil(i / 2)))
    ;[1, 2, 3].forEach((e) => series.addEpoch(epoch(e)))
    // Resumed from the checkpoint after Epoch 2: Epoch 3 again, from Iteration 5.
    series.addIteration(iteration(5, 3, 0.9))
    const { chart, epochs } = series.snapshot()
    expect(chart.x).toEqual([1, 2, 3, 4, 5])
    expect(chart.loss[4]).toBe(0.9)
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2])
  })

  it('gives a snapshot the charts may keep while the series grows, and the recent pace per Iteration', () => {
    const series = new RunSeries()
    series.addIteration(iteration(1, 1))
    expect(series.msPerIteration()).toBeNull()
    const before = series.snapshot()
    series.addIteration(iteration(2, 1))
    series.addIteration(iteration(3, 1))
    expect(before.chart.x).toEqual([1])
    expect(series.msPerIteration()).toBe(200)
    expect(series.latest?.iteration).toBe(3)
  })

  it('reopens a recorded Run the way it was drawn live', () => {
    const iterations = [1, 2, 3, 4].map((i) => iteration(i, i <= 2 ? 1 : 2))
    const epochs = [epoch(1), epoch(2)]
    const live = new RunSeries()
    live.addIteration(iterations[0])
    live.addIteration(iterations[1])
    live.addEpoch(epochs[0])
    live.addIteration(iterations[2])
    live.addIteration(iterations[3])
    live.addEpoch(epochs[1])
    const reopened = new RunSeries()
    reopened.load(iterations, epochs)
    expect(reopened.snapshot()).toEqual(live.snapshot())
    // An Epoch with no Iteration recorded still gets a point of its own.
    const bare = new RunSeries()
    bare.load([], [epoch(1)])
    expect(bare.snapshot().chart).toMatchObject({ x: [0], trainLoss: [0.5] })
  })
})
