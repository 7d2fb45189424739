/**
 * State of the History room: the query (filters, search, sort), the matching Runs fetched a page
 * at a time as the virtual list scrolls, the Runs picked for comparison, the Run on show, and the
 * comparison. Pages are cached by offset; a new query drops them all.
 */
import type { HistoryQuery, HistoryRun, OspreyApi, Response, RunComparison, RunDetail, StudySummary } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError, showingErrors, type Message } from './errors'
import { downloadText } from './download'

/** Rows fetched at once: a few screens' worth, so scrolling rarely waits. */
export const PAGE_SIZE = 200
/** The most Runs a comparison takes. */
export const MAX_COMPARE = 10

/** The filters the user can set; the query is built from them. */
export interface HistoryFilters {
  search: string
  status: string
  tag: string
  datasetId: number | null
  model: string
  backend: string
  minAccuracy: number | null
  /** Only the Trials of this Study. */
  studyId: number | null
  /** Created on or after / on or before these days (yyyy-mm-dd, as a date input gives them); '' = open. */
  from: string
  to: string
  sort: NonNullable<HistoryQuery['sort']>['by']
  direction: 'asc' | 'desc'
}

/** Filters that keep every Run, newest first. */
export function emptyFilters(): HistoryFilters {
  return { search: '', status: '', tag: '', datasetId: null, model: '', backend: '', minAccuracy: null, studyId: null, from: '', to: '', sort: 'createdAt', direction: 'desc' }
}

/** The contract query the filters ask for. */
export function toQuery(f: HistoryFilters): HistoryQuery {
  const q: HistoryQuery = { sort: { by: f.sort, direction: f.direction } }
  if (f.search.trim()) q.search = f.search.trim()
  if (f.status) q.status = [f.status as NonNullable<HistoryQuery['status']>[number]]
  if (f.tag) q.tag = f.tag
  if (f.datasetId !== null) q.datasetId = f.datasetId
  if (f.model) q.model = f.model as HistoryQuery['model']
  if (f.backend) q.backend = f.backend
  if (f.minAccuracy !== null && Number.isFinite(f.minAccuracy)) q.metric = { name: 'valAccuracy', min: f.minAccuracy / 100 }
  if (f.studyId !== null) q.studyId = f.studyId
  if (f.from) q.from = f.from
  if (f.to) q.to = f.to
  return q
}

/** The History room's state over the contract client. */
export class HistoryState {
  #api: OspreyApi
  #total = $state(0)
  #loaded = $state(false)
  /** Bumped when pages arrive, so rows re-read the cache. */
  #version = $state(0)
  #pages = new Map<number, HistoryRun[]>()
  #pending = new Set<number>()
  #generation = 0
  #tags = $state.raw<{ tag: string; runs: number }[]>([])
  #studies = $state.raw<StudySummary[]>([])
  #selected = $state.raw<number[]>([])
  #detail = $state.raw<RunDetail | null>(null)
  #run = $state.raw<HistoryRun | null>(null)
  #artifacts = $state.raw<Response<'history.artifacts'>>([])
  #comparison = $state.raw<RunComparison | null>(null)
  #compareStarted = 0
  #compareRenderMs = $state<number | null>(null)
  #compareRequestMs = $state<number | null>(null)
  #message = $state.raw<Message | null>(null)
  // A failed command's sentence, on the screen's message line.
  #showError = (text: string): void => {
    this.#message = { tone: 'error', text }
  }
  #timer: ReturnType<typeof setTimeout> | null = null

  /** What the list shows; change it, then call `reload()` (or `changed()` to debounce typing). */
  filters = $state<HistoryFilters>(emptyFilters())

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** How many Runs match the filters. */
  get total(): number {
    return this.#total
  }
  /** False until the first page has arrived. */
  get loaded(): boolean {
    return this.#loaded
  }
  /** Every tag in use, most used first. */
  get tags(): { tag: string; runs: number }[] {
    return this.#tags
  }
  /** The Studies, for the Study filter. */
  get studies(): StudySummary[] {
    return this.#studies
  }
  /** Ids picked for comparison, in the order picked. */
  get selected(): number[] {
    return this.#selected
  }
  /** The Run on show and its record. */
  get run(): HistoryRun | null {
    return this.#run
  }
  get detail(): RunDetail | null {
    return this.#detail
  }
  get artifacts(): Response<'history.artifacts'> {
    return this.#artifacts
  }
  /** The comparison on show, or null. */
  get comparison(): RunComparison | null {
    return this.#comparison
  }
  /** Milliseconds from asking for the comparison to its first painted frame. */
  get compareRenderMs(): number | null {
    return this.#compareRenderMs
  }
  /** The part of that spent waiting for the answer. */
  get compareRequestMs(): number | null {
    return this.#compareRequestMs
  }
  get message(): Message | null {
    return this.#message
  }

  /** The Run at list position `index`, or undefined while its page loads (and asks for it). */
  row(index: number): HistoryRun | undefined {
    void this.#version
    const start = Math.floor(index / PAGE_SIZE) * PAGE_SIZE
    const page = this.#pages.get(start)
    if (!page) void this.#fetch(start)
    return page?.[index - start]
  }

  /** How many filters narrow the list (search and sort aside). */
  get activeFilters(): number {
    const f = this.filters
    return [f.status, f.tag, f.datasetId !== null, f.model, f.backend, f.minAccuracy !== null && Number.isFinite(f.minAccuracy), f.studyId !== null, f.from, f.to].filter(Boolean).length
  }
  /** True when there is no Run at all yet (not merely none that matches): the screen welcomes instead of offering filters. */
  get empty(): boolean {
    return this.#loaded && this.#total === 0 && this.activeFilters === 0 && !this.filters.search.trim()
  }

  /** Runs the query afresh from the first page; Runs picked for comparison that the filters now hide are let go (they cannot be seen, so not unticked either). */
  async reload(): Promise<void> {
    this.#generation++
    this.#pages.clear()
    this.#pending.clear()
    await Promise.all([this.#fetch(0), this.#loadTags(), this.#keepVisibleSelection()])
  }

  /** Re-runs the query after typing pauses. */
  changed(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.reload(), 200)
  }

  /** Picks or unpicks a Run for comparison (at most ten). */
  toggleSelected(id: number): void {
    if (this.#selected.includes(id)) this.#selected = this.#selected.filter((s) => s !== id)
    else if (this.#selected.length < MAX_COMPARE) this.#selected = [...this.#selected, id]
    else this.#message = { tone: 'info', text: `A comparison takes at most ${MAX_COMPARE} Runs.` }
  }

  clearSelection(): void {
    this.#selected = []
  }

  /** Shows one Run in full. */
  async open(id: number): Promise<void> {
    this.#comparison = null
    await showingErrors(async () => {
      const [detail, artifacts] = await Promise.all([this.#api.invoke('runs.get', { id }), this.#api.invoke('history.artifacts', { id })])
      this.#detail = detail
      this.#artifacts = artifacts
      // Opened from the list, so its row is cached; a bare record stands in otherwise.
      this.#run = this.#find(id) ?? { ...detail, datasetName: null, notes: '', tags: [] }
    }, this.#showError)
  }

  /** Closes the Run detail or the comparison. */
  close(): void {
    this.#detail = null
    this.#run = null
    this.#comparison = null
  }

  /** Compares the picked Runs. */
  async compare(): Promise<void> {
    this.#compareStarted = performance.now()
    this.#compareRenderMs = null
    await showingErrors(async () => {
      const comparison = await this.#api.invoke('history.compare', { ids: this.#selected })
      this.#compareRequestMs = Math.round(performance.now() - this.#compareStarted)
      this.#comparison = comparison
      this.#detail = null
      this.#run = null
    }, this.#showError)
  }

  /** Called by the comparison view once it has painted. */
  compareRendered(): void {
    if (this.#compareRenderMs === null) this.#compareRenderMs = Math.round(performance.now() - this.#compareStarted)
  }

  async rename(name: string): Promise<void> {
    await this.#edit(() => this.#api.invoke('history.rename', { id: this.#run!.id, name }))
  }
  /** Saves the notes; resolves true once they are saved. */
  note(notes: string): Promise<boolean> {
    return this.#edit(() => this.#api.invoke('history.note', { id: this.#run!.id, notes }))
  }
  async tag(tag: string): Promise<void> {
    await this.#edit(() => this.#api.invoke('history.tag', { id: this.#run!.id, tag }), true)
  }
  async untag(tag: string): Promise<void> {
    await this.#edit(() => this.#api.invoke('history.untag', { id: this.#run!.id, tag }), true)
  }

  /** Deletes the Run on show with its files; the list reloads. */
  async delete(): Promise<void> {
    const run = this.#run
    if (!run) return
    await showingErrors(async () => {
      const { filesRemoved } = await this.#api.invoke('history.delete', { id: run.id })
      this.close()
      this.#selected = this.#selected.filter((s) => s !== run.id)
      this.#message = { tone: 'info', text: `Deleted “${run.name}” and ${filesRemoved} file${filesRemoved === 1 ? '' : 's'}.` }
      await this.reload()
    }, this.#showError)
  }

  /** The matching Runs (every page) as a CSV or JSON file for the browser to save. */
  async export(format: 'csv' | 'json'): Promise<void> {
    await showingErrors(async () => {
      const file = await this.#api.invoke('history.export', { format, query: toQuery(this.filters) })
      // A byte-order mark makes Excel read the CSV as UTF-8: without it, every pretrained Run's "α" and
      // every accented name came out garbled. (`osprey runs export` writes none, for scripts.)
      if (format === 'csv') downloadText(`\ufeff${file.text}`, file.filename, 'text/csv')
      else downloadText(file.text, file.filename, 'application/json')
    }, this.#showError)
  }

  // HTML reports
  /** The comparison on show as a self-contained HTML report for the browser to save. */
  async compareReport(): Promise<void> {
    const ids = this.#comparison?.runs.map((r) => r.run.id)
    if (!ids) return
    await showingErrors(async () => {
      const report = await this.#api.invoke('report.compare', { ids })
      downloadText(report.html, report.filename, 'text/html')
    }, this.#showError)
  }

  /** One Run as a self-contained HTML report for the browser to save. */
  async runReport(id: number): Promise<void> {
    await showingErrors(async () => {
      const report = await this.#api.invoke('report.run', { id })
      downloadText(report.html, report.filename, 'text/html')
    }, this.#showError)
  }

  dismissMessage(): void {
    this.#message = null
  }

  async #edit(change: () => Promise<HistoryRun>, tags = false): Promise<boolean> {
    try {
      const run = await change()
      this.#run = run
      // The row in the list shows the same Run: patch it in place rather than reload the pages.
      for (const page of this.#pages.values()) {
        const i = page.findIndex((r) => r.id === run.id)
        if (i >= 0) page[i] = run
      }
      this.#version++
      if (tags) await this.#loadTags()
      return true
    } catch (error) {
      this.#showError(describeError(error))
      return false
    }
  }

  async #keepVisibleSelection(): Promise<void> {
    const picked = this.#selected
    if (!picked.length) return
    const generation = this.#generation
    try {
      const { runs } = await this.#api.invoke('history.query', { ...toQuery(this.filters), ids: picked, limit: picked.length })
      if (generation !== this.#generation) return
      const shown = new Set(runs.map((r) => r.id))
      this.#selected = this.#selected.filter((id) => shown.has(id) || !picked.includes(id))
    } catch {
      // The list's own query reports errors; the selection stays as it was.
    }
  }

  #find(id: number): HistoryRun | undefined {
    for (const page of this.#pages.values()) {
      const run = page.find((r) => r.id === id)
      if (run) return run
    }
    return undefined
  }

  async #fetch(offset: number): Promise<void> {
    if (this.#pending.has(offset)) return
    this.#pending.add(offset)
    const generation = this.#generation
    try {
      const page = await this.#api.invoke('history.query', { ...toQuery(this.filters), offset, limit: PAGE_SIZE })
      if (generation !== this.#generation) return
      this.#pages.set(offset, page.runs)
      this.#total = page.total
      this.#loaded = true
      this.#version++
    } catch (error) {
      if (generation === this.#generation) this.#showError(describeError(error))
    } finally {
      if (generation === this.#generation) this.#pending.delete(offset)
    }
  }

  async #loadTags(): Promise<void> {
    try {
      this.#tags = await this.#api.invoke('history.tags', {})
      this.#studies = await this.#api.invoke('studies.list', {})
    } catch {
      // The tag filter only offers what is known; the list itself still works.
    }
  }
}
