/**
 * A Run's configuration: defaults for a dataset, and validation that lists every problem
 * before anything starts.
 */
import { z } from 'zod'
import type { DatasetReport, TrainingConfig } from '../contract'
import { OspreyError } from '../errors'
import { DEFAULT_AUGMENTATION, NO_AUGMENTATION } from '../pipeline/augment-spec'

// At 32 px and below an image has few pixels to spare: crops, rotations and erasing destroy much of
// what is there and slow learning (Fashion-MNIST: 0.84 validation accuracy after 2 Epochs with the
// full default). Sub-pixel shifts blur it too (the warp interpolates): with 10 % shifts, 10 Epochs
// on Fashion-MNIST ended underfitting (training loss 0.33 against 0.26 on validation). Flips and
// light tone changes cost nothing in sharpness.
const SMALL_IMAGE_AUGMENTATION = { ...NO_AUGMENTATION, flipHorizontal: true, brightness: 0.1, contrast: 0.1 }

const augmentation = z
  .object({
    flipHorizontal: z.boolean(),
    flipVertical: z.boolean(),
    rotation: z.number().min(0).max(180),
    scale: z.number().gt(0).max(1),
    translate: z.number().min(0).max(0.5),
    brightness: z.number().min(0).max(1),
    contrast: z.number().min(0).max(1),
    saturation: z.number().min(0).max(1),
    hue: z.number().min(0).max(0.5),
    blur: z.number().min(0).max(10),
    noise: z.number().min(0).max(1),
    erasing: z.number().min(0).max(1)
  })
  .strict()

/** Every field of a Run's configuration, with its allowed range. */
export const trainingConfigSchema = z
  .object({
    folder: z.string().trim().min(1, 'a dataset folder is required'),
    model: z.enum(['reference-cnn', 'default-cnn', 'compact-resnet'], { message: 'unknown model: choose reference-cnn, default-cnn or compact-resnet' }),
    imageSize: z.number().int('a whole number of pixels').min(8, 'at least 8 pixels').max(512, 'at most 512 pixels'),
    epochs: z.number().int().min(1, 'at least 1 Epoch').max(1000),
    batchSize: z.number().int('a whole number').min(1, 'at least 1 image per batch').max(4096),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']),
    learningRate: z.number().gt(0, 'must be above 0').max(10, 'at most 10'),
    weightDecay: z.number().min(0, 'cannot be negative').max(1),
    schedule: z.enum(['constant', 'step', 'cosine', 'onecycle', 'plateau']),
    earlyStopping: z.number().int().min(0).max(1000),
    normalization: z.enum(['unit', 'symmetric', 'standardize']),
    augmentation,
    validationSplit: z.number().gt(0, 'must be above 0').max(0.5, 'at most 0.5').nullable(),
    testSplit: z.number().min(0).max(0.5, 'at most 0.5').nullable(),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']),
    dropout: z.number().min(0, 'cannot be negative').max(0.9, 'at most 0.9').optional(),
    units: z.number().int('a whole number').min(4, 'at least 4').max(4096, 'at most 4096').optional()
  })
  .strict() satisfies z.ZodType<TrainingConfig>

/** The same fields, each optional (the request of `runs.start`); augmentation may be partial. */
export const partialConfigSchema = trainingConfigSchema.extend({ augmentation: augmentation.partial() }).partial().extend({ folder: trainingConfigSchema.shape.folder })

/** Sensible defaults for `folder`, informed by its last scan when there is one. */
export function defaultConfig(folder: string, report?: DatasetReport, seed = Math.floor(Math.random() * 2 ** 31)): TrainingConfig {
  const side = report?.stats.mostCommon ? Math.min(report.stats.mostCommon.width, report.stats.mostCommon.height) : 64
  const small = side <= 64
  return {
    folder,
    // Small images train well and fast with the default CNN; larger ones need the ResNet's downsampling.
    model: small ? 'default-cnn' : 'compact-resnet',
    imageSize: small ? Math.max(8, side) : 128,
    epochs: 10,
    batchSize: 64,
    optimizer: 'adam',
    learningRate: 1e-3,
    weightDecay: 0,
    schedule: 'cosine',
    earlyStopping: 5,
    normalization: 'standardize',
    augmentation: { ...(side <= 32 ? SMALL_IMAGE_AUGMENTATION : DEFAULT_AUGMENTATION) },
    validationSplit: null,
    testSplit: null,
    seed,
    backend: 'auto'
  }
}

/** Merges a request over the defaults and checks every field; throws listing every problem. */
export function resolveConfig(request: unknown, report?: DatasetReport): TrainingConfig {
  const partial = partialConfigSchema.safeParse(request)
  if (!partial.success) throw invalid(partial.error)
  const base = defaultConfig(partial.data.folder, report)
  const merged = { ...base, ...partial.data, augmentation: { ...base.augmentation, ...partial.data.augmentation } }
  const full = trainingConfigSchema.safeParse(merged)
  if (!full.success) throw invalid(full.error)
  return full.data
}

function invalid(error: z.ZodError): OspreyError {
  const issues = error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
  return new OspreyError('bad-input', `The training settings need fixing: ${issues.join('; ')}.`, issues)
}
