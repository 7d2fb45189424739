/**
 * State of the Datasets room: known Datasets, the report on show, a scan in progress and its
 * thumbnails. Wraps the contract client; components only read getters and call methods.
 */
import type { AppInfo, ClassThumbnails, DatasetListItem, DatasetReport, Events, OspreyApi } from '../../../src-main/contract'
import { api as defaultApi, ApiError } from './api'
import { describeError, type Message } from './errors'
import { files as defaultFiles, type FileTransfer } from './files'

/** A scan under way: the folder and its latest progress. */
export type ScanProgress = Events['datasets.scanProgress']

/** Previews per class and size in pixels; small enough to arrive fast, big enough to recognise. */
export const thumbnailsPerClass = 12
const thumbnailSize = 112

/** Paths compare equal whatever trailing separators they carry ("/data/cats/" = "/data/cats"). */
function samePath(a: string, b: string): boolean {
  const trim = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p)
  return trim(a) === trim(b)
}

/** The Datasets room's state over the contract client. */
export class DatasetState {
  #api: OspreyApi
  #info = $state.raw<AppInfo | null>(null)
  #infoLoading: Promise<AppInfo | null> | null = null
  #list = $state.raw<DatasetListItem[]>([])
  #listLoaded = $state(false)
  #report = $state.raw<DatasetReport | null>(null)
  #opening = $state<number | null>(null)
  #scanning = $state.raw<ScanProgress | null>(null)
  #thumbnails = $state.raw<ClassThumbnails[] | null>(null)
  #thumbnailError = $state<string | null>(null)
  #message = $state.raw<Message | null>(null)
  #uploading = $state.raw<{ name: string; done: number; total: number } | null>(null)
  #files: FileTransfer | null
  // Bumped whenever the report on show is chosen, so a slower, older answer cannot replace it.
  #ticket = 0

  /** Use another client (and file transfer) in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi, files: FileTransfer | null = defaultFiles) {
    this.#api = client
    this.#files = files
  }

  /** True where a dataset is sent to the server (a browser), rather than named by its path (the desktop app). */
  get uploads(): boolean {
    return this.#files !== null
  }
  /** A dataset on its way to the server: its name and files sent so far (a zip counts as one). */
  get uploading(): { name: string; done: number; total: number } | null {
    return this.#uploading
  }

  /** Sends a zipped dataset folder to the server (into its data folder), then scans it there. */
  async uploadZip(file: File): Promise<void> {
    await this.#upload(file.name, 1, async (files) => {
      const path = await files.uploadZip(file)
      this.#uploading = { name: file.name, done: 1, total: 1 }
      return path
    })
  }

  /** Sends a folder's files to the server (into its data folder), then scans it there. */
  async uploadFolder(folder: { name: string; files: { file: File; path: string }[] }): Promise<void> {
    if (!folder.files.length) return this.showError('That folder holds no files to upload. Choose the dataset folder: one sub-folder of images per class.')
    await this.#upload(folder.name, folder.files.length, (files) => files.uploadFolder(folder.name, folder.files, (done, total) => (this.#uploading = { name: folder.name, done, total })))
  }

  async #upload(name: string, total: number, send: (files: FileTransfer) => Promise<string>): Promise<void> {
    const files = this.#files
    if (!files) return this.showError('Drop the folder on the window, or type its path.')
    if (this.#uploading || this.#scanning) return this.showError('A dataset is already being uploaded or scanned. Wait for it first.')
    this.#uploading = { name, done: 0, total }
    this.#message = null
    let path: string
    try {
      path = await send(files)
    } catch (error) {
      return this.#fail(error)
    } finally {
      this.#uploading = null
    }
    await this.scan(path)
  }

  /** Facts about the app (transport, sample dataset); null until loaded. */
  get info(): AppInfo | null {
    return this.#info
  }
  /** Known Datasets, as of their last scan. */
  get list(): DatasetListItem[] {
    return this.#list
  }
  /** False until the list has been fetched once, so the sidebar does not flash "no datasets". */
  get listLoaded(): boolean {
    return this.#listLoaded
  }
  /** The report on show, or null. */
  get report(): DatasetReport | null {
    return this.#report
  }
  /** The id of the Dataset whose report is being fetched, or null. */
  get opening(): number | null {
    return this.#opening
  }
  /** The scan under way, or null. */
  get scanning(): ScanProgress | null {
    return this.#scanning
  }
  /** Previews of the report on show; null while loading or when there is no report. */
  get thumbnails(): ClassThumbnails[] | null {
    return this.#thumbnails
  }
  /** Why previews could not load, if they could not. */
  get thumbnailError(): string | null {
    return this.#thumbnailError
  }
  /** The latest message for the user, or null. */
  get message(): Message | null {
    return this.#message
  }

  /** Load the app info and the list, and follow scan progress and changes to the list; returns the cleanup. */
  start(): () => void {
    void this.#loadInfo()
    void this.refreshList()
    const offs = [
      this.#api.on('datasets.scanProgress', (progress) => {
        const scan = this.#scanning
        // Other windows or the command line may scan other folders at the same time.
        if (scan && samePath(progress.path, scan.path)) this.#scanning = { ...progress, path: scan.path }
      }),
      // A scan, rename or forget from this window or another (a second browser tab, a Run's re-scan).
      this.#api.on('datasets.changed', () => void this.refreshList())
    ]
    return () => offs.forEach((off) => off())
  }

  /** Fetch the list of known Datasets again. */
  async refreshList(): Promise<void> {
    try {
      this.#list = await this.#api.invoke('datasets.list', {})
    } catch (error) {
      this.#fail(error)
    } finally {
      this.#listLoaded = true
    }
  }

  /** Scan (or re-scan) a folder and show its report. One scan at a time. */
  async scan(path: string): Promise<void> {
    path = path.trim()
    if (!path) return this.showError('Type the path of a dataset folder first.')
    if (this.#scanning) return this.showError('A scan is already running. Wait for it, or cancel it first.')
    this.#scanning = { path, phase: 'listing', done: 0, total: 0 }
    this.#message = null
    try {
      const report = await this.#api.invoke('datasets.scan', { path })
      // The user asked for this scan, so its report wins over anything opened meanwhile.
      this.#ticket++
      this.#show(report)
      void this.refreshList()
    } catch (error) {
      if (error instanceof ApiError && error.code === 'cancelled') this.#message = { tone: 'info', text: 'Scan cancelled.' }
      else this.#fail(error)
    } finally {
      this.#scanning = null
    }
  }

  /** Ask the main process to stop the scan under way. */
  async cancel(): Promise<void> {
    const scan = this.#scanning
    if (!scan) return
    try {
      // The scan's own promise then fails with `cancelled`; scan() reports it.
      await this.#api.invoke('datasets.cancelScan', { path: scan.path })
    } catch (error) {
      this.#fail(error)
    }
  }

  /** Scan the sample dataset that ships with the app. */
  async scanSample(): Promise<void> {
    const info = await this.#loadInfo()
    if (info) await this.scan(info.sampleDatasetPath)
  }

  /** Pick a folder with the native dialog (Electron only), then scan it. */
  async chooseFolder(): Promise<void> {
    try {
      const { path } = await this.#api.invoke('dialog.openFolder', {})
      if (path) await this.scan(path)
    } catch (error) {
      this.#fail(error)
    }
  }

  /** Show the last report of a known Dataset. */
  async open(id: number): Promise<void> {
    const ticket = ++this.#ticket
    this.#opening = id
    this.#message = null
    try {
      const report = await this.#api.invoke('datasets.get', { id })
      if (ticket === this.#ticket) this.#show(report)
    } catch (error) {
      if (ticket === this.#ticket) this.#fail(error)
    } finally {
      if (ticket === this.#ticket) this.#opening = null
    }
  }

  /** Gives a Dataset a name of the user's (the folder keeps its own). */
  async rename(id: number, name: string): Promise<void> {
    try {
      const renamed = await this.#api.invoke('datasets.rename', { id, name })
      if (this.#report?.id === id) this.#report = { ...this.#report, name: renamed.name }
      await this.refreshList()
    } catch (error) {
      this.#fail(error)
    }
  }

  /** Forget a Dataset's history entry; the folder itself is never touched. */
  async forget(id: number): Promise<void> {
    try {
      await this.#api.invoke('datasets.forget', { id })
      if (this.#report?.id === id) {
        this.#ticket++
        this.#report = null
        this.#thumbnails = null
      }
      await this.refreshList()
    } catch (error) {
      this.#fail(error)
    }
  }

  /** Do what the application menu asks. */
  async handleMenu(action: Events['menu.action']): Promise<void> {
    if (action.action === 'open-sample') return this.scanSample()
    if (action.path) return this.scan(action.path)
    if (this.#info?.transport === 'electron') return this.chooseFolder()
  }

  /** Tell the user something went wrong, in their words. */
  showError(text: string): void {
    this.#message = { tone: 'error', text }
  }

  /** Hide the current message. */
  dismissMessage(): void {
    this.#message = null
  }

  #show(report: DatasetReport): void {
    this.#report = report
    this.#opening = null
    void this.#loadThumbnails(report.id, this.#ticket)
  }

  async #loadThumbnails(id: number, ticket: number): Promise<void> {
    this.#thumbnails = null
    this.#thumbnailError = null
    try {
      const thumbnails = await this.#api.invoke('datasets.thumbnails', { id, perClass: thumbnailsPerClass, size: thumbnailSize })
      if (ticket === this.#ticket) this.#thumbnails = thumbnails
    } catch (error) {
      if (ticket === this.#ticket) this.#thumbnailError = describeError(error)
    }
  }

  // Loaded once; later callers share the same answer.
  #loadInfo(): Promise<AppInfo | null> {
    this.#infoLoading ??= this.#api.invoke('app.info', {}).then(
      (info) => (this.#info = info),
      (error) => {
        this.#infoLoading = null // let a later call try again
        this.#fail(error)
        return null
      }
    )
    return this.#infoLoading
  }

  #fail(error: unknown): void {
    this.#message = { tone: 'error', text: describeError(error) }
  }
}
