/**
 * How long a Run (or a Study of Runs) will take on this machine, from a quick measurement of the
 * chosen model (./measure-job.ts) and the Dataset's size. Pure: the same sums for the Train form,
 * the New Study form and the tests. Early stopping can only make a Run shorter, so Epochs count in
 * full ("up to").
 */
import type { RunEstimate } from '../contract'

/** What a measurement on this machine found (milliseconds). */
export interface Measurement {
  backend: string
  /** Starting a worker and its backend. */
  startMs: number
  /** Loading the backbone or building the model. */
  modelMs: number
  /** One training step over a batch of the Run's batch size (a pretrained Run: the head's, on features). */
  stepMs: number
  /** Decoding and resizing one image into the cache. */
  decodeMsPerImage: number
  /** A pretrained Run: the backbone's features of one image. */
  featureMsPerImage: number
  /** Predicting one image for validation (a pretrained Run without fine-tuning: the head on features). */
  predictMsPerImage: number
}

/** What the Run will do, counted from its settings and its Dataset. */
export interface RunPlan {
  pretrained: boolean
  images: number
  trainImages: number
  validationImages: number
  epochs: number
  batchSize: number
  /** A pretrained Run: augmented views embedded besides the clean one. */
  views: number
  fineTuneEpochs: number
  /** Already done for this Dataset and size (a Run before did them). */
  imagesCached: boolean
  featuresCached: boolean
  /** Model replicas a Run of its own trains on (wasm on two cores: 2; a pretrained Run: 1). */
  replicas: number
  cores: number
  /** A Run from scratch with a time limit ends within it (ms), training the Epochs that fit. */
  timeLimitMs?: number
}

/** Above this a Run is "long": the form says so and offers what makes it faster. */
export const LONG_MS = 60 * 60_000

/**
 * A Run from scratch trains slower than its measured steps: two replicas, the batch loader's
 * augmentation and a checkpoint after every Epoch share the cores. Calibrated on a 2-core machine
 * (reference CNN at 64 px, default CNN at 64 px, compact ResNet at 224 px: 1.4-1.75x).
 */
const SHARING = 1.6

/** The Run's time, step by step: what happens once for a Dataset (decoding, features) and what every Run does. */
export function estimateRun(plan: RunPlan, m: Measurement): RunEstimate {
  const iterations = Math.ceil(plan.trainImages / Math.max(1, plan.batchSize))
  const steps: RunEstimate['steps'] = [{ label: 'Starting the backend and the model', ms: m.startMs + m.modelMs, once: false }]
  let limited = false
  if (plan.pretrained) {
    if (!plan.featuresCached)
      steps.push({
        label: `Computing the features of ${plan.images.toLocaleString('en')} images${plan.views ? ` × ${plan.views + 1} views` : ''} (once for this Dataset)`,
        ms: plan.images * (plan.views + 1) * (m.featureMsPerImage + m.decodeMsPerImage),
        once: true
      })
    steps.push({
      label: `Training the head: up to ${plan.epochs} Epochs of ${iterations} Iterations`,
      ms: plan.epochs * (iterations * m.stepMs + plan.validationImages * m.predictMsPerImage),
      once: false
    })
    if (plan.fineTuneEpochs > 0) {
      // A fine-tuning step runs the backbone forward and its top backward: about three times its features' cost per image.
      if (!plan.imagesCached) steps.push({ label: `Reading and resizing ${plan.images.toLocaleString('en')} images (once for this Dataset)`, ms: plan.images * m.decodeMsPerImage, once: true })
      steps.push({
        label: `Fine-tuning: up to ${plan.fineTuneEpochs} Epochs`,
        ms: plan.fineTuneEpochs * (plan.trainImages * 3 * m.featureMsPerImage + plan.validationImages * m.featureMsPerImage),
        once: false
      })
    }
  } else {
    if (!plan.imagesCached) steps.push({ label: `Reading and resizing ${plan.images.toLocaleString('en')} images (once for this Dataset)`, ms: plan.images * m.decodeMsPerImage, once: true })
    const epochMs = SHARING * (iterations * m.stepMs + plan.validationImages * m.predictMsPerImage)
    const training = { label: `Training: up to ${plan.epochs} Epochs of ${iterations} Iterations`, ms: plan.epochs * epochMs, once: false }
    // The limit counts from the start (reading the images too): the training gets what is left of it.
    const left = plan.timeLimitMs === undefined ? Infinity : Math.max(0, plan.timeLimitMs - steps.reduce((sum, s) => sum + s.ms, 0))
    if (training.ms > left) {
      limited = true
      const fit = Math.min(plan.epochs, left / epochMs)
      training.label = `Training until the time limit: about ${fit < 1 ? 'part of 1 Epoch' : `${Math.floor(fit)} of ${plan.epochs} Epochs`} of ${iterations} Iterations`
      training.ms = left
    }
    steps.push(training)
  }
  const totalMs = steps.reduce((sum, s) => sum + s.ms, 0)
  return {
    totalMs,
    steps,
    backend: m.backend,
    replicas: plan.pretrained ? 1 : plan.replicas,
    cores: plan.cores,
    long: totalMs >= LONG_MS,
    advice: totalMs >= LONG_MS ? adviceFor(plan) : null,
    ...(limited ? { limited } : {})
  }
}

/**
 * A Study's time: what is done once for the Dataset, then its Trials `parallel` at a time. A Trial
 * trains on one replica (a Run of its own may use two), and Trials side by side share the cores.
 * With a time limit no Trial starts after it, so the Study ends at most one round of Trials later
 * (`limited`: the limit, not the Trial count, decides).
 */
export function estimateStudy(
  run: Pick<RunEstimate, 'steps' | 'replicas'>,
  trials: number,
  parallel: number,
  cores: number,
  limitMinutes: number | null = null
): { totalMs: number; long: boolean; limited: boolean } {
  const once = run.steps.filter((s) => s.once).reduce((sum, s) => sum + s.ms, 0)
  const each = run.replicas * run.steps.filter((s) => !s.once).reduce((sum, s) => sum + s.ms, 0)
  const side = Math.max(1, Math.min(parallel, trials))
  // Trials side by side share the cores: beyond them, they take turns.
  const slowdown = Math.max(1, side / Math.max(1, cores))
  const all = once + Math.ceil(trials / side) * each * slowdown
  const capped = limitMinutes !== null && limitMinutes > 0 ? Math.max(once, limitMinutes * 60_000) + each * slowdown : Infinity
  const totalMs = Math.min(all, capped)
  return { totalMs, long: totalMs >= LONG_MS, limited: capped < all }
}

function adviceFor(plan: RunPlan): string {
  if (!plan.pretrained) return 'Training a network from scratch is slow on a CPU. The pretrained model learns photos in minutes; a smaller image size or fewer Epochs also help.'
  if (plan.fineTuneEpochs > 0)
    return 'Fine-tuning runs every image through the whole backbone each Epoch. Fewer fine-tuning Epochs or blocks, or a smaller image size, are faster; the head alone takes minutes.'
  return 'Computing the features of many images takes a while, once: later Runs on this Dataset reuse them. A smaller image size is faster.'
}
