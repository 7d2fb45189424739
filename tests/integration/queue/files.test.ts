/**
 * The studio's file server for workers and a worker's Dataset cache, over real HTTP and real files:
 * only a worker with the key gets images, only the scanned images, each checked on arrival; a model
 * is taken only for a Run on the queue, only whole.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fingerprint } from '../../../src-main/datasets/summarize'
import { DatasetCache } from '../../../src-main/queue/dataset-cache'
import { startFilesServer, type FilesServer } from '../../../src-main/queue/files-server'
import type { TrialJob } from '../../../src-main/queue/protocol'
import type { DatasetManifest } from '../../../src-main/runs/prepare'
import { png, put, tempDir } from '../../helpers/images'

const key = 'k'.repeat(40)
let tmp: ReturnType<typeof tempDir>
let server: FilesServer
let manifest: DatasetManifest & { name: string }
let hostile: DatasetManifest & { name: string }
const inFlight = new Set<number>()

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  tmp = tempDir()
  const root = join(tmp.path, 'birds')
  const files = []
  for (const [i, rel] of ['crows/1.png', 'crows/2.png', 'owls/1.png'].entries()) {
    const bytes = await png(i)
    put(root, rel, bytes)
    files.push({ path: rel, class: rel.split('/')[0], hash: sha(bytes) })
  }
  manifest = { name: 'birds', path: root, fingerprint: fingerprint(files), channels: 3, files }
  const outside = [{ path: '../../outside.png', class: 'crows', hash: files[0].hash }]
  hostile = { ...manifest, fingerprint: fingerprint(outside), files: outside }
  server = await startFilesServer({
    key,
    dataset: (fp) => [manifest, hostile].find((m) => m.fingerprint === fp),
    modelFolder: (runId, attempt) => (inFlight.has(runId) ? join(tmp.path, 'runs', String(runId), `model.incoming-${attempt}`) : undefined)
  })
})
afterAll(async () => {
  await server.close()
  tmp.cleanup()
})

const get = (path: string, auth = `Bearer ${key}`) => fetch(`${server.url}${path}`, { headers: { authorization: auth } })
const job = (folder: string, fp = manifest.fingerprint): TrialJob => ({
  version: 1,
  studio: { id: '0123456789abcdef', url: server.url, key },
  runId: 1,
  studyId: null,
  config: {} as TrialJob['config'],
  dataset: { fingerprint: fp, folder, name: 'birds' }
})

describe("the studio's file server", () => {
  it('answers nothing without the worker key', async () => {
    expect((await get(`/datasets/${manifest.fingerprint}/manifest`, '')).status).toBe(401)
    expect((await get(`/datasets/${manifest.fingerprint}/manifest`, `Bearer ${'x'.repeat(40)}`)).status).toBe(401)
  })

  it('sends a known Dataset by fingerprint: its manifest, then each image by index, and nothing else', async () => {
    expect(await (await get(`/datasets/${manifest.fingerprint}/manifest`)).json()).toMatchObject({ fingerprint: manifest.fingerprint, files: manifest.files })
    expect(Buffer.from(await (await get(`/datasets/${manifest.fingerprint}/files/2`)).arrayBuffer())).toEqual(readFileSync(join(manifest.path, 'owls/1.png')))
    expect((await get(`/datasets/${manifest.fingerprint}/files/3`)).status).toBe(404)
    expect((await get(`/datasets/${'b'.repeat(64)}/manifest`)).status).toBe(404)
  })

  it('takes a model file only for a Run on the queue, and only when its SHA-256 matches', async () => {
    const bytes = Buffer.from('weights')
    const put = (runId: number, digest: string) =>
      fetch(`${server.url}/runs/${runId}/attempts/1/model/weights.bin`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${key}`, 'x-sha256': digest } })
    expect((await put(5, sha(bytes))).status).toBe(409)
    inFlight.add(5)
    expect((await put(5, sha(Buffer.from('other')))).status).toBe(400)
    const folder = join(tmp.path, 'runs', '5', 'model.incoming-1')
    expect(readdirSync(folder)).toEqual([]) // nothing half-written left
    expect((await put(5, sha(bytes))).status).toBe(204)
    expect(readFileSync(join(folder, 'weights.bin'))).toEqual(bytes)
    expect(statSync(join(folder, 'weights.bin')).mode & 0o777).toBe(0o600)
  })
})

describe("a worker's Dataset cache", () => {
  const studio = async () => server.url
  const quiet = () => {}
  it("uses the studio's folder directly when this machine has it with the same images", async () => {
    const cache = new DatasetCache(join(tmp.path, 'worker-shared'))
    const local = await cache.resolve(job(manifest.path), studio, quiet)
    expect(local.path).toBe(manifest.path)
    expect(existsSync(join(tmp.path, 'worker-shared', 'datasets', manifest.fingerprint, 'files'))).toBe(false)
  })

  it('looks at the shared folder again before each Trial: an image changed since the last one is not trained on', async () => {
    const cache = new DatasetCache(join(tmp.path, 'worker-watching'))
    expect((await cache.resolve(job(manifest.path), studio, quiet)).path).toBe(manifest.path)
    const file = join(manifest.path, 'owls/1.png')
    const original = readFileSync(file)
    writeFileSync(file, await png(42))
    try {
      // The studio's manifest still names the scanned image: neither the folder nor a copy will do.
      await expect(cache.resolve(job(manifest.path), studio, quiet)).rejects.toThrow(/owls\/1.png from the studio is not the image that was scanned/)
    } finally {
      writeFileSync(file, original)
    }
    expect((await cache.resolve(job(manifest.path), studio, quiet)).path).toBe(manifest.path)
  })

  it('fetches a copy when the folder is not here, each image checked, and keeps it by fingerprint', async () => {
    const dir = join(tmp.path, 'worker-far')
    const local = await new DatasetCache(dir).resolve(job('/nowhere/birds'), studio, quiet)
    expect(local.path).toBe(join(dir, 'datasets', manifest.fingerprint, 'files'))
    for (const f of manifest.files) expect(sha(readFileSync(join(local.path, f.path)))).toBe(f.hash)
    expect(local.files).toEqual(manifest.files) // the studio's order: the same split
  })

  it('refuses a manifest that names a file outside its Dataset, and the studio will not send it', async () => {
    await expect(new DatasetCache(join(tmp.path, 'worker-hostile')).resolve(job('/nowhere/birds', hostile.fingerprint), studio, quiet)).rejects.toThrow(/outside its Dataset/)
    expect((await get(`/datasets/${hostile.fingerprint}/files/0`)).status).toBe(404)
  })

  it('refuses an image that is not the one scanned (the folder changed on the studio)', async () => {
    writeFileSync(join(manifest.path, 'crows/2.png'), await png(99))
    await expect(new DatasetCache(join(tmp.path, 'worker-late')).resolve(job('/nowhere/birds'), studio, quiet)).rejects.toThrow(/crows\/2.png from the studio is not the image that was scanned/)
    // Nor is the changed folder used in place of a fetched copy.
    await expect(new DatasetCache(join(tmp.path, 'worker-late-2')).resolve(job(manifest.path), studio, quiet)).rejects.toThrow(/not the image that was scanned/)
  })
})
