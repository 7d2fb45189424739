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

/** Random changes applied to each training image, anew every epoch (seeded). 0 / false = off. */
export interface Augmentation {
  flipHorizontal: boolean
  flipVertical: boolean
  /** Largest rotation, in degrees, either way. */
  rotation: number
  /** Random resized crop: the smallest fraction of the image area kept (1 = off). */
  scale: number
  /** Largest shift, as a fraction of the width or height, either way. */
  translate: number
  /** Largest relative change of brightness, contrast and saturation (0.2 = ±20%). */
  brightness: number
  contrast: number
  saturation: number
  /** Largest hue shift, as a fraction of the colour wheel (0.05 = ±18°). */
  hue: number
  /** Largest Gaussian blur sigma, in pixels. */
  blur: number
  /** Standard deviation of added Gaussian noise, on the [0, 1] pixel scale. */
  noise: number
  /** Probability of erasing one random rectangle (random erasing). */
  erasing: number
}

/** How pixels are scaled before training: to [0,1], to [-1,1], or by per-channel mean/std of the training split. */
export type Normalization = 'unit' | 'symmetric' | 'standardize'

/** The models a Run can train. */
export type ModelName = 'reference-cnn' | 'default-cnn' | 'compact-resnet'
/** Optimizers. */
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop'
/** How the learning rate changes over a Run. */
export type ScheduleName = 'constant' | 'step' | 'cosine' | 'onecycle' | 'plateau'
/** The training backends, fastest first: CUDA, native CPU, WebGPU, WebAssembly, plain JavaScript. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'
/** Where a Run stands. `interrupted`: its worker died (crash, app closed); it can be resumed from its last checkpoint. */
export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted'

/** Everything that defines a Run; recorded with it, so it can be reproduced. */
export interface TrainingConfig {
  /** The dataset folder (one sub-folder per class). */
  folder: string
  model: ModelName
  /** Images are resized to imageSize × imageSize. */
  imageSize: number
  epochs: number
  batchSize: number
  optimizer: OptimizerName
  learningRate: number
  weightDecay: number
  schedule: ScheduleName
  /** Stop after this many epochs without a better validation loss, and keep the best weights. 0 = off. */
  earlyStopping: number
  normalization: Normalization
  augmentation: Augmentation
  /** Fraction of the images kept for validation; null = automatic (20%, or 10% for large sets). */
  validationSplit: number | null
  /** Fraction kept for a final test; null = automatic (none, or 5% for large sets). */
  testSplit: number | null
  seed: number
  backend: 'auto' | BackendName
}

/** What starting a Run asks for: any fields of TrainingConfig; the rest come from the defaults. */
export type TrainingRequest = Omit<Partial<TrainingConfig>, 'augmentation'> & { folder: string; augmentation?: Partial<Augmentation> }

/** One training Iteration (one batch), as streamed live. */
export interface IterationMetrics {
  runId: number
  epoch: number
  /** Counted from 1 over the whole Run. */
  iteration: number
  loss: number
  accuracy: number
  learningRate: number
  imagesPerSecond: number
  elapsedMs: number
  /** Memory (resident set) of the process training the Run, in bytes; 0 when not known (older Runs). */
  memoryBytes: number
}

/** One finished Epoch. */
export interface EpochMetrics {
  runId: number
  epoch: number
  trainLoss: number
  trainAccuracy: number
  valLoss: number | null
  valAccuracy: number | null
  learningRate: number
  durationMs: number
}

/** Evaluation of a model on a split: confusion matrix and per-class metrics. */
export interface Evaluation {
  split: 'validation' | 'test'
  classes: string[]
  /** confusion[true][predicted] = count. */
  confusion: number[][]
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[]
  accuracy: number
  loss: number
  /** The most confidently wrong images. */
  topLosses: { path: string; label: string; predicted: string; confidence: number; loss: number }[]
}

/** A Run as listed. */
export interface RunSummary {
  id: number
  name: string
  status: RunStatus
  datasetId: number | null
  model: ModelName
  backend: string | null
  epochsDone: number
  epochs: number
  valAccuracy: number | null
  valLoss: number | null
  imagesPerSecond: number | null
  createdAt: string
  durationMs: number | null
  error: string | null
}

/** A Run with everything recorded about it. */
export interface RunDetail extends RunSummary {
  config: TrainingConfig
  seed: number
  fingerprint: string
  split: { train: number; validation: number; test: number; classes: string[] } | null
  versions: Record<string, string>
  normalizationStats: { mean: number[]; std: number[] } | null
  epochMetrics: EpochMetrics[]
  /** Per-iteration metrics, downsampled to at most 2,000 points. */
  iterationMetrics: IterationMetrics[]
  evaluation: Evaluation | null
}

/** Augmented versions of a few images per class, exactly as training will see them (data: URLs). */
export interface AugmentationPreview {
  classes: { name: string; images: { path: string; original: string; epochs: string[] }[] }[]
}

// --- Try it, export, top-loss gallery (issue 3) ---

/** One image classified with a Run's model ("Try it"), or why it could not be read. */
export type ImagePrediction =
  | { path: string; thumbnail: string; label: string; confidence: number; top: { label: string; probability: number }[]; error: null }
  | { path: string; thumbnail: null; label: null; confidence: null; top: []; error: string }

/** What an exported model folder holds besides model.json and its weights (metadata.json). */
export interface ExportedModelMetadata {
  format: 'osprey-image-classifier'
  version: 1
  runId: number
  runName: string
  /** Class names, in the order of the model's outputs (also in labels.json). */
  labels: string[]
  imageSize: number
  channels: 1 | 3
  /** Pixels go to [0, 1], then (x − mean[c]) / std[c] per channel, after resizing the shorter side and centre-cropping. */
  normalization: { kind: Normalization; mean: number[]; std: number[] }
  model: ModelName
  backend: string | null
  exportedAt: string
}

/** A top-loss image of a Run's evaluation with its thumbnail; `thumbnail` is null when the file no longer exists or cannot be read. */
export interface TopLossImage {
  path: string
  thumbnail: string | null
  missing: string | null
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
  /** Start training; resolves once the Run is recorded (training goes on; follow the runs.* events). */
  'runs.start': { request: { config: TrainingRequest }; response: RunSummary }
  'runs.pause': { request: { id: number }; response: RunSummary }
  'runs.resume': { request: { id: number }; response: RunSummary }
  /** Stop keeps what was learned: the model is saved and evaluated. */
  'runs.stop': { request: { id: number }; response: RunSummary }
  'runs.list': { request: Record<string, never>; response: RunSummary[] }
  'runs.get': { request: { id: number }; response: RunDetail }
  /** What the augmentation settings do to sample images: Epochs 1…`epochs` of the first `perClass` images per class. */
  'runs.augmentPreview': {
    request: { folder: string; imageSize: number; augmentation: Augmentation; seed: number; perClass?: number; epochs?: number }
    response: AugmentationPreview
  }
  /** A learning-rate range test with these settings (nothing is recorded): the loss against the rate, and a suggested rate. */
  'runs.findLearningRate': {
    request: { config: TrainingRequest }
    response: { points: { learningRate: number; loss: number }[]; suggestion: number | null; backend: string }
  }
  /** The defaults a new Run starts from, for a dataset folder. */
  'runs.defaults': { request: { folder?: string }; response: TrainingConfig }
  // --- Try it, export, top-loss gallery (issue 3) ---
  /** Classify images with a finished Run's model, in a worker; an unreadable file gets its own error, never fails the rest. */
  'runs.predict': { request: { id: number; paths: string[] }; response: { backend: string; predictions: ImagePrediction[] } }
  /** Copy a Run's model into `folder` (model.json, weights, labels.json, metadata.json); refuses to replace a model.json unless `overwrite`. */
  'runs.exportModel': { request: { id: number; folder: string; overwrite?: boolean }; response: { folder: string; files: string[] } }
  /** Thumbnails of the top-loss images of a Run's evaluation, in its order. */
  'runs.topLossImages': { request: { id: number; size?: number }; response: TopLossImage[] }
  /** Native folder dialog; only over the Electron transport. */
  'dialog.openFolder': { request: Record<string, never>; response: { path: string | null } }
}

/** Every event the main process pushes to the renderer. */
export interface Events {
  /** `path` is the folder exactly as the `datasets.scan` request named it. */
  'datasets.scanProgress': { path: string; phase: 'listing' | 'reading' | 'saving'; done: number; total: number }
  'runs.iteration': IterationMetrics
  'runs.epoch': EpochMetrics
  /** A Run changed status (started, paused, finished, failed…); `message` says why when it failed. */
  'runs.status': { run: RunSummary; message?: string }
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
