/**
 * "Find the best model" on the Train screen: a budget, the plan for the chosen Dataset (what will
 * be searched and why, and how the time is shared) shown before starting, then the search's
 * progress and its result. The search itself runs in the main process; this follows `auto.status`.
 */
import type { AutoPlanInfo, AutoSearch, DatasetListItem, OspreyApi, TrialState } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError } from './errors'

/** Statuses in which a search moves on by itself (its clock runs). */
const RUNNING: readonly AutoSearch['status'][] = ['searching', 'training']

/** True while a search is under way (paused counts: it waits for the user). */
export function isActive(search: AutoSearch | null): boolean {
  return search !== null && (RUNNING.includes(search.status) || search.status === 'paused')
}

/** The state of the "Find the best model" panel. */
export class AutoSearchState {
  #api: OspreyApi
  #dataset = $state.raw<DatasetListItem | null>(null)
  #plan = $state.raw<AutoPlanInfo | null>(null)
  #planError = $state<string | null>(null)
  #search = $state.raw<AutoSearch | null>(null)
  #error = $state<string | null>(null)
  #busy = $state(false)
  #now = $state(Date.now())
  #trials = $state.raw<Map<number, TrialState>>(new Map())
  #planTicket = 0
  #planTimer: ReturnType<typeof setTimeout> | null = null

  /** The budget in minutes, as typed (the field binds to it). */
  minutes = $state(15)

  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  get dataset(): DatasetListItem | null {
    return this.#dataset
  }
  get plan(): AutoPlanInfo | null {
    return this.#plan
  }
  get planError(): string | null {
    return this.#planError
  }
  get search(): AutoSearch | null {
    return this.#search
  }
  get error(): string | null {
    return this.#error
  }
  get busy(): boolean {
    return this.#busy
  }

  /** The search's Trials so far, by how they stand. */
  get trialCounts(): Record<TrialState, number> {
    const counts: Record<TrialState, number> = { running: 0, completed: 0, pruned: 0, failed: 0 }
    for (const status of this.#trials.values()) counts[status]++
    return counts
  }

  /** What is wrong with the budget as typed, or null. */
  get budgetError(): string | null {
    const m = this.minutes
    return typeof m === 'number' && Number.isFinite(m) && m >= 1 && m <= 1440 ? null : 'From 1 to 1,440 minutes (a day).'
  }

  /** Time used so far, ticking while the search runs. */
  get usedMs(): number {
    const s = this.#search
    if (!s) return 0
    return RUNNING.includes(s.status) ? s.usedMs + Math.max(0, this.#now - Date.parse(s.at)) : s.usedMs
  }

  /** Follows searches (events) and ticks the clock; returns the disposer. */
  start(): () => void {
    const off = this.#api.on('auto.status', (search) => {
      if (search.id === this.#search?.id || (search.datasetId !== null && search.datasetId === this.#dataset?.id)) this.#search = { ...search, at: new Date().toISOString() }
    })
    const offTrials = this.#api.on('studies.trial', (trial) => {
      if (trial.studyId === this.#search?.studyId) this.#trials = new Map(this.#trials).set(trial.number, trial.status)
    })
    const tick = setInterval(() => (this.#now = Date.now()), 1000)
    return () => {
      off()
      offTrials()
      clearInterval(tick)
      if (this.#planTimer) clearTimeout(this.#planTimer)
    }
  }

  /** The Dataset the panel is for: its newest search is shown, and its plan loaded. */
  async choose(dataset: DatasetListItem | null): Promise<void> {
    if (dataset?.id === this.#dataset?.id) return
    this.#dataset = dataset
    this.#search = null
    this.#plan = null
    this.#error = null
    if (!dataset) return
    try {
      const searches = await this.#api.invoke('auto.list', {})
      if (this.#dataset?.id !== dataset.id) return
      this.#search = searches.find((s) => s.datasetId === dataset.id) ?? null
      if (this.#search) this.#search = { ...this.#search, at: new Date().toISOString() }
      await this.#loadTrials()
    } catch (error) {
      this.#error = describeError(error)
    }
    this.replan()
  }

  /** Loads the plan for the budget as typed, shortly after the last change. */
  replan(): void {
    if (this.#planTimer) clearTimeout(this.#planTimer)
    const dataset = this.#dataset
    if (!dataset || this.budgetError) {
      this.#plan = null
      return
    }
    const ticket = ++this.#planTicket
    const minutes = this.minutes
    this.#planTimer = setTimeout(async () => {
      try {
        const plan = await this.#api.invoke('auto.plan', { folder: dataset.path, minutes })
        if (ticket !== this.#planTicket) return
        this.#plan = plan
        this.#planError = null
      } catch (error) {
        if (ticket !== this.#planTicket) return
        this.#plan = null
        this.#planError = describeError(error)
      }
    }, 250)
  }

  /** Starts a search on the chosen Dataset with the budget. */
  async begin(): Promise<void> {
    const dataset = this.#dataset
    if (!dataset || this.budgetError) return
    await this.#act(async () => {
      const search = await this.#api.invoke('auto.start', { folder: dataset.path, minutes: this.minutes })
      this.#trials = new Map()
      this.#search = search
    })
  }

  async pause(): Promise<void> {
    await this.#steer('auto.pause')
  }
  async resume(): Promise<void> {
    await this.#steer('auto.resume')
  }
  async stop(): Promise<void> {
    await this.#steer('auto.stop')
  }

  /** Back to the budget form (the search on show stays in the history). */
  dismiss(): void {
    this.#search = null
    this.replan()
  }

  /** The Trials of the search on show, as they stand now (later ones arrive as events). */
  async #loadTrials(): Promise<void> {
    const studyId = this.#search?.studyId
    this.#trials = new Map()
    if (studyId === null || studyId === undefined) return
    const study = await this.#api.invoke('studies.get', { id: studyId })
    if (this.#search?.studyId === studyId) this.#trials = new Map(study.trialList.map((t) => [t.number, t.status]))
  }

  async #steer(command: 'auto.pause' | 'auto.resume' | 'auto.stop'): Promise<void> {
    const id = this.#search?.id
    if (id === undefined) return
    await this.#act(async () => {
      this.#search = await this.#api.invoke(command, { id })
    })
  }

  async #act(work: () => Promise<void>): Promise<void> {
    this.#busy = true
    this.#error = null
    try {
      await work()
    } catch (error) {
      this.#error = describeError(error)
    } finally {
      this.#busy = false
    }
  }
}
