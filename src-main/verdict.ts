/**
 * What a finished Run's numbers mean, said plainly: did the model learn, is it guessing, did its
 * loss blow up, is it memorising the training images or not yet fitting them — and what to try.
 * Pure (types only), so the app, the command line and the HTML reports all say the same thing.
 */
import type { Augmentation, EpochMetrics, Evaluation, ModelName, RunStatus, RunSummary, Verdict, VerdictKind } from './contract'

/** What a verdict is drawn from: a Run's recorded figures. */
export interface VerdictInput {
  status: RunStatus
  /** How many classes the model chooses between. */
  classes: number
  epochs: readonly Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'trainAccuracy' | 'valLoss' | 'valAccuracy'>[]
  /** The final evaluation, when there is one (its confusion matrix tells a one-class model): on the validation
   *  images, or on the test images for a Run trained on training + validation. */
  evaluation?: { split?: 'validation' | 'test'; accuracy: number; loss: number; classes: string[]; confusion: number[][] } | null
  /** Validation images (from the split), for how far from chance counts as real. */
  validationImages?: number | null
  model?: ModelName
  learningRate?: number
  /** The Run's augmentation and early stopping (its patience, 0 = off), so advice names only what is not on yet. */
  augmentation?: Augmentation
  earlyStopping?: number
  /** A pretrained Run's augmented views and fine-tuned blocks: with neither, its head trained on clean images only. */
  augmentedViews?: number
  fineTuneBlocks?: number
  /** Why a failed Run failed. */
  error?: string | null
}

/** Training accuracy this far above validation accuracy means the model memorises. */
const MEMORISING_GAP = 0.15
/** Below this training accuracy (and without a memorising gap) the model has not fitted the training images yet. */
const UNDERFIT_TRAIN = 0.85

/** The verdict on a Run that has ended, or null while it trains or when there is nothing to judge. */
export function runVerdict(input: VerdictInput): Verdict | null {
  const verdict = judge(input)
  const spike = verdict && verdict.kind !== 'diverged' ? spikeAdvice(input) : null
  return spike ? { ...verdict!, advice: [...verdict!.advice, spike] } : verdict
}

function judge(input: VerdictInput): Verdict | null {
  const { status, epochs } = input
  if (status === 'failed') return divergedByError(input)
  if (status !== 'completed' && status !== 'stopped') return null
  const last = epochs.at(-1)
  if (!last) return null
  const diverged = exploded(input)
  if (diverged) return diverged
  const val = input.evaluation?.accuracy ?? last.valAccuracy
  if (val === null || !Number.isFinite(val)) return null
  const train = last.trainAccuracy
  const chance = chanceAccuracy(input)
  const margin = chanceMargin(chance, input.validationImages ?? validationCount(input))
  const pct = percent
  const chanceText = `a model answering at random scores about ${pct(chance)}`
  // The images the model is judged on: a Run trained on training + validation is judged on the test images.
  const held = input.evaluation?.split === 'test' ? 'test' : 'validation'

  // A validation loss as high as a uniform guess's, with training images at chance too: a few lucky answers prove nothing.
  const valLoss = input.evaluation?.loss ?? last.valLoss
  const lossAtChance = valLoss !== null && valLoss >= 0.95 * chanceLoss(input.classes) && train <= chance + 0.1
  if (val <= chance + margin || lossAtChance) {
    const answer = oneAnswer(input.evaluation)
    const memorised = train - val > MEMORISING_GAP && train > chance + margin
    const detail = memorised
      ? `It got ${pct(train)} of the training images right but only ${pct(val)} of the ${held} images (${chanceText}): it memorised the training images instead of learning what tells the classes apart.`
      : val <= chance + margin
        ? `Its ${held} accuracy is ${pct(val)} and ${chanceText}${answer ? `; it answers “${answer.label}” for ${pct(answer.share)} of the images` : ''}. It learned nothing that helps.`
        : `It gets ${pct(train)} of the training images right and its ${held} loss (${valLoss!.toFixed(3)}) is that of a random guess (${chanceLoss(input.classes).toFixed(3)}): its ${pct(val)} on the ${held} images (${chanceText}) is chance, not learning.`
    return { kind: 'guessing', tone: 'error', headline: 'The model is guessing', detail, advice: memorised ? memorisingAdvice(input) : guessingAdvice(input) }
  }
  const onset = overfitOnset(epochs)
  if (train - val > MEMORISING_GAP && (onset !== null || train > 0.9)) {
    return {
      kind: 'overfitting',
      tone: 'warning',
      headline: 'The model memorises the training images',
      detail: `Training accuracy ${pct(train)}, ${held} accuracy ${pct(val)}${onset !== null ? `; validation loss rose from Epoch ${epochs[onset].epoch} while training loss fell` : ''}. It does better on images it has seen than on new ones.`,
      advice: memorisingAdvice(input)
    }
  }
  const improving = stillImproving(epochs)
  // Training accuracy is measured on augmented images while the Epoch learns, so it lags: only both low is underfitting.
  if (train < UNDERFIT_TRAIN && val < UNDERFIT_TRAIN) {
    const advice = [
      ...(improving ? ['Train for more Epochs: validation loss was still falling at the end.'] : []),
      ...(input.model && input.model !== 'pretrained' ? ['Try the pretrained model: it starts from features learned on a million photos.'] : []),
      strongAugmentationAdvice(input) ?? lessAugmentationAdvice(input),
      ...(improving ? [] : ['Train for more Epochs, or try a larger learning rate.'])
    ]
    return {
      kind: 'underfitting',
      tone: 'warning',
      headline: 'The model has not fitted the training images yet',
      detail: `It learned something (${pct(val)} on ${held} images; ${chanceText}), but gets only ${pct(train)} of the training images right: it has room to learn more.`,
      advice
    }
  }
  return {
    kind: 'learned',
    tone: 'ok',
    headline: 'The model learned',
    detail: `${pct(val)} of the ${held} images right (${chanceText}); training accuracy ${pct(train)}.`,
    advice: improving ? ['Validation loss was still falling at the last Epoch: more Epochs may help.'] : []
  }
}

/** The accuracy a Run is listed by: on its validation images, or on its test images when it had none (trained on training + validation). */
export function listedAccuracy(run: Pick<RunSummary, 'valAccuracy' | 'testAccuracy'>): { images: 'test'; accuracy: number } | { images: 'validation'; accuracy: number | null } {
  return run.valAccuracy === null && run.testAccuracy != null ? { images: 'test', accuracy: run.testAccuracy } : { images: 'validation', accuracy: run.valAccuracy }
}

/** The best score a model can get without looking at the images: always answering the largest class. */
export function chanceAccuracy(input: Pick<VerdictInput, 'classes' | 'evaluation'>): number {
  const rows = input.evaluation?.confusion.map((row) => row.reduce((a, b) => a + b, 0))
  const total = rows?.reduce((a, b) => a + b, 0) ?? 0
  if (rows && total > 0) return Math.max(...rows) / total
  return 1 / Math.max(1, input.classes)
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

/** Under this many held-out images, one image more or less moves a class's recall by over 10 points. */
export const FEW_CLASS_IMAGES = 10

/**
 * The classes with too few held-out images for their figures to mean much, each with the 95 % interval
 * of its recall, as one sentence; null when every class has enough. A class a user barely photographed
 * otherwise reads "100 % recall" on one image.
 */
export function fewImagesNote(evaluation: Pick<Evaluation, 'split' | 'perClass'>): string | null {
  const few = evaluation.perClass.filter((c) => c.support < FEW_CLASS_IMAGES)
  if (!few.length) return null
  if (few.length === evaluation.perClass.length && few.length > 2) {
    const least = Math.min(...few.map((c) => c.support))
    return `Every class has fewer than ${FEW_CLASS_IMAGES} ${evaluation.split} images (the smallest ${least}): one image more or less moves a class's precision or recall by over 10 points. Add images, so that more are held out to measure each class.`
  }
  const each = few.map((c) => {
    if (c.support === 0) return `${c.name} (none: it is not measured at all)`
    const { low, high } = wilsonInterval(Math.round(c.recall * c.support), c.support)
    return `${c.name} (${c.support === 1 ? '1 image' : `${c.support} images`}: its recall of ${percent(c.recall)} could be anywhere from ${percent(low)} to ${percent(high)})`
  })
  const list = each.length === 1 ? each[0] : `${each.slice(0, -1).join(', ')} and ${each.at(-1)}`
  const one = few.length === 1
  return `Few ${evaluation.split} images of ${list}. Figures on so few images say little: add images of ${one ? 'this class' : 'these classes'}, so that more are held out to measure ${one ? 'it' : 'them'}.`
}

/**
 * How far above chance counts as real: two standard errors of a coin with that chance on n
 * images, at least 5 points and at most 15 (beyond that a tiny validation split says too little
 * either way; the validation loss then tells a lucky guess apart).
 */
export function chanceMargin(chance: number, images: number | null): number {
  const n = images && images > 0 ? images : 0
  const noise = n ? 2 * Math.sqrt((chance * (1 - chance)) / n) : 0.1
  return Math.min(0.15, Math.max(0.05, noise))
}

/**
 * Where the model starts to memorise: after the Epoch with the best validation loss, the first
 * Epoch whose validation loss rises while its training loss still falls. Looking only after the
 * best Epoch keeps an early wobble that the model recovers from from raising the alarm.
 * Returns that Epoch's index in `epochs`, or null.
 */
export function overfitOnset(epochs: readonly Pick<EpochMetrics, 'trainLoss' | 'valLoss'>[]): number | null {
  const best = lowestValLoss(epochs)
  if (best < 0) return null
  for (let i = best + 1; i < epochs.length; i++) {
    const before = epochs[i - 1]
    const now = epochs[i]
    if (now.valLoss === null || before.valLoss === null) continue
    if (now.valLoss > before.valLoss && now.trainLoss < before.trainLoss) return i
  }
  return null
}

/** How far above its best the validation loss must be for the charts to call it rising: less is noise of a small split. */
const RISEN = 1.05

/**
 * Whether a live Run's charts may say "the model starts to memorise": validation loss rising while
 * training loss falls means memorising only when the model fits the training images better than
 * the validation ones, and when the rise shows (5 % above its best); at chance both losses drift
 * and it means nothing.
 */
export function memorisingFrom(epochs: readonly Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'valLoss' | 'trainAccuracy' | 'valAccuracy'>[], classes: number): number | null {
  const onset = overfitOnset(epochs)
  if (onset === null) return null
  const last = epochs.at(-1)!
  const chance = 1 / Math.max(1, classes)
  const gapOpen = last.valAccuracy !== null && last.trainAccuracy - last.valAccuracy > 0.05
  const best = Math.min(...epochs.map((e) => e.valLoss ?? Infinity))
  const risen = last.valLoss !== null && last.valLoss > best * RISEN
  return gapOpen && risen && last.trainAccuracy > chance + 0.1 ? onset : null
}

/** The index of the first Epoch with the lowest finite validation loss (the one early stopping keeps), or -1. */
function lowestValLoss(epochs: readonly Pick<EpochMetrics, 'valLoss'>[]): number {
  let best = -1
  epochs.forEach((e, i) => {
    if (e.valLoss !== null && Number.isFinite(e.valLoss) && (best < 0 || e.valLoss < epochs[best].valLoss!)) best = i
  })
  return best
}

/**
 * What the charts' "starting to memorise" hint advises. A Run with early stopping keeps the weights
 * of its lowest validation loss (unless stopped by hand: that keeps the last, as `trainer.ts` does),
 * so it is told which Epoch's, not to turn early stopping on.
 */
export function memorisingHint(epochs: readonly Pick<EpochMetrics, 'epoch' | 'valLoss'>[], run: { earlyStopping: number; status: RunStatus }): string {
  const best = lowestValLoss(epochs)
  if (!run.earlyStopping || run.status === 'stopped' || best < 0) return 'More augmentation, early stopping, fewer epochs or more data help.'
  return `Early stopping keeps the weights of Epoch ${epochs[best].epoch}, where validation loss was lowest; more augmentation or more data help the model go further.`
}

/** The loss of a model that spreads its belief evenly over `classes`: ln(classes). */
export function chanceLoss(classes: number): number {
  return Math.log(Math.max(2, classes))
}

/** A training loss this many times a random guess's (at least 10) has blown up. */
const blownUp = (input: VerdictInput, e: VerdictInput['epochs'][number]) => !Number.isFinite(e.trainLoss) || e.trainLoss > 10 * Math.max(1, chanceLoss(input.classes))

// Divergence is how training ended: a training loss blown up at the last Epoch, or a last
// validation loss that is not a number. A spike the Run recovered from is not (its model learned
// after it: spikeAdvice says so); nor is a validation loss that is merely huge while training is
// fine: the weights are sound, and the model's confident mistakes are judged by the rules that follow.
function exploded(input: VerdictInput): Verdict | null {
  const last = input.epochs.at(-1)
  if (!last) return null
  const worst = blownUp(input, last) ? input.epochs.find((e) => blownUp(input, e))! : last.valLoss != null && !Number.isFinite(last.valLoss) ? last : undefined
  if (!worst) return null
  const loss = blownUp(input, worst) ? worst.trainLoss : worst.valLoss!
  return {
    kind: 'diverged',
    tone: 'error',
    headline: 'Training diverged',
    detail: `The loss reached ${figure(loss)} at Epoch ${worst.epoch}, where a model answering at random has ${chanceLoss(input.classes).toFixed(2)}: the steps were too large and the weights blew up. The saved model is not usable.`,
    advice: divergedAdvice(input)
  }
}

/** A word on a training loss that blew up and came back: the model is fine, the rate was on the edge. */
function spikeAdvice(input: VerdictInput): string | null {
  const spike = input.epochs.find((e) => blownUp(input, e))
  if (!spike) return null
  const lr = input.learningRate ? ` (try ${(input.learningRate / 10).toPrecision(2)})` : ''
  return `The training loss spiked to ${figure(spike.trainLoss)} at Epoch ${spike.epoch} before it recovered: a lower learning rate${lr} may train more steadily.`
}

function divergedByError(input: VerdictInput): Verdict | null {
  if (!input.error || !/diverged|became (NaN|Infinity|-Infinity)/i.test(input.error)) return null
  return { kind: 'diverged', tone: 'error', headline: 'Training diverged', detail: input.error, advice: divergedAdvice(input) }
}

function divergedAdvice(input: VerdictInput): string[] {
  const lr = input.learningRate
  return [
    lr
      ? `Lower the learning rate: try ${(lr / 10).toPrecision(2)} (it was ${lr}), or use the learning-rate finder in the Train form.`
      : 'Lower the learning rate, or use the learning-rate finder in the Train form.',
    'Keep a normalization of the pixels (0 to 1, −1 to 1 or standardize).'
  ]
}

function guessingAdvice(input: VerdictInput): string[] {
  const lr = input.learningRate
  const strong = strongAugmentationAdvice(input)
  return [
    ...(strong ? [strong] : []),
    ...(input.model && input.model !== 'pretrained' ? ['Try the pretrained model: it learns photos from a few dozen images per class, where a network from scratch needs thousands.'] : []),
    ...(lr !== undefined && lr > 0.01 ? [`Lower the learning rate (it was ${lr}; try ${(lr / 10).toPrecision(2)}).`] : []),
    ...(lr !== undefined && lr < 1e-4 ? [`Raise the learning rate (it was ${lr}; try ${(lr * 10).toPrecision(2)}).`] : []),
    'Train for more Epochs.',
    'Look at the images: the classes must differ in something the images show, and each class needs enough examples.'
  ]
}

function memorisingAdvice(input: VerdictInput): string[] {
  return [
    augmentationAdvice(input),
    ...(input.earlyStopping ? [] : ['Turn on early stopping, or train fewer Epochs: the best weights come before the rise.']),
    ...(input.model && input.model !== 'pretrained' ? ['Try the pretrained model: it needs far fewer images to generalize.'] : ['Raise dropout or weight decay.']),
    'More images per class help most.'
  ]
}

/** A pretrained head with no augmented views and no fine-tuning trains on clean images: its augmentation settings do nothing. */
function cleanImagesOnly(input: VerdictInput): boolean {
  return input.model === 'pretrained' && !input.augmentedViews && !input.fineTuneBlocks
}

/** The augmentation kinds advice talks about, and whether each is in effect; null when the Run's augmentation is not known. */
function augmentationKinds(input: VerdictInput): [string, boolean][] | null {
  const a = input.augmentation
  if (!a) return null
  const kinds: [string, boolean][] = [
    ['flips', a.flipHorizontal || a.flipVertical],
    ['crops', a.scale < 1],
    ['rotation', a.rotation > 0],
    ['shifts', a.translate > 0],
    ['colour changes', a.brightness > 0 || a.contrast > 0 || a.saturation > 0 || a.hue > 0],
    ['blur', a.blur > 0],
    ['noise', a.noise > 0],
    ['erasing', a.erasing > 0]
  ]
  return cleanImagesOnly(input) ? kinds.map(([name]) => [name, false]) : kinds
}

const list = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0])

/**
 * The settings strong enough to hide what an image shows, as the Train form names them. Measured
 * (BENCHMARKS, Training): the default CNN on 3,000 Fashion-MNIST images, 8 Epochs, the default
 * augmentation 79 % validation accuracy; with noise 30 % 73 %, 50 % 55 %, noise 100 % and blur
 * 10 px 20 %; blur 3 px 76 %; crops keeping 10 % with ±50 % shifts 49 %.
 */
export function strongAugmentation(a: Augmentation): string[] {
  const pct = (v: number) => `${Math.round(v * 100)}%`
  const strong: [boolean, string][] = [
    [a.noise >= 0.3, `noise ${pct(a.noise)}`],
    [a.blur >= 3, `blur up to ${a.blur} px`],
    [a.scale < 0.3, `crops keeping ${pct(a.scale)}`],
    [a.translate >= 0.3, `shifts of ±${pct(a.translate)}`],
    [a.brightness >= 0.8, `brightness ±${pct(a.brightness)}`],
    [a.contrast >= 0.8, `contrast ±${pct(a.contrast)}`]
  ]
  return strong.filter(([isStrong]) => isStrong).map(([, name]) => name)
}

/** When some augmentation is strong enough to hide the subject: name it first, as the likely cause. */
function strongAugmentationAdvice(input: VerdictInput): string | null {
  const strong = input.augmentation && !cleanImagesOnly(input) ? strongAugmentation(input.augmentation) : []
  if (!strong.length) return null
  return `Use less augmentation: ${strongList(strong)} much of what the images show (the augmentation preview in the Train form shows it). The defaults are a good start.`
}

/** "noise 100% hides" / "noise 100% and blur up to 10 px hide": the start of a sentence on the strong settings; none: empty. */
export function strongList(strong: string[]): string {
  if (!strong.length) return ''
  return `${list(strong)} ${strong.length > 1 ? 'hide' : 'hides'}`
}

/** Less augmentation to try, naming what is on; none on: regularization alone. */
function lessAugmentationAdvice(input: VerdictInput): string {
  const kinds = augmentationKinds(input)
  const on = kinds?.filter(([, isOn]) => isOn).map(([name]) => name)
  if (!on) return 'Use less augmentation or regularization (dropout, weight decay): they make the training images harder to fit.'
  if (on.length === 0) return 'Use less regularization (dropout, weight decay): it makes the training images harder to fit.'
  return `Use less augmentation (${list(on)} ${on.length > 1 ? 'are' : 'is'} on) or regularization (dropout, weight decay): they make the training images harder to fit.`
}

/** More augmentation to try: the kinds not on yet, and those already on (a user who turned flips on should not be told to add them). */
function augmentationAdvice(input: VerdictInput): string {
  if (cleanImagesOnly(input)) return 'Embed augmented views of each image (Augmented views in the Train form, --views on the command line), so the head cannot learn the exact images.'
  // Of the kinds that change what a shape looks like; colour, blur and noise are named only when on. Unknown: the usual three.
  const kinds = augmentationKinds(input)?.filter(([name, isOn]) => isOn || ['flips', 'crops', 'rotation', 'shifts', 'erasing'].includes(name)) ?? [
    ['flips', false],
    ['crops', false],
    ['rotation', false]
  ]
  const on = kinds.filter(([, isOn]) => isOn).map(([name]) => name)
  const off = kinds.filter(([, isOn]) => !isOn).map(([name]) => name)
  if (on.length === 0) return `Add augmentation (${off.join(', ')}), so the model cannot learn the exact images.`
  if (off.length === 0) return `Make the augmentation stronger (${list(on)} are on): larger crops, rotations and erased areas hide more of each exact image.`
  return `Add more augmentation: ${list(off)}, besides the ${list(on)} already on, so the model cannot learn the exact images.`
}

/** The answer a model gives to most images, when one answer takes 80% or more of them. */
function oneAnswer(evaluation: VerdictInput['evaluation']): { label: string; share: number } | null {
  if (!evaluation?.confusion.length) return null
  const columns = evaluation.confusion[0].map((_, c) => evaluation.confusion.reduce((sum, row) => sum + row[c], 0))
  const total = columns.reduce((a, b) => a + b, 0)
  if (!total) return null
  const top = columns.indexOf(Math.max(...columns))
  const share = columns[top] / total
  return share >= 0.8 ? { label: evaluation.classes[top], share } : null
}

/** Validation loss at its lowest in the last Epoch, and lower than two Epochs before. */
function stillImproving(epochs: VerdictInput['epochs']): boolean {
  const losses = epochs.map((e) => e.valLoss).filter((v): v is number => v !== null && Number.isFinite(v))
  if (losses.length < 3) return false
  const last = losses[losses.length - 1]
  return last <= Math.min(...losses) && last < losses[losses.length - 3] * 0.98
}

function validationCount(input: VerdictInput): number | null {
  const total = input.evaluation?.confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0)
  return total || null
}

function percent(v: number): string {
  return `${Math.round(v * 100)}%`
}

function figure(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return String(v)
  return Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toFixed(2)
}

/** A Study's Trials as the Study verdict needs them. */
export interface TrialOutcome {
  status: string
  value: number | null
  /** The verdict on the Trial's Run, when it has one. */
  verdict?: VerdictKind | null
}

/** Values closer than this count as the same score (accuracies are counts over the same images). */
export const TIE = 1e-9

/** True when at least two Trials completed and every completed Trial scored the same. */
export function trialsTie(trials: readonly TrialOutcome[]): boolean {
  const values = completedValues(trials)
  return values.length >= 2 && Math.max(...values) - Math.min(...values) <= TIE
}

/**
 * What a Study's Trials say together: nothing when they differ; when they all tie, that no setting
 * made a difference (and, when every Trial's model is guessing, that none learned anything).
 */
export function studyVerdict(trials: readonly TrialOutcome[], objective: 'valAccuracy' | 'valLoss'): Verdict | null {
  const completed = trials.filter((t) => t.status === 'completed' && t.value !== null)
  const guessing = completed.length > 0 && completed.every((t) => t.verdict === 'guessing' || t.verdict === 'diverged')
  if (!trialsTie(trials) && !(guessing && completed.length >= 2)) return null
  const value = completed[0].value!
  const score = objective === 'valAccuracy' ? `${(value * 100).toFixed(1)}% validation accuracy` : `a validation loss of ${value.toFixed(4)}`
  const tie = trialsTie(trials)
  // A perfect score tells nothing apart: the validation images are too few or too easy, not the settings alike.
  const perfect = objective === 'valAccuracy' ? value >= 1 - TIE : value <= TIE
  return {
    kind: guessing ? 'guessing' : 'tie',
    tone: guessing ? 'error' : 'warning',
    headline: guessing ? `No Trial learned: all ${completed.length} are guessing` : `All ${completed.length} Trials tie`,
    detail: guessing
      ? `${tie ? `Every completed Trial scored ${score}` : 'Every completed Trial scored at chance'}: no setting in this space made the model learn, so there is no best Trial and nothing to say about which hyperparameter matters.`
      : perfect
        ? `Every completed Trial scored ${score}, a perfect score: the validation images are too few or too easy to tell these settings apart, so there is no best Trial and no hyperparameter importance.`
        : `Every completed Trial scored ${score}: no setting in this space made a difference, so there is no best Trial and no hyperparameter importance.`,
    advice: guessing
      ? [
          'Open a Trial to read its verdict.',
          'Try the pretrained model, or a learning rate range the learning-rate finder suggests.',
          'Check the images: each class must show something the others do not.'
        ]
      : perfect
        ? ['Any of these recipes will do. To compare them, give validation more images (a larger validation split) or harder ones.']
        : ['Widen the space (other learning rates, models or image sizes), or search settings that change what the model sees.']
  }
}

function completedValues(trials: readonly TrialOutcome[]): number[] {
  return trials.filter((t) => t.status === 'completed' && t.value !== null && Number.isFinite(t.value)).map((t) => t.value!)
}
