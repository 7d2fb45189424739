/**
 * The data folder holds the history, models and decoded copies of the user's images: it is the
 * user's alone. Created with mode 700; one made readable to others by an earlier version is made
 * private again (when it is ours to change). Files in it are created 600: the database here,
 * everything a job worker writes through its umask (jobs/worker.ts), caches with an explicit mode.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { OspreyError } from '../errors'

/** Mode of the data folder and the folders in it. */
export const PRIVATE_FOLDER = 0o700
/** Mode of the files in the data folder. */
export const PRIVATE_FILE = 0o600

/** Creates `dir` private, or makes an existing one private; returns what the user should be told. */
export function ensurePrivateFolder(dir: string): string[] {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER })
  } catch (e) {
    throw new OspreyError(
      'bad-input',
      `Osprey cannot keep its data in ${dir}: ${whyNot(e as NodeJS.ErrnoException)}. Choose another data folder (--data-dir DIR or OSPREY_DATA_DIR); it is created if missing.`
    )
  }
  if (!tighten(dir, PRIVATE_FOLDER)) return []
  return [`The data folder ${dir} could be read by other users of this machine; Osprey made it private (only you can open it now).`]
}

function whyNot(e: NodeJS.ErrnoException): string {
  if (e.code === 'EEXIST' || e.code === 'ENOTDIR') return 'it, or a folder above it, is a file'
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied'
  if (e.code === 'EROFS') return 'the disk is read-only'
  if (e.code === 'ENOSPC') return 'the disk is full'
  return e.message
}

/** Creates `file` empty with mode 600 if it does not exist, else makes it (and its SQLite
 *  -wal and -shm, if any) 600; SQLite gives the -wal and -shm it creates the database's own mode. */
export function ensurePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE))
  } catch {
    for (const suffix of ['', '-wal', '-shm']) tighten(file + suffix, PRIVATE_FILE)
  }
}

/** Sets `mode` on `path` when it is ours and others can reach it; true when it changed. Not on Windows (no such modes). */
function tighten(path: string, mode: number): boolean {
  if (process.platform === 'win32') return false
  const info = statSync(path, { throwIfNoEntry: false })
  if (!info || info.uid !== process.getuid?.() || (info.mode & 0o077) === 0) return false
  chmodSync(path, mode)
  return true
}
