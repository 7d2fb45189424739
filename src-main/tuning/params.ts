/**
 * Which training settings a Study may search, and how a Trial's params become a Run's settings.
 * A name is a TrainingConfig field (`learningRate`, `batchSize`, `dropout`…), its short alias
 * (`lr`), or an augmentation strength (`rotation` or `augmentation.rotation`).
 */
import type { Augmentation, TrainingRequest } from '../contract'
import type { Params } from './types'

const AUGMENTATION_NAMES = ['flipHorizontal', 'flipVertical', 'rotation', 'scale', 'translate', 'brightness', 'contrast', 'saturation', 'hue', 'blur', 'noise', 'erasing'] as const

// A pretrained Run's own settings come last: the backbone, how much of it to fine-tune and how fast, augmented views.
const CONFIG_NAMES = [
  'model',
  'imageSize',
  'epochs',
  'batchSize',
  'optimizer',
  'learningRate',
  'weightDecay',
  'schedule',
  'earlyStopping',
  'normalization',
  'dropout',
  'units',
  'backbone',
  'fineTuneBlocks',
  'fineTuneEpochs',
  'fineTuneLearningRate',
  'augmentedViews'
] as const

const ALIASES: Record<string, string> = { lr: 'learningRate', batch_size: 'batchSize', weight_decay: 'weightDecay', image_size: 'imageSize' }

/** Every hyperparameter name a search space may use (the short aliases too, for spaces written by hand). */
export const TUNABLE_NAMES: readonly string[] = [...CONFIG_NAMES, ...Object.keys(ALIASES), ...AUGMENTATION_NAMES, ...AUGMENTATION_NAMES.map((n) => `augmentation.${n}`)]

/** One spelling per hyperparameter, as the studio offers them: the settings' own names, then the augmentation strengths. */
export const SPACE_NAMES: readonly string[] = [...CONFIG_NAMES, ...AUGMENTATION_NAMES]

/** The fixed settings with a Trial's params laid over them. Values are checked later by the
 *  training config's own validation, so a bad combination fails that Trial with its reason. */
export function applyParams(fixed: TrainingRequest, params: Params): TrainingRequest {
  const request: Record<string, unknown> = { ...fixed }
  const augmentation: Partial<Record<keyof Augmentation, unknown>> = { ...fixed.augmentation }
  for (const [name, value] of Object.entries(params)) {
    const field = ALIASES[name] ?? name
    const augmentationField = field.startsWith('augmentation.') ? field.slice('augmentation.'.length) : field
    if ((AUGMENTATION_NAMES as readonly string[]).includes(augmentationField)) augmentation[augmentationField as keyof Augmentation] = value
    else request[field] = value
  }
  if (Object.keys(augmentation).length) request.augmentation = augmentation
  return request as TrainingRequest
}
