/**
 * The learning-rate finder's state: one range test (`runs.findLearningRate`) on the form's
 * Dataset and settings, its curve and suggested rate, and why it failed. Only the newest
 * request's answer is kept, so a slow old test never replaces a newer one.
 */
import type { OspreyApi, Response, TrainingConfig, TrainingRequest } from '../../../src-main/contract'
import { api as defaultApi, ApiError } from './api'
import { describeError } from './errors'
import type { ServerRefusal } from './runForm.svelte'

/** What the range test answers: the smoothed loss at each rate tried, and a suggested rate. */
export type LrFinding = Response<'runs.findLearningRate'>

/** The rates the test sweeps, as the trainer's worker does (shown to the user while it runs). */
export const LR_FROM = 1e-7
export const LR_TO = 10

/** Settings the test ignores: it sets its own rate every batch and stops after 100 batches. */
const IGNORED = ['learningRate', 'epochs', 'earlyStopping', 'schedule'] as const

/** A rate as people write it: two significant digits, "3.2e-3"; whole powers of ten as "1e-3". */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return String(rate)
  const [mantissa, exponent] = rate.toExponential(1).split('e')
  const m = mantissa.endsWith('.0') ? mantissa.slice(0, -2) : mantissa
  const e = Number(exponent)
  return e >= 0 && e <= 1 ? String(Number(m) * 10 ** e) : `${m}e${e}`
}

/** The rate the "Use" button puts in the form: exactly the one the page shows. */
export function roundedRate(rate: number): number {
  return Number(formatRate(rate))
}

/** The request for a test with these settings; an unusable learning rate is left to the defaults, since the test ignores it. */
export function findRequest(config: TrainingConfig, learningRateValid: boolean): TrainingRequest {
  const { learningRate, ...rest } = config
  return learningRateValid ? { ...rest, learningRate } : rest
}

/** A key that changes whenever the test's answer could: every setting but those it ignores. */
export function findKey(config: TrainingConfig): string {
  const rest: Record<string, unknown> = { ...config }
  for (const name of IGNORED) delete rest[name]
  return JSON.stringify(rest)
}

/** The newest finding, whether a test is running, and why the last one failed. */
export class LrFinder {
  #api: OspreyApi
  #finding = $state.raw<LrFinding | null>(null)
  #foundFor = $state<string | null>(null)
  #loading = $state(false)
  #error = $state.raw<ServerRefusal | null>(null)
  #ticket = 0

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** The curve and suggestion of the newest finished test. */
  get finding(): LrFinding | null {
    return this.#finding
  }
  /** True while a test runs. */
  get loading(): boolean {
    return this.#loading
  }
  /** Why the newest test failed: the server's sentence and its per-field issues. */
  get error(): ServerRefusal | null {
    return this.#error
  }
  /** True when the finding shown was made with other settings than `config` (so it may no longer hold). */
  isStale(config: TrainingConfig): boolean {
    return this.#finding !== null && this.#foundFor !== findKey(config)
  }

  /** Runs the test for `config`; resolves when it lands (or fails). */
  async find(config: TrainingConfig, learningRateValid: boolean): Promise<void> {
    const ticket = ++this.#ticket
    const settings = $state.snapshot(config) // plain values: proxies cannot cross the process boundary
    const key = findKey(settings)
    const request = findRequest(settings, learningRateValid)
    this.#loading = true
    this.#error = null
    try {
      const finding = await this.#api.invoke('runs.findLearningRate', { config: request })
      if (ticket !== this.#ticket) return
      this.#finding = finding
      this.#foundFor = key
    } catch (error) {
      if (ticket === this.#ticket) this.#error = { message: describeError(error), issues: error instanceof ApiError ? (error.issues ?? []) : [] }
    } finally {
      if (ticket === this.#ticket) this.#loading = false
    }
  }

  /** Shows why the test cannot run, without asking the server (settings that need fixing first). */
  fail(message: string): void {
    this.#ticket++
    this.#loading = false
    this.#error = { message, issues: [] }
  }

  /** Forgets everything, e.g. when another Dataset is chosen. */
  clear(): void {
    this.#ticket++
    this.#finding = null
    this.#foundFor = null
    this.#loading = false
    this.#error = null
  }
}
