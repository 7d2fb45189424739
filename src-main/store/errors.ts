/** SQLite failures a user can act on, as plain-language OspreyErrors. */
import { OspreyError } from '../errors'

/** The OspreyError for a storage failure the user can fix (a full disk), or undefined. */
export function storageError(e: unknown): OspreyError | undefined {
  const code = String((e as { code?: unknown })?.code ?? '')
  if (code === 'SQLITE_FULL') {
    return new OspreyError('internal', 'The disk holding the Osprey data folder is full, so this could not be saved. Free some space and try again; everything saved before is kept.')
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new OspreyError('internal', 'The Osprey data folder cannot be written to (read-only). Check its permissions, or choose another with --data-dir / OSPREY_DATA_DIR.')
  }
  return undefined
}
