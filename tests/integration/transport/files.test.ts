/** `osprey serve`'s uploads and downloads: behind the token, into the data folder only, private, and nothing from a request or a zip lands outside it. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { dirname, join } from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { serve, type RunningServer } from '../../../src-main/transport/server'
import { png, put, tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let renderer: ReturnType<typeof tempDir>
let services: Services
let server: RunningServer

beforeAll(async () => {
  data = tempDir()
  renderer = tempDir()
  put(renderer.path, 'index.html', '<!doctype html><title>Osprey Studio</title>')
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  server = await serve(services, { rendererDir: renderer.path })
})
afterAll(async () => {
  await server.close()
  services.close()
  data.cleanup()
  renderer.cleanup()
})

/** A request to the server; the token goes as the page sends it (a Bearer header) unless `token` is null. */
function send(method: string, path: string, body?: Buffer, options: { token?: string | null; origin?: string } = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const token = options.token === undefined ? server.token : options.token
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(options.origin ? { Origin: options.origin } : {}) }
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const json = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8'))
const inside = (path: string) => path.startsWith(data.path + '/')

describe('uploads', () => {
  it("need the token, and from a browser the studio's own page", async () => {
    const image = await png(1)
    expect((await send('POST', '/api/uploads/image?name=a.png', image, { token: null })).status).toBe(401)
    expect((await send('POST', '/api/uploads/image?name=a.png', image, { token: 'guess' })).status).toBe(401)
    expect((await send('POST', '/api/uploads/image?name=a.png', image, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await send('GET', '/api/downloads/models/1', undefined, { token: null })).status).toBe(401)
    expect(existsSync(join(data.path, 'uploads'))).toBe(false)
  })

  it('keep an image for Try it in the data folder, private, under a safe name', async () => {
    const image = await png(2)
    const answer = await send('POST', `/api/uploads/image?name=${encodeURIComponent('../../holiday photo.png')}`, image)
    expect(answer.status).toBe(200)
    const { path } = json(answer)
    expect(inside(path)).toBe(true)
    expect(path).toMatch(/uploads\/try-it\/[0-9a-f]{16}\/holiday photo\.png$/)
    expect(readFileSync(path)).toEqual(image)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
    // Try it then classifies it by that path, like any other (here: a Run that does not exist says so).
    expect((await services.dispatch('runs.predict', { id: 999, paths: [path] })).ok).toBe(false)
  })

  it('unpack a zipped dataset into the data folder: its class folders at the top, leftovers and escapes left out', async () => {
    const zip = zipSync({
      'birds/heron/1.png': await png(3),
      'birds/heron/2.png': await png(4),
      'birds/owl/1.png': await png(5),
      'birds/owl/2.png': await png(6),
      'birds/.DS_Store': new Uint8Array([0, 1]),
      '__MACOSX/birds/._owl': new Uint8Array([0]),
      'birds/../../../escaped.txt': new TextEncoder().encode('outside?')
    })
    const answer = await send('POST', '/api/uploads/datasets?name=birds.zip', Buffer.from(zip))
    expect(answer.status).toBe(200)
    const { path, files } = json(answer)
    expect(path).toBe(join(data.path, 'datasets', 'birds'))
    expect(files).toBe(4)
    expect(readdirSync(path).sort()).toEqual(['heron', 'owl'])
    expect(readdirSync(data.path, { recursive: true }).some((p) => String(p).includes('escaped'))).toBe(false)
    expect(existsSync(join(dirname(data.path), 'escaped.txt'))).toBe(false)
    // It scans like any folder.
    const report = await services.datasets.scan(path)
    expect(report.classes.map((c) => c.name)).toEqual(['heron', 'owl'])
    // A second upload of the same name gets a folder of its own.
    expect(json(await send('POST', '/api/uploads/datasets?name=birds.zip', Buffer.from(zip))).path).toBe(join(data.path, 'datasets', 'birds-2'))
  })

  it("keep a zip's accented and Japanese class names, as a Mac or Info-ZIP's zip writes them (UTF-8, unflagged)", async () => {
    const zip = zipSync({ 'animaux/oiseau é/1.png': await png(7), 'animaux/oiseau é/2.png': await png(8), 'animaux/日本 犬/1.png': await png(9), 'animaux/日本 犬/2.png': await png(10) })
    const answer = await send('POST', '/api/uploads/datasets?name=animaux.zip', unflagged(zip))
    expect(answer.status).toBe(200)
    expect(readdirSync(json(answer).path).sort()).toEqual(['oiseau é', '日本 犬'])
  })

  it('refuse a file that is not a zip, leaving nothing behind', async () => {
    const answer = await send('POST', '/api/uploads/datasets?name=notes.zip', Buffer.from('just some text, not a zip'))
    expect(answer.status).toBe(400)
    expect(answer.body.toString()).toMatch(/not a zip/)
    expect(existsSync(join(data.path, 'datasets', 'notes'))).toBe(false)
  })

  it('take a folder file by file into a folder of its own, refusing paths that climb out', async () => {
    const begun = json(await send('POST', '/api/uploads/datasets?name=cats%20and%20dogs&folder=1'))
    expect(begun.path).toBe(join(data.path, 'datasets', 'cats and dogs'))
    for (const [file, seed] of [
      ['cats/1.png', 7],
      ['cats/2.png', 8],
      ['dogs/1.png', 9],
      ['dogs/2.png', 10]
    ] as const) {
      expect((await send('POST', `/api/uploads/datasets/${begun.upload}?path=${encodeURIComponent(file)}`, await png(seed))).status).toBe(200)
    }
    const climb = await send('POST', `/api/uploads/datasets/${begun.upload}?path=${encodeURIComponent('../../x.png')}`, await png(11))
    expect(climb.status).toBe(400)
    expect((await send('POST', `/api/uploads/datasets/not-an-upload?path=a/1.png`, await png(12))).status).toBe(404)
    expect((await services.datasets.scan(begun.path)).images).toBe(4)
  })

  it('answer a model download for a Run without a model with what to do', async () => {
    const answer = await send('GET', '/api/downloads/models/999')
    expect(answer.status).toBe(404)
    expect(answer.body.toString()).toMatch(/No Run with id 999/)
  })
})

/** The zip with the "names are UTF-8" flag (bit 11) cleared in every header, as macOS and Info-ZIP's `zip` write non-ASCII names. */
function unflagged(zip: Uint8Array): Buffer {
  const bytes = Buffer.from(zip)
  for (const [signature, flags] of [
    [0x04034b50, 6],
    [0x02014b50, 8]
  ] as const) {
    const header = Buffer.alloc(4)
    header.writeUInt32LE(signature)
    for (let at = bytes.indexOf(header); at >= 0; at = bytes.indexOf(header, at + 4)) bytes.writeUInt16LE(bytes.readUInt16LE(at + flags) & ~0x800, at + flags)
  }
  return bytes
}
