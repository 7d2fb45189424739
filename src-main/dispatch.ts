/**
 * The one entry point both transports call: validate the request against its schema,
 * run the handler, and turn any failure into a CommandError. Never throws.
 */
import type { CommandName, CommandResult, Commands, Request, Response } from './contract'
import { toCommandError } from './errors'
import { describeIssues, requestSchemas } from './schemas'

/** A handler per command; each transport may add its own (e.g. the Electron dialog). */
export type Handlers = { [C in CommandName]: (request: Request<C>) => Promise<Response<C>> | Response<C> }

/** Runs a command arriving from outside the process; `command` and `request` are untrusted. */
export type Dispatch = (command: unknown, request: unknown) => Promise<CommandResult<CommandName>>

/** Builds the dispatcher over `handlers`. */
export function createDispatch(handlers: Handlers): Dispatch {
  return async (command, request) => {
    if (typeof command !== 'string' || !Object.hasOwn(requestSchemas, command)) {
      return { ok: false, error: { code: 'unknown-command', message: `Unknown command: ${String(command)}.` } }
    }
    const name = command as CommandName
    const parsed = requestSchemas[name].safeParse(request ?? {})
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      return { ok: false, error: { code: 'invalid-request', message: `Invalid request for ${name}: ${issues.join('; ')}`, issues } }
    }
    try {
      const handler = handlers[name] as (r: unknown) => Promise<Commands[CommandName]['response']>
      return { ok: true, value: await handler(parsed.data) }
    } catch (e) {
      return { ok: false, error: toCommandError(e) }
    }
  }
}
