/** The searches of "Find the best model" in SQLite. Synchronous, like the database. */
import type { AutoResult, AutoSearch, AutoStatus } from '../contract'
import type { Db } from './db'
import { currentOwner, ownerAlive } from './owner'
import type { AutoPlan } from '../auto/plan'

/** Which half of a search is under way: the Study, or the winner's final Run. */
export type AutoPhase = 'search' | 'final'

/** A search as stored: the summary plus what the loop needs to go on. */
export interface AutoRecord extends Omit<AutoSearch, 'at'> {
  phase: AutoPhase
  budgetMs: number
  plan: AutoPlan
}

interface Row {
  id: number
  name: string
  folder: string
  dataset_id: number | null
  study_id: number | null
  final_run_id: number | null
  budget_ms: number
  used_ms: number
  status: AutoStatus
  phase: AutoPhase
  plan_json: string
  result_json: string | null
  error: string | null
  created_at: string
  ended_at: string | null
}

/** Searches for the best model. */
export class AutoRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  create(search: { name: string; folder: string; datasetId: number; budgetMs: number; plan: AutoPlan }): number {
    const owner = currentOwner()
    const result = this.#db
      .prepare("INSERT INTO auto_searches (name, folder, dataset_id, budget_ms, status, plan_json, owner_pid, owner_started) VALUES (?, ?, ?, ?, 'searching', ?, ?, ?)")
      .run(search.name, search.folder, search.datasetId, search.budgetMs, JSON.stringify(search.plan), owner.pid, owner.started)
    return Number(result.lastInsertRowid)
  }

  /** Changes what is given; an ended status stamps `ended_at`. */
  update(id: number, fields: { status?: AutoStatus; phase?: AutoPhase; studyId?: number; finalRunId?: number; usedMs?: number; result?: AutoResult; error?: string | null }): void {
    const sets: string[] = []
    const values: unknown[] = []
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (fields.status !== undefined) {
      put('status', fields.status)
      sets.push(['completed', 'stopped', 'failed'].includes(fields.status) ? "ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : 'ended_at = NULL')
    }
    if (fields.phase !== undefined) put('phase', fields.phase)
    if (fields.studyId !== undefined) put('study_id', fields.studyId)
    if (fields.finalRunId !== undefined) put('final_run_id', fields.finalRunId)
    if (fields.usedMs !== undefined) put('used_ms', Math.round(fields.usedMs))
    if (fields.result !== undefined) put('result_json', JSON.stringify(fields.result))
    if (fields.error !== undefined) put('error', fields.error)
    if (sets.length) this.#db.prepare(`UPDATE auto_searches SET ${sets.join(', ')} WHERE id = ?`).run(...values, id)
  }

  /** Marks search `id` as driven by this process (see interruptOrphans). */
  claim(id: number): void {
    const owner = currentOwner()
    this.#db.prepare('UPDATE auto_searches SET owner_pid = ?, owner_started = ? WHERE id = ?').run(owner.pid, owner.started, id)
  }

  /** Searches left searching or training (or paused with their final Run) by a process that is gone become `interrupted`; one paused mid-search stays paused (nothing of it was running). */
  interruptOrphans(): number {
    const active = this.#db.prepare("SELECT id, owner_pid, owner_started FROM auto_searches WHERE status IN ('searching', 'training') OR (status = 'paused' AND phase = 'final')").all() as {
      id: number
      owner_pid: number | null
      owner_started: string | null
    }[]
    const orphans = active.filter((s) => !ownerAlive(s.owner_pid, s.owner_started))
    const interrupt = this.#db.prepare("UPDATE auto_searches SET status = 'interrupted' WHERE id = ?")
    this.#db.transaction(() => orphans.forEach((s) => interrupt.run(s.id)))()
    return orphans.length
  }

  get(id: number): AutoRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM auto_searches WHERE id = ?').get(id) as Row | undefined
    return row && record(row)
  }

  /** Newest first. */
  list(): AutoRecord[] {
    return (this.#db.prepare('SELECT * FROM auto_searches ORDER BY id DESC').all() as Row[]).map(record)
  }
}

function record(row: Row): AutoRecord {
  const plan = JSON.parse(row.plan_json) as AutoPlan
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    datasetId: row.dataset_id,
    status: row.status,
    phase: row.phase,
    budgetMs: row.budget_ms,
    budgetMinutes: row.budget_ms / 60_000,
    usedMs: row.used_ms,
    studyId: row.study_id,
    finalRunId: row.final_run_id,
    family: plan.family,
    reasons: plan.reasons,
    plan,
    result: row.result_json ? (JSON.parse(row.result_json) as AutoResult) : null,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    error: row.error
  }
}
