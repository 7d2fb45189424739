/**
 * Downloading a catalog backbone: model.json, then each weight file beside it, into
 * `<folder>.partial`; a file cut short resumes with an HTTP Range request, so a second attempt
 * fetches only what is missing. Once every file is whole — checksums of the catalog where it
 * has them, and always the byte count model.json promises — the sums are pinned in SHA256SUMS
 * (checked at every later load) and the folder is renamed into place.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { OspreyError } from '../errors'
import { PRIVATE_FILE, PRIVATE_FOLDER } from '../store/private'
import type { BackboneInfo } from './catalog'
import { formatSums, readModelFolder, readModelJson, sha256File, SUMS_FILE } from './files'

/** Bytes received so far and the total (known once model.json is in). */
export interface DownloadProgress {
  received: number
  total: number | null
}

/** Options of a download. */
export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void
  signal?: AbortSignal
  /** A connection that sends nothing for this long is given up (default 30 s). */
  idleMs?: number
}

/** Downloads `info` into `folder` (which must not exist yet); resumes what an earlier attempt left. */
export async function downloadBackbone(info: BackboneInfo, folder: string, options: DownloadOptions = {}): Promise<void> {
  if (!info.url) throw new OspreyError('bad-input', `${info.title} is not downloaded: it comes with the app.`)
  const staging = `${folder}.partial`
  await mkdir(staging, { recursive: true, mode: PRIVATE_FOLDER })
  const base = new URL('.', info.url)
  const fetchFile = (name: string, url: URL, onBytes: (n: number) => void) => fetchResumable(info, url, join(staging, name), onBytes, options)

  // model.json is small: fetched whole each time (it says what else to fetch).
  await rm(join(staging, 'model.json'), { force: true })
  await fetchFile('model.json', new URL(info.url), () => {})
  const json = await readModelJson(staging).catch((e: Error) => {
    throw new OspreyError('bad-input', `The model.json downloaded for ${info.title} is not a usable model (${e.message}); the address may have changed.`)
  })
  let received = 0
  for (const file of json.weightFiles) received += (await stat(join(staging, file)).catch(() => null))?.size ?? 0
  const total = json.weightBytes
  options.onProgress?.({ received, total })
  for (const file of json.weightFiles) {
    await fetchFile(file, new URL(file, base), (n) => {
      received += n
      options.onProgress?.({ received, total })
    })
  }
  await readModelFolder(staging) // every promised byte is there
  const sums: Record<string, string> = {}
  for (const name of ['model.json', ...json.weightFiles]) {
    sums[name] = await sha256File(join(staging, name))
    const expected = info.sha256?.[name]
    if (expected && expected !== sums[name]) {
      await rm(join(staging, name), { force: true }) // refetched whole next time
      throw new OspreyError('bad-input', `${name} of ${info.title} arrived damaged (its checksum does not match). Try the download again.`)
    }
  }
  await writeFile(join(staging, SUMS_FILE), formatSums(sums), { mode: PRIVATE_FILE })
  await rm(folder, { recursive: true, force: true })
  await rename(staging, folder)
}

/** Fetches `url` into `file`, continuing from what `file` already holds. */
async function fetchResumable(info: BackboneInfo, url: URL, file: string, onBytes: (n: number) => void, options: DownloadOptions): Promise<void> {
  const have = (await stat(file).catch(() => null))?.size ?? 0
  const idle = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal
  let timer = setTimeout(() => idle.abort(), options.idleMs ?? 30_000)
  const alive = () => {
    clearTimeout(timer)
    timer = setTimeout(() => idle.abort(), options.idleMs ?? 30_000)
  }
  try {
    const response = await fetch(url, { headers: have ? { Range: `bytes=${have}-` } : {}, signal, redirect: 'follow' })
    if (response.status === 416 && have) return // already whole
    if (!response.ok)
      throw new OspreyError(
        'bad-input',
        `Cannot download ${info.title}: ${url.host} answered ${response.status} ${response.statusText} for ${url.pathname.split('/').pop()}. The model may have moved; try again later.`
      )
    // 206: the server continues where we stopped; 200: it sends the whole file again.
    const append = response.status === 206
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
    body.on('data', (chunk: Buffer) => {
      alive()
      onBytes(chunk.length)
    })
    if (!append && have) onBytes(-have)
    await pipeline(body, createWriteStream(file, { flags: append ? 'a' : 'w', mode: PRIVATE_FILE }))
  } catch (e) {
    if (e instanceof OspreyError) throw e
    if (options.signal?.aborted) throw new OspreyError('cancelled', `The download of ${info.title} was cancelled; what arrived is kept and the next attempt continues from there.`)
    throw new OspreyError('unsupported', offlineMessage(info, url, e as Error, idle.signal.aborted))
  } finally {
    clearTimeout(timer)
  }
}

/** Why a download failed, in words, with what to do. */
function offlineMessage(info: BackboneInfo, url: URL, e: Error, stalled: boolean): string {
  const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as NodeJS.ErrnoException).code ?? (e as { cause?: Error }).cause?.message
  const why = stalled
    ? `the connection to ${url.host} stalled`
    : cause === 'ENOTFOUND' || cause === 'EAI_AGAIN' || cause === 'ECONNREFUSED' || cause === 'ENETUNREACH'
      ? `this computer seems to be offline (${url.host} cannot be reached)`
      : `the connection to ${url.host} failed (${cause ?? e.message})`
  return `Cannot download ${info.title}: ${why}. Connect to the internet and try again — what arrived is kept and the download continues from there — or use the included MobileNetV2 α 0.35, which needs no download.`
}
