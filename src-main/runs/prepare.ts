/** What every training job does first: the dataset's images labelled and split; then, for training on pixels, cached, normalized, batched. */
import type { TrainingConfig } from '../contract'
import { OspreyError } from '../errors'
import { buildImageCache } from '../pipeline/cache'
import { BatchLoader } from '../pipeline/loader'
import { normalizationStats } from '../pipeline/normalize'
import { labelImages, mergeValidation, resolveSplitFractions, splitDataset, subsetTrain, type LabelledImage, type Split } from '../pipeline/split'
import { DatasetRepository } from '../store/datasets'
import { openDatabase } from '../store/db'
import type { DatasetReport } from '../contract'
import type { SplitRecord } from './protocol'

/** Where the dataset and the caches are. */
export interface DataSource {
  dbFile: string
  nativeBinding?: string
  datasetId: number
  /** The Dataset itself, when the worker has no database (a worker on the queue): then dbFile and datasetId are not read. */
  dataset?: DatasetManifest
  cacheDir: string
  config: TrainingConfig
}

/** A Dataset as a worker without the database gets it: its folder here, fingerprint, and usable images (paths relative to the folder, in path order). */
export interface DatasetManifest {
  path: string
  fingerprint: string
  /** 3 when any image has colour. */
  channels: 1 | 3
  files: { path: string; class: string; hash: string }[]
}

/** A Run's images: labelled by class folder and split (stratified, seeded). */
export interface LabelledData {
  report: Pick<DatasetReport, 'path' | 'fingerprint'>
  classes: string[]
  /** Every usable image (the caches hold them all); the split's indices point into this list, and leave out the images the Run excludes. */
  images: LabelledImage[]
  split: Split
  /** 1 for a grayscale Dataset, else 3; a pretrained backbone always takes 3. */
  channels: 1 | 3
}

/** The Dataset as last scanned: its usable images, labelled by class folder and split. */
export function labelAndSplit(source: DataSource): LabelledData {
  const { config } = source
  const { report, files, channels: found } = source.dataset ? { report: source.dataset, files: source.dataset.files, channels: source.dataset.channels } : readDataset(source)
  const { classes, images } = labelImages(files)
  const split = finalSplit(splitKept(images, config, classes), images, config)
  const channels: 1 | 3 = config.model === 'pretrained' ? 3 : found
  return { report, classes, images, split, channels }
}

/** The Dataset as last scanned, from the database. */
function readDataset(source: DataSource) {
  const db = openDatabase(source.dbFile, { nativeBinding: source.nativeBinding })
  const datasets = new DatasetRepository(db)
  const report = datasets.get(source.datasetId)
  const files = datasets.usableFiles(source.datasetId)
  db.close()
  if (!report) throw new OspreyError('not-found', 'The dataset of this Run is no longer known. Scan its folder again.')
  return { report, files, channels: (report.stats.channels.rgb > 0 ? 3 : 1) as 1 | 3 }
}

/** The decoded-image cache of every image of `data` at the Run's size; its progress goes to `onPreparing` (throttled). */
export async function imageCache(source: DataSource, data: LabelledData, signal: AbortSignal, onPreparing: (done: number, total: number) => void) {
  const { report, images, channels } = data
  return buildImageCache(
    { root: report.path, files: images, fingerprint: report.fingerprint, size: source.config.imageSize, channels, cacheDir: source.cacheDir },
    { signal, onProgress: throttled(onPreparing) }
  )
}

/** The decoded-image cache, the normalization and the batch loader for training on pixels of `data`. */
export async function imagePipeline(source: DataSource, data: LabelledData, signal: AbortSignal, onPreparing: (done: number, total: number) => void) {
  const { config } = source
  const { images, split } = data
  const cache = await imageCache(source, data, signal, onPreparing)
  const stats = await normalizationStats(config.normalization, cache, split.train)
  const loader = new BatchLoader({ cache, labels: images.map((i) => i.label), train: split.train, batchSize: config.batchSize, seed: config.seed, augmentation: config.augmentation, stats })
  return { cache, stats, loader }
}

/** Prepares a Run's data for training on pixels; progress of the decode cache goes to `onPreparing` (throttled). */
export async function prepareData(source: DataSource, signal: AbortSignal, onPreparing: (done: number, total: number) => void) {
  const data = labelAndSplit(source)
  return { ...data, ...(await imagePipeline(source, data, signal, onPreparing)) }
}

/** The split as recorded with the Run. */
export function splitRecord(classes: string[], manifest: Split['manifest']): SplitRecord {
  return {
    ...manifest.totals,
    classes,
    perClass: Object.fromEntries(classes.map((c, i) => [c, { train: manifest.counts[i][0], validation: manifest.counts[i][1], test: manifest.counts[i][2] }]))
  }
}

/** `fn`, called at most every 250 ms (and always for the last step). */
export function throttled(fn: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0
  return (done, total) => {
    const now = Date.now()
    if (now - last < 250 && done !== total) return
    last = now
    fn(done, total)
  }
}

/** The split as the Run trains on it: a subset of the training images (a cheap Trial), or training + validation (a final Run). */
function finalSplit(split: Split, images: LabelledImage[], config: TrainingConfig): Split {
  const subset =
    config.trainFraction !== undefined && config.trainFraction < 1
      ? subsetTrain(
          split,
          images.map((i) => i.label),
          config.trainFraction,
          config.seed
        )
      : split
  return config.trainOn === 'train+validation' ? mergeValidation(subset) : subset
}

/**
 * The split of the images the Run keeps (all but `config.exclude`), its indices then pointing into
 * the whole list: the decoded-image and embedding caches are the Dataset's, whatever a Run leaves out.
 */
function splitKept(images: LabelledImage[], config: TrainingConfig, classes: string[]): Split {
  const excluded = new Set(config.exclude ?? [])
  const kept = excluded.size ? images.flatMap((image, i) => (excluded.has(image.path) ? [] : [i])) : null
  const subset = kept ? kept.map((i) => images[i]) : images
  const split = splitDataset(subset, { seed: config.seed, fractions: resolveSplitFractions(subset.length, config.validationSplit, config.testSplit), classNames: classes })
  if (!kept) return split
  const whole = (indices: number[]) => indices.map((i) => kept[i])
  return { ...split, train: whole(split.train), validation: whole(split.validation), test: whole(split.test) }
}
