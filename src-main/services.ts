/**
 * The composition root: opens the store, starts the worker pool and wires every service.
 * The Electron entry, `osprey serve` and the CLI all start here.
 */
import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BackboneService } from './backbones/service'
import { LabelService } from './labels/service'
import type { AppInfo, QueueInfo } from './contract'
import { DatasetService } from './datasets/service'
import { createDispatch, type Dispatch, type Handlers } from './dispatch'
import { OspreyError } from './errors'
import { EventBus } from './events'
import { WorkerPool } from './jobs/pool'
import type { SpawnWorker } from './jobs/protocol'
import { APP_NAME, resourcesDir } from './paths'
import type { Db } from './store/db'
import { StudyService } from './studies/service'
import { TrainingService, type TrialRunner } from './runs/service'
import { HistoryService } from './history/service'
import { openHistoryDatabase } from './store/recover'
import { ensurePrivateFolder } from './store/private'
import { RunModelService } from './runs/run-model'
import { ReportService } from './report/service'
import { AutoService } from './auto/service'
import { autoHandlers } from './auto/handlers'
import { backboneHandlers } from './backbones/handlers'
import { datasetHandlers } from './datasets/handlers'
import { historyHandlers } from './history/handlers'
import { labelHandlers } from './labels/handlers'
import { queueHandlers } from './queue/handlers'
import { reportHandlers } from './report/handlers'
import { studyHandlers } from './studies/handlers'
import { trainingHandlers } from './runs/handlers'

/** What a host (Electron, serve, CLI) passes in. */
export interface ServiceOptions {
  dataDir: string
  spawnWorker: SpawnWorker
  transport: AppInfo['transport']
  /** better-sqlite3 binary for this runtime, when it is not the one in node_modules (Electron). */
  nativeBinding?: string
  /** Handlers only a host can offer, e.g. the Electron folder dialog. */
  hostHandlers?: Partial<Handlers>
  /** Connects the job queue: Studies may then send their Trials to workers. The host
   *  imports queue/studio.ts itself, so BullMQ loads only when a queue is used. */
  queue?: (deps: { db: Db; dataDir: string }) => QueueHandle
}

/** The job queue as the services use it. */
export interface QueueHandle extends TrialRunner {
  /** Its address, password hidden. */
  readonly url: string
  /** Resolves when connected; rejects saying what to do. */
  ready(): Promise<void>
  status(): Promise<QueueInfo>
  close(): Promise<void>
}

/** Every service, the dispatcher over them, and the event bus. */
export interface Services {
  info: AppInfo
  db: Db
  events: EventBus
  datasets: DatasetService
  training: TrainingService
  studies: StudyService
  history: HistoryService
  /** Try it, export, top-loss gallery. */
  runModels: RunModelService
  /** HTML reports. */
  reports: ReportService
  backbones: BackboneService
  labels: LabelService
  /** Find the best model: a Study chosen from the Dataset, then the winner on training + validation. */
  auto: AutoService
  /** The job queue, when the host connected one. */
  queue?: QueueHandle
  dispatch: Dispatch
  close(): void
}

/** Starts the services over the data folder `options.dataDir`. */
export function createServices(options: ServiceOptions): Services {
  const dbFile = join(options.dataDir, 'osprey.db')
  const privacy = ensurePrivateFolder(options.dataDir)
  // A damaged database is set aside (never deleted) and a fresh one started; the user is told.
  const opened = openHistoryDatabase(dbFile, { nativeBinding: options.nativeBinding })
  const { db } = opened
  const notices = [...privacy, ...opened.notices]
  const events = new EventBus()
  // Scans and training Runs queue separately: a long Run never holds up a scan.
  const scans = new WorkerPool(options.spawnWorker, Math.max(1, availableParallelism() - 1))
  const runs = new WorkerPool(options.spawnWorker, 1)
  // Trials of every Study share one pool, first come first served, so two Studies share it fairly.
  const trialSlots = Math.max(1, Math.min(4, availableParallelism()))
  const trials = new WorkerPool(options.spawnWorker, trialSlots)
  const datasets = new DatasetService({ db, dbFile, dataDir: options.dataDir, pool: scans, events, nativeBinding: options.nativeBinding })
  const backbones = new BackboneService({ dataDir: options.dataDir, events })
  // Label checks get a worker of their own: a check never waits behind a Run.
  const labels = new LabelService({ db, dbFile, dataDir: options.dataDir, pool: new WorkerPool(options.spawnWorker, 1), events, datasets, backbones, nativeBinding: options.nativeBinding })
  const queue = options.queue?.({ db, dataDir: options.dataDir })
  // The estimate's measurements have a worker of their own: the form asks while a Run may be training.
  const measurePool = new WorkerPool(options.spawnWorker, 1)
  const training = new TrainingService({
    db,
    dbFile,
    dataDir: options.dataDir,
    pool: runs,
    trialPool: trials,
    measurePool,
    queue,
    events,
    datasets,
    backbones,
    excluded: (id) => labels.excluded(id),
    nativeBinding: options.nativeBinding
  })
  const studies = new StudyService({ db, events, training, datasets, defaultParallel: trialSlots })
  const history = new HistoryService({ db, dataDir: options.dataDir })
  // Try it, export, top-loss gallery: predictions get their own worker, never queued behind a Run.
  const runModels = new RunModelService({ training, pool: new WorkerPool(options.spawnWorker, 1) })
  const pkg = JSON.parse(readFileSync(join(dirname(resourcesDir()), 'package.json'), 'utf8')) as { version: string }
  const info: AppInfo = {
    name: APP_NAME,
    version: pkg.version,
    dataDir: options.dataDir,
    sampleDatasetPath: join(resourcesDir(), 'sample-dataset'),
    transport: options.transport,
    notices
  }
  // HTML reports
  const reports = new ReportService({ history, studies, version: info.version })
  const auto = new AutoService({ db, events, datasets, training, studies, history, slots: trialSlots, queued: Boolean(queue), excluded: (id) => labels.excluded(id) })

  const handlers: Handlers = {
    'app.info': () => info,
    ...datasetHandlers(datasets),
    ...trainingHandlers(training, runModels),
    'dialog.openFolder': () => {
      throw new OspreyError('unsupported', 'Folder dialogs exist only in the desktop app. Type the folder path instead.')
    },
    ...studyHandlers(studies),
    ...historyHandlers(history),
    ...reportHandlers(reports),
    ...backboneHandlers(backbones),
    ...labelHandlers(labels),
    ...queueHandlers(queue),
    ...autoHandlers(auto),
    ...options.hostHandlers
  }

  const close = () => {
    void queue?.close()
    db.close()
  }
  return { info, db, events, datasets, training, studies, history, runModels, reports, backbones, labels, auto, queue, dispatch: createDispatch(handlers), close }
}
