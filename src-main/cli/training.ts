/** `osprey train`, `osprey predict`, `osprey export` (`osprey runs …` is in ./history.ts). */
import { resolve } from 'node:path'
import type { Events, RunSummary, TrainingRequest } from '../contract'
import { OspreyError } from '../errors'
import { parseAugmentation } from '../pipeline/augment-spec'
import type { Services } from '../services'
import { fewImagesNote } from '../verdict'
import { verdictText, type Output } from './output'

/** The training flags, as parsed by node:util parseArgs. */
export type TrainFlags = Record<string, string | boolean | undefined>

/** Options every command that trains accepts (also `osprey tune`, later). */
export const TRAIN_OPTIONS = {
  model: { type: 'string' },
  'image-size': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  schedule: { type: 'string' },
  'early-stop': { type: 'string' },
  normalize: { type: 'string' },
  augment: { type: 'string' },
  'val-split': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  units: { type: 'string' },
  dropout: { type: 'string' },
  backbone: { type: 'string' },
  'backbone-layer': { type: 'string' },
  views: { type: 'string' },
  'fine-tune': { type: 'string' },
  'fine-tune-epochs': { type: 'string' },
  'fine-tune-lr': { type: 'string' },
  'start-from': { type: 'string' },
  'time-limit': { type: 'string' }
} as const

/** A number flag's value, or undefined when absent; its range is checked by the config schema later. */
export function numberFlag(flags: TrainFlags, name: string): number | undefined {
  const value = flags[name]
  if (typeof value !== 'string') return undefined
  const n = Number(value)
  if (value.trim() === '' || Number.isNaN(n)) throw new OspreyError('bad-input', `--${name}: "${value}" is not a number.`)
  return n
}

/** Turns flags into a training request; the numbers' ranges are checked by the config schema later. */
export function trainingRequest(folder: string, flags: TrainFlags): TrainingRequest {
  const number = (name: string) => numberFlag(flags, name)
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined)
  const request: Record<string, unknown> = {
    folder: resolve(folder),
    model: text('model'),
    imageSize: number('image-size'),
    epochs: number('epochs'),
    batchSize: number('batch-size'),
    optimizer: text('optimizer'),
    learningRate: number('lr'),
    schedule: text('schedule'),
    earlyStopping: number('early-stop'),
    normalization: text('normalize'),
    augmentation: typeof flags.augment === 'string' ? parseFlag(() => parseAugmentation(flags.augment as string)) : undefined,
    validationSplit: number('val-split'),
    seed: number('seed'),
    backend: text('backend'),
    units: number('units'),
    dropout: number('dropout'),
    // A folder given as a backbone is made absolute, as the dataset folder is; a catalog id stays as it is.
    backbone: typeof flags.backbone === 'string' && /[\\/]|^\./.test(flags.backbone) ? resolve(flags.backbone) : text('backbone'),
    backboneLayer: text('backbone-layer'),
    augmentedViews: number('views'),
    fineTuneBlocks: number('fine-tune'),
    fineTuneEpochs: number('fine-tune-epochs'),
    fineTuneLearningRate: number('fine-tune-lr'),
    warmStart: number('start-from'),
    timeLimitMinutes: number('time-limit')
  }
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as TrainingRequest
}

function parseFlag<T>(parse: () => T): T {
  try {
    return parse()
  } catch (e) {
    throw new OspreyError('bad-input', `--augment: ${(e as Error).message}`)
  }
}

/** `osprey train <folder>`: trains until done; Ctrl+C stops the Run and keeps what it learned. */
export async function trainCommand(services: Services, folder: string, flags: TrainFlags, out: Output): Promise<number> {
  // A backbone not yet here is downloaded before the Run starts; what the Run says while it starts (the model chosen, and why) is kept.
  const early: Events['runs.status'][] = []
  const starting = [followDownloads(services, out), services.events.on('runs.status', (e) => early.push(e))]
  const run = await services.training.start(trainingRequest(folder, flags)).finally(() => starting.forEach((dispose) => dispose()))
  return follow(services, run, out, early)
}

/** `osprey runs resume <run>`: goes on with an interrupted Run from its last checkpoint, as `train` follows a new one. */
export async function resumeCommand(services: Services, runId: string, out: Output): Promise<number> {
  const run = await services.training.resume(runIdOf(runId))
  if (!out.json) out.text(`Resuming Run ${run.id} (${run.name}) after Epoch ${run.epochsDone} of ${run.epochs}.`)
  return follow(services, run, out)
}

/** Shows a Run's progress (after what it said while starting, `early`) until it ends, then its result; Ctrl+C stops it and keeps what it learned. */
async function follow(services: Services, run: RunSummary, out: Output, early: Events['runs.status'][] = []): Promise<number> {
  let perEpoch = 0 // Iterations per Epoch, known once the split is
  let epochs = run.epochs // a Run with a time limit says later how many fit
  const status = ({ run: r, message }: Events['runs.status']) => {
    if (r.id !== run.id) return
    epochs = r.epochs
    if (!message) return
    if (out.json) out.line({ type: 'status', status: r.status, message })
    else if (!(r.status === 'failed' && message === r.error)) out.text(message) // the result below says it once
  }
  early.forEach(status)
  const disposers = [
    services.events.on('runs.phase', (p) => {
      if (p.runId !== run.id) return
      if (out.json) return out.line({ type: 'phase', ...p })
      // A counted step redraws its bar; a one-off step is a line of its own.
      if (p.total) out.progress(p.text.slice(0, p.text.lastIndexOf(':')), p.done, p.total, p)
      else out.text(p.text)
    }),
    services.events.on('runs.iteration', (p) => {
      if (p.runId !== run.id) return
      if (out.json) return out.line({ type: 'iteration', ...p })
      if (!perEpoch) {
        const detail = services.training.get(run.id)
        perEpoch = Math.ceil((detail.split?.train ?? 0) / detail.config.batchSize)
      }
      const label = `Epoch ${p.epoch}/${epochs}  loss ${p.loss.toFixed(3)}  acc ${p.accuracy.toFixed(3)}  ${Math.round(p.imagesPerSecond)} img/s`
      out.progress(label, p.iteration - (p.epoch - 1) * perEpoch, perEpoch, p)
    }),
    services.events.on('runs.epoch', (e) => {
      if (e.runId !== run.id) return
      if (out.json) return out.line({ type: 'epoch', ...e })
      const val = e.valLoss === null ? '' : `; validation loss ${e.valLoss.toFixed(4)}, accuracy ${e.valAccuracy?.toFixed(4)}`
      out.text(`Epoch ${e.epoch}/${epochs}: loss ${e.trainLoss.toFixed(4)}, accuracy ${e.trainAccuracy.toFixed(4)}${val} (${(e.durationMs / 1000).toFixed(1)} s)`)
    }),
    services.events.on('runs.status', status)
  ]
  const stop = () => {
    out.text('Stopping after this Iteration; the model learned so far is kept (Ctrl+C again to quit at once).')
    process.once('SIGINT', () => process.exit(130))
    services.training.stop(run.id)
  }
  process.once('SIGINT', stop)
  const done = await services.training.finished(run.id)
  process.off('SIGINT', stop)
  for (const dispose of disposers) dispose()
  report(services, done, out)
  return done.status === 'completed' || done.status === 'stopped' ? 0 : 1
}

function report(services: Services, run: RunSummary, out: Output): void {
  const detail = services.training.get(run.id)
  const summary = {
    id: run.id,
    status: run.status,
    backend: run.backend,
    val_accuracy: run.valAccuracy,
    val_loss: run.valLoss,
    test_accuracy: detail.evaluation?.split === 'test' ? detail.evaluation.accuracy : null,
    images_per_second: run.imagesPerSecond,
    epochs_done: run.epochsDone,
    duration_ms: run.durationMs,
    model: services.training.modelPath(run.id) ?? null,
    error: run.error,
    verdict: detail.verdict
  }
  if (out.json) return out.line({ type: 'run', ...summary })
  if (run.error) {
    out.error('failed', run.error)
    if (detail.verdict) out.text(verdictText(detail.verdict))
    return
  }
  // The final figures may differ from the last Epoch line's: the model's evaluation can look at each image twice.
  const looks = detail.evaluation?.mirrored ? ' (each image and its mirror, averaged; the Epoch lines look once)' : ''
  out.text(
    `Run ${run.id} ${run.status} on ${run.backend}: validation accuracy ${run.valAccuracy?.toFixed(4) ?? '–'}, loss ${run.valLoss?.toFixed(4) ?? '–'}${looks}, ${Math.round(run.imagesPerSecond ?? 0)} images/s.`
  )
  if (detail.verdict) out.text(verdictText(detail.verdict))
  // A verdict from a handful of held-out images needs its caution beside it, as the Run's report has.
  const few = detail.evaluation ? fewImagesNote(detail.evaluation) : null
  if (few) out.text(few)
  if (summary.model) out.text(`Model saved in ${summary.model}`)
}

/** `osprey predict <run> <images...>`: in a worker, as "Try it" does; exits 1 when any image could not be read. */
export async function predictCommand(services: Services, runId: string, files: string[], flags: TrainFlags, out: Output): Promise<number> {
  const id = runIdOf(runId)
  const backend = typeof flags.backend === 'string' ? (flags.backend as never) : undefined
  const { predictions } = await services.runModels.predict(
    id,
    files.map((f) => resolve(f)),
    { backend, thumbnails: false }
  )
  for (const p of predictions) {
    if (p.error !== null) {
      if (out.json) out.line({ type: 'prediction', path: p.path, error: p.error })
      else out.text(`${p.path}: ${p.error}`)
      continue
    }
    const { path, label, confidence, top } = p
    if (out.json) out.line({ type: 'prediction', path, label, confidence, top })
    else
      out.text(
        `${path}: ${label} (${(confidence * 100).toFixed(1)}%)  ${top
          .slice(1)
          .map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`)
          .join(', ')}`
      )
  }
  return predictions.some((p) => p.error !== null) ? 1 : 0
}

// --- export ---

/** `osprey export <run> <folder> [--overwrite]`: the Run's model, labels and metadata into a folder. */
export async function exportCommand(services: Services, runId: string, folder: string, flags: TrainFlags, out: Output): Promise<number> {
  const result = await services.runModels.exportModel(runIdOf(runId), resolve(folder), flags.overwrite === true)
  if (out.json) out.line({ type: 'export', ...result })
  else out.text(`Exported Run ${runId}'s model to ${result.folder}: ${result.files.join(', ')}`)
  return 0
}

function runIdOf(text: string): number {
  const id = Number(text)
  if (!Number.isInteger(id) || id <= 0) throw new OspreyError('bad-input', `"${text}" is not a Run id; see osprey runs list.`)
  return id
}

/** Shows the progress of backbone downloads until the returned disposer is called. */
export function followDownloads(services: Services, out: Output): () => void {
  return services.events.on('backbones.progress', (p) => {
    if (out.json) return out.line({ type: 'download', ...p })
    if (p.error) return
    const mb = (n: number) => (n / 1e6).toFixed(1)
    if (p.done) out.text(`Downloaded backbone ${p.id} (${mb(p.received)} MB).`)
    else out.progress(`Downloading backbone ${p.id} (MB)`, Number(mb(p.received)), p.total === null ? 0 : Number(mb(p.total)), {})
  })
}
