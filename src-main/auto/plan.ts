/**
 * "Find the best model": what to search for a Dataset, chosen from its scan alone (image size,
 * colour, count, class balance) and the time budget. Pure: the same report and budget always give
 * the same plan, so it is shown before anything starts and tested without training.
 */
import type { DatasetReport, TrainingRequest } from '../contract'
import { chooseModel } from '../runs/config'
import type { SearchSpace } from '../tuning/types'

/** A plan of a search: the Study's space and shared settings, how the budget is shared, and why. */
export interface AutoPlan {
  /** A head on the pretrained backbone, or a network trained from scratch. */
  family: 'pretrained' | 'scratch'
  /** Why the studio searches this, one sentence per choice, for the user. */
  reasons: string[]
  space: SearchSpace
  /** Settings every Trial shares (the space's params are laid over them). */
  training: Omit<TrainingRequest, 'folder'>
  /** The Study's cap on Trials; the time budget usually ends it first. */
  trials: number
  /** Trials trained at once. */
  parallel: number
  /** Share of the budget the Study may use at most; the rest is for the final Run (less when it is measured to need less). */
  studyShare: number
  /** The images held out for the final test, untouched by the search. */
  testImages: number
  /** Seconds of the budget kept for the final Run before any Trial has been measured. */
  initialReserveSeconds: number
}

/** The smallest and largest budgets "Find the best model" accepts, in minutes. */
export const MIN_BUDGET_MINUTES = 1
export const MAX_BUDGET_MINUTES = 24 * 60
/** The budget when none is given. */
export const DEFAULT_BUDGET_MINUTES = 15

// At this many images and more, Trials train on a subset: a first look at a recipe costs a fraction of an Epoch.
const SUBSET_FROM = 10_000
// About this many training images per Trial on a large Dataset.
const SUBSET_IMAGES = 6_000
// A Trial's Epochs: between ASHA's rungs (1, 3, 9, 27), never on one, so a Trial that trains to its end is judged by its result, not pruned at its last Epoch.
const HEAD_EPOCHS = 24
const SCRATCH_EPOCHS = [8, 24, 60]
// A network from scratch needs Iterations, not Epochs: a Trial on a few hundred images trains more Epochs, up to 60.
const SCRATCH_ITERATIONS = 400

/** The plan for `report` in `minutes`, on a machine that trains `slots` Trials at once. */
export function planSearch(report: Pick<DatasetReport, 'images' | 'classes' | 'stats'>, minutes: number, slots = 2): AutoPlan {
  if (!(minutes >= MIN_BUDGET_MINUTES && minutes <= MAX_BUDGET_MINUTES)) throw new RangeError(`The time budget must be from ${MIN_BUDGET_MINUTES} to ${MAX_BUDGET_MINUTES} minutes, got ${minutes}.`)
  const { model, reason } = chooseModel(report as DatasetReport)
  const images = report.images
  const counts = report.classes.map((c) => c.count)
  const smallest = Math.min(...counts)
  const largest = Math.max(...counts)
  const { validation, test } = splitFor(images)
  const trainImages = Math.floor(images * (1 - validation - test))
  const reasons = [reason]
  reasons.push(
    `${images.toLocaleString('en')} images in ${counts.length} classes: ${pct(validation)} for validation (the search compares recipes on it) and ${pct(test)} held out for the final test, which the search never sees.`
  )
  if (largest > 3 * smallest)
    reasons.push(`The classes are unbalanced (${smallest} to ${largest} images): every split keeps each class's share, so the rare ones are measured too; look at their recall in the report.`)
  const testImages = report.classes.reduce((n, c) => n + testShare(c.count, test), 0)
  const shared = { validationSplit: validation, testSplit: test, earlyStopping: 0, backend: 'auto' as const }
  const batch = (sizes: number[]) => {
    const fitting = sizes.filter((b) => b <= Math.max(1, trainImages))
    return fitting.length ? fitting : [Math.max(1, trainImages)]
  }

  if (model === 'pretrained') {
    const side = report.stats.mostCommon ? Math.min(report.stats.mostCommon.width, report.stats.mostCommon.height) : 224
    // Each image size embeds the whole Dataset once; on a large one, keep to the backbone's own size.
    const sizes = images > 3_000 ? [224] : side >= 160 ? [128, 160, 224] : [96, 128, 160]
    const fineTune = minutes >= 10 && images <= 3_000
    const space: SearchSpace = {
      imageSize: { type: 'categorical', choices: sizes },
      learningRate: { type: 'float', low: 3e-4, high: 1e-2, log: true },
      batchSize: { type: 'categorical', choices: batch([16, 32, 64]) },
      units: { type: 'categorical', choices: [64, 128, 256] },
      dropout: { type: 'float', low: 0, high: 0.5, step: 0.1 },
      augmentedViews: { type: 'categorical', choices: images <= 3_000 ? [0, 2] : [0] },
      schedule: { type: 'categorical', choices: ['cosine', 'onecycle'] }
    }
    if (fineTune) space.fineTuneBlocks = { type: 'categorical', choices: [0, 1, 2] }
    reasons.push(
      `Searched: image size (${sizes.join(', ')} px; each size computes the embeddings once), the head's learning rate, batch size, units and dropout, augmented views of each image, the schedule${fineTune ? ", and how many of the backbone's last blocks to fine-tune (0–2)" : ''}. Trials are cheap: after the first at a size, a head trains in seconds.`
    )
    if (!fineTune)
      reasons.push(
        minutes < 10
          ? 'Fine-tuning the backbone is left out: it costs minutes per Trial, more than this budget can spare.'
          : 'Fine-tuning the backbone is left out: on this many images it costs more than the budget can spare.'
      )
    return {
      family: 'pretrained',
      reasons,
      space,
      training: { ...shared, model: 'pretrained', epochs: HEAD_EPOCHS, fineTuneEpochs: 4 },
      trials: 300,
      // Trials at a new size would each embed the Dataset: one at a time, each with every core.
      parallel: 1,
      studyShare: 0.85,
      testImages,
      initialReserveSeconds: Math.min(minutes * 60 * 0.15, 90)
    }
  }

  const side = report.stats.mostCommon ? Math.min(report.stats.mostCommon.width, report.stats.mostCommon.height) : 64
  const subset = images >= SUBSET_FROM ? Math.max(0.02, Math.min(1, Number((SUBSET_IMAGES / trainImages).toFixed(3)))) : 1
  const space: SearchSpace = {
    learningRate: { type: 'float', low: 3e-4, high: 5e-3, log: true },
    batchSize: { type: 'categorical', choices: batch([32, 64, 128]) },
    units: { type: 'categorical', choices: [64, 128, 256] },
    dropout: { type: 'float', low: 0.1, high: 0.5, step: 0.1 },
    weightDecay: { type: 'categorical', choices: [0, 1e-4, 5e-4] },
    erasing: { type: 'float', low: 0, high: 0.5, step: 0.25 },
    schedule: { type: 'categorical', choices: ['cosine', 'onecycle'] }
  }
  if (side > 32 && side < 64) space.model = { type: 'categorical', choices: ['default-cnn', 'compact-resnet'] }
  reasons.push(
    `Searched: the learning rate, batch size, the dense layer's units and dropout, weight decay, random-erasing strength and the schedule${space.model ? ', and the network (the default CNN or the compact ResNet)' : ''}, at the images' own size (${side} px).`
  )
  if (subset < 1)
    reasons.push(
      `Trials train on ${pct(subset)} of the training images (about ${Math.round(subset * trainImages).toLocaleString('en')}), so a recipe is judged in seconds; the winner then trains on all of them.`
    )
  // A from-scratch Run on a large Dataset needs a real share of the budget for the final training.
  const studyShare = subset < 1 ? 0.5 : 0.75
  return {
    family: 'scratch',
    reasons,
    space,
    training: { ...shared, model, imageSize: Math.max(8, side), epochs: scratchEpochs(trainImages * subset), ...(subset < 1 ? { trainFraction: subset } : {}) },
    trials: 300,
    parallel: Math.max(1, slots),
    studyShare,
    testImages,
    initialReserveSeconds: minutes * 60 * (1 - studyShare)
  }
}

/** The fewest Epochs that give a from-scratch Trial on `images` about SCRATCH_ITERATIONS Iterations at batch 32 (at most 60). */
function scratchEpochs(images: number): number {
  const perEpoch = Math.max(1, Math.ceil(images / 32))
  return SCRATCH_EPOCHS.find((e) => e * perEpoch >= SCRATCH_ITERATIONS) ?? SCRATCH_EPOCHS.at(-1)!
}

/** Validation and test fractions: a small set keeps enough of each to measure; a large one needs less. */
function splitFor(images: number): { validation: number; test: number } {
  if (images >= SUBSET_FROM) return { validation: 0.1, test: 0.05 }
  if (images >= 2_000) return { validation: 0.15, test: 0.15 }
  return { validation: 0.2, test: 0.2 }
}

/** Test images of a class of `n` (as `splitDataset` counts them). */
function testShare(n: number, test: number): number {
  const t = Math.round(n * test)
  return t === 0 && n >= 3 ? 1 : t
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`

/** True when a test accuracy's interval reaches the accuracy of guessing among `classes`: the model may have learned nothing. */
export function reachesChance(interval: { low: number }, classes: number): boolean {
  return interval.low <= 1 / Math.max(1, classes)
}

/** A 95 % Wilson score interval for `correct` successes out of `n` (a proportion near 0 or 1, or a small n, stays inside [0, 1]). */
export function wilsonInterval(correct: number, n: number, z = 1.959964): { low: number; high: number } {
  if (!(n > 0) || correct < 0 || correct > n) throw new RangeError(`Need 0 ≤ correct ≤ n and n > 0, got ${correct} of ${n}.`)
  const p = correct / n
  const denominator = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) }
}
