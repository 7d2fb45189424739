/**
 * The studio's file server for workers: a Dataset out by fingerprint (its manifest,
 * then each image by index), a Trial's model back in. HTTP behind the studio's worker key
 * (`Authorization: Bearer`), on 127.0.0.1 unless told otherwise. It serves only the usable
 * images of Datasets the studio scanned, and takes a model only for a Run that is on the queue
 * now, into that Run's folder; every request's data is checked, and none ends the process.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { DatasetManifest } from '../runs/prepare'
import { sameKey } from './identity'

/** What the server needs from the studio. */
export interface FilesServerDeps {
  key: string
  /** The Dataset with this fingerprint, as the studio last scanned it; undefined when unknown. */
  dataset(fingerprint: string): (DatasetManifest & { name: string }) | undefined
  /** The folder an upload of Run `runId`'s model (attempt `attempt`) goes to; undefined when that Run is not on the queue now. */
  modelFolder(runId: number, attempt: number): string | undefined
  /** Told of each model file taken whole (its SHA-256 checked on the way in), so that the studio need not read it again. */
  received?(file: string, sha256: string): void
  host?: string
  port?: number
}

/** A listening file server. */
export interface FilesServer {
  url: string
  close(): Promise<void>
}

// A model file larger than this is refused (a Run's model is megabytes; this bounds a bad upload).
const MAX_UPLOAD = 2 * 1024 ** 3

/** Starts the server; resolves once it listens. */
export async function startFilesServer(deps: FilesServerDeps): Promise<FilesServer> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((e: Error) => reply(res, 500, `The studio could not answer: ${e.message}`))
  })
  const host = deps.host ?? '127.0.0.1'
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(deps.port ?? 0, host, () => done())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((done) => {
        server.close(() => done())
        server.closeAllConnections()
      })
  }
}

async function handle(deps: FilesServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const auth = req.headers.authorization ?? ''
  if (!auth.startsWith('Bearer ') || !sameKey(auth.slice(7), deps.key)) return reply(res, 401, 'This is an Osprey studio: a worker needs its key (it comes with each Trial on the queue).')
  const path = new URL(req.url ?? '/', 'http://studio').pathname.split('/').filter(Boolean)
  if (req.method === 'GET' && path[0] === 'datasets' && path.length >= 3) {
    const dataset = deps.dataset(path[1])
    if (!dataset) return reply(res, 404, `The studio knows no Dataset with fingerprint ${path[1].slice(0, 12)}…: it was scanned again since (and changed), or forgotten. Start the Study again.`)
    if (path[2] === 'manifest' && path.length === 3) return json(res, dataset)
    if (path[2] === 'files' && path.length === 4) return sendImage(res, dataset, Number(path[3]))
  }
  if (req.method === 'PUT' && path[0] === 'runs' && path[2] === 'attempts' && path[4] === 'model' && path.length === 6) {
    return receiveModelFile(deps, req, res, Number(path[1]), Number(path[3]), path[5])
  }
  reply(res, 404, 'No such resource.')
}

async function sendImage(res: ServerResponse, dataset: DatasetManifest, index: number): Promise<void> {
  const entry = Number.isInteger(index) ? dataset.files[index] : undefined
  if (!entry) return reply(res, 404, `The Dataset has ${dataset.files.length} images; there is no image ${index}.`)
  const root = resolve(dataset.path)
  const file = resolve(root, entry.path)
  if (!file.startsWith(root + sep)) return reply(res, 404, 'No such image.')
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return reply(res, 410, `${entry.path} is gone from the Dataset's folder on the studio: scan it again.`)
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size })
  await pipeline(createReadStream(file), res)
}

async function receiveModelFile(deps: FilesServerDeps, req: IncomingMessage, res: ServerResponse, runId: number, attempt: number, name: string): Promise<void> {
  const folder = Number.isInteger(runId) && Number.isInteger(attempt) ? deps.modelFolder(runId, attempt) : undefined
  if (!folder) return reply(res, 409, `Run ${runId} is not on the queue of this studio now: its model is not taken.`)
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.')) return reply(res, 400, 'A model file name is letters, digits, dot, dash or underscore.')
  const expected = String(req.headers['x-sha256'] ?? '')
  if (!/^[0-9a-f]{64}$/.test(expected)) return reply(res, 400, "Send the file's SHA-256 (hex) in X-SHA256.")
  if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD) return reply(res, 413, 'A model file is at most 2 GiB.')
  await mkdir(folder, { recursive: true, mode: 0o700 })
  const temp = join(folder, `.${name}.${randomBytes(6).toString('hex')}`)
  const hash = createHash('sha256')
  let bytes = 0
  try {
    await pipeline(
      req,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          bytes += chunk.length
          if (bytes > MAX_UPLOAD) throw new Error('over 2 GiB')
          hash.update(chunk)
          yield chunk
        }
      },
      createWriteStream(temp, { mode: 0o600, flags: 'wx' })
    )
    if (hash.digest('hex') !== expected) throw new Error('its SHA-256 does not match X-SHA256 (damaged on the way)')
    await rename(temp, join(folder, name))
    deps.received?.(join(folder, name), expected)
  } catch (e) {
    await rm(temp, { force: true })
    return reply(res, 400, `The model file ${name} was refused: ${(e as Error).message}.`)
  }
  reply(res, 204, '')
}

function json(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function reply(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(message)
}
