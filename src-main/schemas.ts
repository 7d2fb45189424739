/**
 * One runtime schema per command, checked at the boundary so a malformed request gets a clear
 * error. Each schema is typed against the contract, so the two cannot drift apart.
 */
import { z } from 'zod'
import type { CommandName, Request } from './contract'
import { partialConfigSchema, trainingConfigSchema } from './training/config'

const none = z.object({}).strict()
const id = z.number().int().positive()
const path = z.string().trim().min(1, 'a folder path is required').max(4096)

/** Request schemas, keyed by command. */
export const requestSchemas: { [C in CommandName]: z.ZodType<Request<C>> } = {
  'app.info': none,
  'datasets.list': none,
  'datasets.scan': z.object({ path }).strict(),
  'datasets.cancelScan': z.object({ path }).strict(),
  'datasets.get': z.object({ id }).strict(),
  'datasets.thumbnails': z
    .object({ id, perClass: z.number().int().min(1).max(48).optional(), size: z.number().int().min(16).max(512).optional() })
    .strict(),
  'datasets.forget': z.object({ id }).strict(),
  'runs.start': z.object({ config: partialConfigSchema }).strict(),
  'runs.pause': z.object({ id }).strict(),
  'runs.resume': z.object({ id }).strict(),
  'runs.stop': z.object({ id }).strict(),
  'runs.list': none,
  'runs.get': z.object({ id }).strict(),
  'runs.defaults': z.object({ folder: path.optional() }).strict(),
  'runs.findLearningRate': z.object({ config: partialConfigSchema }).strict(),
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
  // Try it, export, top-loss gallery (issue 3)
  'runs.predict': z
    .object({ id, paths: z.array(z.string().trim().min(1, 'an image path is required').max(4096)).min(1, 'give at least one image').max(64, 'at most 64 images at a time') })
    .strict(),
  'runs.exportModel': z.object({ id, folder: path, overwrite: z.boolean().optional() }).strict(),
  'runs.topLossImages': z.object({ id, size: z.number().int().min(16).max(512).optional() }).strict(),
  'dialog.openFolder': none
}

/** One readable line per problem of a request, e.g. `path: a folder path is required`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
}
