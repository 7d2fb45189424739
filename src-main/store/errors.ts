/**
 * SQLite failures a user can act on, in plain language. Returned as a plain CommandError, not an
 * OspreyError: ../errors.ts reads this file, and importing it back would make a circle.
 */
import type { CommandError } from '../contract'

/** What to tell the user about a storage failure they can fix (a full disk, a read-only folder), or undefined. */
export function storageError(e: unknown): CommandError | undefined {
  const code = String((e as { code?: unknown })?.code ?? '')
  if (code === 'SQLITE_FULL') {
    return { code: 'internal', message: 'The disk holding the Osprey data folder is full, so this could not be saved. Free some space and try again; everything saved before is kept.' }
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return { code: 'internal', message: 'The Osprey data folder cannot be written to (read-only). Check its permissions, or choose another with --data-dir / OSPREY_DATA_DIR.' }
  }
  return undefined
}
