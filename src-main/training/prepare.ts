/** What every training job does first: the dataset's images labelled, split, cached, normalized, batched. */
import type { TrainingConfig } from '../contract'
import { OspreyError } from '../errors'
import { buildImageCache } from '../pipeline/cache'
import { BatchLoader } from '../pipeline/loader'
import { normalizationStats } from '../pipeline/normalize'
import { labelImages, resolveSplitFractions, splitDataset } from '../pipeline/split'
import { DatasetRepository } from '../store/datasets'
import { openDatabase } from '../store/db'

/** Where the dataset and the caches are. */
export interface DataSource {
  dbFile: string
  nativeBinding?: string
  datasetId: number
  cacheDir: string
  config: TrainingConfig
}

/** Prepares a Run's data; progress of the decode cache goes to `onPreparing` (throttled). */
export async function prepareData(source: DataSource, signal: AbortSignal, onPreparing: (done: number, total: number) => void) {
  const { config } = source
  // The dataset as last scanned: its usable images, labelled by class folder.
  const db = openDatabase(source.dbFile, { nativeBinding: source.nativeBinding })
  const datasets = new DatasetRepository(db)
  const report = datasets.get(source.datasetId)
  const files = datasets.usableFiles(source.datasetId)
  db.close()
  if (!report) throw new OspreyError('not-found', 'The dataset of this Run is no longer known. Scan its folder again.')
  const { classes, images } = labelImages(files)
  const split = splitDataset(images, { seed: config.seed, fractions: resolveSplitFractions(images.length, config.validationSplit, config.testSplit), classNames: classes })
  const channels: 1 | 3 = report.stats.channels.rgb === 0 ? 1 : 3
  const cache = await buildImageCache(
    { root: report.path, files: images, fingerprint: report.fingerprint, size: config.imageSize, channels, cacheDir: source.cacheDir },
    { signal, onProgress: throttled(onPreparing) }
  )
  const stats = await normalizationStats(config.normalization, cache, split.train)
  const loader = new BatchLoader({ cache, labels: images.map((i) => i.label), train: split.train, batchSize: config.batchSize, seed: config.seed, augmentation: config.augmentation, stats })
  return { report, classes, images, split, channels, cache, stats, loader }
}

function throttled(fn: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0
  return (done, total) => {
    const now = Date.now()
    if (now - last < 250 && done !== total) return
    last = now
    fn(done, total)
  }
}
