/**
 * Training on the main side: validates and records Runs, runs each in a worker process,
 * records what the worker streams (metrics, checkpoints, outcome) and tells the renderer.
 */
import { existsSync, renameSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { BackboneService } from '../backbones/service'
import type { BackboneSource } from '../backbones/files'
import type { AugmentationPreview, DatasetReport, ModelName, Request, RunDetail, RunEstimate, RunStatus, RunSummary, TrainingConfig, TrainingRequest } from '../contract'
import { cacheKey } from '../pipeline/cache'
import { embeddingFileName } from '../pipeline/embeddings'
import { hasCheckpoint } from './checkpoint-state'
import { estimateRun, type Measurement } from './estimate'
import { whyUntrainable } from '../datasets/problems'
import { evenlySpread } from '../datasets/summarize'
import type { DatasetService } from '../datasets/service'
import { OspreyError, toCommandError } from '../errors'
import type { EventBus } from '../events'
import type { JobOptions, WorkerPool } from '../jobs/pool'
import type { ControlAction } from '../jobs/protocol'
import { resolveSplitFractions } from '../pipeline/split'
import type { Db } from '../store/db'
import { RunRepository, verdictInput } from '../store/runs'
import { trialNumber } from '../tuning/types'
import { runVerdict } from '../verdict'
import { checkRequest, chooseModel, defaultConfig, resolveConfig } from './config'
import { augmentationPreview } from './preview'
import type { LrFindResult, TrainJobInput, TrainJobResult, TrainProgress } from './protocol'

/** What the service needs from the composition root. */
export interface TrainingServiceDeps {
  db: Db
  dbFile: string
  dataDir: string
  pool: WorkerPool
  /** Where a Study's Trials train, beside (not behind) ordinary Runs; defaults to `pool`. */
  trialPool?: WorkerPool
  /** Workers on a job queue, when the studio is connected to one: Trials of a Study that asks for it train there. */
  queue?: TrialRunner
  events: EventBus
  datasets: DatasetService
  backbones: BackboneService
  /** The images of a Dataset that new Runs leave out (the user excluded them after a label check). */
  excluded?: (datasetId: number) => string[]
  nativeBinding?: string
  /** Where the estimate's measurements run, beside (not behind) a Run in training; defaults to `pool`. */
  measurePool?: WorkerPool
}

/** Where a Trial's Run trains: the local Trial pool, or workers taking it from the queue. */
export interface TrialRunner {
  run(kind: 'train', input: TrainJobInput, options: JobOptions<'train'>): Promise<TrainJobResult>
}

interface ActiveRun {
  control: ((action: ControlAction) => void) | null
  done: Promise<RunSummary>
  /** A time-limited Run's planned Iterations, once it has a plan. */
  iterations?: number
}

/** What a Run's worker loads besides the Dataset. */
type JobSources = Pick<TrainJobInput, 'backbone' | 'warmStart'>

// Iterations are written in batches: one transaction per second, not one per Iteration.
const FLUSH_MS = 1000

/** Runs: start, steer, list, inspect. */
export class TrainingService {
  #deps: TrainingServiceDeps
  #runs: RunRepository
  #active = new Map<number, ActiveRun>()
  // Measurements of models on this machine, by what they measured: one per setting, for the session.
  #measurements = new Map<string, Promise<Measurement>>()

  constructor(deps: TrainingServiceDeps) {
    this.#deps = deps
    this.#runs = new RunRepository(deps.db)
    this.#runs.interruptOrphans() // a worker cannot outlive the app that started it
  }

  /** Defaults for a new Run on `folder` (informed by its last scan) and `model` (default: the automatic choice, with why). */
  defaults(folder?: string, model?: ModelName | 'auto'): TrainingConfig & { modelReason?: string } {
    const known = folder ? this.#deps.datasets.list().find((d) => d.path === resolve(folder)) : undefined
    const report = known ? this.#deps.datasets.get(known.id) : undefined
    const exclude = this.#excluded(report?.id)
    if (model && model !== 'auto') return { ...defaultConfig(folder ?? '', report, undefined, model), ...exclude }
    const chosen = chooseModel(report)
    return { ...defaultConfig(folder ?? '', report, undefined, chosen.model), ...exclude, ...(report ? { modelReason: chosen.reason } : {}) }
  }

  /** The Dataset's excluded images as a setting, when there are any. */
  #excluded(datasetId?: number): { exclude?: string[] } {
    const paths = datasetId === undefined ? [] : (this.#deps.excluded?.(datasetId) ?? [])
    return paths.length ? { exclude: paths } : {}
  }

  /** Validates the request, scans the folder (only what changed), records the Run and starts it.
   *  A Study's Trial passes `trial`: the Run is recorded under the Study and trains in the Trial pool, or on the queue (`onQueue`). */
  async start(request: TrainingRequest, trial?: { studyId: number; number: number; onQueue?: boolean }): Promise<RunSummary> {
    if (trial?.onQueue) this.#queue()
    const { report, config, sources } = await this.#ready(request)
    const name = (id: number) => runName(report.name, config, sources.backbone?.title, id, trial)
    const id = this.#runs.create({ name, datasetId: report.id, fingerprint: report.fingerprint, config, studyId: trial?.studyId ?? null })
    if (trial?.onQueue) this.#runs.update(id, { worker: 'queue' })
    const setAside = this.#clearFolder(id)
    this.#launch(id, config, report.id, false, sources)
    if (!trial && (!request.model || request.model === 'auto')) this.#deps.events.emit('runs.status', { run: this.#summary(id), message: chooseModel(report).reason })
    if (setAside)
      this.#deps.events.emit('runs.status', {
        run: this.#summary(id),
        message: `The folder of Run ${id} already held files of another history (a database set aside or removed); they were moved to ${setAside}, not overwritten.`
      })
    const changed = report.changes && report.changes.added + report.changes.removed + report.changes.changed
    if (changed) {
      const { added, removed, changed: edited } = report.changes!
      this.#deps.events.emit('runs.status', {
        run: this.#summary(id),
        message: `The dataset changed since its last scan (${added} added, ${removed} removed, ${edited} changed): this Run trains on the folder as it is now.`
      })
    }
    return this.#summary(id)
  }

  /** The learning-rate range test for these settings, in a worker; nothing is recorded. */
  async findLearningRate(request: TrainingRequest): Promise<LrFindResult> {
    const { report, config, sources } = await this.#ready(request)
    const { dbFile, nativeBinding } = this.#deps
    return this.#deps.pool.run('lrfind', { dbFile, nativeBinding, ...this.#caches(), datasetId: report.id, config, ...sources })
  }

  /**
   * How long a Run with these settings will take here: its model measured on this machine (in a
   * worker, seconds; kept for the session), counted over the Dataset as last scanned, with what is
   * already cached (decoded images, a backbone's features) left out.
   */
  async estimate(request: TrainingRequest): Promise<RunEstimate> {
    checkRequest(request)
    const known = this.#deps.datasets.list().find((d) => d.path === resolve(request.folder))
    if (!known) throw new OspreyError('not-found', `Scan ${request.folder} first: the estimate counts its images.`)
    const report = this.#deps.datasets.get(known.id)
    const config = resolveConfig({ ...request, folder: report.path }, report)
    const fractions = resolveSplitFractions(report.images, config.validationSplit, config.testSplit)
    const pretrained = config.model === 'pretrained'
    const channels: 1 | 3 = pretrained || report.stats.channels.rgb > 0 ? 3 : 1
    const { cacheDir, embeddingDir } = this.#caches()
    let backbone: BackboneSource | undefined
    if (pretrained) {
      const listed = (await this.#deps.backbones.list()).find((b) => b.id === config.backbone)
      if (listed && !listed.installed)
        throw new OspreyError(
          'bad-input',
          `${listed.title} is not on this machine yet: download it (${Math.round(listed.bytes / 1e6)} MB) for an estimate, or start the Run, which downloads it first.`
        )
      backbone = await this.#deps.backbones.source(config.backbone!, config.backboneLayer)
    }
    const replicas = Math.min(2, availableParallelism())
    const key = JSON.stringify([config.model, config.imageSize, config.batchSize, config.backend, config.optimizer, config.units, config.dropout, backbone?.key, channels, report.classes.length])
    let measured = this.#measurements.get(key)
    if (!measured) {
      const files = this.#deps.datasets.usableFiles(known.id)
      const samples = evenlySpread(files, 8).map((f) => join(report.path, f.path))
      const started = Date.now()
      measured = (this.#deps.measurePool ?? this.#deps.pool).run('measure', { config, channels, classes: report.classes.length, backbone, replicas, samples }).then(({ measuringMs, ...m }) => {
        // Starting a worker, loading tfjs and the backend count too: the job's whole time but its measuring.
        return { ...m, startMs: Date.now() - started - measuringMs }
      })
      this.#measurements.set(key, measured)
      measured.catch(() => this.#measurements.delete(key))
    }
    const m = await measured
    const imagesCached = existsSync(join(cacheDir, `${cacheKey({ fingerprint: report.fingerprint, size: config.imageSize, channels })}.json`))
    const featuresCached = backbone
      ? Array.from({ length: (config.augmentedViews ?? 0) + 1 }, (_, view) => view).every((view) =>
          existsSync(
            join(
              embeddingDir!,
              `${embeddingFileName({ fingerprint: report.fingerprint, backbone: backbone!.key, size: config.imageSize, view, ...(view ? { augmentation: config.augmentation, seed: config.seed } : {}) })}.json`
            )
          )
        )
      : false
    return estimateRun(
      {
        pretrained,
        images: report.images,
        trainImages: Math.floor(report.images * (1 - fractions.validation - fractions.test)),
        validationImages: Math.round(report.images * fractions.validation),
        epochs: config.epochs,
        batchSize: config.batchSize,
        views: pretrained ? (config.augmentedViews ?? 0) : 0,
        fineTuneEpochs: pretrained && (config.fineTuneBlocks ?? 0) > 0 ? (config.fineTuneEpochs ?? 0) : 0,
        imagesCached,
        featuresCached,
        replicas,
        cores: availableParallelism(),
        ...(config.timeLimitMinutes && !pretrained ? { timeLimitMs: config.timeLimitMinutes * 60_000 } : {})
      },
      m
    )
  }

  /** Where decoded images and embeddings are cached (shared by Runs on the same Dataset). */
  #caches(): Pick<TrainJobInput, 'cacheDir' | 'embeddingDir'> {
    return { cacheDir: join(this.#deps.dataDir, 'cache', 'images'), embeddingDir: join(this.#deps.dataDir, 'cache', 'embeddings') }
  }

  /** The files a Run's worker loads besides the Dataset: its backbone (downloaded first if needed) and the model it starts from. */
  async #sources(config: TrainingConfig): Promise<JobSources> {
    const backbone = config.model === 'pretrained' ? await this.#deps.backbones.source(config.backbone!, config.backboneLayer) : undefined
    let warmStart: string | undefined
    if (config.warmStart !== undefined) {
      warmStart = this.modelPath(config.warmStart)
      if (!warmStart || !existsSync(join(warmStart, 'model.json')))
        throw new OspreyError('bad-input', `Run ${config.warmStart} has no saved model to start from: choose a Run that finished (completed or stopped), or start afresh.`, [
          'warmStart: a Run with a saved model'
        ])
    }
    return { backbone, warmStart }
  }

  /** Checks the settings, scans the folder (only what changed) and checks them against it; finds the backbone and the model to start from. */
  async #ready(request: TrainingRequest): Promise<{ report: DatasetReport; config: TrainingConfig; sources: JobSources }> {
    checkRequest(request) // refuse bad settings before touching the folder
    const report = await this.#deps.datasets.scan(request.folder)
    // Images the user excluded after a label check stay out unless the request says otherwise.
    const config = resolveConfig({ ...this.#excluded(report.id), ...request, folder: report.path }, report)
    const why = whyUntrainable(report)
    if (why) throw new OspreyError('bad-input', `This dataset cannot be trained on yet: ${why}`)
    const fractions = resolveSplitFractions(report.images, config.validationSplit, config.testSplit)
    const trainShare = (1 - fractions.test - (config.trainOn === 'train+validation' ? 0 : fractions.validation)) * (config.trainFraction ?? 1)
    const trainImages = Math.floor(report.images * trainShare)
    if (config.batchSize > trainImages) {
      throw new OspreyError('bad-input', `The batch size (${config.batchSize}) is larger than the training set (${trainImages} images). Choose ${Math.max(1, Math.min(64, trainImages))} or fewer.`, [
        `batchSize: at most ${trainImages}`
      ])
    }
    return { report, config, sources: await this.#sources(config) }
  }

  /** Augmented samples of a scanned folder, as the trainer would make them. */
  async augmentPreview(request: Request<'runs.augmentPreview'>): Promise<AugmentationPreview> {
    const known = this.#deps.datasets.list().find((d) => d.path === resolve(request.folder))
    if (!known) throw new OspreyError('not-found', `Scan ${request.folder} first: the preview uses its usable images.`)
    const report = this.#deps.datasets.get(known.id)
    return augmentationPreview({
      root: report.path,
      files: this.#deps.datasets.usableFiles(known.id),
      size: request.imageSize,
      channels: report.stats.channels.rgb === 0 ? 1 : 3,
      augmentation: request.augmentation,
      seed: request.seed,
      perClass: request.perClass ?? 2,
      epochs: request.epochs ?? 6
    })
  }

  /** Pauses a running Run between two Iterations. */
  pause(id: number): RunSummary {
    this.#steer(id, 'pause')
    return this.#summary(id)
  }

  /** Resumes a paused Run, or an interrupted one from its last checkpoint. */
  async resume(id: number): Promise<RunSummary> {
    if (this.#active.has(id)) {
      this.#steer(id, 'resume')
      return this.#summary(id)
    }
    const run = this.get(id)
    if (run.status === 'queued' || run.status === 'running' || run.status === 'paused') {
      throw new OspreyError('bad-input', `Run ${id} is ${run.status} in another Osprey process (the app, or a command still running); pause, resume or stop it there.`)
    }
    if (run.status !== 'interrupted') throw new OspreyError('bad-input', `Run ${id} is ${run.status}; only a paused or interrupted Run can be resumed.`)
    if (run.worker) this.#queue() // its checkpoints are on the worker: it goes back to the queue (or its job there)
    this.#launch(id, run.config, run.datasetId ?? 0, hasCheckpoint(join(this.#runDir(id), 'checkpoint-last')), await this.#sources(run.config))
    return this.#summary(id)
  }

  /** Stops a Run at the next Iteration; what it learned is saved and evaluated. */
  stop(id: number): RunSummary {
    this.#steer(id, 'stop')
    return this.#summary(id)
  }

  /** Resolves when Run `id` has ended (at once if it is not running). */
  finished(id: number): Promise<RunSummary> {
    return this.#active.get(id)?.done ?? Promise.resolve(this.#summary(id))
  }

  list(): RunSummary[] {
    return this.#runs.list()
  }

  get(id: number): RunDetail {
    const run = this.#runs.detail(id)
    if (!run) throw new OspreyError('not-found', `No Run with id ${id}.`)
    return { ...run, ...this.#planned(id) }
  }

  /** The folder of Run `id`'s saved model, when it has one. */
  modelPath(id: number): string | undefined {
    const path = this.#runs.artifact(id, 'model')
    return path ? join(this.#deps.dataDir, path) : undefined
  }

  /** Throws, saying what to do, when this studio has no job queue to send Trials to. */
  queueReady(): void {
    this.#queue()
  }

  /** The queue, or why there is none. */
  #queue(): TrialRunner {
    if (!this.#deps.queue)
      throw new OspreyError(
        'bad-input',
        'This Study trains its Trials on a job queue, and this studio is not connected to one: start it with --redis URL (or OSPREY_REDIS_URL), the address `osprey worker` uses.'
      )
    return this.#deps.queue
  }

  #summary(id: number): RunSummary {
    const run = this.#runs.summary(id)
    if (!run) throw new OspreyError('not-found', `No Run with id ${id}.`)
    return { ...run, ...this.#planned(id) }
  }

  /** A live time-limited Run's planned Iterations, for its summary. */
  #planned(id: number): Pick<RunSummary, 'iterations'> {
    const iterations = this.#active.get(id)?.iterations
    return iterations ? { iterations } : {}
  }

  #steer(id: number, action: ControlAction): void {
    const active = this.#active.get(id)
    if (!active?.control) throw new OspreyError('bad-input', `Run ${id} is not running.`)
    active.control(action)
  }

  /** A new Run's folder must be its own: files already there (left by a database set aside or
   *  removed by hand, whose Runs were numbered alike) are moved aside, never written over. */
  #clearFolder(id: number): string | null {
    const dir = this.#runDir(id)
    if (!existsSync(dir)) return null
    const aside = `${dir}.kept-${new Date()
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z')}`
    renameSync(dir, aside)
    return aside
  }

  #runDir(id: number): string {
    return join(this.#deps.dataDir, 'runs', String(id))
  }

  #setStatus(id: number, status: RunStatus, fields: Parameters<RunRepository['update']>[1] = {}, message?: string): void {
    this.#runs.update(id, { ...fields, status })
    this.#deps.events.emit('runs.status', { run: this.#summary(id), ...(message ? { message } : {}) })
  }

  #launch(id: number, config: TrainingConfig, datasetId: number, resume: boolean, sources: JobSources): void {
    const recorder = this.#recorder(id)
    const active: ActiveRun = { control: null, done: Promise.resolve(null as unknown as RunSummary) }
    this.#active.set(id, active)
    this.#runs.claim(id)
    this.#setStatus(id, 'queued', { error: null })
    const { dbFile, nativeBinding } = this.#deps
    const trial = this.#runs.studyOf(id) !== null
    const pool: TrialRunner = this.#summary(id).worker ? this.#queue() : trial ? (this.#deps.trialPool ?? this.#deps.pool) : this.#deps.pool
    // A Run has the cores to itself and splits each batch over two replicas; Trials already run side by side.
    const replicas = trial ? 1 : Math.min(2, availableParallelism())
    active.done = pool
      .run(
        'train',
        { runId: id, dbFile, nativeBinding, runDir: this.#runDir(id), ...this.#caches(), datasetId, config, resume, replicas, ...sources },
        { onProgress: (p) => recorder.record(p), onStart: (control) => (active.control = control) }
      )
      .then((result) => {
        recorder.flush() // every Iteration is recorded before the final status goes out
        this.#finish(id, result)
      })
      .catch((e: OspreyError) => {
        recorder.flush()
        // A worker that died (killed, crashed, out of memory) leaves a resumable Run; one stopped before its first Iteration, a stopped one.
        const died = e.code === 'internal' && /stopped unexpectedly/.test(e.message)
        if (e.code === 'cancelled') this.#setStatus(id, 'stopped', { ended: true }, e.message)
        else {
          if (!died) this.#runs.setVerdict(id, runVerdict({ status: 'failed', error: e.message, classes: 2, epochs: [], learningRate: config.learningRate }))
          this.#setStatus(id, died ? 'interrupted' : 'failed', { error: e.message, ended: true }, e.message)
        }
      })
      .finally(() => this.#active.delete(id))
      .then(() => this.#summary(id))
  }

  #finish(id: number, result: TrainJobResult): void {
    const evaluation = result.testEvaluation ?? result.evaluation
    this.#runs.addArtifact(id, 'model', relative(this.#deps.dataDir, result.modelPath), null)
    const existing = this.#runs.detail(id, 1)
    const last = existing?.epochMetrics.at(-1)
    const status: RunStatus = result.stoppedBy === 'stopped' ? 'stopped' : 'completed'
    const message = result.stoppedBy === 'early-stopping' ? 'Stopped early: validation loss had stopped improving; the best weights were kept.' : undefined
    // Judged on the validation images (the test split stays for the record): the same figures the charts show.
    const verdict = existing ? runVerdict(verdictInput({ status, error: null }, existing.config, existing.split, existing.epochMetrics, result.evaluation)) : null
    this.#setStatus(
      id,
      status,
      {
        ended: true,
        outcome: {
          valAccuracy: result.evaluation?.accuracy ?? last?.valAccuracy ?? null,
          valLoss: result.evaluation?.loss ?? last?.valLoss ?? null,
          imagesPerSecond: result.imagesPerSecond,
          normalizationStats: existing?.normalizationStats ?? null,
          evaluation: evaluation ?? null,
          verdict
        }
      },
      message
    )
  }

  /** Writes what a worker streams, and forwards it to the renderer. */
  #recorder(id: number) {
    let pending: Parameters<RunRepository['addIterations']>[0] = []
    let timer: NodeJS.Timeout | null = null
    let normalizationStats: { mean: number[]; std: number[] } | null = null
    let started = Date.now()
    const flush = () => {
      if (timer) clearTimeout(timer)
      timer = null
      const rows = pending
      pending = []
      try {
        if (rows.length) this.#runs.addIterations(rows)
      } catch (e) {
        // Called from a timer too: a full disk must not crash the app. The Run stops, keeping what was saved.
        const message = toCommandError(e).message
        this.#deps.events.emit('runs.status', { run: this.#summary(id), message })
        this.#active.get(id)?.control?.('stop')
      }
    }
    const record = (p: TrainProgress) => {
      switch (p.kind) {
        case 'started':
          normalizationStats = p.normalizationStats
          started = Date.now()
          this.#runs.update(id, { outcome: { valAccuracy: null, valLoss: null, imagesPerSecond: null, normalizationStats } })
          // Paused while it prepared: it waits at its first Iteration, and still says so.
          this.#setStatus(id, this.#runs.summary(id)?.status === 'paused' ? 'paused' : 'running', { backend: p.backend, versions: p.versions, split: p.split, started: true })
          break
        case 'iteration': {
          const metrics = { ...p.metrics, runId: id }
          pending.push(metrics)
          timer ??= setTimeout(flush, FLUSH_MS)
          this.#deps.events.emit('runs.iteration', metrics)
          break
        }
        case 'epoch': {
          flush()
          const metrics = { ...p.metrics, runId: id }
          this.#runs.addEpoch(metrics)
          this.#runs.update(id, { durationMs: Date.now() - started })
          this.#deps.events.emit('runs.epoch', metrics)
          break
        }
        case 'plan': {
          this.#runs.setEpochs(id, p.epochs)
          const active = this.#active.get(id)
          if (active) active.iterations = p.iterations
          this.#deps.events.emit('runs.status', { run: this.#summary(id) })
          break
        }
        case 'checkpoint':
          this.#runs.addArtifact(id, 'checkpoint-last', relative(this.#deps.dataDir, p.path), null)
          break
        case 'paused':
          this.#setStatus(id, 'paused')
          break
        case 'worker': {
          // Taken again after a worker was lost: what that worker reported past the resume point is redone,
          // and an Epoch its checkpoint holds that never arrived (it died before sending) is recorded now.
          this.#runs.dropMetricsAfter(id, p.fromEpoch)
          const recorded = new Set(this.#runs.epochNumbers(id))
          for (const epoch of p.epochs ?? []) {
            if (recorded.has(epoch.epoch)) continue
            this.#runs.addEpoch({ ...epoch, runId: id })
            this.#deps.events.emit('runs.epoch', { ...epoch, runId: id })
          }
          this.#runs.update(id, { worker: p.name })
          const again = p.attempt > 1 ? ` again (attempt ${p.attempt}), ${p.fromEpoch ? `from its checkpoint after Epoch ${p.fromEpoch}` : 'from the start'}` : ''
          this.#deps.events.emit('runs.status', { run: this.#summary(id), message: `Worker ${p.name} took this Run${again}.` })
          break
        }
        case 'resumed':
          this.#setStatus(id, 'running')
          break
        case 'preparing':
          this.#deps.events.emit('runs.phase', { runId: id, step: p.step, text: phaseText(p), done: p.done, total: p.total })
          break
        case 'log':
          this.#deps.events.emit('runs.status', { run: this.#summary(id), message: p.message })
          break
      }
    }
    return { record, flush }
  }
}

/** A preparation step in a sentence for the user. */
export function phaseText(p: Extract<TrainProgress, { kind: 'preparing' }>): string {
  const count = p.total ? `: ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} images` : '…'
  switch (p.step) {
    case 'images':
      return `Reading and resizing the images (once; later Runs reuse them)${count}`
    case 'features':
      return `Computing the features of every image with ${p.what ?? 'the backbone'} (once; later Runs on this Dataset reuse them)${count}`
    case 'backend':
      return 'Starting the training backend…'
    case 'model':
      return p.what === 'checkpoint' ? 'Restoring the last checkpoint…' : p.what ? `Loading ${p.what} and building the model…` : 'Building the model…'
  }
}

/** A name that tells Runs apart in a list: the Dataset, the model, the image size and the Run's id (a Trial: its Study and number). */
export function runName(dataset: string, config: TrainingConfig, backboneTitle: string | undefined, id: number, trial?: { studyId: number; number: number }): string {
  if (trial) return `${dataset} · Study ${trial.studyId} · Trial ${trialNumber(trial.number)} · #${id}`
  const model = config.model === 'pretrained' ? (backboneTitle ?? 'pretrained') : config.model
  return `${dataset} · ${model} · ${config.imageSize} px · #${id}`
}
