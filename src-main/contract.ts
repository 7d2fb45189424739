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
  | 'split-folders' // the top folders are a train/test split, each holding the class folders
  | 'empty-class' // a class folder without usable images
  | 'few-images' // a class with too few images to learn or check it
  | 'loose-file' // a file directly in the dataset folder, outside any class
  | 'unreadable' // permission denied, vanished during the scan, ...
  | 'empty-file' // zero bytes
  | 'not-image' // a file that is not an image
  | 'corrupt' // an image that cannot be decoded (truncated, damaged)
  | 'unsupported-format' // an image in a format that cannot be decoded here (HEIC, BMP, JPEG XL, JPEG 2000, camera RAW)
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
  /** When every size differs, one of them with count 1 (shown as "every size differs"; image-size defaults still read it). */
  mostCommon: (ImageSize & { count: number }) | null
  /** How many images are grayscale, colour (RGB or CMYK), and how many carry an alpha channel. */
  channels: { grayscale: number; rgb: number; alpha: number }
  /** Image counts per file format (png, jpeg, webp, ...). */
  formats: Record<string, number>
  /** Images more than twice as long as they are wide (either way): the centre square a Run sees keeps less than half of each. Absent in older reports. */
  elongated?: number
  /** Of a few small RGB images (up to 256 × 256) decoded, how many hold colour (grey pictures saved as RGB files: none); absent without such images, and in older reports. */
  colourSample?: { colour: number; of: number }
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
  /** Classes with at least one usable image: those a Run trains on. */
  classes: number
  errors: number
  warnings: number
  fingerprint: string
  scannedAt: string
  /** Why a Run cannot train on it yet (no class folders, one class, no usable image), or null. */
  untrainable: string | null
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
  /** Things the user must be told at start (e.g. a damaged history database was set aside); shown as a banner. */
  notices: string[]
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

/** The networks a Run can train from scratch. */
export type ScratchModelName = 'reference-cnn' | 'default-cnn' | 'compact-resnet'
/** The models a Run can train: one from scratch, or a head on a pretrained backbone (`pretrained`). */
export type ModelName = ScratchModelName | 'pretrained'
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
  /** Stop after this many epochs without a better validation loss (an annealing schedule's rate run down first), and keep the best weights. 0 = off. */
  earlyStopping: number
  normalization: Normalization
  augmentation: Augmentation
  /** Fraction of the images kept for validation; null = automatic (20%, or 10% for large sets). */
  validationSplit: number | null
  /** Fraction kept for a final test; null = automatic (none, or 5% for large sets). */
  testSplit: number | null
  seed: number
  backend: 'auto' | BackendName
  /** Dropout rate before the classifier head; absent = the model's own (tunable). */
  dropout?: number
  /** Width of the dense layer before the classifier; absent = the model's own (tunable). */
  units?: number
  /** `pretrained` only: the backbone, a catalog id (`mobilenet-v2-0.35`) or the absolute folder of a TF.js layers model. */
  backbone?: string
  /** `pretrained` with a model folder of the user's: the layer whose output is the embedding (default: the last before its classifier). */
  backboneLayer?: string
  /** `pretrained` only: augmented views of each training image embedded besides the clean one (0 = clean only). */
  augmentedViews?: number
  /** `pretrained` only: how many of the backbone's last blocks to fine-tune after the head has trained (0 = keep it frozen). */
  fineTuneBlocks?: number
  /** Epochs of fine-tuning, after the `epochs` of the head. */
  fineTuneEpochs?: number
  /** The (low) learning rate of fine-tuning. */
  fineTuneLearningRate?: number
  /** Start from the weights of this earlier Run (same model; a new classifier layer when its classes differ). */
  warmStart?: number
  /** Images (paths within the Dataset folder) left out of this Run — e.g. probably mislabeled ones; the folder is never changed. */
  exclude?: string[]
  /** What the model learns from: the training split (default), or training + validation for a final Run whose recipe is already chosen (no validation, so no early stopping; the test split stays untouched). */
  trainOn?: 'train' | 'train+validation'
  /** Train on this fraction of the training split (stratified, seeded; 1 = all): a cheap first look for a Trial on a large Dataset. */
  trainFraction?: number
  /** From scratch only: the Run ends within this many minutes (loading, training and testing; pauses excluded), its learning-rate schedule spread over the Iterations that fit, the last Epoch possibly partial; `epochs` stays the most it trains. */
  timeLimitMinutes?: number
}

/** What starting a Run asks for: any fields of TrainingConfig; the rest come from the defaults. `model: 'auto'` lets the dataset decide. */
export type TrainingRequest = Omit<Partial<TrainingConfig>, 'augmentation' | 'model'> & { folder: string; model?: ModelName | 'auto'; augmentation?: Partial<Augmentation> }

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
  /** Each image was classified with its left–right mirror, the two predictions averaged (a model trained with horizontal flips). */
  mirrored?: boolean
}

/** How a finished Run (or a Study's Trials together) did: `learned`, or what went wrong. */
export type VerdictKind = 'learned' | 'guessing' | 'diverged' | 'overfitting' | 'underfitting' | 'tie'

/** A plain verdict on a finished Run or a Study: a headline, the figures behind it, and what to try. */
export interface Verdict {
  kind: VerdictKind
  tone: 'ok' | 'warning' | 'error'
  headline: string
  detail: string
  advice: string[]
}

/** A Run as listed. */
export interface RunSummary {
  id: number
  name: string
  status: RunStatus
  datasetId: number | null
  /** The Study this Run is a Trial of; null for a Run of its own. */
  studyId: number | null
  model: ModelName
  backend: string | null
  epochsDone: number
  epochs: number
  /** A time-limited Run's planned Iterations while it trains (its last Epoch may be partial); absent: every Epoch's. */
  iterations?: number
  valAccuracy: number | null
  valLoss: number | null
  /** Accuracy on the test images, for a Run with a test split (the final Run of Find the best model has no validation). */
  testAccuracy?: number | null
  imagesPerSecond: number | null
  createdAt: string
  durationMs: number | null
  error: string | null
  /** What the finished Run's figures mean; null while it trains, and for Runs older than verdicts. */
  verdict: Verdict | null
  /** Where it trains or trained: null on this machine; 'queue' while it waits for a worker; else the worker's name. */
  worker?: string | null
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
  /** For a Study's Trial: which Trial it is (0-based, shown from 1). */
  trial: number | null
}

/** How long a Run will take on this machine, measured on its model and counted from its Dataset. */
export interface RunEstimate {
  /** The whole Run, Epochs counted in full (early stopping can only shorten it). */
  totalMs: number
  /** What takes the time; `once`: done once for the Dataset (later Runs and Trials reuse it). */
  steps: { label: string; ms: number; once: boolean }[]
  /** The backend measured (the one the Run will use). */
  backend: string
  /** Model replicas the Run trains on side by side (a Study's Trial uses one: its training takes this many times longer). */
  replicas: number
  /** This machine's cores (Trials side by side share them). */
  cores: number
  /** An hour or more. */
  long: boolean
  /** What would make it faster, when it is long. */
  advice: string | null
  /** Its time limit ends it before its Epochs would (a Run from scratch). */
  limited?: boolean
}

/** Augmented versions of a few images per class, exactly as training will see them (data: URLs). */
export interface AugmentationPreview {
  classes: { name: string; images: { path: string; original: string; epochs: string[] }[] }[]
}

// ── Studies (hyperparameter tuning) ──────────────────────────────────────────

/** How a Study proposes Trials. */
export type StrategyName = 'grid' | 'random' | 'bayesian'
/** How a Study stops unpromising Trials early: not at all, below the median, or by successive halving (ASHA). */
export type PrunerName = 'none' | 'median' | 'asha'
/** What a Study optimizes: the highest validation accuracy, or the lowest validation loss. */
export type Objective = 'valAccuracy' | 'valLoss'
/** Where a Study stands. `interrupted`: the app closed while it ran; it can be resumed. */
export type StudyStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted'
/** What happened to a Trial. */
export type TrialState = 'running' | 'completed' | 'pruned' | 'failed'
/** A hyperparameter value of a Trial. */
export type ParamValue = string | number | boolean

/** What starting a Study asks for. `space` is the search-space JSON (see docs/ARCHITECTURE.md). */
export interface StudyRequest {
  folder: string
  name?: string
  space: Record<string, unknown>
  strategy: StrategyName
  /** The budget: at most this many Trials… */
  trials: number
  /** …and, when set, no new Trial after this many minutes (counted from each start or resume). */
  timeBudgetMinutes?: number | null
  /** Trials trained at the same time. */
  parallel?: number
  prune?: PrunerName
  objective?: Objective
  seed?: number
  /** Settings every Trial shares; the space's params are laid over them. */
  training?: Omit<TrainingRequest, 'folder'>
  /** A grid of more than 10,000 points starts only when this is true. */
  confirmLargeGrid?: boolean
  /** Where the Trials train: this machine (default), or workers taking them from the studio's job queue. */
  trialsOn?: TrialsOn
  /** Points of the space to try first, in order (e.g. the default recipe), before the strategy's own; not with a grid. */
  startWith?: Record<string, ParamValue>[]
}

/** The studio's job queue and the workers on it; `url` null: not connected to one. */
export interface QueueInfo {
  /** Its address, password hidden. */
  url: string | null
  connected: boolean
  workers: { name: string; host: string; concurrency: number; runs: number }[]
}

/** Where a Study's Trials train: this machine's Trial pool, or workers on the job queue (`osprey worker`). */
export type TrialsOn = 'local' | 'queue'

/** One Trial of a Study: its params, its Run, and how it went. */
export interface TrialSummary {
  studyId: number
  /** 0-based, in the order the strategy proposed. */
  number: number
  runId: number | null
  params: Record<string, ParamValue>
  status: TrialState
  /** The objective's value (accuracy or loss as is): a completed Trial's final one, a pruned Trial's at the Epoch it was stopped. */
  value: number | null
  /** The objective after each Epoch. */
  intermediate: number[]
  /** Its Run's other validation figure (loss for an accuracy objective, accuracy for a loss objective): it breaks ties for best. */
  secondary: number | null
  /** Its Run's training, from its first Iteration to its last Epoch's end. */
  durationMs: number | null
  /** From its Run's request to its end: starting, preparing, saving and evaluating included; null until it ends. */
  wallMs: number | null
  error: string | null
  /** The verdict on the Trial's Run, once it has ended. */
  verdict: VerdictKind | null
  /** The worker that trains or trained it, for a Study on the queue ('queue' while it waits); null on this machine. */
  worker?: string | null
}

/** A Study as listed. */
export interface StudySummary {
  id: number
  name: string
  datasetId: number | null
  folder: string
  strategy: StrategyName
  objective: Objective
  prune: PrunerName
  status: StudyStatus
  /** The Trial budget. */
  trials: number
  counts: Record<TrialState, number>
  /** Null when there is none worth naming: no completed Trial, or every Trial ties or guesses (see `verdict`).
   *  `tiedWith`: how many other completed Trials scored the same; the best of them has the better `secondary`. */
  best: { number: number; value: number; params: Record<string, ParamValue>; runId: number | null; tiedWith?: number } | null
  createdAt: string
  endedAt: string | null
  error: string | null
  /** Set when the Trials together say something plain: they all tie, or none learned. */
  verdict: Verdict | null
}

/** A Study with every Trial. */
export interface StudyDetail extends StudySummary {
  space: Record<string, unknown>
  /** Where its Trials train. */
  trialsOn?: TrialsOn
  training: Omit<TrainingRequest, 'folder'>
  parallel: number
  seed: number
  timeBudgetMinutes: number | null
  trialList: TrialSummary[]
  /** How much each hyperparameter seems to matter (0–1, summing to 1), most important first. */
  importance: { name: string; importance: number }[]
}

// ---- Run history: query, annotate, compare, export ----

/** What the History list can be sorted by. */
export type HistorySortKey = 'createdAt' | 'name' | 'durationMs' | 'valAccuracy' | 'valLoss' | 'imagesPerSecond'

/** Filters, search, sort and page of the History list; every field optional. */
export interface HistoryQuery {
  /** Words to find in Run names and notes (prefix match, all words must appear). */
  search?: string
  datasetId?: number
  model?: ModelName
  status?: RunStatus[]
  backend?: string
  tag?: string
  studyId?: number
  /** Created on or after / before these ISO dates (a bare date `to` includes that whole day). */
  from?: string
  to?: string
  /** Only these Runs (e.g. those picked for comparison, to learn which the filters still show). */
  ids?: number[]
  /** Keep Runs whose final metric lies in [min, max]. */
  metric?: { name: 'valAccuracy' | 'valLoss'; min?: number; max?: number }
  sort?: { by: HistorySortKey; direction: 'asc' | 'desc' }
  offset?: number
  /** At most 1,000 rows a page; 100 by default. */
  limit?: number
}

/** A Run as the History list shows it. */
export interface HistoryRun extends RunSummary {
  datasetName: string | null
  /** A Study's Trial that its pruner stopped early (the Run's own status is `stopped`). */
  pruned?: boolean
  notes: string
  tags: string[]
  seed: number
}

/** One page of the History list and how many Runs match in all. */
export interface HistoryPage {
  runs: HistoryRun[]
  total: number
  offset: number
}

/** A config setting that is not the same in every compared Run: its dotted key and each Run's value. */
export interface ConfigDifference {
  key: string
  values: (string | number | boolean | null)[]
}

/** One Run's side of a comparison. */
export interface ComparedRun {
  run: HistoryRun
  config: TrainingConfig
  epochs: EpochMetrics[]
  /** Per-iteration loss and accuracy, downsampled to at most 500 points. */
  iterations: { iteration: number; epoch: number; loss: number; accuracy: number; elapsedMs: number }[]
  evaluation: Evaluation | null
}

/** 2 to 10 Runs side by side: their configs (with what differs), curves and final metrics. */
export interface RunComparison {
  runs: ComparedRun[]
  /** Every setting (dotted keys) with each Run's value, in config order. */
  settings: ConfigDifference[]
  /** Only the settings that differ, in config order (augmentation flattened to `augmentation.flip`, …). */
  differences: ConfigDifference[]
  /** For each final metric, the index of the best Run (null when no Run has it). */
  best: { valAccuracy: number | null; valLoss: number | null; imagesPerSecond: number | null; durationMs: number | null }
}

/** Every command of the Run history, kept in one block for easy merging. */
export interface HistoryCommands {
  'history.query': { request: HistoryQuery; response: HistoryPage }
  /** Every tag in use, with how many Runs carry it. */
  'history.tags': { request: Record<string, never>; response: { tag: string; runs: number }[] }
  'history.rename': { request: { id: number; name: string }; response: HistoryRun }
  'history.note': { request: { id: number; notes: string }; response: HistoryRun }
  'history.tag': { request: { id: number; tag: string }; response: HistoryRun }
  'history.untag': { request: { id: number; tag: string }; response: HistoryRun }
  /** Deletes a Run that is not training, with its metrics and its files (model, checkpoints). */
  'history.delete': { request: { id: number }; response: { deleted: boolean; filesRemoved: number } }
  'history.compare': { request: { ids: number[] }; response: RunComparison }
  /** The files a Run produced (relative to the data folder) and whether each is still there. */
  'history.artifacts': { request: { id: number }; response: { kind: string; path: string; bytes: number | null; exists: boolean }[] }
  /** The Runs a query matches (every page), as CSV or JSON text. */
  'history.export': { request: { format: 'csv' | 'json'; query?: HistoryQuery; ids?: number[] }; response: { format: 'csv' | 'json'; filename: string; text: string } }
}

// --- Try it, export, top-loss gallery ---

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
  /** A pretrained model's backbone, whose preprocessing `normalization` is. */
  backbone?: { id: string; title: string }
  /** Trained with horizontal flips: Osprey averages the class probabilities of the image and of its left–right mirror (reverse the width axis), a little more accurate than the image alone. */
  mirror?: boolean
  backend: string | null
  exportedAt: string
}

/** An image of a Dataset (path within its folder) with its thumbnail; `thumbnail` is null, and `missing` says why, when the file no longer exists or cannot be read. */
export interface ImageThumbnail {
  path: string
  thumbnail: string | null
  missing: string | null
}

/** A top-loss image of a Run's evaluation with its thumbnail. */
export type TopLossImage = ImageThumbnail

// HTML reports

/** A self-contained HTML report (inline CSS and SVG, no script) and the file name to save it under. */
export interface HtmlReport {
  filename: string
  html: string
}

/** The report commands, kept in one block for easy merging. */
export interface ReportCommands {
  /** 2 to 10 Runs compared, as one HTML page to share. */
  'report.compare': { request: { ids: number[] }; response: HtmlReport }
  /** One Run (its verdict, figures, settings, curves, evaluation), as one HTML page to share. */
  'report.run': { request: { id: number }; response: HtmlReport }
  /** A Study with every Trial, as one HTML page to share. */
  'report.study': { request: { id: number }; response: HtmlReport }
}

// Pretrained backbones

/** A backbone of the catalog, and whether it is on this machine. */
export interface BackboneStatus {
  id: string
  title: string
  description: string
  /** Included with the app, or downloaded on first use. */
  source: 'included' | 'download'
  /** Size of its files (approximate until downloaded). */
  bytes: number
  /** On this machine and ready to use. */
  installed: boolean
  /** Bytes of an unfinished download, which the next attempt continues. */
  partialBytes: number
  licence: string
}

/** A TF.js layers model folder of the user's, offered as a backbone. */
export interface BackboneFolder {
  folder: string
  /** Its layers in order (the first is its input). */
  layers: { name: string; kind: string }[]
  /** Where the studio cuts it unless told: the last layer before its classifier. */
  defaultLayer: string
}

/** What a label check found in a Dataset: probably mislabeled images, and near-duplicates across the split. */
export interface LabelCheckResult {
  /** What judged the images, in words: the pretrained backbone's title, or the default CNN trained from scratch. */
  model: string
  images: number
  folds: number
  /** The split checked for near-duplicates is the one a Run with this seed makes. */
  seed: number
  /** How often the out-of-fold classifier agrees with the given labels. */
  accuracy: number
  /** Most suspect first: the given class, the class the images look like, and how sure of each the model is. */
  suspects: { path: string; given: string; suggested: string; confidence: number; givenProbability: number }[]
  /** A validation image that nearly repeats a training image (`duplicateOf`); `similarity`: how alike the two pictures are at 32 × 32 (correlation, 1 = the same). */
  leaks: { path: string; duplicateOf: string; similarity: number }[]
}

/** A Dataset's last label check, with the user's decisions. */
export interface LabelCheck extends LabelCheckResult {
  datasetId: number
  checkedAt: string
  /** The folder changed since the check: run it again to see the images as they are now. */
  stale: boolean
  /** Exclude (left out of new Runs) or keep (the label is right), by image path. */
  decisions: Record<string, 'exclude' | 'keep'>
}

/** The label check commands, kept in one block for easy merging. */
export interface LabelCommands {
  /** Checks a Dataset's labels with the kind of model its Runs train (progress: `labels.progress`); `seed` decides the split checked for near-duplicates (a Run with that seed). */
  'labels.check': { request: { id: number; seed?: number }; response: LabelCheck }
  /** Stops the running check of a Dataset (its `labels.check` fails with 'cancelled'; the last check stays); `stopped`: whether one was running. */
  'labels.stop': { request: { id: number }; response: { stopped: boolean } }
  /** The Dataset's last label check, or null. */
  'labels.get': { request: { id: number }; response: LabelCheck | null }
  /** Thumbnails of images of the Dataset (paths within its folder), for the check's gallery. */
  'labels.thumbnails': { request: { id: number; paths: string[]; size?: number }; response: ImageThumbnail[] }
  /** Shows an image of the Dataset in the system's file manager; only over the Electron transport. */
  'labels.showImage': { request: { id: number; path: string }; response: { shown: boolean } }
  /** Exclude an image from new Runs, keep it, or (null) undecide. */
  'labels.review': { request: { id: number; path: string; decision: 'exclude' | 'keep' | null }; response: LabelCheck }
}

/** The backbone commands, kept in one block for easy merging. */
export interface BackboneCommands {
  'backbones.list': { request: Record<string, never>; response: BackboneStatus[] }
  /** Downloads a catalog backbone (progress: `backbones.progress`); resumes an unfinished download. */
  'backbones.download': { request: { id: string }; response: BackboneStatus }
  /** Removes a downloaded backbone (never the included one). */
  'backbones.remove': { request: { id: string }; response: BackboneStatus }
  /** Checks a model folder of the user's and lists its layers to cut at. */
  'backbones.inspect': { request: { folder: string }; response: BackboneFolder }
}

// "Find the best model": one time budget, a Study chosen from the Dataset, then the winner trained on training + validation

/** Where a search for the best model stands. `interrupted`: the app closed while it ran; it can be resumed. */
export type AutoStatus = 'searching' | 'training' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted'

/** What "Find the best model" would do for a Dataset in a budget, shown before it starts. */
export interface AutoPlanInfo {
  folder: string
  datasetId: number
  budgetMinutes: number
  /** A head on the pretrained backbone, or a network trained from scratch. */
  family: 'pretrained' | 'scratch'
  /** Why this search, one sentence per choice. */
  reasons: string[]
  /** The Study's search space. */
  space: Record<string, unknown>
  /** At most this much of the budget goes to the Study; the rest trains the winner. */
  searchMinutes: number
  finalMinutes: number
  /** Images held out for the final test, never seen by the search. */
  testImages: number
}

/** The final model of a search and how good it is on the untouched test split. */
export interface AutoResult {
  runId: number
  testAccuracy: number
  /** 95 % Wilson score interval of the test accuracy. */
  interval: { low: number; high: number }
  testImages: number
  /** The accuracy of a guess (1 / classes), and whether the interval reaches it: then the model may have learned nothing (absent in older searches). */
  chance?: number
  guessing?: boolean
  /** The winning Trial (the lowest validation loss): its number, params, validation loss (null: it did not finish) and accuracy, and its Run. */
  trial: { number: number; params: Record<string, ParamValue>; valLoss: number | null; valAccuracy: number | null; runId: number | null }
  /** No Trial finished within the search's time: the final Run trained Trial 1, the default recipe. */
  noTrialFinished?: boolean
  /** The completed Trials all tied (e.g. at a validation loss of 0): the final Run trained the first of these many. */
  tiedTrials?: number
  /** The Epochs the final Run trained. */
  epochs: number
  /** Why this recipe won: how much each searched setting seemed to matter (the Study's importance). */
  importance: { name: string; importance: number }[]
}

/** A search for the best model: its Study, its final Run, and the budget used. */
export interface AutoSearch {
  id: number
  name: string
  folder: string
  datasetId: number | null
  status: AutoStatus
  budgetMinutes: number
  /** Time used so far (pauses excluded), in ms, as of `at`. */
  usedMs: number
  /** When `usedMs` was measured; while searching or training, the clock goes on from there. */
  at: string
  studyId: number | null
  finalRunId: number | null
  family: 'pretrained' | 'scratch'
  reasons: string[]
  result: AutoResult | null
  createdAt: string
  endedAt: string | null
  error: string | null
}

/** The "Find the best model" commands, kept in one block for easy merging. */
export interface AutoCommands {
  /** What a search would do on this folder in `minutes` (default 15), before starting it. */
  'auto.plan': { request: { folder: string; minutes?: number }; response: AutoPlanInfo }
  /** Starts a search; resolves once it is recorded (follow `auto.status`, and its Study's events). */
  'auto.start': { request: { folder: string; minutes?: number; seed?: number; trialsOn?: TrialsOn }; response: AutoSearch }
  'auto.pause': { request: { id: number }; response: AutoSearch }
  'auto.resume': { request: { id: number }; response: AutoSearch }
  /** Stops a search: running Trials or the final Run stop (a stopped final Run keeps its model and test result). */
  'auto.stop': { request: { id: number }; response: AutoSearch }
  'auto.get': { request: { id: number }; response: AutoSearch }
  'auto.list': { request: Record<string, never>; response: AutoSearch[] }
}

/** Every command: its request and its response. */
export interface Commands extends HistoryCommands, ReportCommands, BackboneCommands, LabelCommands, AutoCommands {
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
  /** Give a Dataset a name of your own (the folder is not renamed); later scans keep it. */
  'datasets.rename': { request: { id: number; name: string }; response: DatasetListItem }
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
  /** How long a Run with these settings will take here: a quick measurement of its model on this machine (kept for the session), counted over its scanned Dataset. */
  'runs.estimate': { request: { config: TrainingRequest }; response: RunEstimate }
  /** The defaults a new Run starts from, for a dataset folder (and a model; default: the one `auto` picks, with why). */
  'runs.defaults': { request: { folder?: string; model?: ModelName | 'auto' }; response: TrainingConfig & { modelReason?: string } }
  // --- Try it, export, top-loss gallery ---
  /** Classify images with a finished Run's model, in a worker; an unreadable file gets its own error, never fails the rest. */
  'runs.predict': { request: { id: number; paths: string[] }; response: { backend: string; predictions: ImagePrediction[] } }
  /** Copy a Run's model into `folder` (model.json, weights, labels.json, metadata.json, README.md, classify.mjs); refuses to replace any of them unless `overwrite`. */
  'runs.exportModel': { request: { id: number; folder: string; overwrite?: boolean }; response: { folder: string; files: string[] } }
  /** Thumbnails of the top-loss images of a Run's evaluation, in its order. */
  'runs.topLossImages': { request: { id: number; size?: number }; response: TopLossImage[] }
  /** Native folder dialog; only over the Electron transport. */
  'dialog.openFolder': { request: Record<string, never>; response: { path: string | null } }
  // Studies
  /** Checks a search space: every problem, and how many points its grid has. */
  'studies.checkSpace': { request: { space: Record<string, unknown> }; response: { problems: string[]; gridSize: number | null } }
  /** Starts a Study; resolves once it is recorded (follow the studies.* events). */
  'studies.start': { request: { study: StudyRequest }; response: StudySummary }
  /** Stops a Study: running Trials stop; it can be resumed later without repeating a completed Trial. */
  'studies.stop': { request: { id: number }; response: StudySummary }
  'studies.resume': { request: { id: number }; response: StudySummary }
  'studies.list': { request: Record<string, never>; response: StudySummary[] }
  'studies.get': { request: { id: number }; response: StudyDetail }
  /** Trains the best Trial's settings as a new Run (not part of the Study). */
  'studies.useBest': { request: { id: number }; response: RunSummary }
  /** The job queue this studio sends Trials to, if any, and the workers on it. */
  'queue.status': { request: Record<string, never>; response: QueueInfo }
}

/** What a Run does before its first Iteration, so the user sees it instead of "Epoch 0". */
export interface RunPhase {
  runId: number
  /** Decoding and resizing images; computing a backbone's features; starting the backend; building or restoring the model. */
  step: 'images' | 'features' | 'backend' | 'model'
  /** The step in a sentence, e.g. "Computing features with MobileNetV2 α 0.35: 60 of 180 images". */
  text: string
  done: number
  /** 0 when the step has no count. */
  total: number
}

/** Every event the main process pushes to the renderer. */
export interface Events {
  /** `path` is the folder exactly as the `datasets.scan` request named it. */
  'datasets.scanProgress': { path: string; phase: 'listing' | 'reading' | 'saving'; done: number; total: number }
  /** Dataset `id` was saved by a scan, renamed or forgotten: every window's list follows. */
  'datasets.changed': { id: number }
  'runs.iteration': IterationMetrics
  'runs.epoch': EpochMetrics
  /** A Run before its first Iteration: what it is doing. */
  'runs.phase': RunPhase
  /** A Run changed status (started, paused, finished, failed…); `message` says why when it failed. */
  'runs.status': { run: RunSummary; message?: string }
  /** The application menu asks the renderer to do something. */
  'menu.action': { action: 'open-folder' | 'open-sample'; path?: string }
  // Studies
  /** A Trial started, reported an Epoch, or ended. */
  'studies.trial': TrialSummary
  /** A Study changed status; `message` says why when it ended early. */
  'studies.status': { study: StudySummary; message?: string }
  /** A backbone download moved on (`total` known once its model.json is in), finished, or failed. */
  'backbones.progress': { id: string; received: number; total: number | null; done: boolean; error?: string }
  /** A label check moved on: a line on what it does now. */
  'labels.progress': { id: number; message: string }
  /** A search for the best model changed: its phase, status, budget used or result. */
  'auto.status': AutoSearch
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
