/**
 * The search-space editor's model: rows of (hyperparameter name, dimension JSON). Each row keeps
 * its dimension as the raw JSON object, so what the JSON view shows, what is saved and what the
 * server checks are the same thing, fields the form has no control for included.
 */
import { SPACE_NAMES } from '../../../src-main/tuning/params'

/** One row of the editor: a hyperparameter and its dimension (any JSON: the server says what is wrong). */
export interface SpaceRow {
  /** Stable across edits, for keyed lists. */
  key: number
  name: string
  dimension: unknown
}

/** A dimension type the form offers. */
export type DimensionType = 'float' | 'int' | 'categorical'

/** The names offered in the name select: one spelling per hyperparameter (`learningRate`, not also `lr`). */
export const spaceNames: readonly string[] = SPACE_NAMES

// Ranges that make sense for a first search, so a new row is already a useful one.
const suggestions: Record<string, Record<string, unknown>> = {
  learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  weightDecay: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  dropout: { type: 'float', low: 0, high: 0.6, step: 0.1 },
  units: { type: 'int', low: 16, high: 512, log: true },
  batchSize: { type: 'categorical', choices: [16, 32, 64] },
  imageSize: { type: 'categorical', choices: [16, 28, 32] },
  epochs: { type: 'int', low: 1, high: 20 },
  earlyStopping: { type: 'int', low: 0, high: 10 },
  model: { type: 'categorical', choices: ['pretrained', 'default-cnn', 'compact-resnet'] },
  backbone: { type: 'categorical', choices: ['mobilenet-v2-0.35', 'mobilenet-v2-0.5'] },
  fineTuneBlocks: { type: 'int', low: 0, high: 3 },
  fineTuneEpochs: { type: 'int', low: 1, high: 5 },
  fineTuneLearningRate: { type: 'float', low: 1e-5, high: 1e-3, log: true },
  augmentedViews: { type: 'int', low: 0, high: 3 },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  schedule: { type: 'categorical', choices: ['constant', 'cosine', 'onecycle'] },
  normalization: { type: 'categorical', choices: ['unit', 'symmetric', 'standardize'] },
  flipHorizontal: { type: 'categorical', choices: [true, false] },
  flipVertical: { type: 'categorical', choices: [true, false] },
  rotation: { type: 'float', low: 0, high: 30 },
  scale: { type: 'float', low: 0.5, high: 1 },
  translate: { type: 'float', low: 0, high: 0.2 },
  brightness: { type: 'float', low: 0, high: 0.4 },
  contrast: { type: 'float', low: 0, high: 0.4 },
  saturation: { type: 'float', low: 0, high: 0.4 },
  hue: { type: 'float', low: 0, high: 0.1 },
  blur: { type: 'float', low: 0, high: 1.5 },
  noise: { type: 'float', low: 0, high: 0.1 },
  erasing: { type: 'float', low: 0, high: 0.5 }
}

/** A sensible first dimension for a hyperparameter (a copy, free to edit). */
export function suggestedDimension(name: string): Record<string, unknown> {
  return structuredClone(suggestions[name] ?? { type: 'float', low: 0, high: 1 })
}

/** The space the rows describe (later rows win a repeated name; `duplicateNames` reports it). */
export function spaceOf(rows: readonly SpaceRow[]): Record<string, unknown> {
  const space: Record<string, unknown> = {}
  for (const row of rows) space[row.name] = row.dimension
  return space
}

/** Rows for a space read from JSON; throws a sentence when it is not a JSON object. */
export function rowsOf(space: unknown, nextKey: () => number): SpaceRow[] {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw new Error('A search space is a JSON object of name → dimension, e.g. {"learningRate": {"type": "float", "low": 0.0001, "high": 0.1, "log": true}}.')
  }
  return Object.entries(space).map(([name, dimension]) => ({ key: nextKey(), name, dimension }))
}

/** Problems only the rows can have (JSON objects cannot): a name used twice, a row without a name. */
export function rowProblems(rows: readonly SpaceRow[]): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  rows.forEach((row, i) => {
    if (!row.name) problems.push(`Row ${i + 1}: choose a hyperparameter.`)
    else if (seen.has(row.name)) problems.push(`${row.name}: named in two rows; each hyperparameter can appear once.`)
    seen.add(row.name)
  })
  return problems
}

/** The dimension's type, when it is one the form offers. */
export function typeOf(dimension: unknown): DimensionType | null {
  const type = isObject(dimension) ? dimension.type : undefined
  return type === 'float' || type === 'int' || type === 'categorical' ? type : null
}

/** The dimension retyped, keeping its bounds where they still make sense. */
export function retype(dimension: unknown, type: DimensionType): Record<string, unknown> {
  const d = isObject(dimension) ? dimension : {}
  if (type === 'categorical') return { type, choices: Array.isArray(d.choices) ? d.choices : [] }
  const number = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? (type === 'int' ? Math.round(v) : v) : fallback)
  const next: Record<string, unknown> = { type, low: number(d.low, 0), high: number(d.high, type === 'int' ? 10 : 1) }
  if (d.log === true) next.log = true
  if (d.steps !== undefined) next.steps = d.steps
  return next
}

/** Categorical choices as the user types them: "adam, sgd" or "16, 32" or "true, false". */
export function parseChoices(text: string): (string | number | boolean)[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => (part === 'true' ? true : part === 'false' ? false : Number.isFinite(Number(part)) ? Number(part) : part))
}

/** Choices back to the text the user edits. */
export function choicesText(choices: unknown): string {
  return Array.isArray(choices) ? choices.map((c) => String(c)).join(', ') : ''
}

/** The space as the JSON view shows it. */
export function spaceText(space: Record<string, unknown>): string {
  return JSON.stringify(space, null, 2)
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
