/**
 * What a finished Run's model offers on the main side: "Try it" (a predict job in a worker, so
 * tfjs never loads here), export to a folder (file copies), and the top-loss gallery's thumbnails.
 */
import { basename } from 'node:path'
import type { Response, RunDetail, TopLossImage } from '../contract'
import { folderThumbnails } from '../datasets/thumbnails'
import { OspreyError } from '../errors'
import type { WorkerPool } from '../jobs/pool'
import { expandHome, isWithin } from '../paths'
import { exportModel, exportZip, type ExportDetails } from './export'
import type { ReadmeFacts } from './export-readme'
import type { TrainingService } from './service'

/** Thumbnails of "Try it" and the gallery: large enough to judge a mistake, small to send. */
const THUMBNAIL_SIZE = 112

/** "Try it", export and the top-loss gallery of Runs. */
export class RunModelService {
  #training: TrainingService
  #pool: WorkerPool

  /** `pool` runs the predict jobs: its own, so that "Try it" never waits for a Run in training. */
  constructor(deps: { training: TrainingService; pool: WorkerPool }) {
    this.#training = deps.training
    this.#pool = deps.pool
  }

  /** Classifies `paths` with Run `id`'s model in a worker (on the Run's backend unless told); each unreadable image gets its own error. */
  async predict(id: number, paths: string[], options: { backend?: RunDetail['config']['backend']; thumbnails?: boolean } = {}): Promise<Response<'runs.predict'>> {
    const { run, modelDir } = this.#model(id)
    return this.#pool.run('predict', { modelDir, paths: paths.map(expandHome), backend: options.backend ?? run.config.backend, thumbnailSize: options.thumbnails === false ? 0 : THUMBNAIL_SIZE })
  }

  /** Copies Run `id`'s model into `folder` with its labels and metadata. */
  async exportModel(id: number, given: string, overwrite = false): Promise<Response<'runs.exportModel'>> {
    const { run, modelDir } = this.#model(id)
    const folder = expandHome(given)
    if (isWithin(folder, run.config.folder)) {
      throw new OspreyError(
        'bad-input',
        `${folder} is inside the dataset folder ${run.config.folder}: the model's files would add a class folder to your dataset, and Osprey never changes it. Choose a folder outside the dataset.`
      )
    }
    const files = await exportModel(modelDir, folder, exportDetails(run), readmeFacts(run), overwrite)
    return { folder, files }
  }

  /** Run `id`'s model as one zip (what export writes to a folder), for a browser to download. */
  async modelZip(id: number): Promise<{ filename: string; bytes: Buffer }> {
    const { run, modelDir } = this.#model(id)
    return { filename: `osprey-run-${id}-model.zip`, bytes: await exportZip(modelDir, exportDetails(run), readmeFacts(run)) }
  }

  /** The top-loss images of Run `id`'s evaluation as thumbnails; a file gone from disk says so instead. */
  async topLossImages(id: number, size = THUMBNAIL_SIZE): Promise<TopLossImage[]> {
    const run = this.#training.get(id)
    return folderThumbnails(
      run.config.folder,
      (run.evaluation?.topLosses ?? []).map((l) => l.path),
      size,
      'the Run'
    )
  }

  #model(id: number): { run: RunDetail; modelDir: string } {
    const run = this.#training.get(id)
    const modelDir = this.#training.modelPath(id)
    if (!modelDir) {
      const why =
        run.status === 'failed'
          ? 'it failed before saving one'
          : run.status === 'interrupted'
            ? 'it was interrupted; resume it to the end first'
            : 'it is still training; try again when it has finished'
      throw new OspreyError('bad-input', `Run ${id} has no saved model yet: ${why}.`)
    }
    return { run, modelDir }
  }
}

const exportDetails = (run: RunDetail): ExportDetails => ({ runId: run.id, runName: run.name, model: run.config.model, backend: run.backend })

/** What the exported README says of the Run; the dataset by its folder's name, never its path. */
const readmeFacts = (run: RunDetail): ReadmeFacts => ({
  dataset: basename(run.config.folder),
  fingerprint: run.fingerprint,
  createdAt: run.createdAt,
  epochs: run.epochsDone,
  split: run.split,
  evaluation: run.evaluation
})
