/**
 * The one contract between the renderer and the main process: every command
 * (request -> response) and every event (pushed payload). Types only: main
 * implements it, the preload exposes it, the renderer calls it. Runtime
 * validation of requests lives in ./schemas.ts and is checked against these types.
 */

/** A class folder of a Dataset and how many usable images it holds. */
export interface DatasetClass {
  name: string
  count: number
}

/** What kind of problem a scan found; each comes with a plain-language message. */
export type ProblemKind =
  | 'missing-folder' // the dataset folder itself cannot be used
  | 'no-classes' // no class sub-folders
  | 'single-class' // a classifier needs at least two classes
  | 'empty-class' // a class folder without usable images
  | 'loose-file' // a file directly in the dataset folder, outside any class
  | 'unreadable' // permission denied, vanished during the scan, ...
  | 'empty-file' // zero bytes
  | 'not-image' // a file that is not an image
  | 'corrupt' // an image that cannot be decoded (truncated, damaged)
  | 'too-large' // more pixels than the limit
  | 'duplicate' // same content as another image of the same class
  | 'duplicate-across-classes' // same content in two different classes
  | 'symlink-loop' // a folder link that leads back into itself

/** `error`: the file or folder is not used. `warning`: it is used, but look at it. */
export type ProblemSeverity = 'error' | 'warning'

/** One problem found by a scan. `path` is relative to the dataset folder, with `/` separators. */
export interface Problem {
  path: string
  kind: ProblemKind
  severity: ProblemSeverity
  message: string
}

/** An image size in pixels, after EXIF orientation. */
export interface ImageSize {
  width: number
  height: number
}

/** A short summary of the images' sizes and channels. */
export interface ImageStats {
  smallest: ImageSize | null
  largest: ImageSize | null
  mostCommon: (ImageSize & { count: number }) | null
  /** How many images are grayscale, colour (RGB or CMYK), and how many carry an alpha channel. */
  channels: { grayscale: number; rgb: number; alpha: number }
  /** Image counts per file format (png, jpeg, webp, ...). */
  formats: Record<string, number>
}

/** What changed since the previous scan of the same folder (by size and modification time). */
export interface DatasetChanges {
  added: number
  removed: number
  changed: number
  /** Up to 100 paths of each kind, for display. */
  examples: { added: string[]; removed: string[]; changed: string[] }
}

/** Everything a scan learned about a Dataset folder. */
export interface DatasetReport {
  /** The Dataset's id: the one `datasets.get`, `datasets.thumbnails` and `datasets.forget` take. */
  id: number
  name: string
  path: string
  scannedAt: string
  durationMs: number
  classes: DatasetClass[]
  /** Usable images (those that training will use). */
  images: number
  problems: Problem[]
  /** Content hash over the paths and contents of the usable images. */
  fingerprint: string
  stats: ImageStats
  /** Null on a folder's first scan. */
  changes: DatasetChanges | null
  /** Files found in the folder (hidden files and OS leftovers aside). */
  filesSeen: number
  /** Files read and decoded in this scan; the other `filesSeen - filesRead` were known and unchanged. */
  filesRead: number
}

/** A Dataset as listed: the last scan's headline figures. */
export interface DatasetListItem {
  id: number
  name: string
  path: string
  images: number
  classes: number
  errors: number
  warnings: number
  fingerprint: string
  scannedAt: string
}

/** A small preview of one image, as a data: URL. */
export interface Thumbnail {
  path: string
  url: string
}

/** Sample thumbnails of one class. */
export interface ClassThumbnails {
  name: string
  thumbnails: Thumbnail[]
}

/** Facts the renderer needs once at start. */
export interface AppInfo {
  name: string
  version: string
  dataDir: string
  sampleDatasetPath: string
  /** `electron`: native dialogs exist. `http`: served by `osprey serve` to a browser. */
  transport: 'electron' | 'http'
}

/** Every command: its request and its response. */
export interface Commands {
  'app.info': { request: Record<string, never>; response: AppInfo }
  'datasets.list': { request: Record<string, never>; response: DatasetListItem[] }
  /** Scan (or re-scan) a folder; progress arrives as `datasets.scanProgress` events. */
  'datasets.scan': { request: { path: string }; response: DatasetReport }
  'datasets.cancelScan': { request: { path: string }; response: { cancelled: boolean } }
  'datasets.get': { request: { id: number }; response: DatasetReport }
  'datasets.thumbnails': {
    request: { id: number; perClass?: number; size?: number }
    response: ClassThumbnails[]
  }
  /** Forget a Dataset (its history entry only: the folder is never touched). */
  'datasets.forget': { request: { id: number }; response: { forgotten: boolean } }
  /** Native folder dialog; only over the Electron transport. */
  'dialog.openFolder': { request: Record<string, never>; response: { path: string | null } }
}

/** Every event the main process pushes to the renderer. */
export interface Events {
  /** `path` is the folder exactly as the `datasets.scan` request named it. */
  'datasets.scanProgress': { path: string; phase: 'listing' | 'reading' | 'saving'; done: number; total: number }
  /** The application menu asks the renderer to do something. */
  'menu.action': { action: 'open-folder' | 'open-sample'; path?: string }
}

export type CommandName = keyof Commands
export type EventName = keyof Events
export type Request<C extends CommandName> = Commands[C]['request']
export type Response<C extends CommandName> = Commands[C]['response']

/** Stable error codes a command can fail with. */
export type ErrorCode = 'invalid-request' | 'unknown-command' | 'bad-input' | 'not-found' | 'cancelled' | 'unsupported' | 'internal'

/** A failed command, as it crosses the boundary. */
export interface CommandError {
  code: ErrorCode
  message: string
  /** For `invalid-request`: one line per wrong field. */
  issues?: string[]
}

/** What every transport returns for a command. */
export type CommandResult<C extends CommandName> = { ok: true; value: Response<C> } | { ok: false; error: CommandError }

/** The API the renderer sees, whatever the transport. */
export interface OspreyApi {
  invoke<C extends CommandName>(command: C, request: Request<C>): Promise<Response<C>>
  /** Subscribe to an event; returns the disposer. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}
