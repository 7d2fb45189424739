/** What the screens say when a command fails: one sentence, shown where the user is looking. */
import { ApiError } from './api'

/** Something to tell the user: an error, or plain news such as "Scan cancelled." */
export interface Message {
  tone: 'error' | 'info'
  text: string
}

/** A command's failure as a sentence for the user. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message || 'Something went wrong.'
  return 'Something went wrong.'
}

/**
 * Runs `action`; when it fails, its sentence goes to `show` (a state class's error line) instead
 * of escaping to the page. Resolves with the action's value, or undefined when it failed.
 */
export async function showingErrors<T>(action: () => Promise<T>, show: (message: string) => void): Promise<T | undefined> {
  try {
    return await action()
  } catch (error) {
    show(describeError(error))
    return undefined
  }
}
