/**
 * One runtime schema per command, checked at the boundary so a malformed request gets a clear
 * error. Each schema is typed against the contract, so the two cannot drift apart.
 */
import { z } from 'zod'
import { MAX_BUDGET_MINUTES, MIN_BUDGET_MINUTES } from './auto/plan'
import type { CommandName, Request } from './contract'
import { partialConfigSchema, trainingConfigSchema } from './runs/config'
import { studyRequestSchema } from './tuning/request'

const none = z.object({}).strict()
const id = z.number().int().positive()
const path = z.string().trim().min(1, 'a folder path is required').max(4096)
const budgetMinutes = z.number().min(MIN_BUDGET_MINUTES, `at least ${MIN_BUDGET_MINUTES} minute`).max(MAX_BUDGET_MINUTES, `at most ${MAX_BUDGET_MINUTES} minutes (a day)`)

// Run history: the History list's filters.
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'a date like 2026-11-27 or 2026-11-27T12:00:00Z')
const historyQuery: z.ZodType<Request<'history.query'>> = z
  .object({
    search: z.string().max(200).optional(),
    datasetId: id.optional(),
    model: trainingConfigSchema.shape.model.optional(),
    status: z
      .array(z.enum(['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'interrupted']))
      .max(7)
      .optional(),
    backend: z.string().max(40).optional(),
    tag: z.string().max(64).optional(),
    studyId: id.optional(),
    ids: z.array(id).max(1000).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    metric: z
      .object({ name: z.enum(['valAccuracy', 'valLoss']), min: z.number().finite().optional(), max: z.number().finite().optional() })
      .strict()
      .optional(),
    sort: z
      .object({ by: z.enum(['createdAt', 'name', 'durationMs', 'valAccuracy', 'valLoss', 'imagesPerSecond']), direction: z.enum(['asc', 'desc']) })
      .strict()
      .optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional()
  })
  .strict()

/** Request schemas, keyed by command. */
export const requestSchemas: { [C in CommandName]: z.ZodType<Request<C>> } = {
  'app.info': none,
  'datasets.list': none,
  'datasets.scan': z.object({ path }).strict(),
  'datasets.cancelScan': z.object({ path }).strict(),
  'datasets.get': z.object({ id }).strict(),
  'datasets.thumbnails': z.object({ id, perClass: z.number().int().min(1).max(48).optional(), size: z.number().int().min(16).max(512).optional() }).strict(),
  'datasets.rename': z.object({ id, name: z.string().trim().min(1, 'a name is required').max(200) }).strict(),
  'datasets.forget': z.object({ id }).strict(),
  'runs.start': z.object({ config: partialConfigSchema }).strict(),
  'runs.pause': z.object({ id }).strict(),
  'runs.resume': z.object({ id }).strict(),
  'runs.stop': z.object({ id }).strict(),
  'runs.list': none,
  'runs.get': z.object({ id }).strict(),
  'runs.defaults': z.object({ folder: path.optional(), model: partialConfigSchema.shape.model }).strict(),
  'runs.findLearningRate': z.object({ config: partialConfigSchema }).strict(),
  'runs.estimate': z.object({ config: partialConfigSchema }).strict(),
  'runs.augmentPreview': z
    .object({
      folder: path,
      imageSize: trainingConfigSchema.shape.imageSize,
      augmentation: trainingConfigSchema.shape.augmentation,
      seed: trainingConfigSchema.shape.seed,
      perClass: z.number().int().min(1).max(8).optional(),
      epochs: z.number().int().min(1).max(12).optional()
    })
    .strict(),
  'dialog.openFolder': none,
  // Studies: the space itself is checked by the tuning validator, which lists every problem.
  'studies.checkSpace': z.object({ space: z.record(z.string(), z.unknown()) }).strict(),
  'studies.start': z.object({ study: studyRequestSchema }).strict(),
  'studies.stop': z.object({ id }).strict(),
  'studies.resume': z.object({ id }).strict(),
  'studies.list': none,
  'studies.get': z.object({ id }).strict(),
  'studies.useBest': z.object({ id }).strict(),
  // Run history
  'history.query': historyQuery,
  'history.tags': none,
  'history.rename': z.object({ id, name: z.string().trim().min(1, 'a name is required').max(200) }).strict(),
  'history.note': z.object({ id, notes: z.string().max(20_000) }).strict(),
  'history.tag': z.object({ id, tag: z.string().trim().min(1, 'a tag is required').max(64) }).strict(),
  'history.untag': z.object({ id, tag: z.string().trim().min(1, 'a tag is required').max(64) }).strict(),
  'history.delete': z.object({ id }).strict(),
  'history.compare': z.object({ ids: z.array(id).min(2, 'compare at least 2 Runs').max(10, 'compare at most 10 Runs') }).strict(),
  'history.export': z.object({ format: z.enum(['csv', 'json']), query: historyQuery.optional(), ids: z.array(id).max(10_000).optional() }).strict(),
  'history.artifacts': z.object({ id }).strict(),
  // Try it, export, top-loss gallery
  'runs.predict': z.object({ id, paths: z.array(z.string().trim().min(1, 'an image path is required').max(4096)).min(1, 'give at least one image').max(64, 'at most 64 images at a time') }).strict(),
  'runs.exportModel': z.object({ id, folder: path, overwrite: z.boolean().optional() }).strict(),
  'runs.topLossImages': z.object({ id, size: z.number().int().min(16).max(512).optional() }).strict(),
  // HTML reports
  'report.compare': z.object({ ids: z.array(id).min(2, 'compare at least 2 Runs').max(10, 'compare at most 10 Runs') }).strict(),
  'report.run': z.object({ id }).strict(),
  'report.study': z.object({ id }).strict(),
  'queue.status': none,
  'backbones.list': none,
  'backbones.download': z.object({ id: z.string().trim().min(1).max(100) }).strict(),
  'backbones.remove': z.object({ id: z.string().trim().min(1).max(100) }).strict(),
  'backbones.inspect': z.object({ folder: path }).strict(),
  'labels.check': z
    .object({
      id,
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional()
    })
    .strict(),
  'labels.stop': z.object({ id }).strict(),
  'labels.get': z.object({ id }).strict(),
  'labels.showImage': z.object({ id, path: z.string().min(1).max(4096) }).strict(),
  'labels.thumbnails': z.object({ id, paths: z.array(z.string().min(1).max(4096)).max(200), size: z.number().int().min(16).max(512).optional() }).strict(),
  'labels.review': z.object({ id, path: z.string().min(1).max(4096), decision: z.enum(['exclude', 'keep']).nullable() }).strict(),
  // Find the best model
  'auto.plan': z.object({ folder: path, minutes: budgetMinutes.optional() }).strict(),
  'auto.start': z
    .object({
      folder: path,
      minutes: budgetMinutes.optional(),
      seed: trainingConfigSchema.shape.seed.optional(),
      trialsOn: z.enum(['local', 'queue'], { message: 'choose local or queue' }).optional()
    })
    .strict(),
  'auto.pause': z.object({ id }).strict(),
  'auto.resume': z.object({ id }).strict(),
  'auto.stop': z.object({ id }).strict(),
  'auto.get': z.object({ id }).strict(),
  'auto.list': none
}

/** One readable line per problem of a request, e.g. `path: a folder path is required`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
}
