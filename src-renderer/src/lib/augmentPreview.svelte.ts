/**
 * The augmentation preview's state: what the trainer will make of a few images per class in
 * Epochs 1…N, for the form's current folder, image size, augmentation and seed. Only the newest
 * request's answer is kept, so a slow old preview never replaces a newer one.
 */
import type { Augmentation, AugmentationPreview, OspreyApi, TrainingConfig } from '../../../src-main/contract'
import { api as defaultApi } from './api'
import { describeError } from './errors'

/** Images per class and Epochs shown. */
export const PREVIEW_PER_CLASS = 2
export const PREVIEW_EPOCHS = 6
/** The largest seed a Run accepts. */
export const MAX_SEED = 2 ** 31 - 1

/** What a preview depends on, taken from the form's settings. */
export interface PreviewInput {
  folder: string
  imageSize: number
  augmentation: Augmentation
  seed: number
}

/** The settings the preview depends on, as plain values. */
export function previewInput(config: TrainingConfig): PreviewInput {
  return { folder: config.folder, imageSize: config.imageSize, augmentation: { ...config.augmentation }, seed: config.seed }
}

/** A key that changes whenever the preview would. */
export function previewKey(input: PreviewInput): string {
  return JSON.stringify(input)
}

/** A new random seed in 0…2^31−1, never the one given. */
export function newSeed(current: number, random: () => number = Math.random): number {
  let seed = current
  while (seed === current) seed = Math.floor(random() * (MAX_SEED + 1))
  return seed
}

/** The preview, whether one is loading, and why the last one failed. */
export class AugmentPreview {
  #api: OspreyApi
  #preview = $state.raw<AugmentationPreview | null>(null)
  #loading = $state(false)
  #error = $state<string | null>(null)
  #shownFor = $state.raw<PreviewInput | null>(null)
  #requestedKey: string | null = null
  #ticket = 0

  /** Use another client in tests; the app uses the window's. */
  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** The images of the newest answered request. */
  get preview(): AugmentationPreview | null {
    return this.#preview
  }
  /** True while a request is in flight. */
  get loading(): boolean {
    return this.#loading
  }
  /** Why the newest request failed. */
  get error(): string | null {
    return this.#error
  }
  /** The settings the images shown were made with. */
  get shownFor(): PreviewInput | null {
    return this.#shownFor
  }
  /** True once the user asked for a preview: from then on it follows the settings. */
  get active(): boolean {
    return this.#requestedKey !== null
  }
  /** True when `input` is what was last asked for (so a refresh would change nothing). */
  isCurrent(input: PreviewInput): boolean {
    return this.#requestedKey === previewKey(input)
  }

  /** Asks for the preview of `input`; an older request still in flight is ignored when it lands. */
  async load(input: PreviewInput): Promise<void> {
    const ticket = ++this.#ticket
    this.#requestedKey = previewKey(input)
    this.#loading = true
    this.#error = null
    try {
      const preview = await this.#api.invoke('runs.augmentPreview', { ...input, perClass: PREVIEW_PER_CLASS, epochs: PREVIEW_EPOCHS })
      if (ticket !== this.#ticket) return
      this.#preview = preview
      this.#shownFor = input
    } catch (error) {
      if (ticket === this.#ticket) this.#error = describeError(error)
    } finally {
      if (ticket === this.#ticket) this.#loading = false
    }
  }

  /** Shows why `input` cannot be previewed, without asking the server (e.g. settings that need fixing first). */
  fail(input: PreviewInput, message: string): void {
    this.#ticket++
    this.#requestedKey = previewKey(input)
    this.#loading = false
    this.#error = message
  }

  /** Forgets everything, e.g. when another Dataset is chosen. */
  clear(): void {
    this.#ticket++
    this.#requestedKey = null
    this.#preview = null
    this.#shownFor = null
    this.#loading = false
    this.#error = null
  }
}
