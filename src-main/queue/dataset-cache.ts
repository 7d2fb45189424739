/**
 * A worker's Datasets, by fingerprint. The studio's folder is used directly when this
 * machine has it with the same content (a shared disk, or `osprey cluster`); otherwise the
 * worker asks the studio for each image and keeps a copy under its data folder. Either way every
 * image's SHA-256 is checked against the manifest, and the manifest against the fingerprint, so
 * a Trial trains on exactly the images the studio scanned.
 */
import { createHash } from 'node:crypto'
import { createReadStream, statSync, type Stats } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path'
import { z } from 'zod'
import { fingerprint } from '../datasets/summarize'
import { compare } from '../datasets/walk'
import { OspreyError } from '../errors'
import type { DatasetManifest } from '../runs/prepare'
import { studioRequest, type StudioResponse } from './http'
import type { TrialJob } from './protocol'

const manifestSchema = z.object({
  name: z.string(),
  path: z.string(),
  fingerprint: z.string(),
  channels: z.union([z.literal(1), z.literal(3)]),
  files: z.array(z.object({ path: z.string().min(1).max(4096), class: z.string().min(1).max(1000), hash: z.string().regex(/^[0-9a-f]{64}$/) }))
})

/** What a worker records once a Dataset is ready here. */
interface Ready {
  root: string
  shared: boolean
  /** For a shared folder: each image's size and mtime when its content was checked. */
  seen?: [number, number][]
}

// Images fetched at once from the studio.
const PARALLEL_FETCHES = 8

/** Datasets on this worker, ready to train on. */
export class DatasetCache {
  #dir: string
  #useShared: boolean
  #pending = new Map<string, Promise<DatasetManifest>>()
  // Datasets ready on this worker, kept in memory: a Trial reads no manifest (megabytes for a large Dataset) from disk.
  #ready = new Map<string, { manifest: DatasetManifest; ready: Ready }>()

  /** `useShared`: train on the studio's folder when this machine has it with the same content (default). */
  constructor(dataDir: string, options: { useShared?: boolean } = {}) {
    this.#dir = join(dataDir, 'datasets')
    this.#useShared = options.useShared ?? true
  }

  /** The Dataset of `job`, here: its folder checked, or fetched from the studio at `studioUrl()` (asked only when needed). */
  resolve(job: TrialJob, studioUrl: () => Promise<string>, onProgress: (done: number, total: number, what: string) => void): Promise<DatasetManifest> {
    const fp = job.dataset.fingerprint
    let pending = this.#pending.get(fp)
    if (!pending) {
      pending = this.#resolve(job, studioUrl, onProgress).finally(() => this.#pending.delete(fp))
      this.#pending.set(fp, pending)
    }
    return pending
  }

  async #resolve(job: TrialJob, studioUrl: () => Promise<string>, onProgress: (done: number, total: number, what: string) => void): Promise<DatasetManifest> {
    const fp = job.dataset.fingerprint
    const home = join(this.#dir, fp)
    const kept = this.#ready.get(fp) ?? (await readReady(home))
    this.#ready.delete(fp)
    if (kept && (!kept.ready.shared || (this.#useShared && (await unchanged(kept.ready, kept.manifest))))) return this.#keep(fp, kept.manifest, kept.ready)

    const studio = await studioUrl()
    const manifest = kept?.manifest ?? (await fetchManifest(job, studio))
    await mkdir(home, { recursive: true, mode: 0o700 })
    await writeJson(join(home, 'manifest.json'), manifest)
    const shared = this.#useShared && (await checkFolder(job.dataset.folder, manifest, (done, total) => onProgress(done, total, 'images of the shared folder (checking)')))
    const ready: Ready = shared ? { root: resolve(job.dataset.folder), shared: true, seen: shared } : { root: join(home, 'files'), shared: false }
    if (!shared) await download(job, studio, manifest, home, (done, total) => onProgress(done, total, 'images from the studio'))
    await writeJson(join(home, 'ready.json'), ready)
    return this.#keep(fp, manifest, ready)
  }

  #keep(fp: string, manifest: DatasetManifest, ready: Ready): DatasetManifest {
    this.#ready.set(fp, { manifest, ready })
    return { ...manifest, path: ready.root }
  }
}

/** What an earlier worker on this data folder left ready, if anything. */
async function readReady(home: string): Promise<{ manifest: DatasetManifest; ready: Ready } | null> {
  const manifest = await readJson<DatasetManifest>(join(home, 'manifest.json'))
  const ready = manifest && (await readJson<Ready>(join(home, 'ready.json')))
  return manifest && ready ? { manifest, ready } : null
}

async function fetchManifest(job: TrialJob, studioUrl: string): Promise<DatasetManifest> {
  const response = await fromStudio(job, studioUrl, `/datasets/${job.dataset.fingerprint}/manifest`)
  const parsed = manifestSchema.safeParse(parseJson(response.body.toString('utf8')))
  if (!parsed.success) throw new OspreyError('internal', `The studio's manifest of ${job.dataset.name} was malformed: ${parsed.error.issues[0]?.message}.`)
  const manifest = parsed.data
  for (const f of manifest.files) safeRelative(f.path)
  if (manifest.fingerprint !== job.dataset.fingerprint || fingerprint([...manifest.files].sort((a, b) => compare(a.path, b.path))) !== job.dataset.fingerprint) {
    throw new OspreyError(
      'bad-input',
      `The studio's manifest of ${job.dataset.name} does not match its fingerprint: the Dataset was scanned again and changed since the Trial was queued. Start the Study again.`
    )
  }
  return { path: manifest.path, fingerprint: manifest.fingerprint, channels: manifest.channels, files: manifest.files }
}

/** Each image's [size, mtime] when `folder` holds exactly the manifest's images; null otherwise. */
async function checkFolder(folder: string, manifest: DatasetManifest, onProgress: (done: number, total: number) => void): Promise<[number, number][] | null> {
  if (!isAbsolute(folder) || !(await stat(folder).catch(() => null))?.isDirectory()) return null
  const seen: [number, number][] = []
  for (const [i, f] of manifest.files.entries()) {
    const file = join(folder, f.path)
    const info = await stat(file).catch(() => null)
    if (!info?.isFile() || (await sha256(file)) !== f.hash) return null
    seen.push([info.size, info.mtimeMs])
    if (i % 50 === 0) onProgress(i, manifest.files.length)
  }
  return seen
}

/**
 * True when a shared folder's images still have the size and mtime they had when checked. Looked
 * at before every Trial, so synchronously (a promise per stat costs far more), a thousand at a time.
 */
async function unchanged(ready: Ready, manifest: DatasetManifest): Promise<boolean> {
  if (!ready.seen || ready.seen.length !== manifest.files.length) return false
  for (const [i, f] of manifest.files.entries()) {
    if (i > 0 && i % 1000 === 0) await new Promise((next) => setImmediate(next)) // the worker's lock renewals and progress go on
    const info = statOrNull(join(ready.root, f.path))
    if (!info || info.size !== ready.seen[i][0] || info.mtimeMs !== ready.seen[i][1]) return false
  }
  return true
}

async function download(job: TrialJob, studioUrl: string, manifest: DatasetManifest, home: string, onProgress: (done: number, total: number) => void): Promise<void> {
  // A partial copy of a worker that was killed is of no use: its images are fetched again.
  for (const name of await readdir(home)) if (name.startsWith('files.partial-') && !alive(Number(name.slice(14)))) await rm(join(home, name), { recursive: true, force: true })
  const partial = join(home, `files.partial-${process.pid}`)
  await rm(partial, { recursive: true, force: true })
  let next = 0
  let done = 0
  const fetchOne = async () => {
    while (next < manifest.files.length) {
      const index = next++
      const f = manifest.files[index]
      const { body: bytes } = await fromStudio(job, studioUrl, `/datasets/${job.dataset.fingerprint}/files/${index}`)
      if (createHash('sha256').update(bytes).digest('hex') !== f.hash) {
        throw new OspreyError(
          'bad-input',
          `${f.path} from the studio is not the image that was scanned (its SHA-256 differs): the Dataset's folder changed on the studio. Scan it again and restart the Study.`
        )
      }
      const target = join(partial, safeRelative(f.path))
      await mkdir(dirname(target), { recursive: true, mode: 0o700 })
      await writeFile(target, bytes, { mode: 0o600 })
      onProgress(++done, manifest.files.length)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL_FETCHES }, fetchOne))
  // A copy moves into place only whole and checked: one already there (another worker on this
  // data folder was quicker) is as good, and may be in use.
  await rename(partial, join(home, 'files')).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e
    await rm(partial, { recursive: true, force: true })
  })
}

/** A GET to the studio's file server with the worker key, or an error that says what to do. */
async function fromStudio(job: TrialJob, studioUrl: string, path: string): Promise<StudioResponse> {
  let response: StudioResponse
  try {
    response = await studioRequest(new URL(path, studioUrl), { headers: { authorization: `Bearer ${job.studio.key}` } })
  } catch (e) {
    throw new OspreyError(
      'bad-input',
      `Cannot reach the studio at ${studioUrl} to fetch ${job.dataset.name} (${(e as Error).message}). On another machine, forward the studio's port (ssh -R) or start the studio with --files-host, or give this worker --studio URL.`
    )
  }
  if (response.status === 401) throw new OspreyError('bad-input', `The studio at ${studioUrl} refused this worker's key: the Trial came from another studio at that address. Check --studio.`)
  if (!response.ok) throw new OspreyError('bad-input', `The studio could not send ${job.dataset.name}: ${response.body.toString('utf8', 0, 300)}`)
  return response
}

/** A manifest path as a relative path inside the Dataset, or an error (it could point anywhere). */
function safeRelative(path: string): string {
  const clean = normalize(path)
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean.includes(`${sep}..${sep}`))
    throw new OspreyError('bad-input', `The manifest names an image outside its Dataset (${path}); refused.`)
  return clean
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null // not JSON: refused by the schema as malformed
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file)
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256')
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done(hash.digest('hex')))
      .on('error', fail)
  })
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return null
  }
}

/** Written under a temporary name, then moved into place: a reader never sees half a file. */
async function writeJson(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}`
  await writeFile(temp, JSON.stringify(value), { mode: 0o600 })
  await rename(temp, file)
}
