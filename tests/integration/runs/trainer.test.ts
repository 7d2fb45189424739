/** The training loop on the real tfjs cpu backend, on a tiny synthetic task. */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileHandler, loadTensors, saveTensors } from '../../../src-main/engine/io'
import { buildModel } from '../../../src-main/engine/models'
import { createOptimizer } from '../../../src-main/engine/optimizers'
import type { StepBatch } from '../../../src-main/engine/step'
import { DivergedError, train, type RunControl, type TrainerState, type TrainingData } from '../../../src-main/engine/trainer'
import { tempDir } from '../../helpers/images'

const SIZE = 8

/** Class 0 is bright on top, class 1 bright at the bottom; a little fixed noise on both. */
function syntheticData(count: number, batchSize = 16): TrainingData {
  const images: { x: Float32Array; y: number }[] = []
  for (let i = 0; i < count; i++) {
    const y = i % 2
    const x = new Float32Array(SIZE * SIZE)
    for (let p = 0; p < x.length; p++) x[p] = (p < x.length / 2 === (y === 0) ? 0.8 : 0.2) + (((i * 7 + p * 13) % 10) - 5) / 50
    images.push({ x, y })
  }
  async function* batches(list: typeof images): AsyncIterable<StepBatch> {
    for (let i = 0; i < list.length; i += batchSize) {
      const part = list.slice(i, i + batchSize)
      const x = new Float32Array(part.length * SIZE * SIZE)
      part.forEach((img, k) => x.set(img.x, k * SIZE * SIZE))
      yield { x, y: Int32Array.from(part.map((p) => p.y)), size: part.length }
    }
  }
  const train = images.slice(0, Math.floor(count * 0.75))
  const validation = images.slice(train.length)
  return {
    classes: ['top', 'bottom'],
    inputShape: [SIZE, SIZE, 1],
    trainCount: train.length,
    validationCount: validation.length,
    trainBatches: () => batches(train),
    validationBatches: () => batches(validation)
  }
}

/** Validation labels the opposite of training's: the better the model learns, the worse its validation loss, so only Epoch 1 improves. */
function worseAndWorse(): TrainingData {
  const clean = syntheticData(64)
  return {
    ...clean,
    async *validationBatches() {
      for await (const b of clean.validationBatches()) yield { ...b, y: b.y.map((y) => 1 - y) }
    }
  }
}

const running: RunControl = { waitWhilePaused: async () => {}, stopRequested: () => false }
const config = { epochs: 3, batchSize: 16, learningRate: 0.01, weightDecay: 0, schedule: 'constant' as const, earlyStopping: 0 }

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** A tiny conv net: the cpu backend's convolution gradients are slow, the loop is what is tested. */
function model(seed = 1) {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) })
    ]
  })
}

it('builds the reference CNN exactly as the PyTorch anchor: 225,034 parameters at 28×28×1, 10 classes', () => {
  const m = buildModel(tf, 'reference-cnn', { size: 28, channels: 1, classes: 10 })
  expect(m.countParams()).toBe(225_034)
  m.dispose()
})

describe('train', () => {
  it('runs the concerns it is given at each step and Epoch: one may stop the Run, and each hears how it ended', async () => {
    const heard: string[] = []
    let steps = 0
    const result = await train(
      tf,
      model(),
      createOptimizer(tf, 'adam', 0.01),
      syntheticData(64),
      {
        ...config,
        epochs: 10,
        callbacks: [
          { onStep: () => void steps++, onEnd: (how) => heard.push(`counter: ${how}`) },
          // A concern of the caller's: two Epochs are enough.
          { onEpochEnd: (state) => (state.epochsDone >= 2 ? 'stop' : undefined), onEnd: (how) => heard.push(`limit: ${how}`) }
        ]
      },
      { control: running, onIteration: () => {}, onEpoch: () => {} }
    )
    expect(result).toMatchObject({ stoppedBy: 'early-stopping', state: { epochsDone: 2 } })
    expect(steps).toBe(2 * 3)
    expect(heard).toEqual(['counter: early-stopping', 'limit: early-stopping'])
  })

  it('times Epochs, Iterations and speed on the clock it is given', async () => {
    // One second per Iteration, on the test's clock: exact, whatever the machine's load.
    let clock = 50_000
    const elapsed: number[] = []
    const speeds: number[] = []
    const durations: number[] = []
    const result = await train(
      tf,
      model(),
      createOptimizer(tf, 'adam', 0.01),
      syntheticData(64),
      { ...config, epochs: 2, now: () => clock },
      {
        control: running,
        onIteration: (it) => {
          elapsed.push(it.elapsedMs)
          speeds.push(it.imagesPerSecond)
          clock += 1000
        },
        onEpoch: (e) => void durations.push(e.durationMs)
      }
    )
    expect(elapsed).toEqual([0, 1000, 2000, 3000, 4000, 5000])
    expect(durations).toEqual([3000, 3000])
    expect(result.state.elapsedMs).toBe(6000)
    // Speed counts the images since the Epoch's window opened: 32 after 1 s, 48 after 2 s.
    expect(speeds.slice(0, 3)).toEqual([0, 32, 24])
  })

  it('with a time limit, trains the Iterations that fit, pauses not counted, its schedule spread over them and ended', async () => {
    // One second per Iteration on the test's clock, 3 Iterations per Epoch, at most 10 Epochs; a pause of 100 s after Iteration 2.
    let clock = 0
    let paused = false
    const rates: number[] = []
    const plans: { epochs: number; iterations: number }[] = []
    const epochs: number[] = []
    const run = (thenEvaluates: number) =>
      train(
        tf,
        model(),
        createOptimizer(tf, 'adam', 0.01),
        syntheticData(64),
        { ...config, epochs: 10, schedule: 'cosine', timeLimit: { ms: 14_500, thenEvaluates }, now: () => clock },
        {
          control: {
            waitWhilePaused: async () => {
              if (paused) clock += 100_000
              paused = false
            },
            stopRequested: () => false
          },
          onIteration: (it) => {
            rates.push(it.learningRate)
            clock += 1000
            if (it.iteration === 2) paused = true
          },
          onEpoch: (e) => void epochs.push(e.epoch),
          onPlan: (plan) => void plans.push(plan)
        }
      )
    const result = await run(0)
    // Its pace is known at the second Epoch's end (the first 3 Iterations warm up); 14 Iterations fit in 14.5 s: 4 Epochs and 2 of the 5th.
    expect(result.stoppedBy).toBe('completed')
    expect(rates).toHaveLength(14)
    expect(plans.at(-1)).toEqual({ epochs: 5, iterations: 14 })
    expect(epochs).toEqual([1, 2, 3, 4, 5])
    expect(result.state.trainedMs).toBe(14_000)
    // Cosine over the 14 Iterations once planned: it ends near zero, where 10 Epochs' cosine would still be high.
    expect(rates.at(-1)).toBeLessThan(0.02 * 0.01)
    expect(rates.at(-1)).toBeCloseTo(0.5 * 0.01 * (1 + Math.cos((Math.PI * 13) / 14)), 8)

    // Time kept to evaluate 48 images after training (a third of a training image's time each: 1 s): one Iteration fewer.
    clock = 0
    rates.length = 0
    const sooner = await run(48)
    expect(sooner.state.iteration).toBe(13)
  })

  it('with a time limit, each Epoch is reported against the plan it ends, so the last says it is the last', async () => {
    // 3 Iterations per Epoch, each a tenth of a second slower than the last: the plan, made from the mean pace, shrinks as it goes.
    let clock = 0
    const plans: { epochs: number; iterations: number }[] = []
    const reported: [number, number][] = []
    const result = await train(
      tf,
      model(),
      createOptimizer(tf, 'adam', 0.01),
      syntheticData(64),
      { ...config, epochs: 20, timeLimit: { ms: 40_000, thenEvaluates: 0 }, now: () => clock },
      {
        control: running,
        onIteration: (it) => void (clock += 1000 + 100 * it.iteration),
        onEpoch: (e) => {
          reported.push([e.epoch, plans.at(-1)?.epochs ?? 20])
          clock += 500
        },
        onPlan: (plan) => void plans.push(plan)
      }
    )
    expect(result.stoppedBy).toBe('completed')
    const [lastEpoch, itsPlan] = reported.at(-1)!
    expect(itsPlan).toBe(lastEpoch)
    expect(plans.at(-1)).toEqual({ epochs: lastEpoch, iterations: result.state.iteration })
    // The 6th Epoch ends at 38.1 s; a 7th would take 9.5 s more.
    expect(lastEpoch).toBe(6)
    expect(result.state.trainedMs).toBeLessThanOrEqual(40_000)
  })

  it('learns an easy task: loss falls, validation accuracy reaches 100%', async () => {
    const epochs: { trainLoss: number; valAccuracy: number | null }[] = []
    let iterations = 0
    const m = model()
    const result = await train(tf, m, createOptimizer(tf, 'adam', 0.01), syntheticData(64), config, {
      control: running,
      onIteration: (it) => {
        iterations = it.iteration
        expect(it.learningRate).toBe(0.01)
      },
      onEpoch: (e) => void epochs.push(e)
    })
    expect(result.stoppedBy).toBe('completed')
    expect(iterations).toBe(3 * Math.ceil(48 / 16))
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss)
    expect(epochs[2].valAccuracy).toBe(1)
    m.dispose()
  })

  it('trains a large batch slice by slice (bounded memory) to the same weights and loss as in one piece', async () => {
    const once = async (maxSlicePixels?: number) => {
      const m = model(5)
      const losses: number[] = []
      const data = syntheticData(32, 16)
      await train(
        tf,
        m,
        createOptimizer(tf, 'sgd', 0.1),
        { ...data, validationCount: 0 },
        { ...config, epochs: 1, weightDecay: 1e-3, maxSlicePixels },
        { control: running, onIteration: (it) => void losses.push(it.loss), onEpoch: () => {} }
      )
      const weights = m.getWeights().map((w) => Array.from(w.dataSync()))
      m.dispose()
      return { weights, losses }
    }
    const whole = await once()
    const sliced = await once(3 * SIZE * SIZE) // slices of 3, 3, 3, 3, 3, 1 images
    expect(sliced.losses).toHaveLength(whole.losses.length)
    sliced.losses.forEach((l, i) => expect(l).toBeCloseTo(whole.losses[i], 5))
    sliced.weights.flat().forEach((w, i) => expect(w).toBeCloseTo(whole.weights.flat()[i], 5))
    const untrained = model(5)
    expect(sliced.weights.flat()).not.toEqual(untrained.getWeights().flatMap((t) => Array.from(t.dataSync()))) // it did train
    untrained.dispose()
  })

  it('pauses between Iterations until resumed, and stops at the next Iteration when asked', async () => {
    let paused = true
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let stop = false
    const seen: number[] = []
    const m = model()
    const run = train(tf, m, createOptimizer(tf, 'adam', 0.01), syntheticData(64), config, {
      control: { waitWhilePaused: () => (paused ? gate : Promise.resolve()), stopRequested: () => stop },
      onIteration: (it) => {
        seen.push(it.iteration)
        if (it.iteration === 2) stop = true
      },
      onEpoch: () => {}
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toEqual([]) // paused before the first Iteration
    paused = false
    release()
    const result = await run
    expect(result.stoppedBy).toBe('stopped')
    expect(seen).toEqual([1, 2])
    m.dispose()
  })

  it('hears a stop sent as a message while batches are ready at once (no I/O between Iterations)', async () => {
    const clean = syntheticData(200, 2)
    let stop = false
    let seen = 0
    const m = model()
    const result = await train(
      tf,
      m,
      createOptimizer(tf, 'adam', 0.01),
      clean,
      { ...config, batchSize: 2, epochs: 1 },
      {
        control: { waitWhilePaused: async () => {}, stopRequested: () => stop },
        onIteration: (it) => {
          seen = it.iteration
          if (it.iteration === 1) setImmediate(() => (stop = true)) // as an IPC message arrives: a macrotask
        },
        onEpoch: () => {}
      }
    )
    expect(result.stoppedBy).toBe('stopped')
    expect(seen).toBeLessThan(5)
    m.dispose()
  })

  it('stops early after `patience` Epochs without a better validation loss (at once under a constant rate), with the best weights restored', async () => {
    const m = model()
    const data = worseAndWorse()
    const improvements: boolean[] = []
    let bestWeights: number[][] = []
    const result = await train(
      tf,
      m,
      createOptimizer(tf, 'adam', 0.01),
      data,
      { ...config, epochs: 30, earlyStopping: 2 },
      {
        control: running,
        onIteration: () => {},
        onEpoch: (_, improved) => {
          improvements.push(improved)
          if (improved) bestWeights = m.getWeights().map((w) => Array.from(w.dataSync()))
        }
      }
    )
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(bestWeights)
    expect(result.stoppedBy).toBe('early-stopping')
    expect(improvements).toEqual([true, false, false])
    expect(result.state.epochsDone).toBe(3)
    expect(result.state.bestEpoch).toBe(1)
    m.dispose()
  })

  it('under a schedule that anneals, stops early once the rate has run down over a tenth of its Epochs, with the best weights restored; a resumed cool-down goes on', async () => {
    const m = model()
    const rates: number[] = []
    const plans: { epochs: number; iterations: number }[] = []
    const improvements: boolean[] = []
    const states: TrainerState[] = []
    let bestWeights: number[][] = []
    const hooks = {
      control: running,
      onIteration: (it: { learningRate: number }) => void rates.push(it.learningRate),
      onPlan: (plan: { epochs: number; iterations: number }) => void plans.push(plan),
      onEpoch: (_: unknown, improved: boolean, state: TrainerState) => {
        improvements.push(improved)
        states.push(state)
        if (improved) bestWeights = m.getWeights().map((w) => Array.from(w.dataSync()))
      }
    }
    const cosine = { ...config, epochs: 30, earlyStopping: 2, schedule: 'cosine' as const }
    const result = await train(tf, m, createOptimizer(tf, 'adam', 0.01), worseAndWorse(), cosine, hooks)
    // Patience runs out at Epoch 3 (Iteration 9 of 90 planned); the rate then runs from where it was to near 0 over 3 Epochs (a tenth of 30).
    expect(improvements).toEqual([true, false, false, false, false, false])
    expect(result).toMatchObject({ stoppedBy: 'early-stopping', state: { epochsDone: 6, iteration: 18 } })
    expect(plans).toEqual([]) // the Run keeps its 30 Epochs as asked: its config retraces it
    const from = 0.5 * 0.01 * (1 + Math.cos((Math.PI * 9) / 90))
    expect(rates[9]).toBeCloseTo(from, 10)
    expect(rates.at(-1)).toBeCloseTo(0.5 * from * (1 + Math.cos((Math.PI * 8) / 9)), 10)
    expect(rates.at(-1)).toBeLessThan(0.05 * from)
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(bestWeights)

    // From the checkpoint of Epoch 4, mid cool-down: the same rates to the same end.
    const resumed: number[] = []
    const again = await train(tf, model(), createOptimizer(tf, 'adam', 0.01), worseAndWorse(), cosine, { ...hooks, onIteration: (it) => void resumed.push(it.learningRate) }, states[3])
    expect(again).toMatchObject({ stoppedBy: 'early-stopping', state: { epochsDone: 6, iteration: 18 } })
    expect(resumed).toEqual(rates.slice(12))
    m.dispose()
  })

  it('refuses to go on when the loss becomes NaN, and says what to do', async () => {
    const m = model()
    const data = syntheticData(32)
    const poisoned: TrainingData = {
      ...data,
      async *trainBatches(epoch) {
        for await (const b of data.trainBatches(epoch)) yield { ...b, x: b.x.map(() => NaN) }
      }
    }
    await expect(train(tf, m, createOptimizer(tf, 'adam', 0.01), poisoned, config, { control: running, onIteration: () => {}, onEpoch: () => {} })).rejects.toThrow(DivergedError)
    await expect(train(tf, m, createOptimizer(tf, 'adam', 0.01), poisoned, config, { control: running, onIteration: () => {}, onEpoch: () => {} })).rejects.toThrow(/Lower the learning rate/)
    m.dispose()
  })
})

describe('checkpoints', () => {
  let dir: ReturnType<typeof tempDir>
  beforeAll(() => (dir = tempDir()))
  afterAll(() => dir.cleanup())

  it('save and load a model through files with identical predictions', async () => {
    const m = model(3)
    await m.save(fileHandler(tf, join(dir.path, 'model')))
    const loaded = await tf.loadLayersModel(fileHandler(tf, join(dir.path, 'model')))
    const x = tf.randomUniform([4, SIZE, SIZE, 1], 0, 1, 'float32', 7)
    const a = await (m.predict(x) as tf.Tensor).data()
    const b = await (loaded.predict(x) as tf.Tensor).data()
    expect(Array.from(b)).toEqual(Array.from(a))
    m.dispose()
    loaded.dispose()
  })

  it('resuming from a checkpoint (model + optimizer state) gives the same weights as never stopping', async () => {
    const data = syntheticData(64)
    const hooks = { control: running, onIteration: () => {}, onEpoch: () => {} }
    const straight = model(5)
    await train(tf, straight, createOptimizer(tf, 'adam', 0.01), data, { ...config, epochs: 2 }, hooks)

    const first = model(5)
    const optimizer = createOptimizer(tf, 'adam', 0.01)
    const half = await train(tf, first, optimizer, data, { ...config, epochs: 1 }, hooks)
    await first.save(fileHandler(tf, join(dir.path, 'last')))
    await saveTensors(tf, join(dir.path, 'last-optimizer'), await optimizer.getWeights())

    const resumed = await tf.loadLayersModel(fileHandler(tf, join(dir.path, 'last')))
    const restored = createOptimizer(tf, 'adam', 0.01)
    await restored.setWeights(await loadTensors(tf, join(dir.path, 'last-optimizer')))
    await train(tf, resumed, restored, data, { ...config, epochs: 2 }, hooks, half.state)

    const expected = straight.getWeights().map((w) => Array.from(w.dataSync()))
    const actual = resumed.getWeights().map((w) => Array.from(w.dataSync()))
    expect(actual.length).toBe(expected.length)
    actual.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)))
    for (const m of [straight, first, resumed]) m.dispose()
  })
})
