/** Opens the SQLite history database: WAL, foreign keys, numbered migrations. */
import Database from 'better-sqlite3'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { resourcesDir } from '../paths'
import { ensurePrivateFile, PRIVATE_FOLDER } from './private'

/** The synchronous database handle every repository takes. */
export type Db = Database.Database

/** Options for opening the database. */
export interface OpenOptions {
  readonly?: boolean
  /** Path of a better-sqlite3 binary built for this runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string
  migrationsDir?: string
}

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly) {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_FOLDER })
    ensurePrivateFile(file) // the history is the user's alone
  }
  const db = new Database(file, { readonly: options.readonly ?? false, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) })
  db.pragma('busy_timeout = 5000')
  if (!options.readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    migrate(db, options.migrationsDir ?? join(resourcesDir(), 'migrations'))
  }
  db.pragma('foreign_keys = ON')
  return db
}

/** One migration file: `NNN_name.sql`. */
interface Migration {
  version: number
  name: string
  sql: string
}

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .map((f) => ({ version: Number(f.split('_')[0]), name: f, sql: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version)
}

/** Applies every migration not yet recorded in `migrations`, each in its own transaction. */
export function migrate(db: Db, dir: string): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`)
  const applied = new Set(db.prepare('SELECT version FROM migrations').pluck().all() as number[])
  const record = db.prepare('INSERT INTO migrations (version, name) VALUES (?, ?)')
  const done: number[] = []
  for (const m of readMigrations(dir)) {
    if (applied.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name)
    })()
    done.push(m.version)
  }
  return done
}
