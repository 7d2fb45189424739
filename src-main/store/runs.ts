/** The runs repository: Runs, their Epoch and Iteration metrics, and artifacts. */
import type { EpochMetrics, Evaluation, IterationMetrics, RunDetail, RunStatus, RunSummary, TrainingConfig, Verdict } from '../contract'
import { runVerdict } from '../verdict'
import type { Db } from './db'
import { currentOwner, ownerAlive } from './owner'

interface RunRow {
  id: number
  name: string
  status: RunStatus
  dataset_id: number | null
  fingerprint: string
  config_json: string
  split_json: string | null
  seed: number
  backend: string | null
  versions_json: string | null
  summary_json: string | null
  error: string | null
  created_at: string
  duration_ms: number | null
  epochs_done: number
  study_id: number | null
  worker: string | null
}

/** Final figures of a Run, kept as JSON beside it. */
export interface RunOutcome {
  valAccuracy: number | null
  valLoss: number | null
  imagesPerSecond: number | null
  normalizationStats?: { mean: number[]; std: number[] } | null
  evaluation?: Evaluation | null
  /** What the figures mean, decided when the Run ended. */
  verdict?: Verdict | null
}

const SUMMARY_COLUMNS = `r.*, (SELECT count(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_done`

/** Runs in SQLite. Synchronous, like the database. */
export class RunRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  /** Records a new Run, queued; a `name` function is given the new id (names that tell Runs apart carry it). */
  create(run: { name: string | ((id: number) => string); datasetId: number | null; fingerprint: string; config: TrainingConfig; studyId?: number | null }): number {
    return this.#db.transaction(() => {
      const result = this.#db
        .prepare("INSERT INTO runs (name, dataset_id, fingerprint, status, config_json, seed, study_id) VALUES (?, ?, ?, 'queued', ?, ?, ?)")
        .run(typeof run.name === 'string' ? run.name : '', run.datasetId, run.fingerprint, JSON.stringify(run.config), run.config.seed, run.studyId ?? null)
      const id = Number(result.lastInsertRowid)
      if (typeof run.name === 'function') this.#db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(run.name(id), id)
      return id
    })()
  }

  /** The Study a Run is a Trial of, or null. */
  studyOf(id: number): number | null {
    return (this.#db.prepare('SELECT study_id FROM runs WHERE id = ?').pluck().get(id) as number | null | undefined) ?? null
  }

  /** When the Run was recorded (ISO); undefined for no such Run. */
  createdAt(id: number): string | undefined {
    return this.#db.prepare('SELECT created_at FROM runs WHERE id = ?').pluck().get(id) as string | undefined
  }

  /** Moves a Run to `status`, with whatever else became known. */
  update(
    id: number,
    fields: {
      status?: RunStatus
      backend?: string
      versions?: Record<string, string>
      split?: object
      error?: string | null
      started?: boolean
      ended?: boolean
      durationMs?: number
      outcome?: RunOutcome
      worker?: string | null
    }
  ): void {
    const sets: string[] = []
    const values: unknown[] = []
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (fields.status) set('status', fields.status)
    if (fields.backend) set('backend', fields.backend)
    if (fields.versions) set('versions_json', JSON.stringify(fields.versions))
    if (fields.split) set('split_json', JSON.stringify(fields.split))
    if (fields.error !== undefined) set('error', fields.error)
    if (fields.durationMs !== undefined) set('duration_ms', Math.round(fields.durationMs))
    if (fields.outcome) set('summary_json', JSON.stringify(fields.outcome))
    if (fields.worker !== undefined) set('worker', fields.worker)
    if (fields.started) sets.push("started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
    if (fields.ended) sets.push("ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
    if (sets.length) this.#db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id)
  }

  /** Records the verdict on a Run that has ended, beside its final figures. */
  setVerdict(id: number, verdict: Verdict | null): void {
    this.#db.prepare("UPDATE runs SET summary_json = json_set(coalesce(summary_json, '{}'), '$.verdict', json(?)) WHERE id = ?").run(JSON.stringify(verdict), id)
  }

  /** A Run with a time limit records the Epochs that fit as its own: what it shows, and what a re-run trains at most. */
  setEpochs(id: number, epochs: number): void {
    this.#db.prepare("UPDATE runs SET config_json = json_set(config_json, '$.epochs', ?) WHERE id = ?").run(epochs, id)
  }

  /** Records one finished Epoch (replacing it when a resumed Run repeats it). */
  addEpoch(m: EpochMetrics): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.runId, m.epoch, m.trainLoss, m.trainAccuracy, m.valLoss, m.valAccuracy, m.learningRate, Math.round(m.durationMs))
  }

  /** The Epochs recorded for Run `runId`, in order. */
  epochNumbers(runId: number): number[] {
    return this.#db.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').pluck().all(runId) as number[]
  }

  /** Forgets the Epochs and Iterations after Epoch `epoch`: a Run trained again from there (on another worker) writes its own. */
  dropMetricsAfter(runId: number, epoch: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM epochs WHERE run_id = ? AND epoch > ?').run(runId, epoch)
      this.#db.prepare('DELETE FROM iterations WHERE run_id = ? AND epoch > ?').run(runId, epoch)
    })()
  }

  /** Records Iterations, in one transaction. */
  addIterations(rows: IterationMetrics[]): void {
    const insert = this.#db.prepare('INSERT OR REPLACE INTO iterations (run_id, iteration, epoch, loss, accuracy, learning_rate, elapsed_ms, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    this.#db.transaction(() => {
      for (const m of rows) insert.run(m.runId, m.iteration, m.epoch, m.loss, m.accuracy, m.learningRate, Math.round(m.elapsedMs), m.imagesPerSecond)
    })()
  }

  /** Records a file a Run produced (relative to the data folder). */
  addArtifact(runId: number, kind: string, path: string, bytes: number | null): void {
    this.#db.prepare('DELETE FROM artifacts WHERE run_id = ? AND kind = ?').run(runId, kind)
    this.#db.prepare('INSERT INTO artifacts (run_id, kind, path, bytes) VALUES (?, ?, ?, ?)').run(runId, kind, path, bytes)
  }

  /** The path of a Run's artifact of `kind`, if any. */
  artifact(runId: number, kind: string): string | undefined {
    return this.#db.prepare('SELECT path FROM artifacts WHERE run_id = ? AND kind = ?').pluck().get(runId, kind) as string | undefined
  }

  /** Every Run, newest first. */
  list(): RunSummary[] {
    return (this.#db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r ORDER BY r.id DESC`).all() as RunRow[]).map(summary)
  }

  summary(id: number): RunSummary | undefined {
    const row = this.#db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRow | undefined
    return row && summary(row)
  }

  /** Everything about a Run; iteration metrics downsampled to at most `points`. */
  detail(id: number, points = 2000): RunDetail | undefined {
    const row = this.#db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRow | undefined
    if (!row) return undefined
    const outcome = row.summary_json ? (JSON.parse(row.summary_json) as RunOutcome) : null
    const count = this.#db.prepare('SELECT count(*) FROM iterations WHERE run_id = ?').pluck().get(id) as number
    const stride = Math.max(1, Math.ceil(count / points))
    const iterations = this.#db
      .prepare(
        `SELECT run_id AS runId, iteration, epoch, loss, accuracy, learning_rate AS learningRate, elapsed_ms AS elapsedMs, coalesce(images_per_second, 0) AS imagesPerSecond, 0 AS memoryBytes
        FROM iterations WHERE run_id = ? AND (iteration % ? = 0 OR iteration = ?) ORDER BY iteration`
      )
      .all(id, stride, count) as IterationMetrics[]
    const epochs = this.#db
      .prepare(
        `SELECT run_id AS runId, epoch, train_loss AS trainLoss, train_accuracy AS trainAccuracy, val_loss AS valLoss,
          val_accuracy AS valAccuracy, learning_rate AS learningRate, duration_ms AS durationMs FROM epochs WHERE run_id = ? ORDER BY epoch`
      )
      .all(id) as EpochMetrics[]
    const config = JSON.parse(row.config_json) as TrainingConfig
    const split = row.split_json ? (JSON.parse(row.split_json) as RunDetail['split']) : null
    const base = summary(row)
    // Runs recorded before verdicts get theirs from their figures.
    const verdict = base.verdict ?? runVerdict(verdictInput(base, config, split, epochs, outcome?.evaluation ?? null))
    return {
      ...base,
      verdict,
      config,
      seed: row.seed,
      fingerprint: row.fingerprint,
      split,
      versions: row.versions_json ? JSON.parse(row.versions_json) : {},
      normalizationStats: outcome?.normalizationStats ?? null,
      epochMetrics: epochs,
      iterationMetrics: iterations,
      evaluation: outcome?.evaluation ?? null,
      trial: row.study_id === null ? null : ((this.#db.prepare('SELECT number FROM trials WHERE run_id = ?').pluck().get(id) as number | undefined) ?? null)
    }
  }

  /** Marks Run `id` as run by this process, by pid and start time (see interruptOrphans). */
  claim(id: number): void {
    const owner = currentOwner()
    this.#db.prepare('UPDATE runs SET owner_pid = ?, owner_started = ? WHERE id = ?').run(owner.pid, owner.started, id)
  }

  /** Runs left queued, running or paused by a process that is gone (the app was closed or
   *  crashed, or the machine restarted and its pid now names another process) become
   *  `interrupted`, so they can be resumed or deleted; those of another live process (the app,
   *  while the CLI looks) stay. */
  interruptOrphans(): number {
    const active = this.#db.prepare("SELECT id, owner_pid, owner_started FROM runs WHERE status IN ('queued', 'running', 'paused')").all() as {
      id: number
      owner_pid: number | null
      owner_started: string | null
    }[]
    const interrupt = this.#db.prepare(
      "UPDATE runs SET status = 'interrupted', error = 'Osprey closed while this Run was training. Resume it (Resume in the app, or osprey runs resume ' || id || ') to continue from its last checkpoint.' WHERE id = ?"
    )
    const orphans = active.filter((r) => !ownerAlive(r.owner_pid, r.owner_started))
    this.#db.transaction(() => orphans.forEach((r) => interrupt.run(r.id)))()
    return orphans.length
  }
}

function summary(r: RunRow): RunSummary {
  const config = JSON.parse(r.config_json) as TrainingConfig
  const outcome = r.summary_json ? (JSON.parse(r.summary_json) as RunOutcome) : null
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    datasetId: r.dataset_id,
    studyId: r.study_id,
    model: config.model,
    backend: r.backend,
    epochsDone: r.epochs_done,
    epochs: plannedEpochs(config),
    valAccuracy: outcome?.valAccuracy ?? null,
    valLoss: outcome?.valLoss ?? null,
    testAccuracy: outcome?.evaluation?.split === 'test' ? outcome.evaluation.accuracy : null,
    imagesPerSecond: outcome?.imagesPerSecond ?? null,
    createdAt: r.created_at,
    durationMs: r.duration_ms,
    error: r.error,
    verdict: outcome?.verdict ?? null,
    worker: r.worker ?? null
  }
}

/** What the verdict on a Run is drawn from, out of its record. */
export function verdictInput(
  run: Pick<RunSummary, 'status' | 'error'>,
  config: TrainingConfig,
  split: RunDetail['split'],
  epochs: EpochMetrics[],
  evaluation: Evaluation | null
): Parameters<typeof runVerdict>[0] {
  return {
    status: run.status,
    error: run.error,
    classes: split?.classes.length ?? evaluation?.classes.length ?? 2,
    epochs,
    evaluation,
    validationImages: evaluation ? null : (split?.validation ?? null),
    model: config.model,
    learningRate: config.learningRate,
    augmentation: config.augmentation,
    earlyStopping: config.earlyStopping,
    augmentedViews: config.augmentedViews,
    fineTuneBlocks: config.fineTuneBlocks
  }
}

/** Epochs a Run is set to train: its `epochs`, plus the fine-tuning ones of a pretrained Run that fine-tunes. */
export function plannedEpochs(config: Pick<TrainingConfig, 'epochs' | 'fineTuneBlocks' | 'fineTuneEpochs'>): number {
  return config.epochs + ((config.fineTuneBlocks ?? 0) > 0 ? (config.fineTuneEpochs ?? 0) : 0)
}
