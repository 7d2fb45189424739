/**
 * An in-memory contract client for the renderer's state classes: each command answers from a
 * handler the test gives (or fails with not-found), and the test pushes events by hand, so a state
 * class can be driven through any order of answers and events without a server.
 */
import type { CommandName, EventName, Events, OspreyApi, Request, Response } from '../../src-main/contract'

type Handler<C extends CommandName> = (request: Request<C>) => Response<C> | Promise<Response<C>>

/** A client whose commands the test answers and whose events the test sends. */
export class FakeClient implements OspreyApi {
  #handlers = new Map<CommandName, Handler<CommandName>>()
  #listeners = new Map<EventName, Set<(payload: never) => void>>()
  /** Every command invoked, in order. */
  readonly calls: { command: CommandName; request: unknown }[] = []

  /** Answers `command` with `handler` from now on. */
  answer<C extends CommandName>(command: C, handler: Handler<C>): this {
    this.#handlers.set(command, handler as unknown as Handler<CommandName>)
    return this
  }

  async invoke<C extends CommandName>(command: C, request: Request<C>): Promise<Response<C>> {
    this.calls.push({ command, request })
    const handler = this.#handlers.get(command)
    if (!handler) throw Object.assign(new Error(`No answer for ${command} in this test.`), { code: 'not-found' })
    return (await handler(request)) as Response<C>
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set()
    set.add(listener as (payload: never) => void)
    this.#listeners.set(event, set)
    return () => set.delete(listener as (payload: never) => void)
  }

  /** Pushes an event to every listener, as the server would. */
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (p: Events[E]) => void)(payload)
  }

  /** The requests made with `command`. */
  requests<C extends CommandName>(command: C): Request<C>[] {
    return this.calls.filter((c) => c.command === command).map((c) => c.request as Request<C>)
  }
}

/** Lets pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
