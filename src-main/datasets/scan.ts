/**
 * Scans a dataset folder: list, read what changed since the last scan, summarize, record.
 * Runs inside a job worker (see jobs/worker.ts) so the main process never waits on it.
 */
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { DatasetReport, Events } from '../contract'
import { OspreyError } from '../errors'
import type { DatasetRepository } from '../store/datasets'
import { DEFAULT_PIXEL_LIMIT, inspect, type FileEntry } from './inspect'
import { sampleColour } from './colour'
import { changesBetween, summarize } from './summarize'
import { errorText, walk, type ListedFile } from './walk'

/** Progress of a scan, as the `datasets.scanProgress` event carries it. */
export type ScanProgress = Events['datasets.scanProgress']

/** What a scan needs besides the folder. */
export interface ScanOptions {
  repository: DatasetRepository
  signal?: AbortSignal
  onProgress?: (progress: ScanProgress) => void
  /** Images with more pixels are reported as too large and never decoded. */
  pixelLimit?: number
  /** Files read at once. sharp decodes on its own thread pool; this keeps it fed. */
  concurrency?: number
  now?: () => Date
}

// Manifest rows written per transaction: short enough that other writers never wait long.
const WRITE_SLICE = 1000

/** Scans `folder` and records the result; throws OspreyError('bad-input') when it cannot be scanned. */
export async function scanDataset(folder: string, options: ScanOptions): Promise<DatasetReport> {
  const { repository, signal } = options
  const now = options.now ?? (() => new Date())
  const started = now()
  const root = resolve(folder)
  await checkFolder(root)
  const progress = throttle(options.onProgress, root)

  const knownId = repository.idOf(root)
  const previous = knownId === undefined ? new Map<string, FileEntry>() : repository.manifest(knownId)

  progress('listing', 0, 0)
  const listing = await walk(root, { signal, onFound: (n) => progress('listing', n, 0) })

  const entries: FileEntry[] = new Array(listing.files.length)
  const toRead: number[] = []
  listing.files.forEach((file, i) => {
    const old = previous.get(file.path)
    if (file.class === null)
      entries[i] = unread(file) // outside any class: reported, never used
    else if (old && old.size === file.size && old.mtimeMs === file.mtimeMs && old.class === file.class && !undecoded(old)) entries[i] = old
    else toRead.push(i)
  })

  let done = 0
  progress('reading', 0, toRead.length, true)
  await pool(toRead, options.concurrency ?? 8, async (i) => {
    signal?.throwIfAborted()
    entries[i] = await inspect(root, listing.files[i], options.pixelLimit ?? DEFAULT_PIXEL_LIMIT)
    progress('reading', ++done, toRead.length)
  })
  signal?.throwIfAborted()

  const summary = summarize(listing.classes, entries, listing.problems)
  const colourSample = await sampleColour(root, entries)
  if (colourSample) summary.stats.colourSample = colourSample
  const seen = new Set(listing.files.map((f) => f.path))
  const removed = [...previous.keys()].filter((p) => !seen.has(p))
  const written = entries.filter((e, i) => e !== previous.get(listing.files[i].path))

  // Past this point the scan is no longer cancellable: it only records what it found.
  progress('saving', 0, written.length + removed.length, true)
  const id = knownId ?? repository.ensure(root, basename(root))
  for (let i = 0; i < Math.max(written.length, removed.length); i += WRITE_SLICE) {
    repository.writeFiles(id, written.slice(i, i + WRITE_SLICE), removed.slice(i, i + WRITE_SLICE))
    progress('saving', Math.min(i + WRITE_SLICE, written.length + removed.length), written.length + removed.length)
    await yieldToLoop()
  }
  const report: DatasetReport = {
    id,
    // A name the user gave the Dataset outlives its scans; a first scan names it after its folder.
    name: repository.name(id) ?? basename(root),
    path: root,
    scannedAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
    ...summary,
    changes: knownId === undefined ? null : changesBetween(previous, entries),
    filesSeen: listing.files.length,
    filesRead: toRead.length
  }
  repository.saveReport(report)
  progress('saving', written.length + removed.length, written.length + removed.length, true)
  return report
}

function unread(file: ListedFile): FileEntry {
  return { ...file, hash: null, format: null, width: null, height: null, space: null, hasAlpha: null, problem: null, message: null }
}

/** Refuses, with a message that says what to do, a path that is not a readable folder. */
async function checkFolder(root: string): Promise<void> {
  let info
  try {
    info = await stat(root)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new OspreyError('bad-input', `Folder not found: ${root}. Check the path, or drag the folder onto the window.`)
    throw new OspreyError('bad-input', `Cannot open ${root}: ${errorText(e)}.`)
  }
  if (!info.isDirectory()) {
    throw new OspreyError('bad-input', `${root} is a file, not a folder. Choose the folder that holds one sub-folder of images per class.`)
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  })
  await Promise.all(lanes)
}

/** Reports progress at most every 100 ms, and always when `force` is set. */
function throttle(onProgress: ScanOptions['onProgress'], path: string) {
  let last = 0
  return (phase: ScanProgress['phase'], done: number, total: number, force = false) => {
    if (!onProgress) return
    const t = Date.now()
    if (!force && t - last < 100 && done !== total) return
    last = t
    onProgress({ path, phase, done, total })
  }
}

/** An image that could not be decoded is read again at every scan: a newer Osprey may read it, or say better why not.
 *  Files that are not images (a Live Photo's video, notes) are not: re-hashing them would only slow every rescan. */
const undecoded = (e: FileEntry) => e.problem === 'corrupt' || e.problem === 'unsupported-format'
