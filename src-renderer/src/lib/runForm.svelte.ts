/**
 * The "New Run" form: the chosen Dataset, its default settings from `runs.defaults`, checks
 * that mirror the server's ranges (so most mistakes show before anything is sent), and the
 * server's own refusal when it still says no.
 */
import type { DatasetListItem, ModelName, OspreyApi, Response, RunEstimate, RunSummary, TrainingConfig } from '../../../src-main/contract'
import { api as defaultApi, ApiError } from './api'
import { describeError } from './errors'
import { switchModel } from './switchModel'

/** Why the server refused a Run: its sentence, and one line per wrong field when it gave them. */
export interface ServerRefusal {
  message: string
  issues: string[]
}

/** The settings a form field edits, for error lookups. */
export type FieldName = Exclude<keyof TrainingConfig, 'folder' | 'augmentation'>

/** Below this many images the split is 20% validation; at and above, 10% validation + 5% test. */
const LARGE_DATASET = 10_000

/** The validation and test fractions a Run will use; `null` means automatic, as on the server. */
export function splitFractions(images: number, validation: number | null, test: number | null): { validation: number; test: number } {
  const auto = images < LARGE_DATASET ? { validation: 0.2, test: 0 } : { validation: 0.1, test: 0.05 }
  return { validation: validation ?? auto.validation, test: test ?? auto.test }
}

/** Roughly how many images train: the split is made per class, so the real count can differ by a few. */
export function trainingImages(images: number, validation: number | null, test: number | null): number {
  const f = splitFractions(images, validation, test)
  return Math.max(0, Math.floor(images * (1 - f.validation - f.test)))
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** A whole number in [min, max]; `unit` is said after the bound, `[one, many]` when it agrees with it ("1 image", "4096 images"). */
function whole(v: unknown, min: number, max: number, unit: string | [string, string]): string | null {
  const after = (n: number) => (typeof unit === 'string' ? unit : n === 1 ? unit[0] : unit[1])
  if (!isNumber(v)) return 'Enter a number.'
  if (!Number.isInteger(v)) return 'Enter a whole number.'
  if (v < min) return `At least ${min}${after(min)}.`
  if (v > max) return `At most ${max}${after(max)}.`
  return null
}

function fraction(v: unknown, min: number, max: number, minExclusive = false): string | null {
  if (!isNumber(v)) return 'Enter a number.'
  if (minExclusive ? v <= min : v < min) return minExclusive ? `Must be above ${min}.` : `At least ${min}.`
  if (v > max) return `At most ${max}.`
  return null
}

/** Every wrong setting with a sentence saying what is allowed; the same ranges the server checks. */
export function validate(c: TrainingConfig): Partial<Record<FieldName | 'augmentation', string>> {
  const errors: Partial<Record<FieldName | 'augmentation', string>> = {}
  const check = (field: FieldName, error: string | null) => {
    if (error) errors[field] = error
  }
  check('imageSize', whole(c.imageSize, 8, 512, ' pixels'))
  check('epochs', whole(c.epochs, 1, 1000, [' Epoch', ' Epochs']))
  check('batchSize', whole(c.batchSize, 1, 4096, [' image per batch', ' images per batch']))
  check('learningRate', fraction(c.learningRate, 0, 10, true))
  check('weightDecay', fraction(c.weightDecay, 0, 1))
  check('earlyStopping', whole(c.earlyStopping, 0, 1000, ''))
  if (c.model !== 'pretrained' && c.timeLimitMinutes != null) check('timeLimitMinutes', fraction(c.timeLimitMinutes, 0, 1440, true))
  check('seed', whole(c.seed, 0, 2 ** 31 - 1, ''))
  if (c.model === 'pretrained') {
    // The backbones shrink an image 32×: below 32 px nothing would be left.
    if (!errors.imageSize && c.imageSize < 32) errors.imageSize = 'At least 32 pixels for a pretrained backbone (it was trained at 224).'
    check('fineTuneBlocks', whole(c.fineTuneBlocks ?? 0, 0, 100, ''))
    if ((c.fineTuneBlocks ?? 0) > 0) {
      check('fineTuneEpochs', whole(c.fineTuneEpochs, 1, 1000, [' Epoch', ' Epochs']))
      check('fineTuneLearningRate', fraction(c.fineTuneLearningRate, 0, 1, true))
    }
    check('augmentedViews', whole(c.augmentedViews ?? 0, 0, 10, ''))
    if (!c.backbone?.trim()) errors.backbone = 'Choose a backbone, or the folder of a model of your own.'
    else if (!isCatalogId(c.backbone) && !c.backbone.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(c.backbone)) errors.backbone = 'Give the full path of the model folder (it starts with /).'
  }
  if (c.units !== undefined) check('units', whole(c.units, c.model === 'pretrained' ? 0 : 4, 4096, ''))
  if (c.dropout !== undefined) check('dropout', fraction(c.dropout, 0, 0.9))
  if (c.validationSplit !== null) check('validationSplit', fraction(c.validationSplit, 0, 0.5, true))
  if (c.testSplit !== null) check('testSplit', fraction(c.testSplit, 0, 0.5))
  if (!errors.validationSplit && !errors.testSplit && (c.validationSplit ?? 0) + (c.testSplit ?? 0) >= 0.9) {
    errors.validationSplit = 'Validation and test together must leave images to train on.'
  }
  const a = c.augmentation
  const numbers = [a.rotation, a.scale, a.translate, a.brightness, a.contrast, a.saturation, a.hue, a.blur, a.noise, a.erasing]
  if (!numbers.every(isNumber) || a.scale <= 0) errors.augmentation = 'Every augmentation needs a number in its range.'
  return errors
}

/** Catalog backbone ids look like "mobilenet-v2-0.35": no slash. */
function isCatalogId(backbone: string): boolean {
  return /^[a-z0-9][a-z0-9.-]*$/.test(backbone)
}

/** The form's state: which Dataset, its settings, and what is wrong with them. */
export class RunForm {
  #api: OspreyApi
  #dataset = $state.raw<DatasetListItem | null>(null)
  #defaults = $state.raw<Response<'runs.defaults'> | null>(null)
  #reason = $state.raw<{ model: ModelName; text: string } | null>(null)
  #loading = $state(false)
  #loadError = $state<string | null>(null)
  #submitting = $state(false)
  #refusal = $state.raw<ServerRefusal | null>(null)
  #attempted = $state(false)
  #chosenByUser = false
  #ticket = 0
  #estimate = $state.raw<RunEstimate | null>(null)
  #estimateError = $state<string | null>(null)
  #estimatedFor = $state<string | null>(null)
  #estimateTimer: ReturnType<typeof setTimeout> | null = null

  /** The settings being edited; the form's inputs bind to its fields. Null until defaults load. */
  config = $state<TrainingConfig | null>(null)

  /** What is wrong with the settings now. */
  readonly errors = $derived(this.config ? validate(this.config) : {})

  /** The settings that differ from this Dataset's defaults (carried over from the last Run, or changed by hand). */
  readonly changed = $derived(this.config && this.#defaults ? changedSettings(this.config, withoutReason(this.#defaults)) : [])

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** The Dataset the Run will train on. */
  get dataset(): DatasetListItem | null {
    return this.#dataset
  }
  /** The defaults the settings started from (for "reset"). */
  get defaults(): TrainingConfig | null {
    return this.#defaults
  }
  /** Why the studio chose this Dataset's default model, in a sentence, while that model is chosen. */
  get modelReason(): string | null {
    const reason = this.#reason
    return reason && this.config?.model === reason.model ? reason.text : null
  }
  /**
   * True while defaults are loading: a Dataset's, or another model's. Until they land the settings
   * are the old Dataset's or half the old model's, so Start waits.
   */
  get loading(): boolean {
    return this.#loading
  }
  /** Why the defaults could not load. */
  get loadError(): string | null {
    return this.#loadError
  }
  /** True while `runs.start` is in flight. */
  get submitting(): boolean {
    return this.#submitting
  }
  /** The server's refusal of the last start, if it refused. */
  get refusal(): ServerRefusal | null {
    return this.#refusal
  }
  /** True once Start was pressed with settings that need fixing (shows a summary above the button). */
  get attempted(): boolean {
    return this.#attempted
  }
  /** True when nothing stands in the way of pressing Start. */
  get valid(): boolean {
    return Object.keys(this.errors).length === 0
  }
  /** How long the Run will take on this machine, for the settings as they are now (null while measuring or when it could not be told). */
  get estimate(): RunEstimate | null {
    return this.#estimatedFor === this.#settingsKey() ? this.#estimate : null
  }
  /** True while the model is being measured for the settings as they are now. */
  get estimating(): boolean {
    return this.config !== null && this.valid && this.#estimatedFor !== this.#settingsKey() && this.#estimateError === null
  }
  /** Why no estimate could be made (e.g. the backbone is not downloaded yet). */
  get estimateError(): string | null {
    return this.#estimateError
  }

  /**
   * Asks the server for an estimate of the settings as they are now, once typing pauses. The first
   * ask for a model measures it on this machine (seconds); the server keeps that for the session.
   */
  requestEstimate(delayMs = 600): void {
    if (this.#estimateTimer) clearTimeout(this.#estimateTimer)
    this.#estimateError = null
    const config = this.config
    if (!config || !this.valid || !this.#dataset) return
    const key = this.#settingsKey()
    if (key === this.#estimatedFor) return
    this.#estimateTimer = setTimeout(async () => {
      try {
        const estimate = await this.#api.invoke('runs.estimate', { config: sendable(config) })
        if (key !== this.#settingsKey()) return
        this.#estimate = estimate
        this.#estimatedFor = key
      } catch (error) {
        if (key === this.#settingsKey()) this.#estimateError = describeError(error)
      }
    }, delayMs)
  }

  /** Training images per Epoch, estimated from the Dataset's image count and the split. */
  get trainingImages(): number | null {
    const c = this.config
    const d = this.#dataset
    return c && d ? trainingImages(d.images, c.validationSplit, c.testSplit) : null
  }
  /** Iterations per Epoch: one per batch, the last batch possibly smaller. */
  get iterationsPerEpoch(): number | null {
    const images = this.trainingImages
    const batch = this.config?.batchSize
    if (images === null || !isNumber(batch) || batch < 1) return null
    return Math.ceil(images / Math.floor(batch))
  }

  #settingsKey(): string {
    return keyOf(this.config)
  }

  /**
   * Follows the Datasets list as it changes (any window's scans, a Run's own): the Dataset open in
   * the Datasets room, else the one the form shows (with fresher figures), else the newest
   * trainable. A rescan elsewhere moves its Dataset to the top of the list; that must not take the
   * form, and the settings typed into it, to that Dataset.
   */
  follow(list: DatasetListItem[], open: { id: number } | null): void {
    const shown = this.#dataset
    const item = (open && list.find((d) => d.id === open.id)) ?? (shown && list.find((d) => d.id === shown.id)) ?? list.find((d) => !d.untrainable) ?? list[0]
    if (item) void this.choose(item)
  }

  /**
   * Picks the Dataset to train on, unless the user already chose one (then only `byUser` wins).
   * Loads its defaults; settings typed so far are replaced, since ranges like image size depend on the Dataset.
   */
  async choose(dataset: DatasetListItem, byUser = false): Promise<void> {
    if (!byUser && this.#chosenByUser) return
    if (byUser) this.#chosenByUser = true
    if (this.#dataset?.id === dataset.id && this.config) {
      this.#dataset = dataset // fresher figures, same settings
      return
    }
    const ticket = ++this.#ticket
    this.#dataset = dataset
    this.#loading = true
    this.#loadError = null
    this.#refusal = null
    this.#attempted = false
    try {
      const defaults = await this.#api.invoke('runs.defaults', { folder: dataset.path })
      if (ticket !== this.#ticket) return
      this.#defaults = defaults
      this.#reason = defaults.modelReason ? { model: defaults.model, text: defaults.modelReason } : null
      this.config = withoutReason(defaults)
    } catch (error) {
      if (ticket === this.#ticket) this.#loadError = describeError(error)
    } finally {
      if (ticket === this.#ticket) this.#loading = false
    }
  }

  /** Starts the form from a recorded Run's settings ("re-run with this config"), on its Dataset. */
  async useConfig(dataset: DatasetListItem, config: TrainingConfig): Promise<void> {
    this.#dataset = null // so choose() loads this Dataset's defaults (the ranges), then the Run's settings go over them
    await this.choose(dataset, true)
    const chosen = this.#dataset as DatasetListItem | null // reassigned by choose(), which TypeScript cannot see
    if (chosen?.id === dataset.id && !this.#loadError) this.config = structuredClone({ ...config, folder: dataset.path })
  }

  /**
   * Switches to `model`: its own defaults for this Dataset come in for every setting the user has
   * not changed (a pretrained backbone wants 224 px and [-1, 1] pixels; a small CNN, the images' size).
   */
  async chooseModel(model: ModelName): Promise<void> {
    const before = this.#defaults
    const dataset = this.#dataset
    if (!before || !this.config || before.model === model) return
    const ticket = ++this.#ticket
    this.#loading = true
    try {
      const after = await this.#api.invoke('runs.defaults', { folder: dataset?.path, model })
      if (ticket !== this.#ticket || !this.config) return
      this.config = switchModel($state.snapshot(this.config) as TrainingConfig, withoutReason(before), withoutReason(after))
      this.#defaults = after
    } catch (error) {
      if (ticket === this.#ticket) this.#loadError = describeError(error)
    } finally {
      if (ticket === this.#ticket) this.#loading = false
    }
  }

  /** Puts every setting back to the Dataset's defaults. */
  reset(): void {
    if (this.#defaults) this.config = withoutReason(this.#defaults)
    this.#refusal = null
    this.#attempted = false
  }

  /** Checks the settings, then asks the server to start; resolves with the new Run, or null when it did not start. */
  async submit(): Promise<RunSummary | null> {
    const config = this.config
    if (!config || this.#submitting || this.#loading) return null
    this.#refusal = null
    if (!this.valid) {
      this.#attempted = true
      return null
    }
    this.#attempted = false
    this.#submitting = true
    try {
      return await this.#api.invoke('runs.start', { config: sendable(config) })
    } catch (error) {
      this.#refusal = { message: describeError(error), issues: error instanceof ApiError ? (error.issues ?? []) : [] }
      return null
    } finally {
      this.#submitting = false
    }
  }
}

/** How the form names a setting, for the list of what differs from the defaults. */
const SETTING_NAMES: Partial<Record<keyof TrainingConfig, string>> = {
  model: 'Model',
  imageSize: 'Image size',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  weightDecay: 'Weight decay',
  schedule: 'Schedule',
  earlyStopping: 'Early stopping patience',
  timeLimitMinutes: 'Time limit (minutes)',
  normalization: 'Normalization',
  validationSplit: 'Validation share',
  testSplit: 'Test share',
  seed: 'Seed',
  backend: 'Backend',
  dropout: 'Dropout',
  units: 'Head units',
  backbone: 'Backbone',
  backboneLayer: 'Backbone layer',
  augmentedViews: 'Augmented views',
  fineTuneBlocks: 'Fine-tuned blocks',
  fineTuneEpochs: 'Fine-tuning Epochs',
  fineTuneLearningRate: 'Fine-tuning learning rate',
  warmStart: 'Start from Run'
}

/** A setting that differs from the Dataset's defaults: what it is now and what the default is. */
export interface ChangedSetting {
  name: string
  value: string
  default: string
}

/** Every setting of `config` that differs from `defaults` (augmentations one by one), in the form's words. */
export function changedSettings(config: TrainingConfig, defaults: TrainingConfig): ChangedSetting[] {
  const show = (v: unknown, none = 'automatic') => (v === null || v === undefined ? none : String(v))
  const changed: ChangedSetting[] = []
  for (const [key, name] of Object.entries(SETTING_NAMES) as [keyof TrainingConfig, string][]) {
    const none = key === 'timeLimitMinutes' ? 'none' : undefined
    if (JSON.stringify(config[key] ?? null) !== JSON.stringify(defaults[key] ?? null)) changed.push({ name, value: show(config[key], none), default: show(defaults[key], none) })
  }
  for (const [key, value] of Object.entries(config.augmentation) as [keyof TrainingConfig['augmentation'], unknown][]) {
    if (value !== defaults.augmentation[key]) changed.push({ name: `Augmentation: ${key}`, value: show(value), default: show(defaults.augmentation[key]) })
  }
  return changed
}

/** The settings as the server takes them: an emptied time limit (the input gives null) is none. */
function sendable(config: TrainingConfig): TrainingConfig {
  const { timeLimitMinutes, ...rest } = $state.snapshot(config) as TrainingConfig
  return timeLimitMinutes == null ? rest : { ...rest, timeLimitMinutes }
}

/** The settings as one string, to tell whether an estimate is for them. */
function keyOf(config: TrainingConfig | null): string {
  return JSON.stringify(config)
}

/** The defaults as settings (without the explanation that comes with them). */
function withoutReason(defaults: Response<'runs.defaults'>): TrainingConfig {
  const { modelReason: _, ...config } = structuredClone(defaults)
  return config
}
