/**
 * The training loop: Epochs of Iterations over batches, with the learning-rate schedule, live
 * metrics, pause/resume/stop between Iterations, early stopping with the best weights restored,
 * and NaN detection (both as callbacks). Tensors stay inside; only plain numbers leave (to the hooks).
 */
import type * as tfjs from '@tensorflow/tfjs'
import type { EpochMetrics, IterationMetrics, TrainingConfig } from '../contract'
import { annealing, coolDownSchedule, createSchedule, type CoolDown, type Schedule } from './schedules'
import { localStep, type StepBatch, type Step } from './step'
import { iterationsThatFit } from './time-limit'

type Tf = typeof tfjs

/** Where a Run's images come from; the pipeline provides it, tests fake it. */
export interface TrainingData {
  classes: string[]
  /** One example's shape: [H, W, C] for images, [D] for embeddings. */
  inputShape: number[]
  trainCount: number
  /** Shuffled, augmented batches of Epoch `epoch` (1-based). */
  trainBatches(epoch: number): AsyncIterable<StepBatch>
  /** The validation images, in order, unaugmented; none when the split is empty. */
  validationBatches(): AsyncIterable<StepBatch>
  validationCount: number
}

/** How the Run is steered from outside: pause between Iterations, stop at the next one. */
export interface RunControl {
  waitWhilePaused(): Promise<void>
  stopRequested(): boolean
}

/** Everything the loop reports and asks. */
export interface TrainerHooks {
  onIteration(metrics: Omit<IterationMetrics, 'runId' | 'memoryBytes'>): void
  /** After each Epoch; `state` is what a checkpoint must keep to resume from here. */
  onEpoch(metrics: Omit<EpochMetrics, 'runId'>, improved: boolean, state: TrainerState): Promise<void> | void
  /** A Run with a time limit planned again how far it trains: `epochs` (the last possibly partial), `iterations` in all. */
  onPlan?(plan: { epochs: number; iterations: number }): void
  control: RunControl
}

/** Where a resumed Run picks up. */
export interface TrainerState {
  epochsDone: number
  iteration: number
  bestValLoss: number | null
  bestEpoch: number
  epochsWithoutImprovement: number
  schedule: object
  elapsedMs: number
  /** Time spent training, pauses excluded: what a time limit counts (absent in checkpoints older than time limits). */
  trainedMs?: number
  /** Early stopping asked to stop, and the rate is being run down first (absent before that, and in older checkpoints). */
  coolDown?: CoolDown
}

/** How a Run ended. */
export interface TrainResult {
  stoppedBy: 'completed' | 'stopped' | 'early-stopping'
  state: TrainerState
}

/** The loss became NaN or infinite: training cannot go on. */
export class DivergedError extends Error {}

/**
 * A training concern the loop runs at its moments, as tfjs-layers composes its callbacks: the
 * loop only steps, validates and counts; what to watch and when to stop is said here.
 */
export interface TrainerCallback {
  /** After each Iteration's step, before it is counted; throw to end the Run. */
  onStep?(loss: number, at: { epoch: number; iteration: number; learningRate: number }): void
  /** After each Epoch's validation and bookkeeping; `'stop'` ends the Run early, `'cool-down'` once its rate has run down. */
  onEpochEnd?(state: Readonly<TrainerState>, improved: boolean): 'stop' | 'cool-down' | void
  /** Once, however the Run ends (an error too); `how` is null when it ends by an error. */
  onEnd?(how: TrainResult['stoppedBy'] | null): void
}

/** Ends the Run with DivergedError, saying what to do, when the loss is NaN or infinite. */
export function divergenceCheck(): TrainerCallback {
  return {
    onStep(loss, at) {
      if (!Number.isFinite(loss)) {
        throw new DivergedError(
          `The loss became ${loss} at Iteration ${at.iteration} (Epoch ${at.epoch}): training diverged. Lower the learning rate (try ${(at.learningRate / 10).toPrecision(2)}) or use normalization.`
        )
      }
    }
  }
}

/**
 * Early stopping with the best weights: keeps a copy of the weights whenever validation loss
 * improves, stops after `patience` Epochs without improvement (after a cool-down, see `train`), and
 * puts the best weights back when the Run ends (stopped by hand aside). `startsAtBest`: the
 * weights it starts with are already the best so far.
 */
export function earlyStopping(model: tfjs.LayersModel, patience: number, startsAtBest = false): TrainerCallback {
  let best: tfjs.Tensor[] | null = null
  const keep = () => {
    best?.forEach((t) => t.dispose())
    best = model.getWeights().map((w) => w.clone())
  }
  if (startsAtBest) keep()
  return {
    onEpochEnd(state, improved) {
      if (improved) keep()
      return state.epochsWithoutImprovement >= patience ? 'cool-down' : undefined
    },
    onEnd(how) {
      if (best && (how === 'completed' || how === 'early-stopping')) model.setWeights(best)
      best?.forEach((t) => t.dispose())
      best = null
    }
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Iterations in one Epoch: every training image once, the last batch possibly smaller. */
export function iterationsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.ceil(trainCount / batchSize)
}

type Config = Pick<TrainingConfig, 'epochs' | 'batchSize' | 'learningRate' | 'weightDecay' | 'schedule' | 'earlyStopping'> & {
  maxSlicePixels?: number
  /** How a batch is trained (e.g. split over replicas); default: on this thread with `optimizer`. */
  step?: Step
  /** A later stage of a Run (fine-tuning after the head): its Epochs and Iterations are numbered on from these. */
  offset?: { epochs: number; iterations: number; elapsedMs: number }
  /** The weights it starts with are the best so far, at `resume.bestValLoss`: early stopping returns to them if nothing beats them. */
  startsAtBest?: boolean
  /** Train at most `ms` (pauses excluded), leaving time to evaluate `thenEvaluates` images after; `epochs` stays the most it trains. */
  timeLimit?: { ms: number; thenEvaluates: number }
  /** The clock for durations, elapsed time and speed (milliseconds); tests pass their own. */
  now?: () => number
  /** Concerns run besides the divergence check and early stopping (which `earlyStopping` turns on). */
  callbacks?: TrainerCallback[]
}

/** Trains `model` on `data`; resolves when the Run completes, stops or stops early. */
export async function train(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, data: TrainingData, config: Config, hooks: TrainerHooks, resume?: TrainerState): Promise<TrainResult> {
  const perEpoch = iterationsPerEpoch(data.trainCount, config.batchSize)
  // The Iterations it trains: all its Epochs', or (with a time limit) those that fit, planned again as it goes.
  let planned = config.epochs * perEpoch
  let schedule: Schedule = createSchedule(config.schedule, config.learningRate, config.epochs, perEpoch)
  const state: TrainerState = resume ?? { epochsDone: 0, iteration: 0, bestValLoss: null, bestEpoch: 0, epochsWithoutImprovement: 0, schedule: {}, elapsedMs: 0 }
  if (resume) schedule.restore(resume.schedule)
  if (state.coolDown) {
    schedule = coolDownSchedule(state.coolDown)
    planned = Math.min(planned, state.coolDown.start + state.coolDown.iterations)
  }
  const clock = config.now ?? Date.now
  const started = clock() - state.elapsedMs
  const offset = config.offset ?? { epochs: 0, iterations: 0, elapsedMs: 0 }
  const callbacks: TrainerCallback[] = [divergenceCheck(), ...(config.earlyStopping ? [earlyStopping(model, config.earlyStopping, config.startsAtBest)] : []), ...(config.callbacks ?? [])]
  const limit = config.timeLimit
  const pace = timeLimitPace(clock, state.trainedMs ?? 0)
  // `ended`: the Epoch that just ended, planned from before its report, which is still to come.
  const replan = (intoEpoch: number, ended?: number) => {
    if (!limit || pace.iterationMs === null) return
    const left = limit.ms - pace.trainedMs() - (ended ? pace.reportMs : 0) - (limit.thenEvaluates * pace.iterationMs) / config.batchSize / EVALUATION_COST
    const fit = state.iteration + iterationsThatFit(left, { iterationMs: pace.iterationMs, epochEndMs: pace.epochEndMs }, perEpoch, intoEpoch)
    const most = state.coolDown ? state.coolDown.start + state.coolDown.iterations : config.epochs * perEpoch
    let next = Math.min(most, Math.max(1, fit))
    // Iterations planned into an Epoch that has ended (a partial one) can no longer be trained: the Run ends here.
    if (ended && next <= ended * perEpoch) next = state.iteration
    if (next === planned) return
    planned = next
    // A cool-down keeps its rate: cut short by the limit, it ends where it is.
    if (!state.coolDown) {
      const kept = schedule.state()
      schedule = createSchedule(config.schedule, config.learningRate, planned / perEpoch, perEpoch)
      schedule.restore(kept)
    }
    hooks.onPlan?.({ epochs: Math.ceil(planned / perEpoch) + offset.epochs, iterations: planned + offset.iterations })
  }
  // Early stopping under a schedule that anneals: stopped at once, a Run would keep weights trained at
  // a high rate, so the rate runs down first, over a tenth of the planned Epochs (at least one).
  // False when there is nothing to run down (the Run then stops at once).
  const startCoolDown = (): boolean => {
    const left = planned - state.iteration
    if (!annealing(config.schedule) || left <= 0) return false
    state.coolDown = { from: schedule.rate(state.iteration), start: state.iteration, iterations: Math.min(left, Math.max(1, Math.round(planned / perEpoch / 10)) * perEpoch) }
    schedule = coolDownSchedule(state.coolDown)
    // Not a new plan (onPlan): the Run keeps the Epochs it was asked for, so running its config again retraces it.
    planned = state.iteration + state.coolDown.iterations
    return true
  }
  let ended: TrainResult['stoppedBy'] | null = null
  const end = (how: TrainResult['stoppedBy']): TrainResult => {
    ended = how
    return { stoppedBy: how, state: finish() }
  }

  const step = config.step ?? localStep(tf, model, optimizer, { inputShape: data.inputShape, classes: data.classes.length, weightDecay: config.weightDecay, maxSlicePixels: config.maxSlicePixels })

  try {
    for (let epoch = state.epochsDone + 1; epoch <= Math.ceil(planned / perEpoch); epoch++) {
      const epochStart = clock()
      let lossSum = 0
      let correct = 0
      let seen = 0
      let window = { images: 0, since: clock() }
      for await (const batch of data.trainBatches(epoch)) {
        if (state.iteration >= planned) break // a time limit's last, partial Epoch
        // Prefetched batches and wasm reads resolve as microtasks, which alone never let the event
        // loop poll: without this, a pause or stop message would wait for the end of the Epoch.
        await yieldToEventLoop()
        await pace.paused(() => hooks.control.waitWhilePaused())
        if (hooks.control.stopRequested()) return end('stopped')
        const lr = schedule.rate(state.iteration)
        const { loss, correct: right } = await step(batch, lr)
        for (const c of callbacks) c.onStep?.(loss, { epoch: epoch + offset.epochs, iteration: state.iteration + offset.iterations + 1, learningRate: lr })
        state.iteration++
        lossSum += loss * batch.size
        correct += right
        seen += batch.size
        window.images += batch.size
        const now = clock()
        const seconds = (now - window.since) / 1000
        hooks.onIteration({
          epoch: epoch + offset.epochs,
          iteration: state.iteration + offset.iterations,
          loss,
          accuracy: right / batch.size,
          learningRate: lr,
          imagesPerSecond: seconds > 0 ? window.images / seconds : 0,
          elapsedMs: now - started + offset.elapsedMs
        })
        if (seconds > 2) window = { images: 0, since: now } // a moving rate, not since the start
        if (pace.iterationEnded()) replan(state.iteration - (epoch - 1) * perEpoch)
      }
      const val = data.validationCount ? await evaluateLoss(tf, model, data) : null
      pace.evaluated()
      // Planned before the Epoch is reported, so that it is reported against the plan it ends: never "Epoch 49/50" as the last.
      replan(0, epoch)
      schedule.epochEnded(val?.loss ?? null)
      const improved = val !== null && (state.bestValLoss === null || val.loss < state.bestValLoss - 1e-6)
      if (improved) {
        state.bestValLoss = val!.loss
        state.bestEpoch = epoch
        state.epochsWithoutImprovement = 0
      } else if (val) state.epochsWithoutImprovement++
      state.epochsDone = epoch
      // Every concern hears the Epoch's end; any one of them may stop the Run, early stopping after a cool-down.
      const verdicts = callbacks.map((c) => c.onEpochEnd?.(state, improved))
      const stop = verdicts.includes('stop') || (verdicts.includes('cool-down') && !state.coolDown && !startCoolDown())
      state.schedule = schedule.state()
      state.elapsedMs = clock() - started
      state.trainedMs = pace.trainedMs()
      await hooks.onEpoch(
        {
          epoch: epoch + offset.epochs,
          trainLoss: lossSum / seen,
          trainAccuracy: correct / seen,
          valLoss: val?.loss ?? null,
          valAccuracy: val?.accuracy ?? null,
          learningRate: schedule.rate(Math.max(0, state.iteration - 1)),
          durationMs: clock() - epochStart
        },
        improved,
        { ...state }
      )
      if (stop) return end('early-stopping')
      pace.epochEnded()
    }
    return end(state.coolDown ? 'early-stopping' : 'completed')
  } finally {
    for (const c of callbacks) c.onEnd?.(ended)
  }

  function finish(): TrainerState {
    state.elapsedMs = clock() - started
    state.trainedMs = pace.trainedMs()
    return state
  }
}

// A forward pass over an image costs about a third of a training step on it.
const EVALUATION_COST = 3
// The first Iterations of a process are slow (kernels compile, caches fill): the pace leaves them out.
const WARM_UP = 3
// Iterations measured before a time limit's first plan; each Epoch's end plans again.
const CALIBRATION = 20

/** The time limit's clock and the pace measured in this process: pauses never count. */
function timeLimitPace(clock: () => number, trainedBefore: number) {
  const start = clock()
  let pausedMs = 0
  let mark = { at: start, paused: 0 }
  let laps = 0
  let sum = 0
  let count = 0
  // An Epoch's end: its evaluation, then its report (checkpoint, history), which the next plan counts from the last Epoch's.
  let evaluationMs = 0
  let reportMs = 0
  // Time since the last mark, pauses excluded.
  const lap = () => {
    const now = clock()
    const ms = now - mark.at - (pausedMs - mark.paused)
    mark = { at: now, paused: pausedMs }
    return ms
  }
  return {
    trainedMs: () => trainedBefore + clock() - start - pausedMs,
    async paused(wait: () => Promise<void>) {
      const from = clock()
      await wait()
      pausedMs += clock() - from
    },
    /** Counts an Iteration; true when enough are measured for the first plan. */
    iterationEnded(): boolean {
      const ms = lap()
      if (++laps <= WARM_UP) return false
      sum += ms
      return ++count === CALIBRATION
    },
    evaluated() {
      evaluationMs = lap()
    },
    epochEnded() {
      reportMs = lap()
    },
    get iterationMs(): number | null {
      return count ? sum / count : null
    },
    get epochEndMs() {
      return evaluationMs + reportMs
    },
    get reportMs() {
      return reportMs
    }
  }
}

/** Mean loss and accuracy over the validation images. */
export async function evaluateLoss(tf: Tf, model: tfjs.LayersModel, data: TrainingData): Promise<{ loss: number; accuracy: number }> {
  let loss = 0
  let correct = 0
  let seen = 0
  for await (const batch of data.validationBatches()) {
    const sums = tf.tidy(() => {
      const x = tf.tensor(batch.x, [batch.size, ...data.inputShape])
      const labels = tf.tensor1d(batch.y, 'int32')
      const logits = model.apply(x, { training: false }) as tfjs.Tensor
      const l = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, data.classes.length), logits, undefined, undefined, tf.Reduction.SUM)
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'))
      return tf.stack([l, c])
    })
    const [l, c] = await sums.data()
    sums.dispose()
    loss += l
    correct += c
    seen += batch.size
  }
  return { loss: loss / Math.max(1, seen), accuracy: correct / Math.max(1, seen) }
}
