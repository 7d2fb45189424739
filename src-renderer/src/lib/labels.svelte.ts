/**
 * A Dataset's label check as the Datasets screen shows it: the last check, running a new one (with
 * its progress), the thumbnails of what it flagged, and the user's decisions.
 */
import type { ImageThumbnail, LabelCheck, OspreyApi } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { showingErrors } from './errors'

/** How many flagged images the gallery shows before "Show more". */
export const PAGE = 24

/** The label check of one Dataset; call `watch()` to follow a check's progress (it returns the disposer). */
export class LabelReview {
  #api: OspreyApi
  #datasetId: number
  #check = $state.raw<LabelCheck | null>(null)
  #checking = $state(false)
  #progress = $state<string | null>(null)
  #error = $state<string | null>(null)
  #thumbnails = $state.raw<Map<string, ImageThumbnail>>(new Map())
  #ticket = 0

  constructor(datasetId: number, client: OspreyApi = defaultApi) {
    this.#datasetId = datasetId
    this.#api = client
  }

  /** The last check with the decisions taken since, or null before the first. */
  get check(): LabelCheck | null {
    return this.#check
  }
  /** True while a check runs. */
  get checking(): boolean {
    return this.#checking
  }
  /** What the running check does now. */
  get progress(): string | null {
    return this.#progress
  }
  /** Why the last request failed. */
  get error(): string | null {
    return this.#error
  }
  /** Thumbnails loaded so far, by image path. */
  get thumbnails(): Map<string, ImageThumbnail> {
    return this.#thumbnails
  }

  /** Follows the progress of this Dataset's checks. */
  watch(): () => void {
    return this.#api.on('labels.progress', (p) => {
      if (p.id === this.#datasetId) this.#progress = p.message
    })
  }

  /** Loads the last check (and the first thumbnails). */
  async load(): Promise<void> {
    await this.#request(async () => this.#show(await this.#api.invoke('labels.get', { id: this.#datasetId })))
  }

  /** Checks the labels now. */
  async run(): Promise<void> {
    if (this.#checking) return
    this.#checking = true
    this.#progress = 'Starting…'
    try {
      await this.#request(async () => this.#show(await this.#api.invoke('labels.check', { id: this.#datasetId })))
    } finally {
      this.#checking = false
      this.#progress = null
    }
  }

  /** Stops the running check (a check from scratch takes minutes); the last check stays. */
  async stop(): Promise<void> {
    await this.#request(() => this.#api.invoke('labels.stop', { id: this.#datasetId }))
  }

  /** Excludes `path` from new Runs, keeps it, or undoes the decision. */
  async review(path: string, decision: 'exclude' | 'keep' | null): Promise<void> {
    await this.#request(async () => (this.#check = await this.#api.invoke('labels.review', { id: this.#datasetId, path, decision })))
  }

  /** Loads the thumbnails of `paths` not loaded yet. */
  async loadThumbnails(paths: string[]): Promise<void> {
    const missing = paths.filter((p) => !this.#thumbnails.has(p))
    if (!missing.length) return
    const ticket = this.#ticket
    await this.#request(async () => {
      const loaded = await this.#api.invoke('labels.thumbnails', { id: this.#datasetId, paths: missing })
      if (ticket === this.#ticket) this.#thumbnails = new Map([...this.#thumbnails, ...loaded.map((t) => [t.path, t] as const)])
    })
  }

  /** Shows an image in the file manager (desktop app only). */
  async showInFolder(path: string): Promise<void> {
    await this.#request(() => this.#api.invoke('labels.showImage', { id: this.#datasetId, path }))
  }

  async #show(check: LabelCheck | null): Promise<void> {
    this.#ticket++
    this.#check = check
    this.#thumbnails = new Map()
    if (check) await this.loadThumbnails([...check.suspects.slice(0, PAGE).map((s) => s.path), ...check.leaks.slice(0, PAGE).flatMap((l) => [l.path, l.duplicateOf])])
  }

  async #request(work: () => Promise<unknown>): Promise<void> {
    this.#error = null
    await showingErrors(work, (text) => (this.#error = text))
  }
}
