/**
 * The backbones a pretrained Run can use: which are here, downloading one with its progress, and
 * checking a model folder of the user's (its layers, to choose where to cut it).
 */
import type { BackboneFolder, BackboneStatus, Events, OspreyApi } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError, showingErrors } from './errors'

/** A download in progress or just failed. */
export interface DownloadState {
  received: number
  total: number | null
  error: string | null
}

/** Backbones for the Train form; call `watch()` to follow downloads (it returns the disposer). */
export class BackbonesState {
  #api: OspreyApi
  #list = $state.raw<BackboneStatus[]>([])
  #downloads = $state.raw<Record<string, DownloadState>>({})
  #folder = $state.raw<BackboneFolder | null>(null)
  #folderError = $state<string | null>(null)
  #loadError = $state<string | null>(null)

  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** Every catalog backbone, the included one first. */
  get list(): BackboneStatus[] {
    return this.#list
  }
  /** Why the list could not load. */
  get loadError(): string | null {
    return this.#loadError
  }
  /** Downloads in progress (or failed), by backbone id. */
  get downloads(): Record<string, DownloadState> {
    return this.#downloads
  }
  /** The model folder last checked, with its layers. */
  get folder(): BackboneFolder | null {
    return this.#folder
  }
  /** Why that folder cannot be used. */
  get folderError(): string | null {
    return this.#folderError
  }

  /** Loads the list. */
  async load(): Promise<void> {
    await showingErrors(
      async () => {
        this.#list = await this.#api.invoke('backbones.list', {})
        this.#loadError = null
      },
      (text) => (this.#loadError = text)
    )
  }

  /** Follows download progress (also of downloads a Run's start began); returns the disposer. */
  watch(): () => void {
    return this.#api.on('backbones.progress', (p: Events['backbones.progress']) => {
      this.#downloads = { ...this.#downloads, [p.id]: { received: p.received, total: p.total, error: p.error ?? null } }
      if (p.done) {
        if (!p.error) {
          const { [p.id]: _, ...rest } = this.#downloads
          this.#downloads = rest
        }
        void this.load()
      }
    })
  }

  /** Downloads `id` now (the progress arrives through `watch`). */
  async download(id: string): Promise<void> {
    this.#downloads = { ...this.#downloads, [id]: { received: 0, total: null, error: null } }
    try {
      await this.#api.invoke('backbones.download', { id })
    } catch (error) {
      this.#downloads = { ...this.#downloads, [id]: { ...this.#downloads[id], error: describeError(error) } }
    }
    await this.load()
  }

  /** Checks a model folder of the user's and lists its layers. */
  async inspect(folder: string): Promise<BackboneFolder | null> {
    this.#folderError = null
    try {
      this.#folder = await this.#api.invoke('backbones.inspect', { folder })
      return this.#folder
    } catch (error) {
      this.#folder = null
      this.#folderError = describeError(error)
      return null
    }
  }
}

/** "1.6 MB", for sizes. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
