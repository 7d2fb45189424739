/**
 * State of the Tune room: the Studies listed, the Study on show with its Trials (kept live from
 * `studies.trial` / `studies.status` events), and steering (stop, resume, use best). When a
 * Trial ends, the Study's record is fetched again (debounced) for what events do not carry:
 * the counts, the best Trial and parameter importance.
 */
import type { Events, OspreyApi, StudyDetail, StudySummary, TrainingConfig, TrialSummary } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError, showingErrors, type Message } from './errors'
import { StudyForm } from './studyForm.svelte'
import { mergeTrial } from './trials'
import { downloadText } from './download'

// Trials that end together (a pruned batch, a Study stopping) cause one refresh, not one each.
const REFRESH_MS = 400

/** The Tune room's state over the contract client. */
export class StudiesState {
  #api: OspreyApi
  #studies = $state.raw<StudySummary[]>([])
  #listLoaded = $state(false)
  #shownId = $state<number | null>(null)
  #detail = $state.raw<StudyDetail | null>(null)
  #trials = $state.raw<TrialSummary[]>([])
  #statusMessage = $state<string | null>(null)
  #message = $state.raw<Message | null>(null)
  // A failed command's sentence, on the screen's message line.
  #showError = (text: string): void => {
    this.#message = { tone: 'error', text }
  }
  #steering = $state(false)
  #ticket = 0
  #timer: ReturnType<typeof setTimeout> | null = null

  /** The "New Study" form. */
  readonly form: StudyForm

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
    this.form = new StudyForm(client)
  }

  /** Every Study, newest first. */
  get studies(): StudySummary[] {
    return this.#studies
  }
  /** False until the list has been fetched once. */
  get listLoaded(): boolean {
    return this.#listLoaded
  }
  /** The id of the Study on show; null when the form is showing. */
  get shownId(): number | null {
    return this.#shownId
  }
  /** The Study on show as listed (its latest status), once known. */
  get study(): StudySummary | null {
    return this.#studies.find((s) => s.id === this.#shownId) ?? this.#detail
  }
  /** Everything recorded about the Study on show (space, settings, importance), once loaded. */
  get detail(): StudyDetail | null {
    return this.#detail
  }
  /** Its Trials, live, in number order. */
  get trials(): TrialSummary[] {
    return this.#trials
  }
  /** Why the Study on show last changed status, when it said. */
  get statusMessage(): string | null {
    return this.#statusMessage
  }
  /** A command that failed, for the user. */
  get message(): Message | null {
    return this.#message
  }
  /** True while a stop, resume or use-best is on its way. */
  get steering(): boolean {
    return this.#steering
  }

  /** Follow Study events and load the list; returns the cleanup. */
  start(): () => void {
    void this.refreshList()
    const off = [this.#api.on('studies.trial', (t) => this.#trial(t)), this.#api.on('studies.status', (e) => this.#status(e))]
    return () => {
      off.forEach((dispose) => dispose())
      if (this.#timer) clearTimeout(this.#timer)
    }
  }

  /** Fetch the list of Studies again. */
  async refreshList(): Promise<void> {
    try {
      this.#studies = sortNewest(await this.#api.invoke('studies.list', {}))
    } catch (error) {
      this.#showError(describeError(error))
    } finally {
      this.#listLoaded = true
    }
  }

  /** Start the Study the form describes and show it. */
  async startStudy(): Promise<void> {
    const study = await this.form.submit()
    if (!study) return
    this.#upsert(study)
    await this.open(study.id)
  }

  /** Show a Study with its Trials. */
  async open(id: number): Promise<void> {
    const ticket = ++this.#ticket
    this.#shownId = id
    this.#detail = null
    this.#trials = []
    this.#statusMessage = null
    this.#message = null
    await this.#load(id, ticket)
  }

  /** Back to the form; a running Study keeps going. */
  close(): void {
    this.#ticket++
    this.#shownId = null
    this.#detail = null
    this.#trials = []
  }

  /** Stop the Study on show; it can be resumed later. */
  async stop(): Promise<void> {
    await this.#steer(async (id) => this.#upsert(await this.#api.invoke('studies.stop', { id })))
  }

  /** Resume the Study on show (stopped or interrupted): unfinished Trials again, then new ones. */
  async resume(): Promise<void> {
    await this.#steer(async (id) => this.#upsert(await this.#api.invoke('studies.resume', { id })))
  }

  /** The best Trial's settings, to fill the Train form with (null when there is no best Trial, or it could not be read). */
  async bestConfig(): Promise<TrainingConfig | null> {
    const runId = this.study?.best?.runId
    if (runId === undefined || runId === null) return null
    let config: TrainingConfig | null = null
    await this.#steer(async () => {
      const { warmStart: _, ...settings } = (await this.#api.invoke('runs.get', { id: runId })).config
      config = settings
    })
    return config
  }

  // HTML reports
  /** The Study on show as a self-contained HTML report for the browser to save. */
  async report(): Promise<void> {
    const id = this.#shownId
    if (id === null) return
    await showingErrors(async () => {
      const report = await this.#api.invoke('report.study', { id })
      downloadText(report.html, report.filename, 'text/html')
    }, this.#showError)
  }

  /** Hide the current message. */
  dismissMessage(): void {
    this.#message = null
  }

  async #steer(action: (id: number) => Promise<void>): Promise<void> {
    const id = this.#shownId
    if (id === null || this.#steering) return
    this.#steering = true
    this.#message = null
    try {
      await action(id)
    } catch (error) {
      this.#showError(describeError(error))
    } finally {
      this.#steering = false
    }
  }

  async #load(id: number, ticket: number): Promise<void> {
    try {
      const detail = await this.#api.invoke('studies.get', { id })
      if (ticket !== this.#ticket) return
      this.#detail = detail
      // Events that came during the load may be newer than the record: keep whichever is further along.
      let trials = this.#trials
      for (const t of detail.trialList) trials = mergeTrial(trials, t)
      this.#trials = trials
      this.#upsert(detail)
    } catch (error) {
      if (ticket === this.#ticket) this.#showError(describeError(error))
    }
  }

  #trial(trial: TrialSummary): void {
    if (trial.studyId === this.#shownId) this.#trials = mergeTrial(this.#trials, trial)
    if (trial.status !== 'running') this.#scheduleRefresh()
  }

  #status({ study, message }: Events['studies.status']): void {
    this.#upsert(study)
    if (study.id !== this.#shownId) return
    this.#statusMessage = message ?? null
    this.#scheduleRefresh()
  }

  #scheduleRefresh(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.refreshList()
      if (this.#shownId !== null) void this.#load(this.#shownId, this.#ticket)
    }, REFRESH_MS)
  }

  #upsert(study: StudySummary): void {
    // The list holds summaries only, not a detail's Trials and settings.
    const { space: _s, training: _t, parallel: _p, seed: _seed, timeBudgetMinutes: _m, trialList: _l, importance: _i, ...summary } = study as StudyDetail
    const at = this.#studies.findIndex((s) => s.id === study.id)
    this.#studies = at < 0 ? sortNewest([summary, ...this.#studies]) : this.#studies.map((s) => (s.id === study.id ? summary : s))
  }
}

function sortNewest(list: StudySummary[]): StudySummary[] {
  return [...list].sort((a, b) => b.id - a.id)
}
