/** The Datasets room on the main side: scan (in a worker), list, open, preview, forget. */
import { join, resolve } from 'node:path'
import type { ClassThumbnails, DatasetListItem, DatasetReport } from '../contract'
import { OspreyError } from '../errors'
import type { EventBus } from '../events'
import type { WorkerPool } from '../jobs/pool'
import { expandHome } from '../paths'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { makeThumbnails } from './thumbnails'

/** What the service needs from the composition root. */
export interface DatasetServiceDeps {
  db: Db
  dbFile: string
  dataDir: string
  pool: WorkerPool
  events: EventBus
  nativeBinding?: string
}

/** Datasets: every operation the UI and the CLI offer on dataset folders. */
export class DatasetService {
  #deps: DatasetServiceDeps
  #repository: DatasetRepository
  #scans = new Map<string, { promise: Promise<DatasetReport>; controller: AbortController }>()

  constructor(deps: DatasetServiceDeps) {
    this.#deps = deps
    this.#repository = new DatasetRepository(deps.db)
  }

  /** Scans `path` in a worker; a second request for a folder being scanned joins the first. */
  scan(path: string, onProgress?: (p: { phase: string; done: number; total: number }) => void): Promise<DatasetReport> {
    const root = resolve(expandHome(path))
    const running = this.#scans.get(root)
    if (running) return running.promise
    const controller = new AbortController()
    const promise = this.#deps.pool
      .run(
        'scan',
        { path: root, dbFile: this.#deps.dbFile, nativeBinding: this.#deps.nativeBinding },
        {
          signal: controller.signal,
          onProgress: (progress) => {
            // Named as the caller named it, so the renderer can match the events to its request.
            this.#deps.events.emit('datasets.scanProgress', { ...progress, path })
            onProgress?.(progress)
          }
        }
      )
      .then((report) => {
        this.#deps.events.emit('datasets.changed', { id: report.id })
        return report
      })
      .finally(() => this.#scans.delete(root))
    this.#scans.set(root, { promise, controller })
    return promise
  }

  /** Cancels the scan of `path`, if one runs. */
  cancelScan(path: string): boolean {
    const running = this.#scans.get(resolve(expandHome(path)))
    running?.controller.abort()
    return Boolean(running)
  }

  list(): DatasetListItem[] {
    return this.#repository.list()
  }

  get(id: number): DatasetReport {
    const report = this.#repository.get(id)
    if (!report) throw new OspreyError('not-found', `No dataset with id ${id}. It may have been forgotten; open its folder again.`)
    return report
  }

  /** Sample thumbnails per class, from the last scan's usable images. */
  thumbnails(id: number, perClass = 8, size = 96): Promise<ClassThumbnails[]> {
    const report = this.get(id)
    return makeThumbnails(report.path, this.#repository.usableFiles(id), { perClass, size, cacheDir: join(this.#deps.dataDir, 'cache', 'thumbnails') })
  }

  /** The usable images of a dataset (inside a class, no problem), in path order. */
  usableFiles(id: number): { path: string; class: string }[] {
    return this.#repository.usableFiles(id)
  }

  /** Gives Dataset `id` a name of the user's (its folder is not touched); the next scans keep it. */
  rename(id: number, name: string): DatasetListItem {
    if (!this.#repository.rename(id, name.trim())) throw new OspreyError('not-found', `No Dataset with id ${id}.`)
    this.#deps.events.emit('datasets.changed', { id })
    return this.list().find((d) => d.id === id)!
  }

  forget(id: number): boolean {
    const forgotten = this.#repository.forget(id)
    if (forgotten) this.#deps.events.emit('datasets.changed', { id })
    return forgotten
  }
}
