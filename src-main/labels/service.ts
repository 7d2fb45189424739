/**
 * Label checks on the main side: runs a Dataset's check in a worker (features with the included
 * backbone), keeps its result, and records what the user decides about each flagged image. An
 * excluded image is left out of new Runs (recorded in each Run's config); the folder itself is
 * never changed.
 */
import type { ImageThumbnail, LabelCheck } from '../contract'
import { folderThumbnails } from '../datasets/thumbnails'
import type { BackboneService } from '../backbones/service'
import type { DatasetService } from '../datasets/service'
import { OspreyError } from '../errors'
import type { EventBus } from '../events'
import type { WorkerPool } from '../jobs/pool'
import type { Db } from '../store/db'
import { LabelRepository, type LabelDecision } from '../store/labels'
import { defaultConfig } from '../runs/config'
import { join } from 'node:path'

/** What the service needs from the composition root. */
export interface LabelServiceDeps {
  db: Db
  dbFile: string
  dataDir: string
  pool: WorkerPool
  events: EventBus
  datasets: DatasetService
  backbones: BackboneService
  nativeBinding?: string
}

/** Label checks and the decisions about flagged images. */
export class LabelService {
  #deps: LabelServiceDeps
  #labels: LabelRepository
  /** The checks running now, by Dataset: how to stop each. */
  #running = new Map<number, AbortController>()

  constructor(deps: LabelServiceDeps) {
    this.#deps = deps
    this.#labels = new LabelRepository(deps.db)
  }

  /** Checks Dataset `id` as it is now (re-scanned: only what changed is read); `stop(id)` ends it with 'cancelled'. */
  async check(id: number, seed = 1): Promise<LabelCheck> {
    if (this.#running.has(id)) throw new OspreyError('bad-input', 'The labels of this Dataset are being checked already: wait for that check, or stop it.')
    const stop = new AbortController()
    this.#running.set(id, stop)
    try {
      const report = await this.#deps.datasets.scan(this.#deps.datasets.get(id).path)
      if (report.classes.filter((c) => c.count > 0).length < 2) throw new OspreyError('bad-input', 'A label check compares classes: this Dataset needs at least two classes with images.')
      // The kind of model a Run of this Dataset trains judges it: the pretrained backbone's features, or CNNs from scratch for small grayscale images.
      const config = defaultConfig(report.path, report, seed)
      const backbone = config.model === 'pretrained' ? await this.#deps.backbones.source(config.backbone!) : undefined
      const { dbFile, nativeBinding, dataDir } = this.#deps
      const say = (message: string) => this.#deps.events.emit('labels.progress', { id, message })
      say('Preparing the images')
      const input = { dbFile, nativeBinding, datasetId: id, cacheDir: join(dataDir, 'cache', 'images'), embeddingDir: join(dataDir, 'cache', 'embeddings'), config, backbone }
      const result = await this.#deps.pool.run('labelcheck', input, {
        signal: stop.signal,
        // A training job's progress names the backbone in `what`: the check says what it computes.
        onProgress: (p) => {
          if (p.kind === 'preparing') say(p.step === 'features' ? `Computing features${p.what ? ` (${p.what})` : ''}: ${p.done} of ${p.total}` : `Preparing the images: ${p.done} of ${p.total}`)
          if (p.kind === 'model') say(`Training model ${p.model} of ${p.models} (each judges the images it never saw): Epoch ${p.epoch} of ${p.epochs}`)
        }
      })
      this.#labels.saveCheck(id, report.fingerprint, result)
      return this.get(id)!
    } catch (e) {
      throw stop.signal.aborted ? new OspreyError('cancelled', 'The label check was stopped; the last check, if any, stays as it was.') : e
    } finally {
      this.#running.delete(id)
    }
  }

  /** Stops the running check of Dataset `id`; false when none runs. */
  stop(id: number): boolean {
    this.#running.get(id)?.abort()
    return this.#running.has(id)
  }

  /** The last check of Dataset `id` with the decisions taken since, or null. */
  get(id: number): LabelCheck | null {
    const saved = this.#labels.check(id)
    if (!saved) return null
    const current = this.#deps.datasets.get(id)
    return { ...saved.result, datasetId: id, checkedAt: saved.checkedAt, stale: current.fingerprint !== saved.fingerprint, decisions: Object.fromEntries(this.#labels.decisions(id)) }
  }

  /** Records the user's decision about `path` in Dataset `id`. */
  review(id: number, path: string, decision: LabelDecision | null): LabelCheck {
    const check = this.get(id)
    if (!check) throw new OspreyError('not-found', 'Check the labels of this Dataset first.')
    // A decision about a file the Dataset does not hold would leave out nothing and count as excluded; undo may clear one whose file has gone.
    const known = (decision === null && this.#labels.decisions(id).has(path)) || this.#holds(id, path)
    if (!known)
      throw new OspreyError('bad-input', `${path} is not an image of this Dataset: give its path inside the folder, as the check lists it (e.g. ${check.suspects[0]?.path ?? 'cats/001.jpg'}).`)
    this.#labels.review(id, path, decision)
    return this.get(id)!
  }

  /** Thumbnails of images of Dataset `id` (paths within its folder, which must be ones it holds). */
  async thumbnails(id: number, paths: string[], size = 112): Promise<ImageThumbnail[]> {
    const dataset = this.#deps.datasets.get(id)
    // Only images of this Dataset: a request must not make thumbnails of any file on the machine.
    const known = new Set(this.#deps.datasets.usableFiles(id).map((f) => f.path))
    const unknown = paths.find((p) => !known.has(p))
    if (unknown) throw new OspreyError('bad-input', `${unknown} is not an image of this Dataset.`)
    return folderThumbnails(dataset.path, paths, size, 'the check')
  }

  /** The file of image `path` of Dataset `id`; refuses a path the Dataset does not hold. */
  imageFile(id: number, path: string): string {
    const dataset = this.#deps.datasets.get(id)
    if (!this.#holds(id, path)) throw new OspreyError('bad-input', `${path} is not an image of this Dataset.`)
    return join(dataset.path, path)
  }

  #holds(id: number, path: string): boolean {
    return this.#deps.datasets.usableFiles(id).some((f) => f.path === path)
  }

  /** The images of Dataset `id` that new Runs leave out. */
  excluded(id: number): string[] {
    return [...this.#labels.decisions(id)].filter(([, d]) => d === 'exclude').map(([path]) => path)
  }
}
