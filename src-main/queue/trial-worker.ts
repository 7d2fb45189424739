/**
 * `osprey worker`: takes Trials from the queue and trains each in a training worker
 * process of its own — the same job code as the app's — streaming its progress to the studio and
 * sending the model back. Only the `trial` job type is run, and only with a payload that passes
 * the contract's schemas. A worker holds no database: its data folder keeps Datasets by
 * fingerprint, downloaded backbones, decoded-image caches and each Trial's checkpoints.
 */
import { rmSync } from 'node:fs'
import { availableParallelism, hostname } from 'node:os'
import { join } from 'node:path'
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { BackboneService } from '../backbones/service'
import { OspreyError, toCommandError } from '../errors'
import { EventBus } from '../events'
import { WorkerPool } from '../jobs/pool'
import type { ControlAction, SpawnWorker } from '../jobs/protocol'
import { ensurePrivateFolder } from '../store/private'
import { readCheckpointSummary } from '../runs/checkpoint-state'
import type { TrainJobInput, TrainJobResult } from '../runs/protocol'
import { keys, maskUrl, QUEUE, redisOptions, TRIAL_JOB } from './connection'
import { DatasetCache } from './dataset-cache'
import { ProgressWriter } from './progress-writer'
import { trialJobSchema, type TrialJob, type TrialResult } from './protocol'
import { ready } from './studio'
import { sendModel } from './upload'
import { heartbeat, HEARTBEAT_MS, leave } from './workers'

/** How a worker joins the queue. */
export interface TrialWorkerOptions {
  url: string
  dataDir: string
  /** Trials trained at once (each in its own process). */
  concurrency: number
  /** Starts a training worker process. */
  spawnWorker: SpawnWorker
  /** Shown in the studio beside each Trial it trains; default host-pid. */
  name?: string
  /** The studio's file server as this machine reaches it, when not at the address the studio gives (a tunnel). */
  studioUrl?: string
  /** How long a Trial's lock lasts without renewal: a killed worker's Trial is taken again about this long after (ms). */
  lockMs?: number
  /** Always train on a copy fetched from the studio, even when the studio's folder is here (a slow network share). */
  copyDatasets?: boolean
  log: (line: string) => void
}

interface Active {
  job: Job
  control: ((action: ControlAction) => void) | null
  abort: AbortController
  handBack: boolean
}

/** A worker on the queue. */
export class TrialWorker {
  readonly name: string
  #options: TrialWorkerOptions
  #redis: Redis
  #worker: Worker
  #pool: WorkerPool
  #datasets: DatasetCache
  #backbones: BackboneService
  #active = new Map<string, Active>()
  #beat: NodeJS.Timeout

  private constructor(options: TrialWorkerOptions, redis: Redis) {
    this.#options = options
    this.#redis = redis
    this.name = options.name ?? `${hostname()}-${process.pid}`
    this.#pool = new WorkerPool(options.spawnWorker, options.concurrency)
    this.#datasets = new DatasetCache(options.dataDir, { useShared: !options.copyDatasets })
    this.#backbones = new BackboneService({ dataDir: options.dataDir, events: new EventBus() })
    const lockDuration = options.lockMs ?? 30_000
    this.#worker = new Worker(QUEUE.name, (job, token, signal) => this.#process(job, token, signal), {
      connection: redisOptions(options.url),
      prefix: QUEUE.prefix,
      name: this.name,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: Math.min(30_000, lockDuration),
      // A Trial whose worker dies is taken again up to 5 times (then it fails, saying so).
      maxStalledCount: 5
    })
    this.#worker.on('error', () => {}) // Redis restarting: BullMQ reconnects by itself
    // The lock lost (cut off too long): another worker has the Trial now, so this one stops.
    this.#worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => this.#active.get(id)?.abort.abort()))
    const beat = () => void heartbeat(this.#redis, { name: this.name, host: hostname(), concurrency: options.concurrency, runs: this.#active.size }).catch(() => {})
    beat()
    this.#beat = setInterval(beat, HEARTBEAT_MS)
  }

  /** Connects (refusing, with what to do, when Redis cannot be reached) and starts taking Trials. */
  static async start(options: TrialWorkerOptions): Promise<TrialWorker> {
    ensurePrivateFolder(options.dataDir)
    const redis = new Redis(options.url, redisOptions(options.url))
    let lastError = ''
    redis.on('error', (e: Error) => (lastError = e.message))
    try {
      await ready(redis, 10_000, () => lastError, maskUrl(options.url))
    } catch (e) {
      redis.disconnect()
      throw e
    }
    const worker = new TrialWorker(options, redis)
    await worker.#worker.waitUntilReady()
    return worker
  }

  /** Trials training now. */
  get running(): number {
    return this.#active.size
  }

  /** Takes no new Trial and resolves when the current ones have finished. */
  async finish(): Promise<void> {
    await this.#worker.close()
    await this.#leave()
  }

  /** Hands the current Trials back to the queue now (each resumes elsewhere from its checkpoint, or starts over) and stops. */
  async handBack(): Promise<void> {
    for (const active of this.#active.values()) {
      active.handBack = true
      active.abort.abort()
    }
    await this.#worker.close()
    await this.#leave()
  }

  async #leave(): Promise<void> {
    clearInterval(this.#beat)
    await leave(this.#redis, this.name).catch(() => {})
    this.#redis.disconnect()
  }

  async #process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<TrialResult> {
    if (job.name !== TRIAL_JOB) throw refusal('invalid-request', `This worker runs only "${TRIAL_JOB}" jobs, not "${job.name}".`)
    const parsed = trialJobSchema.safeParse(job.data)
    if (!parsed.success)
      throw refusal(
        'invalid-request',
        `The Trial's payload was refused: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}.`
      )
    const trial = parsed.data
    const attempt = job.attemptsStarted
    const active: Active = { job, control: null, abort: new AbortController(), handBack: false }
    signal?.addEventListener('abort', () => active.abort.abort())
    const writer = new ProgressWriter(this.#redis, job.id!, attempt)
    const log = (line: string) => this.#options.log(`Run ${trial.runId}${trial.studyId ? ` (Study ${trial.studyId})` : ''}: ${line}`)
    const runDir = join(this.#options.dataDir, 'trials', job.id!)
    // A checkpoint a Trial left on this machine: resume from it, and send again the Epochs it holds.
    const { epoch: fromEpoch, epochs } = attempt > 1 ? await readCheckpointSummary(join(runDir, 'checkpoint-last')) : { epoch: 0, epochs: [] }
    // The hello goes out with the first read of the studio's requests (one round trip): a Trial stopped while it waited is not trained.
    writer.push({ kind: 'worker', name: this.name, attempt, fromEpoch, ...(epochs.length ? { epochs } : {}) })
    if ((await writer.asked()) === 'stop') {
      await writer.close()
      throw refusal('cancelled', 'Stopped before a worker took it.')
    }
    this.#active.set(job.id!, active)
    try {
      if (!fromEpoch) rmSync(runDir, { recursive: true, force: true })
      log(attempt > 1 ? `taken again (attempt ${attempt}), ${fromEpoch ? `resuming after Epoch ${fromEpoch}` : 'starting over'}` : 'taken')
      writer.onControl = (action) => active.control?.(action)
      const result = await this.#train(trial, runDir, fromEpoch > 0, writer, active)
      // Handed back or lost while it stopped: what it saved is not this Trial's outcome.
      if (active.abort.signal.aborted) throw new Error('aborted')
      await writer.close()
      const modelFiles = await sendModel(result.modelPath, {
        studioUrl: () => this.#studioUrl(trial),
        path: `/runs/${trial.runId}/attempts/${attempt}/model`,
        key: trial.studio.key,
        redis: this.#redis,
        jobId: job.id!
      })
      log(`${result.stoppedBy}; the model went to the studio`)
      rmSync(runDir, { recursive: true, force: true }) // a few files: at once, not a promise per file
      return {
        stoppedBy: result.stoppedBy,
        epochsDone: result.epochsDone,
        evaluation: result.evaluation,
        testEvaluation: result.testEvaluation,
        imagesPerSecond: result.imagesPerSecond,
        attempt,
        modelFiles
      }
    } catch (e) {
      await writer.close().catch(() => {})
      if (active.handBack && token) {
        log('handed back to the queue')
        await job.moveToWait(token)
        throw new WaitingError()
      }
      if (active.abort.signal.aborted) throw new Error('this worker lost the Trial (cut off from Redis too long); another worker has it')
      const error = toCommandError(e)
      log(`failed: ${error.message}`)
      throw refusal(error.code, error.message)
    } finally {
      this.#active.delete(job.id!)
    }
  }

  /** Where the studio's file server is now: --studio, else where the studio says it listens (it may have restarted elsewhere), else the job's address. */
  async #studioUrl(trial: TrialJob): Promise<string> {
    if (this.#options.studioUrl) return this.#options.studioUrl
    const current = await this.#redis.get(keys.studio(trial.studio.id)).catch(() => null)
    return current && /^https?:\/\//.test(current) ? current : trial.studio.url
  }

  async #train(trial: TrialJob, runDir: string, resume: boolean, writer: ProgressWriter, active: Active): Promise<TrainJobResult> {
    const dataset = await this.#datasets.resolve(
      trial,
      () => this.#studioUrl(trial),
      (done, total, what) => writer.push({ kind: 'preparing', step: 'images', done, total, what })
    )
    const { config } = trial
    let backbone: TrainJobInput['backbone']
    if (config.model === 'pretrained') {
      backbone = await this.#backbones.source(config.backbone!, config.backboneLayer)
      if (trial.backbone && backbone.key !== trial.backbone.key) {
        throw new OspreyError('bad-input', `The backbone ${trial.backbone.id} on this worker is not the studio's (other weights or another cut): give both the same files, or use a catalog backbone.`)
      }
    }
    const input: TrainJobInput = {
      runId: trial.runId,
      dbFile: '',
      datasetId: 0,
      dataset,
      runDir,
      cacheDir: join(this.#options.dataDir, 'cache', 'images'),
      embeddingDir: join(this.#options.dataDir, 'cache', 'embeddings'),
      config,
      resume,
      replicas: 1,
      backbone
    }
    return this.#pool.run('train', input, {
      signal: active.abort.signal,
      onStart: (control) => {
        active.control = control
        // Paused while it waited in the queue (read with the hello): it starts paused, as the studio shows it.
        if (writer.lastAsked === 'pause') control('pause')
      },
      onProgress: (p) => {
        if (p.kind === 'checkpoint') return // checkpoints stay here: a worker on this machine may resume from one
        writer.push(p, p.kind !== 'iteration' && p.kind !== 'preparing')
      }
    })
  }
}

/** A failure the queue does not retry (the same payload would fail again), carrying the contract's error. */
function refusal(code: string, message: string): UnrecoverableError {
  return new UnrecoverableError(`osprey:${JSON.stringify({ code, message })}`)
}

/** Trials a machine trains at once by default: one per two cores (each Trial's process uses a core and its loader thread another). */
export function defaultConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2))
}
