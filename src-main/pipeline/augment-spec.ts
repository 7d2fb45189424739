/** Augmentation settings: the defaults, checks, and the `--augment SPEC` text form. */
import type { Augmentation } from '../contract'

/** Every augmentation off: training images are used as cached. */
export const NO_AUGMENTATION: Readonly<Augmentation> = Object.freeze({
  flipHorizontal: false,
  flipVertical: false,
  rotation: 0,
  scale: 1,
  translate: 0,
  brightness: 0,
  contrast: 0,
  saturation: 0,
  hue: 0,
  blur: 0,
  noise: 0,
  erasing: 0
})

/**
 * Mild changes that suit small images and most subjects: mirror left-right, ±10° rotation,
 * crops keeping ≥ 85% of the area, ±10% shifts, ±20% brightness and contrast, and a 25% chance
 * of one erased rectangle. Vertical flips, colour and hue changes, blur and noise are off: they
 * change what many subjects look like (digits, text, faces, skies).
 */
export const DEFAULT_AUGMENTATION: Readonly<Augmentation> = Object.freeze({
  ...NO_AUGMENTATION,
  flipHorizontal: true,
  rotation: 10,
  scale: 0.85,
  translate: 0.1,
  brightness: 0.2,
  contrast: 0.2,
  erasing: 0.25
})

type NumericKey = Exclude<keyof Augmentation, 'flipHorizontal' | 'flipVertical'>

// The text name of each numeric setting, its field, and its allowed range (inclusive).
const NUMERIC: { name: string; key: NumericKey; min: number; max: number; minExclusive?: boolean }[] = [
  { name: 'rotate', key: 'rotation', min: 0, max: 180 },
  { name: 'scale', key: 'scale', min: 0, max: 1, minExclusive: true },
  { name: 'translate', key: 'translate', min: 0, max: 0.5 },
  { name: 'brightness', key: 'brightness', min: 0, max: 1 },
  { name: 'contrast', key: 'contrast', min: 0, max: 1 },
  { name: 'saturation', key: 'saturation', min: 0, max: 1 },
  { name: 'hue', key: 'hue', min: 0, max: 0.5 },
  { name: 'blur', key: 'blur', min: 0, max: 10 },
  { name: 'noise', key: 'noise', min: 0, max: 1 },
  { name: 'erasing', key: 'erasing', min: 0, max: 1 }
]
const FLAGS: { name: string; key: 'flipHorizontal' | 'flipVertical' }[] = [
  { name: 'flip', key: 'flipHorizontal' },
  { name: 'vflip', key: 'flipVertical' }
]
const NAMES = ['none', 'default', ...FLAGS.map((f) => f.name), ...NUMERIC.map((n) => n.name)].join(', ')

/** Throws an Error naming the first setting out of range (for settings that arrive as objects). */
export function checkAugmentation(a: Augmentation): Augmentation {
  for (const { name, key, min, max, minExclusive } of NUMERIC) {
    const v = a[key]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (minExclusive && v === min)) {
      throw new Error(`Augmentation ${name} must be ${minExclusive ? 'above' : 'at least'} ${min} and at most ${max}, got ${v}.`)
    }
  }
  for (const { name, key } of FLAGS) if (typeof a[key] !== 'boolean') throw new Error(`Augmentation ${name} must be on or off.`)
  return a
}

/** Whether any augmentation is on. */
export function isAugmenting(a: Augmentation): boolean {
  return formatAugmentation(a) !== 'none'
}

/**
 * Parses `--augment SPEC`: `none`, `default`, or a comma list such as `flip,rotate=15,noise=0.05`.
 * `default` is the Run's own default, which depends on the Dataset (images of 32 px and less get
 * flips and light tone changes only), so a list starting with it returns only its changes, to be
 * laid over that default when the Run's settings are resolved. `none`, or a list without a base,
 * returns every setting (those not named off). Flags take an optional value: `flip`, `flip=off`.
 */
export function parseAugmentation(spec: string): Partial<Augmentation> {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  if (parts.length === 0) throw new Error(`Empty augmentation: use none, default, or a list like flip,rotate=15 (settings: ${NAMES}).`)
  const fromDefault = parts[0].toLowerCase() === 'default'
  const result: Partial<Augmentation> = fromDefault ? {} : { ...NO_AUGMENTATION }
  parts.forEach((part, i) => {
    const [name, value, extra] = part.split('=').map((s) => s.trim().toLowerCase())
    if (extra !== undefined) throw new Error(`Augmentation "${part}": one = per setting.`)
    if (name === 'none' || name === 'default') {
      if (i > 0 || value !== undefined) throw new Error(`Augmentation "${part}": ${name} can only start the list.`)
      return
    }
    const flag = FLAGS.find((f) => f.name === name)
    if (flag) {
      result[flag.key] = parseFlag(part, value)
      return
    }
    const numeric = NUMERIC.find((n) => n.name === name)
    if (!numeric) throw new Error(`Unknown augmentation "${name}" (settings: ${NAMES}).`)
    if (value === undefined || value === '') throw new Error(`Augmentation "${name}" needs a value, like ${name}=${DEFAULT_AUGMENTATION[numeric.key] || numeric.max / 2}.`)
    const number = Number(value)
    if (!Number.isFinite(number)) throw new Error(`Augmentation "${part}": ${value} is not a number.`)
    result[numeric.key] = number
  })
  checkAugmentation({ ...DEFAULT_AUGMENTATION, ...result }) // the ranges hold whatever the base
  return result
}

function parseFlag(part: string, value: string | undefined): boolean {
  if (value === undefined || ['on', 'true', '1', 'yes'].includes(value)) return true
  if (['off', 'false', '0', 'no'].includes(value)) return false
  throw new Error(`Augmentation "${part}": use on or off.`)
}

/** The text form `parseAugmentation` reads back: `none`, or the list of settings that are on. */
export function formatAugmentation(a: Augmentation): string {
  const parts = FLAGS.filter((f) => a[f.key]).map((f) => f.name)
  for (const { name, key } of NUMERIC) if (a[key] !== NO_AUGMENTATION[key]) parts.push(`${name}=${a[key]}`)
  return parts.length === 0 ? 'none' : parts.join(',')
}
