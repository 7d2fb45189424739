/**
 * Opening the history database when it may be damaged: a file SQLite cannot read is renamed
 * aside (`osprey.db.corrupt-<time>`, with its -wal and -shm), never deleted, and a fresh database
 * is started; the returned notice tells the user where the old file is. The Runs' folder goes
 * aside with it (`runs.corrupt-<time>`): the fresh database numbers Runs from 1 again, and its
 * Run 1 must not write into the old Run 1's files.
 */
import { existsSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { openDatabase, type Db, type OpenOptions } from './db'

/** SQLite's codes for a file that is not (or no longer) a readable database. */
const DAMAGED = /^SQLITE_(CORRUPT|NOTADB)/

/** The database, and what the user must be told about how it was opened. */
export interface OpenedHistory {
  db: Db
  notices: string[]
}

/** Opens `file`; when it is damaged, keeps it aside as a backup and starts a fresh one. */
export function openHistoryDatabase(file: string, options: OpenOptions = {}, now = new Date()): OpenedHistory {
  try {
    return { db: probe(openDatabase(file, options)), notices: [] }
  } catch (e) {
    if (!DAMAGED.test(String((e as { code?: unknown }).code))) throw e
    const stamp = `corrupt-${now
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z')}`
    const backup = `${file}.${stamp}`
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, backup + suffix)
    const runs = join(dirname(file), 'runs')
    const runsBackup = `${runs}.${stamp}`
    const movedRuns = existsSync(runs)
    if (movedRuns) renameSync(runs, runsBackup)
    const db = openDatabase(file, options)
    const kept = movedRuns ? `The old file is kept at ${backup}, and its Runs' files (models, checkpoints) at ${runsBackup}` : `The old file is kept at ${backup}`
    const notice = `The history database was damaged (${(e as Error).message}), so Osprey started a new, empty one. ${kept}; nothing was deleted.`
    return { db, notices: [notice] }
  }
}

/** Reads the schema and the Runs table once, so damage there shows now rather than mid-session. */
function probe(db: Db): Db {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get()
    db.prepare('SELECT count(*) FROM runs').get()
    return db
  } catch (e) {
    db.close()
    throw e
  }
}
