/** The Train form's choices and their one-line explanations, in the user's words. */
import type { Augmentation, BackendName, ModelName, Normalization, OptimizerName, ScheduleName } from '../../../src-main/contract'

/** A choice in a select, with what it means. */
export interface Choice<T extends string> {
  value: T
  label: string
  hint: string
}

/** The models: the pretrained one first (the studio's choice for photos), then from scratch, smallest first. */
export const models: Choice<ModelName>[] = [
  {
    value: 'pretrained',
    label: 'Pretrained (best for photos)',
    hint: 'Starts from a network trained on ImageNet (MobileNetV2): only a small head learns your classes — seconds on a CPU, and accurate with a few dozen images per class.'
  },
  { value: 'reference-cnn', label: 'Reference CNN', hint: 'Two convolutions: the fastest to train; a baseline to compare others against.' },
  {
    value: 'default-cnn',
    label: 'Default CNN',
    hint: 'A CNN with batch normalization and dropout: the from-scratch choice on a CPU, for small images and colour photos alike (6× faster than the Compact ResNet at 64 px, and at least as accurate).'
  },
  {
    value: 'compact-resnet',
    label: 'Compact ResNet',
    hint: 'Residual blocks that shrink the image step by step, from scratch: deeper, but on a CPU the Default CNN learned as well in a sixth of the time; the pretrained backbone does better on photos.'
  }
]

/** The optimizers. */
export const optimizers: Choice<OptimizerName>[] = [
  { value: 'adam', label: 'Adam', hint: 'Adapts the step for every weight; works well with little tuning.' },
  { value: 'sgd', label: 'SGD', hint: 'Plain gradient descent: simple and steady, usually needs a larger learning rate.' },
  { value: 'rmsprop', label: 'RMSprop', hint: 'Scales steps by recent gradient size; a middle ground.' }
]

/** The learning-rate schedules. */
export const schedules: Choice<ScheduleName>[] = [
  { value: 'constant', label: 'Constant', hint: 'The same learning rate throughout.' },
  { value: 'step', label: 'Step', hint: 'Divides the rate by 10 after one third and two thirds of the Run.' },
  { value: 'cosine', label: 'Cosine', hint: 'Eases the rate smoothly down to zero by the last Epoch.' },
  { value: 'onecycle', label: 'One cycle', hint: 'Warms up over the first 30%, then eases down far below the start.' },
  { value: 'plateau', label: 'On plateau', hint: 'Divides the rate by 10 when validation loss has not improved for 2 Epochs.' }
]

/** The pixel scalings. */
export const normalizations: Choice<Normalization>[] = [
  { value: 'unit', label: '0 to 1', hint: 'Pixels scaled to [0, 1].' },
  { value: 'symmetric', label: '−1 to 1', hint: 'Pixels scaled to [−1, 1].' },
  { value: 'standardize', label: 'Standardize', hint: 'Each channel shifted and scaled by the mean and spread of the training images.' }
]

/** The backends, fastest first, after "auto". */
export const backends: Choice<'auto' | BackendName>[] = [
  { value: 'auto', label: 'Automatic', hint: 'Tries the fastest first and falls back: CUDA, TensorFlow, WebGPU, WebAssembly, JavaScript.' },
  { value: 'tensorflow-gpu', label: 'TensorFlow GPU', hint: 'NVIDIA GPU through CUDA; the fastest where it is installed.' },
  { value: 'tensorflow', label: 'TensorFlow CPU', hint: 'Native TensorFlow on the processor.' },
  { value: 'webgpu', label: 'WebGPU', hint: 'The graphics card through WebGPU.' },
  { value: 'wasm', label: 'WebAssembly', hint: 'Multi-threaded WebAssembly on the processor: works everywhere, fast for small images.' },
  { value: 'cpu', label: 'JavaScript', hint: 'Plain JavaScript: slow, but always there.' }
]

/** A numeric augmentation: its slider range and what it does. */
export interface AugmentationSlider {
  key: Exclude<keyof Augmentation, 'flipHorizontal' | 'flipVertical'>
  label: string
  min: number
  max: number
  step: number
  /** How to show the value, e.g. "±10°". */
  format: (v: number) => string
  /** The value that means "off". */
  off: number
  hint: string
}

const pct = (v: number) => `±${Math.round(v * 100)}%`

/** Every numeric augmentation, with the ranges the server accepts. */
export const augmentationSliders: AugmentationSlider[] = [
  { key: 'rotation', label: 'Rotation', min: 0, max: 180, step: 1, off: 0, format: (v) => `±${v}°`, hint: 'Turns each image by up to this angle.' },
  {
    key: 'scale',
    label: 'Crop',
    min: 0.1,
    max: 1,
    step: 0.05,
    off: 1,
    format: (v) => (v >= 1 ? 'off' : `keep ≥ ${Math.round(v * 100)}%`),
    hint: 'Crops a random part keeping at least this share of the area, resized back.'
  },
  { key: 'translate', label: 'Shift', min: 0, max: 0.5, step: 0.01, off: 0, format: pct, hint: 'Moves the image by up to this share of its width or height.' },
  { key: 'brightness', label: 'Brightness', min: 0, max: 1, step: 0.05, off: 0, format: pct, hint: 'Makes images lighter or darker.' },
  { key: 'contrast', label: 'Contrast', min: 0, max: 1, step: 0.05, off: 0, format: pct, hint: 'Strengthens or softens contrast.' },
  { key: 'saturation', label: 'Saturation', min: 0, max: 1, step: 0.05, off: 0, format: pct, hint: 'Makes colours stronger or paler.' },
  { key: 'hue', label: 'Hue', min: 0, max: 0.5, step: 0.01, off: 0, format: (v) => `±${Math.round(v * 360)}°`, hint: 'Turns colours around the colour wheel (red towards green…).' },
  { key: 'blur', label: 'Blur', min: 0, max: 10, step: 0.5, off: 0, format: (v) => `up to ${v} px`, hint: 'Blurs by up to this radius.' },
  { key: 'noise', label: 'Noise', min: 0, max: 1, step: 0.01, off: 0, format: (v) => `${Math.round(v * 100)}%`, hint: 'Adds random grain of this strength.' },
  {
    key: 'erasing',
    label: 'Erasing',
    min: 0,
    max: 1,
    step: 0.05,
    off: 0,
    format: (v) => `${Math.round(v * 100)}% chance`,
    hint: 'Blanks out one random rectangle, so the model cannot rely on one spot.'
  }
]
