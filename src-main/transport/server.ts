/**
 * The serve transport: the renderer bundle over HTTP and the contract over a WebSocket at /api,
 * on 127.0.0.1 by default, behind a per-launch token; uploads and the model download under
 * /api/uploads and /api/downloads (./files.ts), behind the same token.
 *
 * The page shell (index.html and the built assets) is public: it is the same for everyone and
 * carries no data. Everything that carries data travels over /api, which needs the token. The
 * token lives in the page (the URL fragment, then sessionStorage) and is handed to the socket
 * explicitly, never in a cookie: cookies are not separated by port, so a cookie would reach every
 * other service on 127.0.0.1.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { OspreyError } from '../errors'
import type { Services } from '../services'
import { fileRoutes } from './files'

/** Where and what to serve. */
export interface ServeOptions {
  port?: number
  host?: string
  /** Serve on a host that is not a loopback address (the Host check is then off); refused otherwise. */
  allowRemote?: boolean
  rendererDir: string
  /** Fixed token (tests); a fresh random one otherwise. */
  token?: string
}

/** A running server: its URL carries the token (in the fragment, which browsers never send). */
export interface RunningServer {
  url: string
  token: string
  port: number
  close(): Promise<void>
}

/** The largest WebSocket message accepted; a bigger one closes that connection with 1009. */
export const MAX_MESSAGE_BYTES = 1024 * 1024

const LOOPBACK = ['127.0.0.1', 'localhost', '::1']
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
const NO_TOKEN = 'Osprey Studio: open the URL that `osprey serve` printed; it carries the access token.'

/** True when `host` names this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** Starts serving `services` over HTTP + WebSocket. */
export async function serve(services: Services, options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const host = options.host ?? '127.0.0.1'
  const loopback = isLoopback(host)
  if (!loopback && !options.allowRemote) {
    throw new OspreyError(
      'bad-input',
      `${host} is not a loopback address: anyone who can reach it could try the studio, and the Host check against DNS rebinding would be off. Serve on 127.0.0.1 and use an SSH tunnel, or allow it explicitly (--allow-remote).`
    )
  }

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const offered = url.searchParams.get('token') ?? bearer(req)
    return offered !== undefined && offered !== null && same(offered, token)
  }
  // A page on another site must not reach us through a name that resolves to 127.0.0.1.
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    return isLoopback(name)
  }

  const files = fileRoutes(services, refuse)
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) return refuse(res, 403, 'Forbidden host.')
    const url = parseUrl(req.url)
    if (!url) return refuse(res, 400, 'Bad request: the address is not a valid URL path.')
    if (url.pathname === '/api') return authorized(req, url) ? refuse(res, 426, 'The API is a WebSocket: connect with ws://.') : refuse(res, 401, NO_TOKEN)
    // Uploads and downloads carry data: the token, and from a browser our own page only.
    if (url.pathname.startsWith('/api/')) {
      if (!authorized(req, url)) return refuse(res, 401, NO_TOKEN)
      if (!sameOrigin(req)) return refuse(res, 403, 'Forbidden origin.')
      return files(req, res, url)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.')
    await sendFile(options.rendererDir, url.pathname, res)
  }
  const server = createServer((req, res) => {
    // No request, however malformed, may end the process: every failure is answered.
    handle(req, res).catch((e: unknown) => failed(res, e))
  })
  // A client that sends garbage or hangs up mid-request: answer if we still can, then drop it.
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy()
    const status = e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  })

  // CONNECT (a proxy's method) would otherwise be dropped without a word.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy())
    refuseUpgrade(socket, 405, 'Method Not Allowed')
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node removes its own error listener from an upgraded socket: without ours, a reset would crash us.
    socket.on('error', () => socket.destroy())
    try {
      const url = parseUrl(req.url)
      if (!url || url.pathname !== '/api') return refuseUpgrade(socket, 404, 'Not Found')
      if (!hostAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden')
      if (!authorized(req, url)) return refuseUpgrade(socket, 401, 'Unauthorized')
      if (!sameOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden')
      sockets.handleUpgrade(req, socket, head, (ws) => connect(ws))
    } catch {
      refuseUpgrade(socket, 400, 'Bad Request')
    }
  })

  const connect = (ws: WebSocket) => {
    // An oversized or malformed frame: ws has already begun closing this connection with its
    // status code (1009 too big, 1002 protocol error…); the listener only keeps the error from
    // becoming an uncaught exception.
    ws.on('error', () => {})
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const dispose = services.events.subscribe((event, payload) => send({ event, payload }))
    ws.on('close', dispose)
    ws.on('message', (data, binary) => {
      void answer(data, binary).catch((e: unknown) =>
        send({ id: null, result: { ok: false, error: { code: 'internal', message: `Something went wrong inside Osprey: ${(e as Error)?.message ?? String(e)}` } } })
      )
    })
    const answer = async (data: WebSocket.RawData, binary: boolean) => {
      let message: { id?: unknown; command?: unknown; request?: unknown } | null
      try {
        if (binary) throw new Error('binary')
        message = JSON.parse(String(data))
      } catch {
        return send({ id: null, result: { ok: false, error: { code: 'invalid-request', message: 'A message must be JSON text: { id, command, request }.' } } })
      }
      const id = typeof message?.id === 'number' || typeof message?.id === 'string' ? message.id : null
      const result = await services.dispatch(message?.command, message?.request)
      send({ id, result })
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/#token=${token}`,
    token,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const ws of sockets.clients) ws.terminate()
        sockets.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The request's path and query, or null when it cannot be read as a URL. */
function parseUrl(raw: string | undefined): URL | null {
  try {
    // A path must start with one slash; "//x" would be read as a host name.
    if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return null
    return new URL(raw, 'http://osprey.invalid')
  } catch {
    return null
  }
}

/** A browser's socket must come from our own page; an opaque origin ("null") or another site is refused. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true // not a browser: scripts hold the token themselves
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

async function sendFile(root: string, pathname: string, res: ServerResponse): Promise<void> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname)
  } catch {
    return refuse(res, 400, 'Bad request: the address has a malformed %-escape.')
  }
  if (decoded.includes('\0')) return refuse(res, 400, 'Bad request: the address holds a NUL character.')
  const relative = normalize(decoded).replace(/^([/\\])+/, '')
  const file = join(root, relative)
  if (relative.startsWith('..') || !file.startsWith(root + sep)) return refuse(res, 404, 'Not found.')
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return refuse(res, 404, 'Not found.')
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable'
  })
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(message)
}

/** An unexpected failure while answering: a 500 if nothing was sent yet, else the connection ends. */
function failed(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.destroy()
  refuse(res, 500, `Osprey could not answer this request: ${(e as Error)?.message ?? String(e)}`)
}

/** Refuses a WebSocket upgrade with a plain HTTP status. */
function refuseUpgrade(socket: Socket, status: number, reason: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  else socket.destroy()
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? ''
  return header.startsWith('Bearer ') ? header.slice(7) : undefined
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
