/** Downloading a backbone from a loopback HTTP server started here: progress, resume, checksums, offline. */
import { createServer, type Server } from 'node:http'
import { existsSync, readFileSync, statSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { BackboneInfo } from '../../../src-main/backbones/catalog'
import { readModelFolder, readSums } from '../../../src-main/backbones/files'
import { BackboneService } from '../../../src-main/backbones/service'
import type { Events } from '../../../src-main/contract'
import { EventBus } from '../../../src-main/events'
import { tempDir } from '../../helpers/images'

// A small "model": a layers topology and 3,000 float32 weights in two shards, as the TF.js converter writes them.
const weights = Buffer.from(Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i)).buffer)
const shards = { 'group1-shard1of2.bin': weights.subarray(0, 8000), 'group1-shard2of2.bin': weights.subarray(8000) }
const modelJson = JSON.stringify({
  format: 'layers-model',
  modelTopology: {
    class_name: 'Model',
    config: {
      name: 'tiny',
      layers: [
        { name: 'input_1', class_name: 'InputLayer', config: {}, inbound_nodes: [] },
        { name: 'conv', class_name: 'Conv2D', config: {}, inbound_nodes: [] }
      ]
    }
  },
  weightsManifest: [{ paths: Object.keys(shards), weights: [{ name: 'conv/kernel', shape: [3000], dtype: 'float32' }] }]
})
const files: Record<string, Buffer> = { 'model.json': Buffer.from(modelJson), ...shards }

let server: Server
let port: number
/** What the server saw, and how it should misbehave. */
const log: { path: string; range: string | undefined; sent: number }[] = []
let cutShard2After: number | null = null
let corrupt = false

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '').replace('/tiny/', '')
    const body = files[name]
    if (!body) return res.writeHead(404, 'Not Found').end()
    const served = corrupt && name === 'group1-shard1of2.bin' ? Buffer.from(body).fill(7, 0, 10) : body
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0)
    const part = served.subarray(from)
    const entry = { path: name, range: req.headers.range, sent: 0 }
    log.push(entry)
    if (from && from >= served.length) return res.writeHead(416, 'Range Not Satisfiable', { 'Content-Range': `bytes */${served.length}` }).end() // as real servers do
    res.writeHead(from ? 206 : 200, { 'Content-Length': part.length, ...(from ? { 'Content-Range': `bytes ${from}-${served.length - 1}/${served.length}` } : {}) })
    if (name === 'group1-shard2of2.bin' && cutShard2After !== null) {
      // Send part of the file, then drop the connection: a download cut short.
      const n = cutShard2After
      cutShard2After = null
      entry.sent = n
      res.write(part.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 50))
      return
    }
    entry.sent = part.length
    res.end(part)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

let data: ReturnType<typeof tempDir>
beforeEach(() => {
  data = tempDir()
  log.length = 0
  cutShard2After = null
  corrupt = false
  return () => data.cleanup()
})

const entry = (over: Partial<BackboneInfo> = {}): BackboneInfo => ({
  id: 'tiny',
  title: 'Tiny net',
  description: 'for tests',
  source: 'download',
  url: `http://127.0.0.1:${port}/tiny/model.json`,
  bytes: 12_000,
  inputSize: 32,
  embeddingLayer: 'conv',
  blocks: ['^conv$'],
  licence: 'MIT',
  ...over
})

function service(info = entry()): { backbones: BackboneService; progress: Events['backbones.progress'][] } {
  const events = new EventBus()
  const progress: Events['backbones.progress'][] = []
  events.on('backbones.progress', (p) => progress.push(p))
  return { backbones: new BackboneService({ dataDir: data.path, events, catalog: [info] }), progress }
}

describe('downloading a backbone', () => {
  it('fetches model.json and every weight file, reports progress up to the exact size, and pins checksums', async () => {
    const { backbones, progress } = service()
    expect((await backbones.list())[0]).toMatchObject({ id: 'tiny', installed: false, partialBytes: 0, bytes: 12_000 })
    const status = await backbones.download('tiny')
    expect(status).toMatchObject({ installed: true })
    const folder = join(data.path, 'models', 'tiny')
    expect((await readModelFolder(folder)).weightBytes).toBe(12_000)
    for (const [name, body] of Object.entries(files)) expect(readFileSync(join(folder, name)).equals(body)).toBe(true)
    expect(Object.keys(await readSums(folder)).sort()).toEqual(Object.keys(files).sort())
    // In the data folder, which is the user's alone: no other user may read what was downloaded.
    for (const name of ['.', ...Object.keys(files), 'SHA256SUMS']) expect(statSync(join(folder, name)).mode & 0o077).toBe(0)
    const received = progress.map((p) => p.received)
    expect(received).toEqual([...received].sort((a, b) => a - b))
    expect(progress.at(-1)).toEqual({ id: 'tiny', received: 12_000, total: 12_000, done: true })
    // Already here: nothing is fetched again.
    log.length = 0
    await backbones.download('tiny')
    expect(log).toEqual([])
    // A Run gets the folder, with the pinned sums to check before loading.
    expect(await backbones.source('tiny')).toMatchObject({ dir: folder, embeddingLayer: 'conv', sha256: await readSums(folder) })
  })

  it('keeps what arrived when the connection drops, and continues from there with a Range request', async () => {
    const { backbones, progress } = service()
    cutShard2After = 1500
    await expect(backbones.download('tiny')).rejects.toThrow(/Cannot download Tiny net: the connection to 127\.0\.0\.1:\d+ failed .*what arrived is kept and the download continues from there/)
    expect(progress.at(-1)).toMatchObject({ done: true, error: expect.stringMatching(/Cannot download/) })
    expect((await backbones.list())[0]).toMatchObject({ installed: false, partialBytes: files['model.json'].length + 8000 + 1500 })
    log.length = 0
    await backbones.download('tiny')
    const shard2 = log.find((l) => l.path === 'group1-shard2of2.bin')!
    expect(shard2).toMatchObject({ range: 'bytes=1500-', sent: 4000 - 1500 })
    expect(log.find((l) => l.path === 'group1-shard1of2.bin')).toMatchObject({ range: 'bytes=8000-', sent: 0 }) // whole already: nothing sent again
    expect(readFileSync(join(data.path, 'models', 'tiny', 'group1-shard2of2.bin')).equals(shards['group1-shard2of2.bin'])).toBe(true)
  })

  it('refuses a file whose checksum the catalog knows and that arrives different, and fetches it whole next time', async () => {
    const sums = { 'group1-shard1of2.bin': 'e'.repeat(64) }
    const { backbones } = service(entry({ sha256: sums }))
    corrupt = true
    await expect(backbones.download('tiny')).rejects.toThrow('group1-shard1of2.bin of Tiny net arrived damaged (its checksum does not match). Try the download again.')
    expect(existsSync(join(data.path, 'models', 'tiny.partial', 'group1-shard1of2.bin'))).toBe(false)
    expect(existsSync(join(data.path, 'models', 'tiny'))).toBe(false)
  })

  it('says the machine is offline, and what to do, when the server cannot be reached; a 404 is named too', async () => {
    const nobody = createServer()
    await new Promise<void>((resolve) => nobody.listen(0, '127.0.0.1', resolve))
    const free = (nobody.address() as AddressInfo).port
    await new Promise<void>((resolve) => nobody.close(() => resolve()))
    const closed = service(entry({ url: `http://127.0.0.1:${free}/tiny/model.json` }))
    await expect(closed.backbones.download('tiny')).rejects.toThrow(
      /this computer seems to be offline \(127\.0\.0\.1:\d+ cannot be reached\)\. Connect to the internet and try again .* or use the included MobileNetV2 α 0\.35/
    )
    const moved = service(entry({ url: `http://127.0.0.1:${port}/elsewhere/model.json` }))
    await expect(moved.backbones.download('tiny')).rejects.toThrow(/answered 404 Not Found for model\.json/)
  })

  it('removes a downloaded backbone but never the included one', async () => {
    const { backbones } = service()
    await backbones.download('tiny')
    expect(await backbones.remove('tiny')).toMatchObject({ installed: false, partialBytes: 0 })
    const real = new BackboneService({ dataDir: data.path, events: new EventBus() })
    await expect(real.remove('mobilenet-v2-0.35')).rejects.toThrow('MobileNetV2 α 0.35 comes with the app and cannot be removed.')
  })
})
