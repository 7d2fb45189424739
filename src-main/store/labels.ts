/** The label checks repository: each Dataset's last check, and the user's decision about an image. */
import type { LabelCheckResult } from '../contract'
import type { Db } from './db'

/** What the user decided about an image the check flagged. */
export type LabelDecision = 'exclude' | 'keep'

/** Label checks and reviews in SQLite. Synchronous, like the database. */
export class LabelRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  /** Keeps `result` as the Dataset's last check (of the folder as it was at `fingerprint`). */
  saveCheck(datasetId: number, fingerprint: string, result: LabelCheckResult): void {
    this.#db.prepare('INSERT OR REPLACE INTO label_checks (dataset_id, fingerprint, result_json) VALUES (?, ?, ?)').run(datasetId, fingerprint, JSON.stringify(result))
  }

  /** The Dataset's last check, with when and on which fingerprint. */
  check(datasetId: number): { result: LabelCheckResult; fingerprint: string; checkedAt: string } | null {
    const row = this.#db.prepare('SELECT result_json, fingerprint, checked_at FROM label_checks WHERE dataset_id = ?').get(datasetId) as
      { result_json: string; fingerprint: string; checked_at: string } | undefined
    if (!row) return null
    // Checks saved before the check could train CNNs named the backbone that judged them.
    const { backbone, ...result } = JSON.parse(row.result_json) as LabelCheckResult & { backbone?: string }
    return { result: { ...result, model: result.model ?? backbone }, fingerprint: row.fingerprint, checkedAt: row.checked_at }
  }

  /** Records (or, with null, forgets) the decision about `path`. */
  review(datasetId: number, path: string, decision: LabelDecision | null): void {
    if (decision === null) this.#db.prepare('DELETE FROM label_reviews WHERE dataset_id = ? AND path = ?').run(datasetId, path)
    else this.#db.prepare('INSERT OR REPLACE INTO label_reviews (dataset_id, path, decision) VALUES (?, ?, ?)').run(datasetId, path, decision)
  }

  /** Every decision about the Dataset's images, by path. */
  decisions(datasetId: number): Map<string, LabelDecision> {
    const rows = this.#db.prepare('SELECT path, decision FROM label_reviews WHERE dataset_id = ? ORDER BY path').all(datasetId) as { path: string; decision: LabelDecision }[]
    return new Map(rows.map((r) => [r.path, r.decision]))
  }
}
