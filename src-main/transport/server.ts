/**
 * The serve transport: the renderer bundle over HTTP and the contract over a WebSocket at /api,
 * on 127.0.0.1 by default, behind a per-launch token. Without the token every request is refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Services } from '../services'

/** Where and what to serve. */
export interface ServeOptions {
  port?: number
  host?: string
  rendererDir: string
  /** Fixed token (tests); a fresh random one otherwise. */
  token?: string
}

/** A running server: its URL carries the token. */
export interface RunningServer {
  url: string
  token: string
  port: number
  close(): Promise<void>
}

const COOKIE = 'osprey_token'
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
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Starts serving `services` over HTTP + WebSocket. */
export async function serve(services: Services, options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const host = options.host ?? '127.0.0.1'
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host)

  const authorized = (req: IncomingMessage): boolean => {
    const url = new URL(req.url ?? '/', 'http://x')
    const offered = url.searchParams.get('token') ?? cookie(req, COOKIE) ?? bearer(req)
    return offered !== undefined && same(offered, token)
  }
  // A page on another site must not reach us through a name that resolves to 127.0.0.1.
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    return ['127.0.0.1', 'localhost', '::1'].includes(name)
  }

  const server = createServer((req, res) => {
    if (!hostAllowed(req)) return refuse(res, 403, 'Forbidden host.')
    if (!authorized(req)) return refuse(res, 401, 'Osprey Studio: open the URL that `osprey serve` printed; it carries the access token.')
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.searchParams.has('token')) {
      // Keep the token in an HttpOnly cookie and out of the address bar and history.
      url.searchParams.delete('token')
      res.writeHead(302, { 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: url.pathname + url.search })
      return res.end()
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.')
    void sendFile(options.rendererDir, url.pathname, res)
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const origin = req.headers.origin
    const sameOrigin = !origin || new URL(origin).host === req.headers.host
    if (path !== '/api' || !hostAllowed(req) || !authorized(req) || !sameOrigin) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => connect(ws))
  })

  const connect = (ws: WebSocket) => {
    const dispose = services.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }))
    })
    ws.on('close', dispose)
    ws.on('message', async (data) => {
      let message: { id?: unknown; command?: unknown; request?: unknown }
      try {
        message = JSON.parse(String(data))
      } catch {
        ws.send(JSON.stringify({ id: null, result: { ok: false, error: { code: 'invalid-request', message: 'A message must be JSON: { id, command, request }.' } } }))
        return
      }
      const result = await services.dispatch(message?.command, message?.request)
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message?.id ?? null, result }))
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
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

async function sendFile(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^([/\\])+/, '')
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
  createReadStream(file).pipe(res)
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(message)
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
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
