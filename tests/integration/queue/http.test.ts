/**
 * A worker's requests to the studio's file server (queue/http.ts), against a real HTTP server: the
 * whole body and status come back, connections are kept alive, and a kept-alive connection the
 * studio drops as it is reused is tried once more on a new one instead of failing the Trial.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { studioRequest } from '../../../src-main/queue/http'

let server: Server
let base: string
const sockets = new Set<unknown>()
let dropNextReused = false

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket)
    const reused = (req.socket as { served?: number }).served ?? 0
    ;(req.socket as { served?: number }).served = reused + 1
    // As a studio closing an idle connection just when the worker reuses it.
    if (dropNextReused && reused > 0) {
      dropNextReused = false
      req.socket.destroy()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      if (req.url === '/missing') return res.writeHead(404).end('no such image')
      res.writeHead(200).end(req.method === 'PUT' ? `got ${body.length} bytes` : Buffer.alloc(100_000, 7))
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))))

describe('requests to the studio', () => {
  it('reads the whole answer with its status, over one kept-alive connection', async () => {
    const first = await studioRequest(new URL(`${base}/image`))
    expect(first).toMatchObject({ status: 200, ok: true })
    expect(first.body.equals(Buffer.alloc(100_000, 7))).toBe(true)
    const put = await studioRequest(new URL(`${base}/model`), { method: 'PUT', body: Buffer.alloc(1234) })
    expect(put.body.toString()).toBe('got 1234 bytes')
    const missing = await studioRequest(new URL(`${base}/missing`))
    expect(missing).toMatchObject({ status: 404, ok: false })
    expect(missing.body.toString()).toBe('no such image')
    expect(sockets.size).toBe(1)
  })

  it('tries once more on a new connection when a kept-alive one is dropped as it is reused', async () => {
    dropNextReused = true
    const answer = await studioRequest(new URL(`${base}/image`))
    expect(answer.status).toBe(200)
    expect(dropNextReused).toBe(false) // the drop happened, and the request still came through
    expect(sockets.size).toBe(2)
  })

  it('rejects when nothing listens', async () => {
    await expect(studioRequest(new URL('http://127.0.0.1:1/x'))).rejects.toThrow(/ECONNREFUSED/)
  })
})
