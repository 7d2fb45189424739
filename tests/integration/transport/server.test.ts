/** `osprey serve`: the token guards every door to data, and no request can stop the server. */
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { MAX_MESSAGE_BYTES, serve, type RunningServer } from '../../../src-main/transport/server'
import { png, put, tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let root: ReturnType<typeof tempDir>
let renderer: string
let folder: ReturnType<typeof tempDir>
let services: Services
let server: RunningServer
const SECRET = 'beside the renderer folder, one ../ away'

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  // The renderer folder sits inside another, beside a secret: one step up from the served root reaches it.
  root = tempDir()
  renderer = join(root.path, 'renderer')
  put(renderer, 'index.html', '<!doctype html><title>Osprey Studio</title>')
  put(renderer, 'assets/app.js', 'console.log(1)')
  put(root.path, 'secret.txt', SECRET)
  for (let i = 0; i < 4; i++) put(folder.path, `${i % 2 ? 'a' : 'b'}/${i}.png`, await png(i))
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  server = await serve(services, { rendererDir: renderer })
})
afterAll(async () => {
  await server.close()
  services.close()
  for (const d of [data, root, folder]) d.cleanup()
})

/** A raw GET, so that headers such as Host can be set freely. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens the API socket; resolves with it, or rejects with the HTTP status it was refused with. */
function socket(headers: Record<string, string> = {}, query = ''): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers })
    ws.on('open', () => resolve(ws))
    ws.on('unexpected-response', (_, res) => reject(new Error(`status ${res.statusCode}`)))
    ws.on('error', reject)
  })
}

/** Sends one command over `ws` and waits for its answer. */
function call(ws: WebSocket, id: number, command: unknown, request: unknown): Promise<{ id: number; result: { ok: boolean; value?: any; error?: any } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data))
      if (message.id === id) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(typeof command === 'string' && request === '__raw__' ? command : JSON.stringify({ id, command, request }))
  })
}

/** Sends raw bytes and resolves with what came back before the server closed (or `ms` passed). */
function raw(bytes: string, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(server.port, '127.0.0.1', () => sock.write(bytes))
    let reply = ''
    const done = () => {
      clearTimeout(timer)
      sock.destroy()
      resolve(reply)
    }
    const timer = setTimeout(done, ms)
    sock.on('data', (d) => {
      reply += d
      // A refused upgrade or an error page is one response; stop once its head has arrived.
      if (reply.includes('\r\n\r\n')) done()
    })
    sock.on('close', done)
    sock.on('error', done)
  })
}

describe('the page shell', () => {
  it('is served without the token: it carries no data, and no cookie is ever set', async () => {
    const page = await get('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('Osprey Studio')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect((await get('/assets/app.js')).body).toBe('console.log(1)')
    // Cookies are shared by every port of 127.0.0.1: the token must never travel in one.
    for (const path of ['/', `/?token=${server.token}`, '/assets/app.js']) expect((await get(path)).headers['set-cookie']).toBeUndefined()
  })

  it('prints a URL whose token sits in the fragment, which a browser never sends to any server', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`)
  })

  it('serves files of the renderer folder only', async () => {
    expect((await get('/assets/app.js')).body).toBe('console.log(1)')
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const reply = await get(path)
      expect(reply.status, path).toBe(404)
      expect(reply.body, path).not.toContain(SECRET)
    }
    expect((await get('/nope.js')).status).toBe(404)
  })

  it('refuses a foreign Host name (DNS rebinding)', async () => {
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(403)
  })

  it('serves on an address other machines reach only when told to (the Host check is then off)', async () => {
    await expect(serve(services, { host: '0.0.0.0', rendererDir: renderer })).rejects.toThrow(/0\.0\.0\.0 is not a loopback address.*--allow-remote/)
    const open = await serve(services, { host: '0.0.0.0', allowRemote: true, rendererDir: renderer })
    await open.close()
  })
})

describe('without the token', () => {
  it('refuses the socket, and a cookie is no way in', async () => {
    await expect(socket()).rejects.toThrow('status 401')
    await expect(socket({}, '?token=wrong')).rejects.toThrow('status 401')
    await expect(socket({ Cookie: `osprey_token=${server.token}` })).rejects.toThrow('status 401')
    const plain = await get('/api')
    expect(plain.status).toBe(401)
    expect(plain.body).toContain('osprey serve')
  })

  it('answers a malformed request line or an opaque Origin with an error, and keeps serving', async () => {
    expect(await raw('GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
    expect(await raw('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 405/)
    expect(await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n' + `X-Big: ${'x'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/)
    expect(await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.token}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/)
    // What a sandboxed iframe of any web page sends.
    const upgrade = (path: string, origin: string) =>
      raw(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: ${origin}\r\n\r\n`
      )
    expect(await upgrade('/api', 'null')).toMatch(/^HTTP\/1\.1 401/)
    expect(await upgrade('//[', 'null')).toMatch(/^HTTP\/1\.1 40\d/)
    expect((await get('/')).status).toBe(200)
  })
})

describe('with the token', () => {
  it('still refuses an opaque or foreign Origin on the socket', async () => {
    await expect(socket({ Origin: 'http://evil.example' }, `?token=${server.token}`)).rejects.toThrow('status 403')
    await expect(socket({ Origin: 'null' }, `?token=${server.token}`)).rejects.toThrow('status 403')
    const host = await socket({ Origin: `http://127.0.0.1:${server.port}` }, `?token=${server.token}`)
    host.close()
  })

  it('closes only the connection that sends a message over the limit (1009), and keeps serving', async () => {
    const ws = await socket({ Authorization: `Bearer ${server.token}` })
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.on('error', () => {})
    ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1))
    expect(await closed).toBe(1009)
    const next = await socket({ Authorization: `Bearer ${server.token}` })
    expect((await call(next, 1, 'datasets.list', {})).result.ok).toBe(true)
    next.close()
  })

  it('runs commands over the socket, streams progress, and answers malformed messages clearly', async () => {
    const ws = await socket({ Authorization: `Bearer ${server.token}` })
    const events: string[] = []
    ws.on('message', (d) => {
      const m = JSON.parse(String(d))
      if (m.event) events.push(`${m.event}:${m.payload.phase}`)
    })
    const info = await call(ws, 1, 'app.info', {})
    expect(info.result).toMatchObject({ ok: true, value: { transport: 'http', dataDir: data.path } })

    const scanned = await call(ws, 2, 'datasets.scan', { path: folder.path })
    expect(scanned.result.value).toMatchObject({
      images: 4,
      classes: [
        { name: 'a', count: 2 },
        { name: 'b', count: 2 }
      ]
    })
    expect(events).toContain('datasets.scanProgress:reading')

    const list = await call(ws, 3, 'datasets.list', {})
    expect(list.result.value).toEqual([expect.objectContaining({ path: folder.path, images: 4 })])

    const thumbs = await call(ws, 4, 'datasets.thumbnails', { id: scanned.result.value.id, perClass: 1, size: 32 })
    expect(thumbs.result.value).toEqual([
      { name: 'a', thumbnails: [{ path: 'a/1.png', url: expect.stringMatching(/^data:image\/webp;base64,/) }] },
      { name: 'b', thumbnails: [{ path: 'b/0.png', url: expect.stringMatching(/^data:image\/webp;base64,/) }] }
    ])

    expect((await call(ws, 5, 'datasets.get', { id: 'x' })).result.error).toMatchObject({ code: 'invalid-request' })
    expect((await call(ws, 6, 'datasets.get', { id: 999 })).result.error).toMatchObject({ code: 'not-found' })
    expect((await call(ws, 7, 'dialog.openFolder', {})).result.error).toMatchObject({ code: 'unsupported' })
    const garbage = await new Promise<any>((resolve) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d))))
      ws.send('{not json')
    })
    expect(garbage).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid-request' } } })
    // The connection survives all of that.
    expect((await call(ws, 8, 'datasets.list', {})).result.ok).toBe(true)
    ws.close()
  })

  it('accepts the token as a query parameter on the socket, for scripts', async () => {
    const ws = await socket({}, `?token=${server.token}`)
    expect((await call(ws, 1, 'datasets.list', {})).result.ok).toBe(true)
    ws.close()
  })
})
