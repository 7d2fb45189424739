/**
 * Files between a browser and `osprey serve`, which cannot read a path on the browser's machine
 * (a tab reached over a tunnel): images and datasets go up into the data folder, the exported
 * model comes down as a zip. Over HTTP beside the API socket, with the same access token, given
 * explicitly as a Bearer header (never a cookie, never in a URL). The desktop app needs none of
 * this: it reads dropped files' paths, so there `files` is null.
 */
import { accessToken, ACCESS_HELP, ApiError } from './api'

/** What the page can send and fetch. */
export interface FileTransfer {
  /** Stores an image for Try it; resolves with its path on the server. */
  uploadImage(file: File): Promise<string>
  /** Unpacks a zipped dataset folder on the server; resolves with the folder's path there. */
  uploadZip(file: File): Promise<string>
  /** Sends a folder's files (each with its path inside the folder) into a new folder on the server; resolves with its path. */
  uploadFolder(name: string, files: { file: File; path: string }[], onProgress?: (done: number, total: number) => void): Promise<string>
  /** Downloads Run `runId`'s exported model (model.json, weights, labels, metadata) as one zip. */
  downloadModel(runId: number): Promise<void>
}

/** Sends or fetches over HTTP with the token; a refusal becomes an ApiError with the server's sentence. */
async function request(method: 'GET' | 'POST', path: string, body?: Blob): Promise<Response> {
  const token = accessToken()
  if (!token) throw new ApiError({ code: 'unsupported', message: ACCESS_HELP })
  let response: Response
  try {
    // oxlint-disable-next-line unicorn/no-invalid-fetch-options -- a GET never carries a body (it is undefined then)
    response = await fetch(path, { method, body, headers: { Authorization: `Bearer ${token}` } })
  } catch {
    throw new ApiError({ code: 'internal', message: `Cannot reach the Osprey server. ${ACCESS_HELP}` })
  }
  if (!response.ok)
    throw new ApiError({
      code: response.status === 404 ? 'not-found' : response.status >= 500 ? 'internal' : 'bad-input',
      message: (await response.text()) || `The server answered ${response.status}.`
    })
  return response
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

/** Files over the serve transport. */
export const httpFiles: FileTransfer = {
  async uploadImage(file) {
    return (await (await request('POST', `/api/uploads/image?${query({ name: file.name })}`, file)).json()).path
  },
  async uploadZip(file) {
    return (await (await request('POST', `/api/uploads/datasets?${query({ name: file.name })}`, file)).json()).path
  },
  async uploadFolder(name, files, onProgress) {
    const { upload, path } = await (await request('POST', `/api/uploads/datasets?${query({ name, folder: '1' })}`)).json()
    let done = 0
    // A few at a time: the server writes while the next ones travel.
    const queue = [...files]
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await request('POST', `/api/uploads/datasets/${upload}?${query({ path: next.path })}`, next.file)
        onProgress?.(++done, files.length)
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    return path
  },
  async downloadModel(runId) {
    const response = await request('GET', `/api/downloads/models/${runId}`)
    const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? `osprey-run-${runId}-model.zip`
    const url = URL.createObjectURL(await response.blob())
    const link = Object.assign(document.createElement('a'), { href: url, download: name })
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
}

/** The transfer for this window: HTTP in a browser, none in the desktop app (it reads paths). */
export const files: FileTransfer | null = typeof window !== 'undefined' && window.osprey ? null : httpFiles

/**
 * The files of a drop, with their paths inside what was dropped: a dropped folder is walked
 * (the browser's file-system entries), loose files come as they are. Hidden files are left out.
 */
export async function droppedFiles(data: DataTransfer): Promise<{ name: string; files: { file: File; path: string }[] }> {
  const entries = Array.from(data.items, (item) => item.webkitGetAsEntry?.() ?? null).filter((e): e is FileSystemEntry => e !== null)
  const found: { file: File; path: string }[] = []
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.name.startsWith('.')) return
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
      found.push({ file, path: `${prefix}${entry.name}` })
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader()
      // readEntries answers in pieces (100 at a time in Chromium) until it answers nothing.
      for (let batch = await read(reader); batch.length; batch = await read(reader)) for (const child of batch) await walk(child, `${prefix}${entry.name}/`)
    }
  }
  // One dropped folder: its contents, named after it; several things: all of them, in a folder named after the first.
  const single = entries.length === 1 && entries[0].isDirectory
  for (const entry of entries) {
    if (single) {
      const reader = (entry as FileSystemDirectoryEntry).createReader()
      for (let batch = await read(reader); batch.length; batch = await read(reader)) for (const child of batch) await walk(child, '')
    } else await walk(entry, '')
  }
  return { name: entries[0]?.name ?? 'dataset', files: found }
}

function read(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject))
}

/** The files chosen with a folder picker (`webkitdirectory`), with their paths inside the chosen folder. */
export function pickedFolder(list: FileList): { name: string; files: { file: File; path: string }[] } {
  const all = Array.from(list)
  const name = all[0]?.webkitRelativePath.split('/')[0] || 'dataset'
  const files = all.map((file) => ({ file, path: file.webkitRelativePath.split('/').slice(1).join('/') || file.name })).filter((f) => !f.path.split('/').some((p) => p.startsWith('.')))
  return { name, files }
}
