/** Learning-rate schedules: the rate for each Iteration of a Run. Pure; no tfjs. */
import type { ScheduleName } from '../contract'

/** Gives the learning rate at any point of a Run; `plateau` also listens to validation loss. */
export interface Schedule {
  /** The rate for `iteration` (0-based, over the whole Run). */
  rate(iteration: number): number
  /** Told each Epoch's validation loss (only `plateau` uses it). */
  epochEnded(valLoss: number | null): void
  /** State to checkpoint, and to restore on resume. */
  state(): object
  restore(state: object): void
}

/** Builds the schedule `name` for a Run of `epochs` × `iterationsPerEpoch` at base rate `lr`. */
export function createSchedule(name: ScheduleName, lr: number, epochs: number, iterationsPerEpoch: number): Schedule {
  const total = Math.max(1, epochs * iterationsPerEpoch)
  const stateless = (rate: (i: number) => number): Schedule => ({ rate, epochEnded() {}, state: () => ({}), restore() {} })
  switch (name) {
    case 'constant':
      return stateless(() => lr)
    case 'step': {
      // ×0.1 at one third and two thirds of the Run, the classic step decay.
      const step = Math.max(1, Math.round(epochs / 3)) * iterationsPerEpoch
      return stateless((i) => lr * 0.1 ** Math.floor(i / step))
    }
    case 'cosine':
      return stateless((i) => 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(i, total)) / total)))
    case 'onecycle': {
      // As fastai and PyTorch: warm up from lr/25 over 30% of the Run, then anneal to lr/25e4.
      const warm = Math.max(1, Math.round(0.3 * total))
      const cos = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2
      return stateless((i) => (i < warm ? cos(lr / 25, lr, i / warm) : cos(lr, lr / 25e4, Math.min(1, (i - warm) / Math.max(1, total - warm)))))
    }
    case 'plateau':
      return plateau(lr)
  }
}

/** Where an early stop's cool-down started: the rate then, the Iteration, and how many it runs the rate down over. */
export interface CoolDown {
  from: number
  start: number
  iterations: number
}

/** Schedules that run the rate down by their end: an early stop under them runs it down too (see the trainer). */
export const annealing = (name: ScheduleName): boolean => name === 'cosine' || name === 'onecycle' || name === 'step'

/** The rate of a cool-down: the cosine schedule from its rate at `start` down to 0 over its Iterations. */
export function coolDownSchedule({ from, start, iterations }: CoolDown): Schedule {
  const cosine = createSchedule('cosine', from, iterations, 1)
  return { ...cosine, rate: (i) => cosine.rate(Math.max(0, i - start)) }
}

// ×0.1 after 2 Epochs without a better validation loss (Keras' ReduceLROnPlateau, patience 2).
function plateau(lr: number): Schedule {
  let current = lr
  let best = Infinity
  let waited = 0
  return {
    rate: () => current,
    epochEnded(valLoss) {
      if (valLoss === null) return
      if (valLoss < best - 1e-4) {
        best = valLoss
        waited = 0
      } else if (++waited >= 2) {
        current = Math.max(current * 0.1, lr * 1e-4)
        waited = 0
      }
    },
    state: () => ({ current, best, waited }),
    restore(s) {
      ;({ current, best, waited } = s as { current: number; best: number; waited: number })
    }
  }
}
