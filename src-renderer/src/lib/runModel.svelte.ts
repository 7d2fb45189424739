/**
 * What the report of a finished Run does with its model: "Try it" (classify new images), export
 * it to a folder, and the gallery of its most confident mistakes. One small class each, over the
 * contract client; every answer is checked against a ticket so an old one never lands late.
 */
import type { ImagePrediction, OspreyApi, TopLossImage } from '../../../src-main/contract'
import { api as defaultApi, ApiError } from './api'
import { describeError, showingErrors } from './errors'
import { files as defaultFiles, type FileTransfer } from './files'

/** "Try it": the images classified so far with a Run's model, newest first. */
export class TryIt {
  #api: OspreyApi
  #files: FileTransfer | null
  #runId: number
  #predictions = $state.raw<ImagePrediction[]>([])
  #busy = $state(false)
  #error = $state<string | null>(null)

  /** For Run `runId`; use another client (and file transfer) in tests. */
  constructor(runId: number, client: OspreyApi = defaultApi, files: FileTransfer | null = defaultFiles) {
    this.#runId = runId
    this.#api = client
    this.#files = files
  }

  /** True where images are sent to the server (a browser), rather than named by their path (the desktop app). */
  get uploads(): boolean {
    return this.#files !== null
  }

  /** Sends image files to the server (a browser cannot name their path), then classifies them. */
  async classifyFiles(list: File[]): Promise<void> {
    const files = this.#files
    if (!list.length || this.#busy) return
    if (!files) return this.fail('Drop the images on the window, or type their paths.')
    this.#busy = true
    this.#error = null
    let paths: string[]
    try {
      paths = await Promise.all(list.slice(0, 64).map((file) => files.uploadImage(file)))
    } catch (error) {
      this.#error = describeError(error)
      return
    } finally {
      this.#busy = false
    }
    await this.classify(paths)
    if (list.length > 64) this.#error = `Only the first 64 of ${list.length} images were classified; try the rest next.`
  }

  /** Every image classified, newest first; a bad file carries its own `error`. */
  get predictions(): ImagePrediction[] {
    return this.#predictions
  }
  /** True while images are being classified. */
  get busy(): boolean {
    return this.#busy
  }
  /** Why the last request failed as a whole (no model, server gone…). */
  get error(): string | null {
    return this.#error
  }

  /** Classifies `paths` (at most 64 at a time, as the server accepts). */
  async classify(paths: string[]): Promise<void> {
    if (!paths.length || this.#busy) return
    this.#busy = true
    this.#error = null
    try {
      const { predictions } = await this.#api.invoke('runs.predict', { id: this.#runId, paths: paths.slice(0, 64) })
      this.#predictions = [...predictions, ...this.#predictions]
      if (paths.length > 64) this.#error = `Only the first 64 of ${paths.length} images were classified; try the rest next.`
    } catch (error) {
      this.#error = describeError(error)
    } finally {
      this.#busy = false
    }
  }

  /** Clears the results. */
  clear(): void {
    this.#predictions = []
    this.#error = null
  }

  /** Says why a drop cannot be used (a browser that does not tell where the files are). */
  fail(message: string): void {
    this.#error = message
  }
}

/** Exporting a Run's model to a folder; a folder that already holds a model asks before replacing it. */
export class ModelExport {
  #api: OspreyApi
  #runId: number
  #busy = $state(false)
  #done = $state.raw<{ folder: string; files: string[] } | null>(null)
  #error = $state<string | null>(null)
  #wouldReplace = $state<string | null>(null)

  /** For Run `runId`; use another client in tests. */
  constructor(runId: number, client: OspreyApi = defaultApi) {
    this.#runId = runId
    this.#api = client
  }

  /** True while copying. */
  get busy(): boolean {
    return this.#busy
  }
  /** The last successful export. */
  get done(): { folder: string; files: string[] } | null {
    return this.#done
  }
  /** Why the last export failed. */
  get error(): string | null {
    return this.#error
  }
  /** The folder that already holds a model, while the user decides whether to replace it. */
  get wouldReplace(): string | null {
    return this.#wouldReplace
  }

  /** Exports into `folder`; replaces a model there only with `overwrite`. */
  async export(folder: string, overwrite = false): Promise<void> {
    const target = folder.trim()
    if (this.#busy) return
    if (!target) {
      this.#error = 'Type the folder to export into (its full path on the machine running Osprey).'
      return
    }
    this.#busy = true
    this.#error = null
    this.#done = null
    this.#wouldReplace = null
    try {
      this.#done = await this.#api.invoke('runs.exportModel', { id: this.#runId, folder: target, ...(overwrite ? { overwrite } : {}) })
    } catch (error) {
      this.#error = describeError(error)
      if (error instanceof ApiError && error.code === 'bad-input' && / already holds /.test(error.message)) this.#wouldReplace = target
    } finally {
      this.#busy = false
    }
  }

  /** Asks the desktop app's folder dialog for a folder; null when cancelled. */
  async chooseFolder(): Promise<string | null> {
    return (
      (await showingErrors(
        async () => (await this.#api.invoke('dialog.openFolder', {})).path,
        (text) => (this.#error = text)
      )) ?? null
    )
  }
}

/** Thumbnails of a Run's top-loss images, by path. */
export class TopLossGallery {
  #api: OspreyApi
  #images = $state.raw<Map<string, TopLossImage>>(new Map())
  #loading = $state(false)
  #error = $state<string | null>(null)
  #ticket = 0

  /** Use another client in tests. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** Loaded thumbnails by the image's path in the Dataset. */
  get images(): Map<string, TopLossImage> {
    return this.#images
  }
  /** True while the thumbnails load. */
  get loading(): boolean {
    return this.#loading
  }
  /** Why they could not be loaded. */
  get error(): string | null {
    return this.#error
  }

  /** Loads the thumbnails of Run `runId`'s top losses. */
  async load(runId: number): Promise<void> {
    const ticket = ++this.#ticket
    this.#loading = true
    this.#error = null
    try {
      const images = await this.#api.invoke('runs.topLossImages', { id: runId })
      if (ticket === this.#ticket) this.#images = new Map(images.map((i) => [i.path, i]))
    } catch (error) {
      if (ticket === this.#ticket) this.#error = describeError(error)
    } finally {
      if (ticket === this.#ticket) this.#loading = false
    }
  }
}
