/** The shape of a Study request, checked at the boundary (the space itself: ./space.ts). */
import { z } from 'zod'
import type { StudyRequest } from '../contract'
import { partialConfigSchema } from '../runs/config'

/** Trials are small Runs; more than this many in one Study is surely a typo. */
export const MAX_TRIALS = 10_000

/** A Study request: the fields' types and ranges. */
export const studyRequestSchema = z
  .object({
    folder: partialConfigSchema.shape.folder,
    name: z.string().trim().max(200).optional(),
    space: z.record(z.string(), z.unknown()),
    strategy: z.enum(['grid', 'random', 'bayesian'], { message: 'choose grid, random or bayesian' }),
    trials: z.number().int('a whole number of Trials').min(1, 'at least 1 Trial').max(MAX_TRIALS),
    timeBudgetMinutes: z
      .number()
      .gt(0, 'must be above 0')
      .max(60 * 24 * 30)
      .nullable()
      .optional(),
    parallel: z.number().int().min(1, 'at least 1').max(256, 'at most 256').optional(),
    prune: z.enum(['none', 'median', 'asha'], { message: 'choose none, median or asha' }).optional(),
    objective: z.enum(['valAccuracy', 'valLoss'], { message: 'choose valAccuracy or valLoss' }).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    training: partialConfigSchema.omit({ folder: true }).optional(),
    confirmLargeGrid: z.boolean().optional(),
    trialsOn: z.enum(['local', 'queue'], { message: 'choose local or queue' }).optional(),
    startWith: z
      .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .max(100)
      .optional()
  })
  .strict() satisfies z.ZodType<StudyRequest>
