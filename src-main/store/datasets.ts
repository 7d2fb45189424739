/** The datasets repository: scanned folders, their last report and their file manifests. */
import type { DatasetListItem, DatasetReport } from '../contract'
import type { FileEntry } from '../datasets/inspect'
import { BLOCKING_KINDS } from '../datasets/problems'
import type { Db } from './db'

interface FileRow {
  path: string
  class: string | null
  size: number
  mtime_ms: number
  hash: string | null
  format: string | null
  width: number | null
  height: number | null
  space: string | null
  has_alpha: number | null
  problem: FileEntry['problem']
  message: string | null
}

/** Datasets in SQLite. Synchronous, like the database. */
export class DatasetRepository {
  #db: Db
  constructor(db: Db) {
    this.#db = db
  }

  /** The id of the dataset at `path`, if it was seen before. */
  idOf(path: string): number | undefined {
    return this.#db.prepare('SELECT id FROM datasets WHERE path = ?').pluck().get(path) as number | undefined
  }

  /** The id of the dataset at `path`, creating its row (without a report yet) when new. */
  ensure(path: string, name: string): number {
    this.#db.prepare("INSERT INTO datasets (path, name, fingerprint, images, report_json, scanned_at) VALUES (?, ?, '', 0, NULL, NULL) ON CONFLICT(path) DO NOTHING").run(path, name)
    return this.idOf(path)!
  }

  /** Every file recorded for a dataset, keyed by path. */
  manifest(id: number): Map<string, FileEntry> {
    const rows = this.#db.prepare('SELECT * FROM dataset_files WHERE dataset_id = ?').all(id) as FileRow[]
    return new Map(rows.map((r) => [r.path, fromRow(r)]))
  }

  /** Upserts `entries` and deletes `removed` paths, in one transaction (keep the slices small). */
  writeFiles(id: number, entries: FileEntry[], removed: string[]): void {
    const upsert = this.#db.prepare(`INSERT OR REPLACE INTO dataset_files
      (dataset_id, path, class, size, mtime_ms, hash, format, width, height, space, has_alpha, problem, message)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const remove = this.#db.prepare('DELETE FROM dataset_files WHERE dataset_id = ? AND path = ?')
    this.#db.transaction(() => {
      for (const e of entries) {
        upsert.run(id, e.path, e.class, e.size, e.mtimeMs, e.hash, e.format, e.width, e.height, e.space, e.hasAlpha === null ? null : Number(e.hasAlpha), e.problem, e.message)
      }
      for (const path of removed) remove.run(id, path)
    })()
  }

  /** The name a Dataset goes by (its folder's, or one the user gave it). */
  name(id: number): string | undefined {
    return this.#db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(id) as string | undefined
  }

  /** Renames a Dataset (its report says the new name too); false when there is no such Dataset. */
  rename(id: number, name: string): boolean {
    return (
      this.#db.prepare("UPDATE datasets SET name = ?, report_json = CASE WHEN report_json IS NULL THEN NULL ELSE json_set(report_json, '$.name', ?) END WHERE id = ?").run(name, name, id).changes > 0
    )
  }

  /** Records a finished scan's report as the dataset's current state. */
  saveReport(report: DatasetReport): void {
    this.#db
      .prepare('UPDATE datasets SET name = ?, fingerprint = ?, images = ?, report_json = ?, scanned_at = ? WHERE id = ?')
      .run(report.name, report.fingerprint, report.images, JSON.stringify(report), report.scannedAt, report.id)
  }

  /** The last report of a dataset. */
  get(id: number): DatasetReport | undefined {
    const json = this.#db.prepare('SELECT report_json FROM datasets WHERE id = ? AND report_json IS NOT NULL').pluck().get(id) as string | undefined
    return json ? (JSON.parse(json) as DatasetReport) : undefined
  }

  /** Where a scanned Dataset is and its fingerprint, without reading its whole report. */
  source(id: number): { name: string; path: string; fingerprint: string } | undefined {
    return this.#db.prepare('SELECT name, path, fingerprint FROM datasets WHERE id = ? AND report_json IS NOT NULL').get(id) as { name: string; path: string; fingerprint: string } | undefined
  }

  /** Every scanned dataset, most recently scanned first. */
  list(): DatasetListItem[] {
    const rows = this.#db
      .prepare(
        `SELECT id, name, path, images, fingerprint, scanned_at AS scannedAt,
          (SELECT count(*) FROM json_each(report_json, '$.classes') WHERE json_extract(value, '$.count') > 0) AS classes,
          (SELECT count(*) FROM json_each(report_json, '$.problems') WHERE json_extract(value, '$.severity') = 'error') AS errors,
          (SELECT count(*) FROM json_each(report_json, '$.problems') WHERE json_extract(value, '$.severity') = 'warning') AS warnings,
          (SELECT json_extract(value, '$.message') FROM json_each(report_json, '$.problems') WHERE json_extract(value, '$.kind') IN (${BLOCKING_KINDS.map((k) => `'${k}'`).join(', ')}) LIMIT 1) AS blocking
        FROM datasets WHERE report_json IS NOT NULL ORDER BY scanned_at DESC, id DESC`
      )
      .all() as (Omit<DatasetListItem, 'untrainable'> & { blocking: string | null })[]
    // As whyUntrainable says it, without reading each whole report.
    return rows.map(({ blocking, ...d }) => ({ ...d, untrainable: blocking ?? (d.images === 0 ? 'its class folders have no usable images.' : null) }))
  }

  /** Usable files of a dataset (no problem, inside a class), in path order. */
  usableFiles(id: number): { path: string; class: string; hash: string }[] {
    return this.#db.prepare('SELECT path, class, hash FROM dataset_files WHERE dataset_id = ? AND problem IS NULL AND class IS NOT NULL ORDER BY path').all(id) as {
      path: string
      class: string
      hash: string
    }[]
  }

  /** Forgets a dataset and its manifest. Runs that used it keep their own records. */
  forget(id: number): boolean {
    return this.#db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0
  }
}

function fromRow(r: FileRow): FileEntry {
  return {
    path: r.path,
    class: r.class,
    size: r.size,
    mtimeMs: r.mtime_ms,
    hash: r.hash,
    format: r.format,
    width: r.width,
    height: r.height,
    space: r.space,
    hasAlpha: r.has_alpha === null ? null : r.has_alpha === 1,
    problem: r.problem,
    message: r.message
  }
}
