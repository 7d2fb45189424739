/** `osprey serve`: the token guards every door, and the contract works over the socket. */
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { serve, type RunningServer } from '../../../src-main/transport/server'
import { png, put, tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let renderer: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let services: Services
let server: RunningServer

beforeAll(async () => {
  data = tempDir()
  renderer = tempDir()
  folder = tempDir()
  put(renderer.path, 'index.html', '<!doctype html><title>Osprey Studio</title>')
  put(renderer.path, 'assets/app.js', 'console.log(1)')
  put(data.path, 'secret.txt', 'outside the renderer folder')
  for (let i = 0; i < 4; i++) put(folder.path, `${i % 2 ? 'a' : 'b'}/${i}.png`, await png(i))
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  server = await serve(services, { rendererDir: renderer.path })
})
afterAll(async () => {
  await server.close()
  services.close()
  for (const d of [data, renderer, folder]) d.cleanup()
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

describe('without the token', () => {
  it('refuses the page, the assets and the socket', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/assets/app.js')).status).toBe(401)
    expect((await get('/?token=wrong')).status).toBe(401)
    expect((await get('/', { Cookie: 'osprey_token=wrong' })).status).toBe(401)
    await expect(socket()).rejects.toThrow('status 401')
    await expect(socket({ Cookie: 'osprey_token=nope' })).rejects.toThrow('status 401')
  })

  it('explains how to get in', async () => {
    expect((await get('/')).body).toContain('osprey serve')
  })
})

describe('with the token', () => {
  it('moves the token from the URL into an HttpOnly cookie', async () => {
    const first = await get(`/?token=${server.token}`)
    expect(first.status).toBe(302)
    expect(first.headers.location).toBe('/')
    expect(String(first.headers['set-cookie'])).toMatch(/osprey_token=.+; HttpOnly; SameSite=Strict/)
    const page = await get('/', { Cookie: `osprey_token=${server.token}` })
    expect(page.status).toBe(200)
    expect(page.body).toContain('Osprey Studio')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
  })

  it('serves files of the renderer folder only', async () => {
    const cookie = { Cookie: `osprey_token=${server.token}` }
    expect((await get('/assets/app.js', cookie)).body).toBe('console.log(1)')
    expect((await get('/../secret.txt', cookie)).status).toBe(404)
    expect((await get('/%2e%2e/secret.txt', cookie)).status).toBe(404)
    expect((await get('/nope.js', cookie)).status).toBe(404)
  })

  it('refuses a foreign Host name (DNS rebinding) even with the token', async () => {
    expect((await get('/', { Cookie: `osprey_token=${server.token}`, Host: 'evil.example:80' })).status).toBe(403)
  })

  it('refuses a socket opened from another origin', async () => {
    await expect(socket({ Cookie: `osprey_token=${server.token}`, Origin: 'http://evil.example' })).rejects.toThrow('status 401')
  })

  it('runs commands over the socket, streams progress, and answers malformed messages clearly', async () => {
    const ws = await socket({ Cookie: `osprey_token=${server.token}` })
    const events: string[] = []
    ws.on('message', (d) => {
      const m = JSON.parse(String(d))
      if (m.event) events.push(`${m.event}:${m.payload.phase}`)
    })
    const info = await call(ws, 1, 'app.info', {})
    expect(info.result).toMatchObject({ ok: true, value: { transport: 'http', dataDir: data.path } })

    const scanned = await call(ws, 2, 'datasets.scan', { path: folder.path })
    expect(scanned.result.value).toMatchObject({ images: 4, classes: [{ name: 'a', count: 2 }, { name: 'b', count: 2 }] })
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

