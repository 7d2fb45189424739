/**
 * One runtime schema per command, checked at the boundary so a malformed request gets a clear
 * error. Each schema is typed against the contract, so the two cannot drift apart.
 */
import { z } from 'zod'
import type { CommandName, Request } from './contract'

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
  'dialog.openFolder': none
}

/** One readable line per problem of a request, e.g. `path: a folder path is required`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
}
