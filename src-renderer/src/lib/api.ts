/**
 * The contract client. In the desktop app the preload bridge (`window.osprey`) is present;
 * in a browser served by `osprey serve` the same contract travels over a WebSocket.
 */
import type { CommandError, CommandName, CommandResult, EventName, Events, OspreyApi, Request, Response } from '../../../src-main/contract'

/** The preload bridge, when running inside Electron. */
interface Bridge extends OspreyApi {
  pathForFile(file: File): string
}

declare global {
  interface Window {
    osprey?: Bridge
  }
}

/** An error a command failed with, carrying the contract's code. */
export class ApiError extends Error {
  code: CommandError['code']
  issues?: string[]
  constructor(error: CommandError) {
    super(error.message)
    this.code = error.code
    this.issues = error.issues
  }
}

type Listener = (payload: never) => void

const TOKEN_KEY = 'osprey-token'

/** What to do when the socket cannot be used: the likely causes, and where the token comes from. */
export const ACCESS_HELP = 'Open the URL that `osprey serve` printed; it carries the access token. If you did, check that `osprey serve` is still running.'

/**
 * The access token of `osprey serve`. The printed URL carries it in the fragment (#token=…),
 * which browsers never send to a server; it moves into this tab's sessionStorage (a reload keeps
 * working) and out of the address bar. Never a cookie: cookies reach every port of 127.0.0.1.
 */
export function accessToken(): string | null {
  const found = /(?:^#|&)token=([\w-]+)/.exec(location.hash)
  if (found) {
    sessionStorage.setItem(TOKEN_KEY, found[1])
    history.replaceState(history.state, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

/** The contract over a WebSocket to `/api` (the serve transport); reconnects when dropped. */
class SocketClient implements OspreyApi {
  #socket: Promise<WebSocket> | null = null
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  #listeners = new Map<string, Set<Listener>>()
  #nextId = 1

  #connect(): Promise<WebSocket> {
    if (this.#socket) return this.#socket
    this.#socket = new Promise((resolve, reject) => {
      const token = accessToken()
      if (!token) {
        this.#socket = null
        return reject(new ApiError({ code: 'unsupported', message: ACCESS_HELP }))
      }
      // The token goes to the socket explicitly; the page and its assets carry no data and need none.
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`
      const ws = new WebSocket(url)
      ws.onopen = () => resolve(ws)
      ws.onerror = () => reject(new ApiError({ code: 'internal', message: `Cannot reach the Osprey server. ${ACCESS_HELP}` }))
      ws.onclose = (event) => {
        this.#socket = null
        const message = event.code === 1009 ? 'A request was larger than the Osprey server accepts (1 MiB), so it closed the connection.' : 'The connection to the Osprey server was lost.'
        for (const { reject: fail } of this.#pending.values()) fail(new ApiError({ code: 'internal', message }))
        this.#pending.clear()
        // Reconnect so that events keep arriving after a server restart.
        if (this.#listeners.size) setTimeout(() => this.#connect().catch(() => {}), 1000)
      }
      ws.onmessage = (message) => this.#receive(JSON.parse(String(message.data)))
    })
    return this.#socket
  }

  #receive(message: { id?: number; result?: CommandResult<CommandName>; event?: string; payload?: unknown }): void {
    if (message.id !== undefined && message.result) {
      const waiting = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (!waiting) return
      if (message.result.ok) waiting.resolve(message.result.value)
      else waiting.reject(new ApiError(message.result.error))
    } else if (message.event) {
      for (const listener of this.#listeners.get(message.event) ?? []) listener(message.payload as never)
    }
  }

  async invoke<C extends CommandName>(command: C, request: Request<C>): Promise<Response<C>> {
    const ws = await this.#connect()
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      ws.send(JSON.stringify({ id, command, request }))
    })
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set()
    set.add(listener as Listener)
    this.#listeners.set(event, set)
    this.#connect().catch(() => {})
    return () => set.delete(listener as Listener)
  }
}

/** Wraps the Electron bridge so that its errors carry codes like the socket's. */
function bridgeClient(bridge: Bridge): OspreyApi {
  return {
    invoke: (command, request) =>
      bridge.invoke(command, request).catch((e: CommandError) => {
        throw new ApiError({ code: e.code ?? 'internal', message: e.message, issues: e.issues })
      }),
    on: (event, listener) => bridge.on(event, listener)
  }
}

/** The client for this window: Electron's bridge when present, else the WebSocket (which connects on first use, so this module also loads outside a page, in tests). */
export const api: OspreyApi = typeof window !== 'undefined' && window.osprey ? bridgeClient(window.osprey) : new SocketClient()

/** The filesystem path of a dropped File, where the transport can know it (Electron only). */
export function pathForFile(file: File): string | null {
  return (typeof window !== 'undefined' && window.osprey?.pathForFile(file)) || null
}
