/**
 * State of the Train room: the Runs listed, the Run on show with its live metric series, and
 * steering (pause, resume, stop). Events arrive per Iteration; they are gathered in plain arrays
 * and published to the components at most ~10 times a second, on an animation frame, so a fast
 * Run never floods the page with updates.
 */
import type { EpochMetrics, Events, IterationMetrics, OspreyApi, RunDetail, RunPhase, RunStatus, RunSummary, Verdict } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError, showingErrors, type Message } from './errors'
import { downloadText } from './download'
import { RunForm } from './runForm.svelte'
import { emptyChart, RunSeries, type ChartData } from './series'

/** Statuses after which a Run will not move again by itself. */
const finished: readonly RunStatus[] = ['completed', 'stopped', 'failed', 'interrupted']

/** True once a Run has ended (or its worker died). */
export function isFinished(status: RunStatus): boolean {
  return finished.includes(status)
}

// ~10 updates a second: smooth to the eye, cheap for charts with many thousands of points.
const PUBLISH_MS = 100

/** A steering request on its way: the worker acts on it between two Iterations, which can take seconds. */
export type Steer = 'pausing' | 'resuming' | 'stopping'

type Buffered = { kind: 'iteration'; m: IterationMetrics } | { kind: 'epoch'; m: EpochMetrics }

/** The Train room's state over the contract client. */
export class TrainingState {
  #api: OspreyApi
  #runs = $state.raw<RunSummary[]>([])
  #listLoaded = $state(false)
  #run = $state.raw<RunSummary | null>(null)
  #detail = $state.raw<RunDetail | null>(null)
  #opening = $state(false)
  #statusMessage = $state<string | null>(null)
  #message = $state.raw<Message | null>(null)
  // A failed command's sentence, on the screen's message line.
  #showError = (text: string): void => {
    this.#message = { tone: 'error', text }
  }
  #steering = $state(false)
  #pending = $state<Steer | null>(null)
  #phase = $state.raw<RunPhase | null>(null)
  #chart = $state.raw<ChartData>(emptyChart())
  #epochs = $state.raw<EpochMetrics[]>([])
  #epochX = $state.raw<number[]>([])
  #latest = $state.raw<IterationMetrics | null>(null)
  #msPerIteration = $state<number | null>(null)
  #series = new RunSeries()
  // Events that arrive while the Run's record loads; applied on top of it once it is in.
  #buffer: Buffered[] | null = null
  #statusSeen = false
  #ticket = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #frame: number | null = null
  #lastPublish = 0

  /** The "New Run" form. */
  readonly form: RunForm

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
    this.form = new RunForm(client)
  }

  /** Every Run of its own (a Study's Trials are listed on the Tune screen), newest first. */
  get runs(): RunSummary[] {
    return this.#runs
  }
  /** False until the list has been fetched once. */
  get listLoaded(): boolean {
    return this.#listLoaded
  }
  /** The Run on show, or null when the form is showing. */
  get run(): RunSummary | null {
    return this.#run
  }
  /** Everything recorded about the Run on show (config, split, evaluation), once loaded. */
  get detail(): RunDetail | null {
    return this.#detail
  }
  /** What the Run on show's figures mean, once it has ended: its record's once loaded, else the list's. */
  get verdict(): Verdict | null {
    return this.#detail?.verdict ?? this.#run?.verdict ?? null
  }
  /** True while a reopened Run's record loads. */
  get opening(): boolean {
    return this.#opening
  }
  /** The latest status message of the Run on show ("Preparing images…", why it stopped or failed). */
  get statusMessage(): string | null {
    return this.#statusMessage
  }
  /** A command that failed (pause, list…), for the user. */
  get message(): Message | null {
    return this.#message
  }
  /** True while a pause, resume or stop is on its way. */
  get steering(): boolean {
    return this.#steering
  }
  /** Pause, resume or stop asked for and not yet done by the worker (it acts between two Iterations). */
  get pending(): Steer | null {
    return this.#pending
  }
  /** What the Run on show does before its first Iteration (decoding images, computing features, starting the backend). */
  get phase(): RunPhase | null {
    return this.#phase
  }
  /** The chart columns of the Run on show. */
  get chart(): ChartData {
    return this.#chart
  }
  /** Its finished Epochs. */
  get epochs(): EpochMetrics[] {
    return this.#epochs
  }
  /** The x (Iteration) of each finished Epoch's point on the charts. */
  get epochX(): number[] {
    return this.#epochX
  }
  /** Its newest Iteration. */
  get latest(): IterationMetrics | null {
    return this.#latest
  }
  /** Iterations per Epoch, once the Run's split is known. */
  get iterationsPerEpoch(): number | null {
    const d = this.#detail
    return d?.split ? Math.ceil(d.split.train / d.config.batchSize) : null
  }
  /** The Iterations the Run trains in all: a time limit's plan (its last Epoch may be partial), else every Epoch's; null until the split is known. */
  get totalIterations(): number | null {
    const per = this.iterationsPerEpoch
    return this.#run?.iterations ?? (per && this.#run ? per * this.#run.epochs : null)
  }
  /** Milliseconds left, from the recent pace; null when unknown or not running. */
  get etaMs(): number | null {
    const total = this.totalIterations
    const latest = this.#latest
    if (this.#run?.status !== 'running' || !total || !latest || this.#msPerIteration === null) return null
    return Math.max(0, (total - latest.iteration) * this.#msPerIteration)
  }

  /** Follow Run events and load the list; returns the cleanup. */
  start(): () => void {
    void this.refreshList()
    const off = [
      this.#api.on('runs.iteration', (m) => this.#receive({ kind: 'iteration', m })),
      this.#api.on('runs.epoch', (m) => this.#receive({ kind: 'epoch', m })),
      this.#api.on('runs.status', (e) => this.#status(e)),
      this.#api.on('runs.phase', (p) => {
        if (p.runId === this.#run?.id && !this.#series.latest) this.#phase = p
      })
    ]
    return () => {
      off.forEach((dispose) => dispose())
      if (this.#timer) clearTimeout(this.#timer)
      if (this.#frame !== null) cancelAnimationFrame(this.#frame)
    }
  }

  /** Fetch the list of Runs again. */
  async refreshList(): Promise<void> {
    try {
      this.#runs = (await this.#api.invoke('runs.list', {})).filter((r) => r.studyId === null)
    } catch (error) {
      this.#showError(describeError(error))
    } finally {
      this.#listLoaded = true
    }
  }

  /** Start the Run the form describes and show it; nothing happens when the form or the server says no. */
  async startRun(): Promise<void> {
    const run = await this.form.submit()
    if (!run) return
    this.#show(run)
    this.#opening = false
    this.#publish()
    this.#upsert(run)
  }

  /** Show a Run: its recorded metrics and evaluation, then its live events if it is still going. */
  async open(id: number): Promise<void> {
    const summary = this.#runs.find((r) => r.id === id)
    const ticket = this.#show(summary ?? null)
    this.#opening = true
    this.#statusSeen = false
    this.#buffer = []
    this.#publish()
    try {
      const detail = await this.#api.invoke('runs.get', { id })
      if (ticket !== this.#ticket) return
      // A status event during the load is newer than the record's status.
      if (!this.#statusSeen) this.#run = detail
      this.#detail = detail
      this.#series.load(detail.iterationMetrics, detail.epochMetrics)
      // Events that came meanwhile are newer than the record: laid over it, they rewind what they repeat.
      for (const b of this.#buffer ?? []) this.#apply(b)
      this.#publish()
      if (this.#run?.status === 'running' && !detail.split) void this.#refreshDetail(id)
    } catch (error) {
      if (ticket === this.#ticket) this.#showError(describeError(error))
    } finally {
      if (ticket === this.#ticket) {
        this.#buffer = null
        this.#opening = false
      }
    }
  }

  /** Back to the form; a Run in progress keeps going (it stays in the list). */
  close(): void {
    this.#show(null)
    this.#publish()
  }

  /** Pause the Run on show between two Iterations; `pending` says "pausing" until it has. */
  pause(): Promise<void> {
    return this.#steer('runs.pause', 'pausing')
  }
  /** Resume the Run on show (paused, or interrupted: from its last checkpoint). */
  resume(): Promise<void> {
    return this.#steer('runs.resume', 'resuming')
  }
  /** Stop the Run on show; what it learned is saved and evaluated. */
  stop(): Promise<void> {
    return this.#steer('runs.stop', 'stopping')
  }

  /** The Run on show as a self-contained HTML report (verdict, figures, settings, curves, evaluation) for the browser to save. */
  async report(): Promise<void> {
    const run = this.#run
    if (!run) return
    await showingErrors(async () => {
      const report = await this.#api.invoke('report.run', { id: run.id })
      downloadText(report.html, report.filename, 'text/html')
    }, this.#showError)
  }

  /** Hide the current message. */
  dismissMessage(): void {
    this.#message = null
  }

  async #steer(command: 'runs.pause' | 'runs.resume' | 'runs.stop', pending: Steer): Promise<void> {
    const run = this.#run
    if (!run || this.#steering) return
    this.#steering = true
    this.#message = null
    this.#pending = pending
    try {
      const summary = await this.#api.invoke(command, { id: run.id })
      // The status itself follows from runs.status events; a resumed interrupted Run has a fresh series coming.
      this.#upsert(summary)
      if (this.#run?.id === run.id && done(pending, this.#run.status)) this.#pending = null
    } catch (error) {
      this.#pending = null
      this.#showError(describeError(error))
    } finally {
      this.#steering = false
    }
  }

  // Puts a Run on show (or none); returns the ticket that later answers must match.
  #show(run: RunSummary | null): number {
    this.#ticket++
    this.#run = run
    this.#detail = null
    this.#statusMessage = null
    this.#message = null
    this.#buffer = null
    this.#pending = null
    this.#phase = null
    this.#series.reset()
    return this.#ticket
  }

  #receive(b: Buffered): void {
    // The list shows each Run's Epochs done; no status event says so between start and end.
    if (b.kind === 'epoch') this.#runs = this.#runs.map((r) => (r.id === b.m.runId ? { ...r, epochsDone: b.m.epoch, valAccuracy: b.m.valAccuracy } : r))
    if (b.m.runId !== this.#run?.id) return
    if (this.#buffer) this.#buffer.push(b)
    else {
      this.#apply(b)
      this.#schedule()
    }
  }

  #apply(b: Buffered): void {
    if (b.kind === 'iteration') this.#phase = null // training has begun
    if (b.kind === 'iteration') this.#series.addIteration(b.m)
    else this.#series.addEpoch(b.m)
  }

  #status({ run, message }: Events['runs.status']): void {
    this.#upsert(run)
    const shown = this.#run
    if (!shown || shown.id !== run.id) return
    const was = shown.status
    this.#run = run
    if (this.#pending && done(this.#pending, run.status)) this.#pending = null
    if (isFinished(run.status)) this.#phase = null
    if (this.#opening) this.#statusSeen = true
    // A message belongs to the status it came with ("Preparing images…" is stale once running).
    if (message) this.#statusMessage = message
    else if (run.status !== was) this.#statusMessage = null
    // The record carries what events do not: the split (known once running) and, at the end, the evaluation.
    const needsSplit = run.status === 'running' && !this.#detail?.split
    if ((needsSplit || (isFinished(run.status) && !isFinished(was))) && !this.#opening) void this.#refreshDetail(run.id)
    if (isFinished(run.status)) this.#publish() // the last figures at once, not a frame later
  }

  async #refreshDetail(id: number): Promise<void> {
    const ticket = this.#ticket
    try {
      const detail = await this.#api.invoke('runs.get', { id })
      if (ticket !== this.#ticket) return
      this.#detail = detail
      // The live series keeps every Iteration; the record's is thinned, so it only fills in missed Epochs.
      if (detail.epochMetrics.length > this.#epochs.length && isFinished(detail.status)) {
        for (const e of detail.epochMetrics.slice(this.#epochs.length)) this.#series.addEpoch(e)
        this.#publish()
      }
    } catch (error) {
      if (ticket === this.#ticket) this.#showError(describeError(error))
    }
  }

  #upsert(run: RunSummary): void {
    if (run.studyId !== null) return // Trials crowd the Tune screen's table, not this list
    const at = this.#runs.findIndex((r) => r.id === run.id)
    if (at < 0) this.#runs = [run, ...this.#runs].sort((a, b) => b.id - a.id)
    else this.#runs = this.#runs.map((r) => (r.id === run.id ? run : r))
  }

  // At most one publish per PUBLISH_MS, always on an animation frame.
  #schedule(): void {
    if (this.#timer || this.#frame !== null) return
    const wait = Math.max(0, this.#lastPublish + PUBLISH_MS - performance.now())
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null
        this.#publish()
      })
    }, wait)
  }

  #publish(): void {
    const { chart, epochs, epochX } = this.#series.snapshot()
    this.#chart = chart
    this.#epochs = epochs
    this.#epochX = epochX
    this.#latest = this.#series.latest
    this.#msPerIteration = this.#series.msPerIteration()
    this.#lastPublish = performance.now()
  }
}

/** True once a Run's status shows that a pause, resume or stop has been carried out (or no longer can be). */
function done(pending: Steer, status: RunStatus): boolean {
  if (isFinished(status)) return true
  return pending === 'pausing' ? status === 'paused' : pending === 'resuming' ? status === 'running' || status === 'queued' : false
}
