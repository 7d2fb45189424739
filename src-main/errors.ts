/** Errors that carry a contract ErrorCode, so every transport reports them the same way. */
import type { CommandError, ErrorCode } from './contract'
import { storageError } from './store/errors'

/** An error meant for the user: its message says what happened and what to do. */
export class OspreyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: string[]
  ) {
    super(message)
    this.name = 'OspreyError'
  }
}

/** Any thrown value as a CommandError that can cross a process or network boundary. */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof OspreyError) return { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) }
  const storage = storageError(e)
  if (storage) return storage
  if ((e as Error)?.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled.' }
  const err = e as Partial<CommandError>
  if (err && typeof err.code === 'string' && typeof err.message === 'string' && isErrorCode(err.code)) return { code: err.code, message: err.message }
  return { code: 'internal', message: `Something went wrong inside Osprey: ${(e as Error)?.message ?? String(e)}` }
}

/** Rebuilds an OspreyError from a CommandError (the other side of a boundary). */
export function fromCommandError(e: CommandError): OspreyError {
  return new OspreyError(e.code, e.message, e.issues)
}

const CODES: ErrorCode[] = ['invalid-request', 'unknown-command', 'bad-input', 'not-found', 'cancelled', 'unsupported', 'internal']
function isErrorCode(code: string): code is ErrorCode {
  return (CODES as string[]).includes(code)
}
