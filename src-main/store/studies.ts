/** The studies repository: Studies and their Trials (each Trial's metrics live in its Run). */
import type { Objective, ParamValue, PrunerName, StrategyName, StudyDetail, StudyStatus, StudySummary, TrainingRequest, TrialsOn, TrialState, TrialSummary, VerdictKind } from '../contract'
import { bestTrial } from '../studies/best'
import { studyVerdict } from '../verdict'
import type { Params } from '../tuning/types'
import type { Db } from './db'
import { currentOwner, ownerAlive } from './owner'

/** What a Study keeps besides its name, strategy and objective (config_json). */
export interface StudySettings {
  folder: string
  trials: number
  timeBudgetMinutes: number | null
  parallel: number
  prune: PrunerName
  seed: number
  training: Omit<TrainingRequest, 'folder'>
  /** Where the Trials train; absent: this machine. */
  trialsOn?: TrialsOn
  /** The first Trials' params, in order, before the strategy's own (StudyRequest.startWith). */
  startWith?: Params[]
}

interface StudyRow {
  id: number
  name: string
  dataset_id: number | null
  strategy: StrategyName
  objective: Objective
  space_json: string
  config_json: string
  state_json: string | null
  status: StudyStatus
  created_at: string
  ended_at: string | null
  /** Why it ended (failed, stopped, interrupted); null while it runs or when it completed. */
  error: string | null
}

interface TrialRow {
  study_id: number
  number: number
  run_id: number | null
  params_json: string
  status: TrialState
  value: number | null
  duration_ms: number | null
  wall_ms: number | null
  error: string | null
  curve: string | null
  secondary: number | null
  verdict: VerdictKind | null
  worker: string | null
}

/** Studies in SQLite. Synchronous, like the database. */
export class StudyRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  /** Records a new Study, running. */
  create(study: { name: string; datasetId: number | null; strategy: StrategyName; objective: Objective; space: object; settings: StudySettings }): number {
    const result = this.#db
      .prepare("INSERT INTO studies (name, dataset_id, strategy, objective, space_json, config_json, status) VALUES (?, ?, ?, ?, ?, ?, 'running')")
      .run(study.name, study.datasetId, study.strategy, study.objective, JSON.stringify(study.space), JSON.stringify(study.settings))
    return Number(result.lastInsertRowid)
  }

  /** Moves a Study to `status`; a `message` says why it ended (its error column). */
  setStatus(id: number, status: StudyStatus, message: string | null = null): void {
    const ended = status === 'running' ? null : new Date().toISOString()
    this.#db.prepare('UPDATE studies SET status = ?, ended_at = ?, error = ? WHERE id = ?').run(status, ended, message, id)
  }

  /** Records Trial `number` as running (replacing an unfinished attempt of the same number). */
  startTrial(studyId: number, number: number, params: Record<string, ParamValue>, runId: number | null): void {
    this.#db
      .prepare(
        "INSERT INTO trials (study_id, number, run_id, params_json, status) VALUES (?, ?, ?, ?, 'running') ON CONFLICT (study_id, number) DO UPDATE SET run_id = excluded.run_id, status = 'running', value = NULL, error = NULL"
      )
      .run(studyId, number, runId, JSON.stringify(params))
  }

  /** Records how Trial `number` ended; `error` when it failed before its Run could start. */
  endTrial(studyId: number, number: number, status: Exclude<TrialState, 'running'>, value: number | null, error: string | null = null): void {
    this.#db.prepare('UPDATE trials SET status = ?, value = ?, error = ? WHERE study_id = ? AND number = ?').run(status, value, error, studyId, number)
  }

  /** Every Study, newest first. */
  list(): StudySummary[] {
    const rows = this.#db.prepare('SELECT * FROM studies ORDER BY id DESC').all() as StudyRow[]
    return rows.map((row) => summary(row, this.trials(row.id)))
  }

  summary(id: number): StudySummary | undefined {
    const row = this.#row(id)
    return row && summary(row, this.trials(id))
  }

  /** Everything about a Study except what the service derives (importance). */
  detail(id: number): Omit<StudyDetail, 'importance'> | undefined {
    const row = this.#row(id)
    if (!row) return undefined
    const trials = this.trials(id)
    const settings = JSON.parse(row.config_json) as StudySettings
    return {
      ...summary(row, trials),
      space: JSON.parse(row.space_json),
      training: settings.training,
      parallel: settings.parallel,
      seed: settings.seed,
      timeBudgetMinutes: settings.timeBudgetMinutes,
      trialsOn: settings.trialsOn ?? 'local',
      trialList: trials
    }
  }

  /** The settings a Study was started with. */
  settings(id: number): StudySettings | undefined {
    const json = this.#db.prepare('SELECT config_json FROM studies WHERE id = ?').pluck().get(id) as string | undefined
    return json ? (JSON.parse(json) as StudySettings) : undefined
  }

  /** A Study's Trials in order, each with its objective curve read from its Run's Epochs. */
  trials(studyId: number): TrialSummary[] {
    return this.#trials(studyId, null)
  }

  /** One Trial of a Study, as `trials` gives it. */
  trial(studyId: number, number: number): TrialSummary | undefined {
    return this.#trials(studyId, number)[0]
  }

  #trials(studyId: number, number: number | null): TrialSummary[] {
    const objective = this.#db.prepare('SELECT objective FROM studies WHERE id = ?').pluck().get(studyId) as Objective | undefined
    const [column, other] = objective === 'valLoss' ? ['val_loss', 'val_accuracy'] : ['val_accuracy', 'val_loss']
    const rows = this.#db
      .prepare(
        `SELECT t.study_id, t.number, t.run_id, t.params_json, t.status, t.value, r.duration_ms, coalesce(t.error, r.error) AS error, r.worker, r.${other} AS secondary,
           round((julianday(r.ended_at) - julianday(r.created_at)) * 86400000) AS wall_ms,
           json_extract(r.summary_json, '$.verdict.kind') AS verdict,
           (SELECT json_group_array(${column}) FROM (SELECT ${column} FROM epochs e WHERE e.run_id = t.run_id ORDER BY e.epoch)) AS curve
         FROM trials t LEFT JOIN runs r ON r.id = t.run_id WHERE t.study_id = ? AND (? IS NULL OR t.number = ?) ORDER BY t.number`
      )
      .all(studyId, number, number) as TrialRow[]
    return rows.map((t) => ({
      studyId: t.study_id,
      number: t.number,
      runId: t.run_id,
      params: JSON.parse(t.params_json),
      status: t.status,
      value: t.value,
      intermediate: t.curve ? (JSON.parse(t.curve) as (number | null)[]).filter((v): v is number => v !== null) : [],
      secondary: t.secondary,
      durationMs: t.duration_ms,
      wallMs: t.wall_ms,
      error: t.status === 'failed' ? t.error : null,
      verdict: t.verdict,
      worker: t.worker
    }))
  }

  /** Marks Study `id` as run by this process, by pid and start time (see interruptOrphans). */
  claim(id: number): void {
    const owner = currentOwner()
    this.#db.prepare('UPDATE studies SET owner_pid = ?, owner_started = ? WHERE id = ?').run(owner.pid, owner.started, id)
  }

  /** Studies left running by a process that is gone become `interrupted` (resumable); those of
   *  another live process (the app, while the CLI looks) stay. */
  interruptOrphans(): number {
    const active = this.#db.prepare("SELECT id, owner_pid, owner_started FROM studies WHERE status = 'running'").all() as { id: number; owner_pid: number | null; owner_started: string | null }[]
    const interrupt = this.#db.prepare("UPDATE studies SET status = 'interrupted', error = 'The app closed while this Study ran. Resume it to go on; completed Trials are kept.' WHERE id = ?")
    const orphans = active.filter((s) => !ownerAlive(s.owner_pid, s.owner_started))
    this.#db.transaction(() => orphans.forEach((s) => interrupt.run(s.id)))()
    return orphans.length
  }

  #row(id: number): StudyRow | undefined {
    return this.#db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined
  }
}

function summary(row: StudyRow, trials: TrialSummary[]): StudySummary {
  const settings = JSON.parse(row.config_json) as StudySettings
  const counts: Record<TrialState, number> = { running: 0, completed: 0, pruned: 0, failed: 0 }
  for (const t of trials) counts[t.status]++
  // Trials that all tie, or all guess, have no best worth naming.
  const verdict = studyVerdict(trials, row.objective)
  const best = verdict ? null : bestTrial(trials, row.objective)
  return {
    id: row.id,
    name: row.name,
    datasetId: row.dataset_id,
    folder: settings.folder,
    strategy: row.strategy,
    objective: row.objective,
    prune: settings.prune,
    status: row.status,
    trials: settings.trials,
    counts,
    best: best ? { number: best.trial.number, value: best.trial.value!, params: best.trial.params, runId: best.trial.runId, ...(best.tiedWith ? { tiedWith: best.tiedWith } : {}) } : null,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    error: row.error,
    verdict
  }
}
