/** The history repository: find Runs (filters, full-text search, sort, pages), annotate and delete them. */
import type { HistoryPage, HistoryQuery, HistoryRun, HistorySortKey, ModelName, RunStatus, TrainingConfig, Verdict } from '../contract'
import type { Db } from './db'

interface HistoryRow {
  id: number
  name: string
  status: RunStatus
  dataset_id: number | null
  dataset_name: string | null
  study_id: number | null
  model: ModelName | null
  epochs: number | null
  backend: string | null
  epochs_done: number
  val_accuracy: number | null
  val_loss: number | null
  test_accuracy: number | null
  pruned: number
  images_per_second: number | null
  created_at: string
  duration_ms: number | null
  error: string | null
  notes: string
  tags: string | null
  seed: number
  verdict: string | null
}

// Runs without the value sort last whichever the direction; ties go by id so pages are stable.
const SORT_COLUMNS: Record<HistorySortKey, string> = {
  createdAt: 'r.created_at',
  name: 'r.name COLLATE NOCASE',
  durationMs: 'r.duration_ms',
  valAccuracy: 'r.val_accuracy',
  valLoss: 'r.val_loss',
  imagesPerSecond: 'r.images_per_second'
}

const ROW_COLUMNS = `r.id, r.name, r.status, r.dataset_id, d.name AS dataset_name, r.study_id, r.model,
  json_extract(r.config_json, '$.epochs') + CASE WHEN coalesce(json_extract(r.config_json, '$.fineTuneBlocks'), 0) > 0 THEN coalesce(json_extract(r.config_json, '$.fineTuneEpochs'), 0) ELSE 0 END AS epochs, r.backend, r.val_accuracy, r.val_loss, r.images_per_second,
  CASE WHEN json_extract(r.summary_json, '$.evaluation.split') = 'test' THEN json_extract(r.summary_json, '$.evaluation.accuracy') END AS test_accuracy,
  r.created_at, r.duration_ms, r.error, r.notes, r.seed, json_extract(r.summary_json, '$.verdict') AS verdict,
  EXISTS (SELECT 1 FROM trials t WHERE t.study_id = r.study_id AND t.run_id = r.id AND t.status = 'pruned') AS pruned,
  (SELECT count(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_done,
  (SELECT group_concat(t.tag, char(31)) FROM (SELECT tag FROM tags WHERE run_id = r.id ORDER BY tag) t) AS tags`

/** Statuses of a Run whose worker may be writing it. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused']

/** Runs as the History screen and `osprey runs` see them. Synchronous, like the database. */
export class HistoryRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  /** One page of the Runs matching `q`, and how many match in all. */
  query(q: HistoryQuery = {}): HistoryPage {
    const { where, params } = whereClause(q)
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000)
    const offset = Math.max(q.offset ?? 0, 0)
    const total = this.#db.prepare(`SELECT count(*) FROM runs r ${where}`).pluck().get(params) as number
    // Pick the page's ids first, so the per-row subqueries (tags, Epochs done) run for its rows only.
    const page = `SELECT r.id FROM runs r ${where} ${orderBy(q)} LIMIT @limit OFFSET @offset`
    const rows = this.#db
      .prepare(`SELECT ${ROW_COLUMNS} FROM (${page}) p JOIN runs r ON r.id = p.id LEFT JOIN datasets d ON d.id = r.dataset_id ${orderBy(q)}`)
      .all({ ...params, limit, offset }) as HistoryRow[]
    return { runs: rows.map(toHistoryRun), total, offset }
  }

  /** Every Run matching `q` (no paging), in its order, with its config and dataset fingerprint: for export. */
  all(q: HistoryQuery = {}, ids?: number[]): (HistoryRun & { config: TrainingConfig; fingerprint: string })[] {
    const { where, params } = whereClause(q)
    const only = ids?.length ? `${where ? ' AND' : 'WHERE'} r.id IN (SELECT value FROM json_each(@ids))` : ''
    const rows = this.#db
      .prepare(`SELECT ${ROW_COLUMNS}, r.config_json, r.fingerprint FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id ${where}${only} ${orderBy(q)}`)
      .all({ ...params, ...(only ? { ids: JSON.stringify(ids) } : {}) }) as (HistoryRow & { config_json: string; fingerprint: string })[]
    return rows.map((r) => ({ ...toHistoryRun(r), config: JSON.parse(r.config_json) as TrainingConfig, fingerprint: r.fingerprint }))
  }

  /** One Run as the list shows it. */
  get(id: number): HistoryRun | undefined {
    const row = this.#db.prepare(`SELECT ${ROW_COLUMNS} FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?`).get(id) as HistoryRow | undefined
    return row && toHistoryRun(row)
  }

  /** Renames a Run; false when there is no such Run. */
  rename(id: number, name: string): boolean {
    return this.#db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id).changes > 0
  }

  /** Replaces a Run's notes; false when there is no such Run. */
  setNotes(id: number, notes: string): boolean {
    return this.#db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(notes, id).changes > 0
  }

  /** Adds a tag (once). */
  tag(id: number, tag: string): void {
    this.#db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)').run(id, tag)
  }

  /** Removes a tag; false when the Run did not carry it. */
  untag(id: number, tag: string): boolean {
    return this.#db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?').run(id, tag).changes > 0
  }

  /** Every tag in use and how many Runs carry it, most used first. */
  tags(): { tag: string; runs: number }[] {
    return this.#db.prepare('SELECT tag, count(*) AS runs FROM tags GROUP BY tag ORDER BY runs DESC, tag').all() as { tag: string; runs: number }[]
  }

  /** The files a Run produced, relative to the data folder. */
  artifactPaths(id: number): string[] {
    return this.artifacts(id).map((a) => a.path)
  }

  /** The artifacts rows of a Run, oldest first. */
  artifacts(id: number): { kind: string; path: string; bytes: number | null }[] {
    return this.#db.prepare('SELECT kind, path, bytes FROM artifacts WHERE run_id = ? ORDER BY id').all(id) as { kind: string; path: string; bytes: number | null }[]
  }

  /**
   * Deletes a Run with its Epochs, Iterations, artifacts rows and tags (ON DELETE CASCADE), in one
   * transaction; a Run that may still be training is left alone. Returns whether a row went.
   */
  delete(id: number): boolean {
    const placeholders = ACTIVE_STATUSES.map(() => '?').join(', ')
    return this.#db.transaction(() => this.#db.prepare(`DELETE FROM runs WHERE id = ? AND status NOT IN (${placeholders})`).run(id, ...ACTIVE_STATUSES).changes > 0)()
  }
}

/** Turns free text into an FTS5 query: every word must appear, each as a prefix. */
export function searchExpression(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? []
  return words.length ? words.map((w) => `"${w}"*`).join(' ') : null
}

function whereClause(q: HistoryQuery): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = []
  const params: Record<string, unknown> = {}
  const add = (clause: string, values: Record<string, unknown> = {}) => {
    clauses.push(clause)
    Object.assign(params, values)
  }
  const search = q.search ? searchExpression(q.search) : null
  if (search) add('r.id IN (SELECT rowid FROM runs_search WHERE runs_search MATCH @search)', { search })
  if (q.datasetId !== undefined) add('r.dataset_id = @datasetId', { datasetId: q.datasetId })
  if (q.model) add('r.model = @model', { model: q.model })
  if (q.backend) add('r.backend = @backend', { backend: q.backend })
  if (q.studyId !== undefined) add('r.study_id = @studyId', { studyId: q.studyId })
  if (q.ids) add('r.id IN (SELECT value FROM json_each(@onlyIds))', { onlyIds: JSON.stringify(q.ids) })
  if (q.tag) add('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = @tag)', { tag: q.tag })
  if (q.status?.length) {
    const names = q.status.map((s, i) => [`status${i}`, s] as const)
    add(`r.status IN (${names.map(([n]) => `@${n}`).join(', ')})`, Object.fromEntries(names))
  }
  if (q.from) add('r.created_at >= @from', { from: q.from })
  // A bare date as the end includes that whole day.
  if (q.to) add('r.created_at < @to', { to: /^\d{4}-\d{2}-\d{2}$/.test(q.to) ? `${q.to}T99` : q.to })
  if (q.metric) {
    const column = q.metric.name === 'valAccuracy' ? 'r.val_accuracy' : 'r.val_loss'
    if (q.metric.min !== undefined) add(`${column} >= @metricMin`, { metricMin: q.metric.min })
    if (q.metric.max !== undefined) add(`${column} <= @metricMax`, { metricMax: q.metric.max })
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

function orderBy(q: HistoryQuery): string {
  const by = q.sort?.by ?? 'createdAt'
  const direction = (q.sort?.direction ?? 'desc') === 'asc' ? 'ASC' : 'DESC'
  return `ORDER BY ${SORT_COLUMNS[by]} ${direction} NULLS LAST, r.id ${direction}`
}

function toHistoryRun(r: HistoryRow): HistoryRun {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    studyId: r.study_id,
    model: (r.model ?? 'reference-cnn') as ModelName,
    backend: r.backend,
    epochsDone: r.epochs_done,
    epochs: r.epochs ?? 0,
    valAccuracy: r.val_accuracy,
    valLoss: r.val_loss,
    testAccuracy: r.test_accuracy,
    pruned: r.pruned === 1,
    imagesPerSecond: r.images_per_second,
    createdAt: r.created_at,
    durationMs: r.duration_ms,
    error: r.error,
    notes: r.notes,
    tags: r.tags ? r.tags.split('\u001f') : [],
    seed: r.seed,
    verdict: r.verdict ? (JSON.parse(r.verdict) as Verdict) : null
  }
}
