/**
 * What crosses the queue, as zod schemas: a Trial job's payload (read by workers), the
 * progress a worker streams back and its result (read by the studio). Each side validates what
 * it reads, so a malformed or hostile entry in Redis is refused, never executed or written.
 */
import { z } from 'zod'
import { trainingConfigSchema } from '../runs/config'
import type { EpochMetrics } from '../contract'
import type { TrainJobResult, TrainProgress } from '../runs/protocol'

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex')
const count = z.number().int().min(0)
// JSON has no NaN: a metric that was NaN arrives as null.
const metric = z.number().nullable()

/** Everything a worker needs to train one Trial's Run; nothing in it is code. */
export const trialJobSchema = z
  .object({
    version: z.literal(1),
    /** The studio that queued it: where to fetch the Dataset and send the model, with its worker key. */
    studio: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/), url: z.url({ protocol: /^https?$/ }), key: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/) }).strict(),
    runId: z.number().int().positive(),
    /** The Study the Run is a Trial of (for the worker's log). */
    studyId: z.number().int().positive().nullable(),
    config: trainingConfigSchema,
    dataset: z.object({ fingerprint: hex64, folder: z.string().min(1).max(4096), name: z.string().max(1000) }).strict(),
    /** A pretrained Run's backbone as the studio resolved it: the worker resolves the same id on its machine and checks the key (weights and cut). */
    backbone: z
      .object({ id: z.string().min(1).max(4096), layer: z.string().min(1).max(200), key: z.string().min(1).max(200) })
      .strict()
      .optional()
  })
  .strict()

/** A Trial job's payload. */
export type TrialJob = z.infer<typeof trialJobSchema>

const split = z.object({ train: count, validation: count, test: count, classes: z.array(z.string()), perClass: z.record(z.string(), z.object({ train: count, validation: count, test: count })) })
const evaluation = z.object({
  split: z.enum(['validation', 'test']),
  classes: z.array(z.string()),
  confusion: z.array(z.array(count)),
  perClass: z.array(z.object({ name: z.string(), precision: metric, recall: metric, f1: metric, support: count })),
  accuracy: metric,
  loss: metric,
  topLosses: z.array(z.object({ path: z.string(), label: z.string(), predicted: z.string(), confidence: metric, loss: metric }))
})

const epochMetrics = z.object({ epoch: count, trainLoss: metric, trainAccuracy: metric, valLoss: metric, valAccuracy: metric, learningRate: metric, durationMs: metric })

/** One entry of a Trial's progress stream: what the training worker reported (checkpoints stay on the worker). */
export const progressSchema = z.discriminatedUnion('kind', [
  // `epochs`: what the checkpoint a Trial resumes from holds (a worker of an older studio sends none).
  z.object({ kind: z.literal('worker'), name: z.string().min(1).max(200), attempt: z.number().int().min(1), fromEpoch: count, epochs: z.array(epochMetrics).max(100_000).optional() }),
  // `step` is optional: a worker of an older studio sends none (then: the images).
  z.object({ kind: z.literal('preparing'), step: z.enum(['images', 'features', 'backend', 'model']).optional(), done: count, total: count, what: z.string().max(200).optional() }),
  z.object({
    kind: z.literal('started'),
    backend: z.string().max(100),
    versions: z.record(z.string(), z.string()),
    split,
    normalizationStats: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable()
  }),
  z.object({
    kind: z.literal('iteration'),
    metrics: z.object({ epoch: count, iteration: count, loss: metric, accuracy: metric, learningRate: metric, imagesPerSecond: metric, elapsedMs: metric, memoryBytes: metric })
  }),
  z.object({
    kind: z.literal('epoch'),
    improved: z.boolean(),
    metrics: epochMetrics
  }),
  z.object({ kind: z.literal('plan'), epochs: count, iterations: count }),
  z.object({ kind: z.literal('paused') }),
  z.object({ kind: z.literal('resumed') }),
  z.object({ kind: z.literal('log'), message: z.string().max(2000) })
])

/** A Trial's result as its job returns it: the Run's outcome, and the model files the worker sent the studio. */
export const trialResultSchema = z
  .object({
    stoppedBy: z.enum(['completed', 'stopped', 'early-stopping']),
    epochsDone: count,
    evaluation: evaluation.nullable(),
    testEvaluation: evaluation.nullable(),
    imagesPerSecond: metric,
    attempt: z.number().int().min(1),
    modelFiles: z
      .array(z.object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), sha256: hex64, bytes: count }))
      .min(1)
      .max(100)
  })
  .strict()

/** A Trial's result. */
export type TrialResult = z.infer<typeof trialResultSchema>

/** Progress as the training job reported it, as the studio records it (null metrics back to NaN). */
export function toTrainProgress(entry: z.infer<typeof progressSchema>): TrainProgress {
  if (entry.kind === 'iteration') return { kind: 'iteration', metrics: nanForNull(entry.metrics) }
  if (entry.kind === 'epoch') return { kind: 'epoch', improved: entry.improved, metrics: epochFromEntry(entry.metrics) }
  if (entry.kind === 'worker') return { ...entry, epochs: entry.epochs?.map(epochFromEntry) }
  if (entry.kind === 'preparing') return { ...entry, step: entry.step ?? 'images' }
  return entry as TrainProgress
}

/** The Run's outcome as the studio's TrainingService takes it, its model now at `modelPath`. */
export function toTrainResult(result: TrialResult, modelPath: string): TrainJobResult {
  return {
    stoppedBy: result.stoppedBy,
    epochsDone: result.epochsDone,
    evaluation: result.evaluation as TrainJobResult['evaluation'],
    testEvaluation: result.testEvaluation as TrainJobResult['testEvaluation'],
    imagesPerSecond: result.imagesPerSecond,
    modelPath
  }
}

function nanForNull<T extends Record<string, number | null>>(metrics: T): { [K in keyof T]: number } {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v ?? Number.NaN])) as { [K in keyof T]: number }
}

/** An Epoch's metrics as recorded: null losses back to NaN, validation figures kept null (no validation split). */
function epochFromEntry(metrics: z.infer<typeof epochMetrics>): Omit<EpochMetrics, 'runId'> {
  return { ...nanForNull(metrics), valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy }
}
