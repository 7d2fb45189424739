/**
 * The "New Study" form: a Dataset and the shared training settings (the Train form's own state),
 * the search space, and how to search it. The space is checked live by the server
 * (`studies.checkSpace`), so every problem and the size of a grid show before anything starts.
 */
import type { Objective, OspreyApi, PrunerName, StrategyName, StudyRequest, StudySummary, TrialsOn } from '../../../src-main/contract'
import { api as defaultApi, ApiError } from './api'
import { describeError } from './errors'
import { RunForm, type ServerRefusal } from './runForm.svelte'
import { SpaceEditor } from './spaceEditor.svelte'

/** A grid over more points than this asks for confirmation (as the server does). */
export const LARGE_GRID = 10_000

/** What a new form searches: the learning rate on a log scale and dropout in steps: the two settings that most often decide a first result. */
export const startingSpace: Record<string, unknown> = {
  learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  dropout: { type: 'float', low: 0, high: 0.5, step: 0.1 }
}

/** A new Study's budget: this many Trials, and no new Trial after this many minutes. */
export const DEFAULT_TRIALS = 12
export const DEFAULT_MINUTES = 15

// Waits this long after the last keystroke before asking the server about the space.
const CHECK_DELAY_MS = 250

/** The server's verdict on a space. */
export interface SpaceCheck {
  problems: string[]
  gridSize: number | null
}

/** Study settings with their own checks (the training settings have the Train form's). */
export type StudyField = 'trials' | 'minutes' | 'parallel'

/** The New Study form's state. */
export class StudyForm {
  #api: OspreyApi
  #check = $state.raw<SpaceCheck | null>(null)
  #checkedSpace = $state<string | null>(null)
  #checkError = $state<string | null>(null)
  #submitting = $state(false)
  #refusal = $state.raw<ServerRefusal | null>(null)
  #timer: ReturnType<typeof setTimeout> | null = null
  #ticket = 0

  /** The Dataset and the settings every Trial shares (model, image size, Epochs…). */
  readonly run: RunForm
  /** The search space. */
  readonly space = new SpaceEditor(startingSpace)
  name = $state('')
  strategy = $state<StrategyName>('random')
  objective = $state<Objective>('valAccuracy')
  prune = $state<PrunerName>('none')
  // A first Study fits minutes, not hours: a dozen Trials and a quarter of an hour at most, both easy to raise.
  trials = $state<number>(DEFAULT_TRIALS)
  /** Minutes after which no new Trial starts; null = no time limit. */
  minutes = $state<number | null>(DEFAULT_MINUTES)
  /** Trials trained at once; null = as many as the machine suits. */
  parallel = $state<number | null>(null)
  /** The user said yes to a grid over LARGE_GRID points. */
  confirmLargeGrid = $state(false)
  /** Where the Trials train: here, or on the workers of the studio's queue. */
  trialsOn = $state<TrialsOn>('local')

  /** What is wrong with the Study's own settings. */
  readonly errors = $derived(studyErrors(this.trials, this.minutes, this.parallel, this.trialsOn === 'queue' ? 256 : 16))

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
    this.run = new RunForm(client)
  }

  /** Every problem of the space: the JSON view's, the rows', then the server's. */
  get spaceProblems(): string[] {
    const local = [...(this.space.jsonError ? [this.space.jsonError] : []), ...this.space.rowProblems]
    return [...local, ...(this.#current ? (this.#check?.problems ?? []) : []), ...(this.#checkError ? [this.#checkError] : [])]
  }
  /** Points of the grid over this space, once the server has counted them. */
  get gridSize(): number | null {
    return this.#current ? (this.#check?.gridSize ?? null) : null
  }
  /** True while the server's verdict is for an older space. */
  get checking(): boolean {
    return !this.#current && !this.space.rowProblems.length
  }
  /** True when the grid is large enough to need a yes first. */
  get needsConfirmation(): boolean {
    return this.strategy === 'grid' && (this.gridSize ?? 0) > LARGE_GRID
  }
  /** True while `studies.start` is in flight. */
  get submitting(): boolean {
    return this.#submitting
  }
  /** Why the server refused the last start. */
  get refusal(): ServerRefusal | null {
    return this.#refusal
  }
  /** True when nothing stands in the way of Start. */
  get ready(): boolean {
    return (
      Boolean(this.run.dataset && this.run.config) &&
      this.run.valid &&
      Object.keys(this.errors).length === 0 &&
      this.#current &&
      this.spaceProblems.length === 0 &&
      (!this.needsConfirmation || this.confirmLargeGrid)
    )
  }

  get #current(): boolean {
    return this.#checkedSpace === JSON.stringify(this.space.space)
  }

  /** Asks the server about the space shortly after the last change (the newest answer wins). */
  scheduleCheck(): void {
    if (this.#timer) clearTimeout(this.#timer)
    const space = this.space.space
    if (this.space.rowProblems.length) return // the rows cannot become a space yet
    this.#timer = setTimeout(() => void this.#runCheck(space), CHECK_DELAY_MS)
  }

  /** Stops a pending check (the form went away). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#ticket++
  }

  async #runCheck(space: Record<string, unknown>): Promise<void> {
    const ticket = ++this.#ticket
    try {
      const check = await this.#api.invoke('studies.checkSpace', { space })
      if (ticket !== this.#ticket) return
      this.#check = check
      this.#checkError = null
    } catch (error) {
      if (ticket !== this.#ticket) return
      this.#check = null
      this.#checkError = `The space could not be checked: ${describeError(error)}`
    }
    this.#checkedSpace = JSON.stringify(space)
  }

  /** The request this form describes. */
  request(): StudyRequest | null {
    const dataset = this.run.dataset
    const config = this.run.config
    if (!dataset || !config) return null
    const { folder: _folder, ...training } = $state.snapshot(config)
    return {
      folder: dataset.path,
      ...(this.name.trim() ? { name: this.name.trim() } : {}),
      space: this.space.space,
      strategy: this.strategy,
      trials: this.trials,
      timeBudgetMinutes: this.minutes,
      ...(this.parallel !== null ? { parallel: this.parallel } : {}),
      prune: this.prune,
      objective: this.objective,
      seed: training.seed,
      training,
      ...(this.needsConfirmation && this.confirmLargeGrid ? { confirmLargeGrid: true } : {}),
      ...(this.trialsOn === 'queue' ? { trialsOn: 'queue' as const } : {})
    }
  }

  /** Starts the Study; resolves with it, or null when it did not start (the reason is in `refusal`). */
  async submit(): Promise<StudySummary | null> {
    const request = this.request()
    if (!request || !this.ready || this.#submitting) return null
    this.#refusal = null
    this.#submitting = true
    try {
      return await this.#api.invoke('studies.start', { study: request })
    } catch (error) {
      this.#refusal = { message: describeError(error), issues: error instanceof ApiError ? (error.issues ?? []) : [] }
      return null
    } finally {
      this.#submitting = false
    }
  }
}

/** Wrong Study settings, with what is allowed (the server's ranges). */
export function studyErrors(trials: number, minutes: number | null, parallel: number | null, maxParallel = 16): Partial<Record<StudyField, string>> {
  const errors: Partial<Record<StudyField, string>> = {}
  if (!Number.isInteger(trials) || trials < 1) errors.trials = 'At least 1 Trial, a whole number.'
  else if (trials > 10_000) errors.trials = 'At most 10,000 Trials.'
  if (minutes !== null && minutes !== undefined && !(Number.isFinite(minutes) && minutes > 0)) errors.minutes = 'More than 0 minutes, or empty for no time limit.'
  if (parallel !== null && parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1 && parallel <= maxParallel))
    errors.parallel = `A whole number from 1 to ${maxParallel}, or empty for automatic.`
  return errors
}
