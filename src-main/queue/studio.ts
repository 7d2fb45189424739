/**
 * The studio's side of the queue: a Trial's Run goes to BullMQ as a job, and what the
 * worker streams back (Iterations, Epochs, which worker, the result) comes to the TrainingService
 * exactly as from a local worker process, so recording, pruning and the screens are the same code.
 * The studio stays the only writer of the history: workers hold no database.
 *
 * Faults: a worker killed mid-Trial loses its lock and BullMQ moves the job back to wait (stalled
 * jobs); the next worker resumes from the checkpoint if it can see one, or starts over, and tells
 * the studio from which Epoch (metrics past it are redone, never doubled). A restarted studio
 * follows the same job again (its id is the Run's), reading the progress stream from its start.
 * A Redis that lost its data loses the job: the sweep adds it again.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import type { QueueInfo } from '../contract'
import { OspreyError } from '../errors'
import type { JobOptions } from '../jobs/pool'
import type { ControlAction } from '../jobs/protocol'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { RunRepository } from '../store/runs'
import type { DatasetManifest } from '../runs/prepare'
import type { TrainJobInput, TrainJobResult } from '../runs/protocol'
import type { TrialRunner } from '../runs/service'
import { keys, maskUrl, QUEUE, redisOptions, TRIAL_JOB } from './connection'
import { startFilesServer, type FilesServer } from './files-server'
import { studioIdentity, type StudioIdentity } from './identity'
import { ProgressReader, type ProgressEntry } from './progress-reader'
import { progressSchema, toTrainProgress, toTrainResult, trialResultSchema, type TrialJob, type TrialResult } from './protocol'
import { takeModelFromRedis } from './upload'
import { listWorkers } from './workers'

/** How the studio joins a queue. */
export interface QueueStudioOptions {
  /** redis:// or rediss:// URL, with a password when Redis has one. */
  url: string
  dataDir: string
  db: Db
  /** Where the file server for workers listens (default 127.0.0.1, a free port)… */
  filesHost?: string
  filesPort?: number
  /** …and the address workers are told (default: where it listens), e.g. the far end of a tunnel. */
  filesUrl?: string
  /** How long to wait for Redis at start (ms). */
  connectTimeoutMs?: number
}

/** How a job ended, as an event or the job itself tells it. */
type Outcome = { state: 'completed'; returnvalue: unknown } | { state: 'failed'; failedReason: string }

interface Flight {
  jobId: string
  runId: number
  runDir: string
  payload: TrialJob
  /** The latest attempt heard of: entries of an earlier one (a worker that lost the Trial) are ignored. */
  attempt: number
  options: JobOptions<'train'>
  settled: boolean
  /** Model files the file server took whole for this Run: path → SHA-256. */
  received: Map<string, string>
  resolve: (result: TrainJobResult) => void
  reject: (error: OspreyError) => void
}

// Jobs and their progress are kept this long if nobody records them (a studio gone for good).
const KEEP_S = 7 * 24 * 3600
// How often every Trial in flight is checked against the queue (a missed event, a Redis that lost the job).
const SWEEP_MS = 2000
// Manifests served to workers are read from the database at most this often per Dataset.
const MANIFEST_TTL_MS = 30_000

/** Trials on the queue: the TrialRunner the TrainingService uses when a Study asks for workers. */
export class QueueTrials implements TrialRunner {
  readonly url: string
  #options: QueueStudioOptions
  #identity: StudioIdentity
  #queue: Queue
  #events: QueueEvents
  #redis: Redis
  #reader: ProgressReader
  #files: FilesServer | null = null
  #ready: Promise<void> | null = null
  #lastError = ''
  #flights = new Map<string, Flight>()
  #manifests = new Map<string, { at: number; manifest: (DatasetManifest & { name: string }) | undefined }>()
  #sweep: NodeJS.Timeout

  /** Connects in the background; `ready` says whether it could. */
  constructor(options: QueueStudioOptions) {
    const connection = redisOptions(options.url)
    this.url = maskUrl(options.url)
    this.#options = options
    this.#identity = studioIdentity(options.dataDir)
    this.#redis = new Redis(options.url, connection)
    this.#redis.on('error', (e: Error) => (this.#lastError = e.message))
    this.#queue = new Queue(QUEUE.name, { connection, prefix: QUEUE.prefix })
    this.#events = new QueueEvents(QUEUE.name, { connection, prefix: QUEUE.prefix })
    // Each reconnects on its own after a Redis restart; the sweep catches up with what was missed.
    this.#queue.on('error', () => {})
    this.#events.on('error', () => {})
    // The events carry the outcome: no need to read the job back.
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#wake(jobId, { state: 'completed', returnvalue }))
    this.#events.on('failed', ({ jobId, failedReason }) => this.#wake(jobId, { state: 'failed', failedReason }))
    const blocking = this.#redis.duplicate()
    blocking.on('error', () => {})
    this.#reader = new ProgressReader(blocking, this.#redis)
    let sweeps = 0
    this.#sweep = setInterval(() => {
      for (const flight of this.#flights.values()) void this.#check(flight)
      if (++sweeps % 300 === 0 && this.#files) void this.#advertise() // every 10 minutes; also back after a Redis that lost its data
    }, SWEEP_MS)
  }

  /** Resolves once Redis answers and the file server listens; rejects, saying what to do, when Redis cannot be reached in time. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      await ready(this.#redis, this.#options.connectTimeoutMs ?? 10_000, () => this.#lastError, this.url)
      await this.#events.waitUntilReady()
      this.#files = await startFilesServer({
        key: this.#identity.key,
        host: this.#options.filesHost,
        port: this.#options.filesPort,
        dataset: (fingerprint) => this.#manifest(fingerprint),
        modelFolder: (runId, attempt) => this.#modelFolder(runId, attempt),
        received: (file, sha256) => this.#flightOf(file)?.received.set(file, sha256)
      })
      await this.#advertise()
    })()
    this.#ready.catch(() => (this.#ready = null)) // a later call tries again
    return this.#ready
  }

  /** Tells workers where the file server is now (a restarted studio may listen on another port). */
  async #advertise(): Promise<void> {
    await this.#redis.set(keys.studio(this.#identity.id), this.filesUrl, 'EX', 24 * 3600).catch(() => {})
  }

  /** Where workers reach the file server. */
  get filesUrl(): string {
    return this.#options.filesUrl ?? this.#files?.url ?? ''
  }

  /** Queues Run `input.runId` (or follows its job if it is already there) and resolves with its outcome. */
  async run(_kind: 'train', input: TrainJobInput, options: JobOptions<'train'>): Promise<TrainJobResult> {
    await this.ready()
    const payload = this.#payload(input)
    const jobId = jobIdOf(this.#identity.id, input.runId, this.#createdAt(input.runId))
    return new Promise((resolve, reject) => {
      const flight: Flight = { jobId, runId: input.runId, runDir: input.runDir, payload, attempt: 0, options, settled: false, received: new Map(), resolve, reject }
      this.#flights.set(jobId, flight)
      this.#reader.follow(keys.progress(jobId), (entry) => this.#onEntry(flight, entry))
      options.onStart?.((action) => void this.#control(flight, action).catch(() => {}))
      this.#submit(flight).catch((e: Error) => this.#settle(flight, () => reject(new OspreyError('internal', `The Trial could not be put on the queue (${this.url}): ${e.message}`))))
    })
  }

  /** The queue as the Tune screen shows it: where, whether connected, which workers. */
  async status(): Promise<QueueInfo> {
    const connected = this.#redis.status === 'ready'
    return { url: this.url, connected, workers: connected ? await listWorkers(this.#redis).catch(() => []) : [] }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep)
    await this.#reader.close()
    await Promise.allSettled([this.#events.close(), this.#queue.close(), this.#files?.close()])
    this.#redis.disconnect()
  }

  #payload(input: TrainJobInput): TrialJob {
    if (input.warmStart)
      throw new OspreyError(
        'unsupported',
        "A Trial on the queue cannot start from an earlier Run's weights yet (its model is on this machine): train this Study on this machine, or without a warm start."
      )
    const report = new DatasetRepository(this.#options.db).source(input.datasetId)
    if (!report) throw new OspreyError('not-found', 'The dataset of this Run is no longer known. Scan its folder again.')
    const run = new RunRepository(this.#options.db)
    const studyId = run.studyOf(input.runId)
    return {
      version: 1,
      studio: { id: this.#identity.id, url: this.filesUrl, key: this.#identity.key },
      runId: input.runId,
      studyId,
      config: input.config,
      dataset: { fingerprint: report.fingerprint, folder: report.path, name: report.name },
      ...(input.backbone ? { backbone: { id: input.backbone.id, layer: input.backbone.embeddingLayer, key: input.backbone.key } } : {})
    }
  }

  #createdAt(runId: number): string {
    return new RunRepository(this.#options.db).createdAt(runId) ?? ''
  }

  async #submit(flight: Flight): Promise<void> {
    // Same id, same job: after a restart of the studio this follows the job already there (one that ended meanwhile: the next sweep records it).
    await this.#queue.add(TRIAL_JOB, flight.payload, { jobId: flight.jobId, attempts: 1, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } })
  }

  #wake(jobId: string, outcome: Outcome): void {
    const flight = this.#flights.get(jobId)
    if (flight) void this.#check(flight, outcome)
  }

  /** Records the Trial once its job has ended (`known` when an event told it, else asked of the queue). */
  async #check(flight: Flight, known?: Outcome): Promise<void> {
    if (flight.settled) return
    const outcome = known ?? (await this.#lookUp(flight).catch(() => null)) // Redis away: the next sweep looks again
    if (!outcome || flight.settled) return
    flight.settled = true // from here on this Trial is being recorded, once
    this.#flights.delete(flight.jobId)
    if (outcome.state === 'completed') await this.#complete(flight, outcome.returnvalue)
    else await this.#fail(flight, outcome.failedReason)
  }

  /** How the job ended; null while it waits or runs. A job Redis lost is queued again. */
  async #lookUp(flight: Flight): Promise<Outcome | null> {
    const state = await this.#queue.getJobState(flight.jobId)
    if (state === 'unknown') await this.#submit(flight)
    if (state !== 'completed' && state !== 'failed') return null
    const job = await this.#queue.getJob(flight.jobId)
    if (!job) return null
    return state === 'completed' ? { state, returnvalue: job.returnvalue } : { state, failedReason: job.failedReason ?? '' }
  }

  async #complete(flight: Flight, returnvalue: unknown): Promise<void> {
    const key = keys.progress(flight.jobId)
    try {
      const parsed = trialResultSchema.safeParse(returnvalue)
      if (!parsed.success) throw new OspreyError('internal', `The worker's result for Run ${flight.runId} was malformed (${parsed.error.issues[0]?.message}); the Trial is not recorded.`)
      await this.#reader.drain(key) // every Epoch is recorded before the outcome
      const modelPath = await this.#placeModel(flight, parsed.data)
      flight.resolve(toTrainResult(parsed.data, modelPath))
    } catch (e) {
      flight.reject(e instanceof OspreyError ? e : new OspreyError('internal', (e as Error).message))
    } finally {
      this.#reader.unfollow(key)
    }
    // After the outcome is written (synchronously, in the promise callbacks above), the job can go.
    setImmediate(() => void this.#forget(flight))
  }

  async #fail(flight: Flight, reason: string): Promise<void> {
    const key = keys.progress(flight.jobId)
    await this.#reader.drain(key).catch(() => {})
    this.#reader.unfollow(key)
    flight.reject(failure(reason))
    setImmediate(() => void this.#forget(flight))
  }

  async #forget(flight: Flight): Promise<void> {
    await Promise.allSettled([this.#queue.remove(flight.jobId), this.#redis.del(keys.progress(flight.jobId), keys.control(flight.jobId), keys.model(flight.jobId))])
  }

  #settle(flight: Flight, fn: () => void): void {
    if (flight.settled) return
    flight.settled = true
    this.#flights.delete(flight.jobId)
    this.#reader.unfollow(keys.progress(flight.jobId))
    fn()
  }

  #onEntry(flight: Flight, entry: ProgressEntry): void {
    if (entry.attempt < flight.attempt) return // from a worker that lost this Trial and is still talking
    for (const raw of entry.messages) {
      const parsed = progressSchema.safeParse(raw)
      if (!parsed.success) continue // never written: the studio records only what it understands
      if (parsed.data.kind === 'worker') flight.attempt = Math.max(flight.attempt, parsed.data.attempt)
      flight.options.onProgress?.(toTrainProgress(parsed.data))
    }
  }

  /** Stop, pause or resume: a job still waiting is taken off the queue; a running one reads the control key. */
  async #control(flight: Flight, action: ControlAction): Promise<void> {
    if (flight.settled) return
    if (action === 'stop') {
      const job = await this.#queue.getJob(flight.jobId)
      const state = await job?.getState()
      if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
        const removed = await job.remove().then(
          () => true,
          () => false // a worker took it meanwhile: it reads the control key
        )
        if (removed) return this.#settle(flight, () => flight.reject(new OspreyError('cancelled', 'Stopped before a worker took it.')))
      }
    }
    await this.#redis.set(keys.control(flight.jobId), action, 'EX', KEEP_S)
  }

  /** Moves the model the worker sent into the Run's folder, each file checked against the result's sums. */
  async #placeModel(flight: Flight, result: TrialResult): Promise<string> {
    const target = join(flight.runDir, 'model')
    const incoming = join(flight.runDir, `model.incoming-${result.attempt}`)
    let from = (await isWhole(incoming, result.modelFiles, flight.received)) ? incoming : null
    if (!from) {
      // The studio was away when the Trial ended: the model waited in Redis.
      await mkdir(incoming, { recursive: true, mode: 0o700 })
      await takeModelFromRedis(this.#redis, flight.jobId, (name, bytes) => writeFile(join(incoming, name), bytes, { mode: 0o600 }))
      // A studio that stopped between moving the model and recording it finds it in place already.
      from = (await isWhole(incoming, result.modelFiles)) ? incoming : (await isWhole(target, result.modelFiles)) ? target : null
    }
    if (!from) throw new OspreyError('internal', `The model of Run ${flight.runId} did not reach the studio whole; the Trial is not recorded. Resume the Study to train it again.`)
    if (from === incoming) {
      await rm(target, { recursive: true, force: true })
      await rename(incoming, target)
    }
    for (const name of await readdir(flight.runDir).catch(() => [] as string[])) {
      if (name.startsWith('model.incoming-')) await rm(join(flight.runDir, name), { recursive: true, force: true })
    }
    return target
  }

  #modelFolder(runId: number, attempt: number): string | undefined {
    const flight = [...this.#flights.values()].find((f) => f.runId === runId)
    return flight && attempt >= 1 ? join(flight.runDir, `model.incoming-${attempt}`) : undefined
  }

  #flightOf(file: string): Flight | undefined {
    return [...this.#flights.values()].find((f) => file.startsWith(join(f.runDir, 'model.incoming-')))
  }

  #manifest(fingerprint: string): (DatasetManifest & { name: string }) | undefined {
    const cached = this.#manifests.get(fingerprint)
    if (cached && Date.now() - cached.at < MANIFEST_TTL_MS) return cached.manifest
    const datasets = new DatasetRepository(this.#options.db)
    const item = datasets.list().find((d) => d.fingerprint === fingerprint)
    const report = item && datasets.get(item.id)
    const manifest = report ? { name: report.name, path: report.path, fingerprint, channels: (report.stats.channels.rgb > 0 ? 3 : 1) as 1 | 3, files: datasets.usableFiles(item.id) } : undefined
    this.#manifests.set(fingerprint, { at: Date.now(), manifest })
    return manifest
  }
}

/** A Run's job id: the studio, the Run, and when the Run was created (a history set aside numbers Runs from 1 again). */
export function jobIdOf(studioId: string, runId: number, createdAt: string): string {
  return `${studioId}-run-${runId}-${Date.parse(createdAt) || 0}`
}

/** The error a failed job stands for: the worker's own (code and message), or the queue's. */
function failure(reason: string): OspreyError {
  if (reason.startsWith('osprey:')) {
    try {
      const e = JSON.parse(reason.slice(7)) as { code: OspreyError['code']; message: string }
      return new OspreyError(e.code, e.message)
    } catch {
      // fall through
    }
  }
  if (/stalled more than/i.test(reason))
    return new OspreyError('internal', "The Trial lost its worker too many times (killed or cut off each time) and is not tried again. Look at the workers' logs (memory?), then resume the Study.")
  return new OspreyError('internal', `The Trial failed on its worker: ${reason || 'no reason given'}`)
}

/** Whether `dir` holds each of `files` with its size and SHA-256; a file the file server took whole (`received`) is not read again. */
async function isWhole(dir: string, files: TrialResult['modelFiles'], received = new Map<string, string>()): Promise<boolean> {
  for (const f of files) {
    const file = join(dir, f.name)
    const info = await stat(file).catch(() => null)
    if (!info || info.size !== f.bytes) return false
    if (received.get(file) === f.sha256) continue
    if (
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex') !== f.sha256
    )
      return false
  }
  return true
}

/** Resolves once `redis` is ready; rejects after `ms` with what to do. */
export function ready(redis: Redis, ms: number, lastError: () => string, shown: string): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const why = lastError()
      const hint = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(why)
        ? 'the password in the URL is not the one Redis asks for'
        : 'start it (osprey cluster starts one), or check the address and that an SSH tunnel is up'
      reject(new OspreyError('bad-input', `Cannot reach Redis at ${shown}${why ? ` (${why})` : ''}: ${hint}.`))
    }, ms)
    redis.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
