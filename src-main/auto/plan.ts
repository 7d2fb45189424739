/**
 * "Find the best model": what to search for a Dataset, chosen from its scan alone (image size,
 * colour, count, class balance) and the time budget. Pure: the same report and budget always give
 * the same plan, so it is shown before anything starts and tested without training.
 */
import type { DatasetReport, StudyDetail, TrainingConfig, TrainingRequest } from '../contract'
import { chooseModel, DEFAULT_CNN_HEAD, defaultConfig } from '../runs/config'
import { pointProblems } from '../tuning/space'
import type { Params, SearchSpace } from '../tuning/types'

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
  /** The Study's first Trials (absent in searches planned before them): the default recipe, so every recipe is measured against it, and a search too short to finish a Trial still has a recipe to train. */
  startWith?: Params[]
  /** Trials on a subset: the final Run gets at least the time of this many Epochs on all the images, at the pace the Trials measure (absent: its share of the budget). */
  finalEpochsAtLeast?: number
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

/**
 * The plan for `whole` in `minutes`, on a machine that trains `slots` Trials at once. `excluded`: the images (`class/file`) the
 * user left out after a label check; every Trial and the final Run leave them out, so the plan counts without them.
 */
export function planSearch(whole: Pick<DatasetReport, 'images' | 'classes' | 'stats'>, minutes: number, slots = 2, excluded: readonly string[] = []): AutoPlan {
  if (!(minutes >= MIN_BUDGET_MINUTES && minutes <= MAX_BUDGET_MINUTES)) throw new RangeError(`The time budget must be from ${MIN_BUDGET_MINUTES} to ${MAX_BUDGET_MINUTES} minutes, got ${minutes}.`)
  const report = withoutExcluded(whole, excluded)
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
  const left = whole.images - images
  if (left > 0)
    reasons.push(
      `${left === 1 ? '1 image you excluded after the label check is' : `${left} images you excluded after the label check are`} left out of every Trial and of the final Run (the files stay in the folder).`
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
  const config = defaultConfig('', report as DatasetReport, 1, model)
  const defaults = defaultRecipe(space, config)
  // The final Run gets at least the default recipe's Epochs: on Fashion-MNIST in 15 minutes its 12 scored 0.932, the 4 left to the search's winner 0.920 (docs/BENCHMARKS.md).
  const finalEpochsAtLeast = config.epochs
  if (defaults) reasons.push('Trial 1 is the default recipe (what Train does unchanged): every other recipe is measured against it.')
  if (subset < 1)
    reasons.push(
      `The winner's final training gets at least the time of the default recipe's ${finalEpochsAtLeast} Epochs on all the images (timed on the first Trials): on a short budget that leaves the search little time, and when no Trial finishes in it, the default recipe is trained.`
    )
  return {
    family: 'scratch',
    reasons,
    space,
    training: { ...shared, model, imageSize: Math.max(8, side), epochs: scratchEpochs(trainImages * subset), ...(subset < 1 ? { trainFraction: subset } : {}) },
    trials: 300,
    parallel: Math.max(1, slots),
    studyShare,
    testImages,
    initialReserveSeconds: minutes * 60 * (1 - studyShare),
    ...(defaults ? { startWith: [defaults] } : {}),
    ...(subset < 1 ? { finalEpochsAtLeast } : {})
  }
}

type StudyTrials = Pick<StudyDetail, 'best' | 'verdict' | 'trialList'>

/**
 * The Trial that won: the best; or, when the completed Trials all tie (on a small, easy validation split several
 * reach a loss of exactly 0), the first of them, `tied` counting them: any is as good, and Trial 1 is the default recipe.
 */
export function winningTrial(study: StudyTrials): { number: number; params: Params; tied?: number } | null {
  if (study.best) return { number: study.best.number, params: study.best.params as Params }
  if (study.verdict?.kind !== 'tie') return null
  const tied = study.trialList.filter((t) => t.status === 'completed' && t.value !== null).sort((a, b) => a.number - b.number)
  return tied.length ? { number: tied[0].number, params: tied[0].params as Params, tied: tied.length } : null
}

/** The Trial whose recipe the final Run trains: the winner, or, when no Trial finished, Trial 1 if the plan made it the default recipe. */
export function finalRecipe(plan: Pick<AutoPlan, 'startWith'>, study: StudyTrials): { number: number; params: Params; tied?: number } | null {
  const winner = winningTrial(study)
  if (winner) return winner
  const first = study.trialList.find((t) => t.number === 0)
  // Trials that finished but all guess leave no winner: their verdict says why, and no recipe is trained.
  return !study.verdict && plan.startWith?.length && first ? { number: 0, params: first.params as Params } : null
}

/**
 * The time to keep for the final Run: what it needs besides its Epochs (`aroundMs`) and `epochs` Epochs of `epochMs` on all the
 * images. When Trials train on a subset (whose Epochs say little about those on all images), the final Run's share of the budget
 * instead, but never less than the default recipe's Epochs nor more than all of `epochs`.
 */
export function finalReserveMs(plan: Pick<AutoPlan, 'studyShare' | 'finalEpochsAtLeast'>, budgetMs: number, measured: { epochMs: number; aroundMs: number; epochs: number; subset: boolean }): number {
  const all = measured.aroundMs + measured.epochs * measured.epochMs
  if (!measured.subset) return all
  return Math.min(all, Math.max(budgetMs * (1 - plan.studyShare), measured.aroundMs + (plan.finalEpochsAtLeast ?? 0) * measured.epochMs))
}

/** The default recipe as a point of `space` (each searched setting at its default), or null when a default lies outside it. */
function defaultRecipe(space: SearchSpace, config: TrainingConfig): Params | null {
  const known: Record<string, unknown> = { ...DEFAULT_CNN_HEAD, ...config.augmentation, ...config }
  const params = Object.fromEntries(Object.keys(space).map((name) => [name, known[name]])) as Params
  return pointProblems(space, params).length ? null : params
}

/** The fewest Epochs that give a from-scratch Trial on `images` about SCRATCH_ITERATIONS Iterations at batch 32 (at most 60). */
function scratchEpochs(images: number): number {
  const perEpoch = Math.max(1, Math.ceil(images / 32))
  return SCRATCH_EPOCHS.find((e) => e * perEpoch >= SCRATCH_ITERATIONS) ?? SCRATCH_EPOCHS.at(-1)!
}

/** The report's counts without the `excluded` images (`class/file`, as a label check names them). */
function withoutExcluded<R extends Pick<DatasetReport, 'images' | 'classes'>>(report: R, excluded: readonly string[]): R {
  if (!excluded.length) return report
  const left = new Map<string, number>()
  for (const path of excluded) {
    const name = path.split('/')[0]
    left.set(name, (left.get(name) ?? 0) + 1)
  }
  const classes = report.classes.map((c) => ({ ...c, count: Math.max(0, c.count - (left.get(c.name) ?? 0)) }))
  const dropped = report.classes.reduce((n, c, i) => n + c.count - classes[i].count, 0)
  return { ...report, classes, images: report.images - dropped }
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
