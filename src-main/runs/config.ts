/**
 * A Run's configuration: defaults for a dataset, and validation that lists every problem
 * before anything starts.
 */
import { z } from 'zod'
import { BACKBONES, DEFAULT_BACKBONE, findBackbone, isCustomBackbone } from '../backbones/catalog'
import type { DatasetReport, ModelName, TrainingConfig } from '../contract'
import { OspreyError } from '../errors'
import { DEFAULT_AUGMENTATION, NO_AUGMENTATION } from '../pipeline/augment-spec'
import { resolveSplitFractions } from '../pipeline/split'

// At 32 px and below an image has few pixels to spare: crops, rotations and erasing destroy much of
// what is there and slow learning (Fashion-MNIST: 0.84 validation accuracy after 2 Epochs with the
// full default). Sub-pixel shifts blur it too (the warp interpolates): with 10 % shifts, 10 Epochs
// on Fashion-MNIST ended underfitting (training loss 0.33 against 0.26 on validation), and even
// whole-pixel shifts of up to 2 cost accuracy there (60 minutes of Find the best model: 0.929
// against 0.937). Flips and light tone changes cost nothing in sharpness.
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

const MODELS = ['pretrained', 'reference-cnn', 'default-cnn', 'compact-resnet'] as const
const MODEL_MESSAGE = 'unknown model: choose auto, pretrained, reference-cnn, default-cnn or compact-resnet'

/** One of `values`, refused in words that list them ("unknown optimizer: choose adam, sgd or rmsprop"). */
function oneOf<const T extends readonly [string, ...string[]]>(what: string, values: T) {
  const listed = values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values[0]
  return z.enum(values, { message: `unknown ${what}: choose ${listed}` })
}

/** Every field of a Run's configuration, with its allowed range. */
export const trainingConfigSchema = z
  .object({
    folder: z.string().trim().min(1, 'a dataset folder is required'),
    model: z.enum(MODELS, { message: MODEL_MESSAGE }),
    imageSize: z.number().int('a whole number of pixels').min(8, 'at least 8 pixels').max(512, 'at most 512 pixels'),
    epochs: z.number().int('a whole number').min(1, 'at least 1 Epoch').max(1000, 'at most 1000 Epochs'),
    batchSize: z.number().int('a whole number').min(1, 'at least 1 image per batch').max(4096, 'at most 4096 images per batch'),
    optimizer: oneOf('optimizer', ['adam', 'sgd', 'rmsprop']),
    learningRate: z.number().gt(0, 'must be above 0').max(10, 'at most 10'),
    weightDecay: z.number().min(0, 'cannot be negative').max(1, 'at most 1'),
    schedule: oneOf('schedule', ['constant', 'step', 'cosine', 'onecycle', 'plateau']),
    earlyStopping: z.number().int('a whole number of Epochs').min(0, 'cannot be negative (0 turns it off)').max(1000, 'at most 1000 Epochs'),
    normalization: oneOf('normalization', ['unit', 'symmetric', 'standardize']),
    augmentation,
    validationSplit: z.number().gt(0, 'must be above 0').max(0.5, 'at most 0.5').nullable(),
    testSplit: z.number().min(0, 'cannot be negative').max(0.5, 'at most 0.5').nullable(),
    seed: z
      .number()
      .int('a whole number')
      .min(0, 'cannot be negative')
      .max(2 ** 31 - 1, 'at most 2147483647'),
    backend: oneOf('backend', ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']),
    dropout: z.number().min(0, 'cannot be negative').max(0.9, 'at most 0.9').optional(),
    units: z.number().int('a whole number').min(0, 'cannot be negative').max(4096, 'at most 4096').optional(),
    backbone: z
      .string()
      .trim()
      .refine((b) => Boolean(findBackbone(b)) || isCustomBackbone(b), {
        message: `unknown backbone: choose one of ${BACKBONES.map((b) => b.id).join(', ')}, or the full path of a TensorFlow.js layers model folder`
      })
      .optional(),
    backboneLayer: z.string().trim().min(1).optional(),
    augmentedViews: z.number().int('a whole number').min(0, 'cannot be negative').max(10, 'at most 10').optional(),
    fineTuneBlocks: z.number().int('a whole number').min(0, 'cannot be negative').max(100, 'at most 100').optional(),
    fineTuneEpochs: z.number().int('a whole number').min(1, 'at least 1 Epoch').max(1000, 'at most 1000 Epochs').optional(),
    fineTuneLearningRate: z.number().gt(0, 'must be above 0').max(1, 'at most 1').optional(),
    warmStart: z.number().int().positive('a Run id').optional(),
    exclude: z.array(z.string().min(1).max(4096)).max(1_000_000).optional(),
    trainOn: z.enum(['train', 'train+validation'], { message: 'choose train or train+validation' }).optional(),
    trainFraction: z.number().gt(0, 'must be above 0').max(1, 'at most 1 (all the training images)').optional(),
    timeLimitMinutes: z
      .number()
      .gt(0, 'must be above 0')
      .max(24 * 60, 'at most a day (1,440 minutes)')
      .optional()
  })
  .strict() satisfies z.ZodType<TrainingConfig>

/** The same fields, each optional (the request of `runs.start`); augmentation may be partial; `model` may be `auto`. */
export const partialConfigSchema = trainingConfigSchema
  .extend({ augmentation: augmentation.partial(), model: z.enum(['auto', ...MODELS], { message: MODEL_MESSAGE }) })
  .partial()
  .extend({ folder: trainingConfigSchema.shape.folder })

/** The model `auto` picks for a Dataset, and why, in a sentence for the user. */
export function chooseModel(report?: DatasetReport): { model: ModelName; reason: string } {
  if (!report) return { model: 'default-cnn', reason: 'The Dataset is not scanned yet: the default CNN suits any images; scan it to let the studio choose.' }
  const side = shorterSide(report)
  // RGB files count as colour unless the ones decoded were all grey (grey pictures saved as RGB).
  const sample = report.stats.colourSample
  const colour = (report.stats.channels?.rgb ?? 0) > 0 && (!sample || sample.colour > 0)
  // Enlarged to the backbone's input, colour images of any size suit it (3 × 189 colour shapes at 16
  // and 24 px: 0.974 and 0.982 validation accuracy, against 0.447 and 0.474 for the default CNN at
  // their size; docs/BENCHMARKS.md); small grayscale ones learn better from scratch (Fashion-MNIST,
  // 200 a class: 0.890 against 0.863 for the backbone at 96 px).
  if (colour || side >= 64) {
    return {
      model: 'pretrained',
      reason: `${colour ? (side < 32 ? `Colour images, tiny (${side} px) but enlarged to the backbone's input` : 'Colour images') : `Images of ${side} px`}: a network pretrained on ImageNet (MobileNetV2) already knows shapes and textures, so only a small head is trained on its features — seconds, and accurate with few images per class.`
    }
  }
  return {
    model: 'default-cnn',
    reason: `Small grayscale images (${side} px): a CNN trained from scratch suits them better than a backbone pretrained on colour photos, and trains fast at this size.`
  }
}

/** A network trained from scratch with horizontal flips is tested and used on each image and its mirror, averaged (see classProbabilities). */
export function mirrorsAtTest(config: Pick<TrainingConfig, 'model' | 'augmentation'>): boolean {
  return config.model !== 'pretrained' && config.augmentation.flipHorizontal
}

// Preprocessing every catalog backbone expects: RGB scaled to [-1, 1].
const BACKBONE_NORMALIZATION = 'symmetric'

/** The default CNN's head when a Run does not set it: dense units, and the dropout before the classifier. */
export const DEFAULT_CNN_HEAD = { units: 128, dropout: 0.4 } as const

/** Sensible defaults for `folder`, informed by its last scan when there is one; `model` overrides the automatic choice. */
export function defaultConfig(folder: string, report?: DatasetReport, seed = Math.floor(Math.random() * 2 ** 31), model: ModelName = chooseModel(report).model): TrainingConfig {
  if (model === 'pretrained') return pretrainedDefaults(folder, seed, report)
  const side = shorterSide(report)
  const small = side <= 64
  return {
    folder,
    // Small images train at their own size; larger ones are shrunk to 128 px, which a CPU trains from scratch.
    model,
    imageSize: small ? Math.max(8, side) : 128,
    epochs: 10,
    batchSize: fitBatch(64, report),
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

/** A head on MobileNetV2's embeddings trains in seconds: many short Epochs, early stopping, the backbone's preprocessing. */
function pretrainedDefaults(folder: string, seed: number, report?: DatasetReport): TrainingConfig {
  const backbone = findBackbone(DEFAULT_BACKBONE)!
  return {
    folder,
    model: 'pretrained',
    imageSize: backbone.inputSize,
    epochs: 30,
    batchSize: fitBatch(32, report),
    optimizer: 'adam',
    learningRate: 1e-3,
    weightDecay: 0,
    schedule: 'cosine',
    earlyStopping: 8,
    normalization: BACKBONE_NORMALIZATION,
    augmentation: { ...DEFAULT_AUGMENTATION },
    validationSplit: null,
    testSplit: null,
    seed,
    backend: 'auto',
    dropout: 0.3,
    units: 128,
    backbone: backbone.id,
    augmentedViews: 0,
    fineTuneBlocks: 0,
    fineTuneEpochs: 3,
    fineTuneLearningRate: 1e-4
  }
}

// Settings that belong to a pretrained backbone, dropped from a from-scratch Run.
const PRETRAINED_ONLY = ['backbone', 'backboneLayer', 'augmentedViews', 'fineTuneBlocks', 'fineTuneEpochs', 'fineTuneLearningRate'] as const

/** Checks each field of a request on its own (before the folder is scanned, so before `auto` knows its model); throws listing every problem. */
export function checkRequest(request: unknown): void {
  const partial = partialConfigSchema.safeParse(request)
  if (!partial.success) throw invalid(partial.error)
}

/** Merges a request over the defaults (of its model, or the automatic choice) and checks every field; throws listing every problem. */
export function resolveConfig(request: unknown, report?: DatasetReport): TrainingConfig {
  const partial = partialConfigSchema.safeParse(request)
  if (!partial.success) throw invalid(partial.error)
  const { model, ...asked } = partial.data
  const base = defaultConfig(asked.folder, report, undefined, model === 'auto' || !model ? undefined : model)
  const merged: Record<string, unknown> = { ...base, ...asked, augmentation: { ...base.augmentation, ...asked.augmentation } }
  if (base.model === 'pretrained') {
    // A catalog backbone was trained on pixels in [-1, 1]: any other scaling would feed it nonsense.
    if (!isCustomBackbone(String(merged.backbone))) merged.normalization = BACKBONE_NORMALIZATION
  } else for (const key of PRETRAINED_ONLY) delete merged[key]
  const full = trainingConfigSchema.safeParse(merged)
  if (!full.success) throw invalid(full.error)
  const problems = modelProblems(full.data)
  if (problems.length) throw new OspreyError('bad-input', `The training settings need fixing: ${problems.join('; ')}.`, problems)
  return full.data
}

/** What the settings must also satisfy for their model. */
function modelProblems(config: TrainingConfig): string[] {
  const problems = config.trainOn === 'train+validation' ? finalRunProblems(config) : []
  return [...problems, ...architectureProblems(config)]
}

/** Without a validation split nothing can say when to stop early or when a plateau is reached. */
function finalRunProblems(config: TrainingConfig): string[] {
  const problems: string[] = []
  if (config.earlyStopping > 0) problems.push('earlyStopping: 0 when training on training + validation (nothing is left to validate on; fix the Epochs instead)')
  if (config.schedule === 'plateau') problems.push('schedule: plateau needs a validation split; choose another when training on training + validation')
  return problems
}

function architectureProblems(config: TrainingConfig): string[] {
  if (config.model !== 'pretrained') return config.units !== undefined && config.units < 4 ? ['units: at least 4 (no hidden layer, 0, is for a pretrained head only)'] : []
  const problems: string[] = []
  if (config.timeLimitMinutes !== undefined) problems.push('timeLimitMinutes: only for a model trained from scratch (a pretrained head trains in seconds: set its Epochs)')
  // The backbones downsample 32×: below 32 px their last feature map would have no pixels.
  if (config.imageSize < 32) problems.push('imageSize: at least 32 pixels for a pretrained backbone (it was trained at 224)')
  const info = findBackbone(config.backbone ?? '')
  if (info && (config.fineTuneBlocks ?? 0) > info.blocks.length) problems.push(`fineTuneBlocks: ${info.title} has ${info.blocks.length} blocks`)
  if (config.backboneLayer && info) problems.push(`backboneLayer: only for a model folder of your own; ${info.title} is cut at ${info.embeddingLayer}`)
  if (config.normalization === 'standardize') problems.push('normalization: a backbone takes pixels scaled as it was trained: unit ([0, 1]) or symmetric ([-1, 1])')
  return problems
}

/** `size`, or the whole training split when a small Dataset has fewer images. */
function fitBatch(size: number, report?: DatasetReport): number {
  if (!report?.images) return size
  const f = resolveSplitFractions(report.images, null, null)
  return Math.max(1, Math.min(size, Math.floor(report.images * (1 - f.validation - f.test))))
}

function shorterSide(report?: DatasetReport): number {
  return report?.stats.mostCommon ? Math.min(report.stats.mostCommon.width, report.stats.mostCommon.height) : 64
}

function invalid(error: z.ZodError): OspreyError {
  const issues = error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
  return new OspreyError('bad-input', `The training settings need fixing: ${issues.join('; ')}.`, issues)
}
