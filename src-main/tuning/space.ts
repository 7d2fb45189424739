/**
 * Search spaces: validation of the JSON users write, the unit-cube encoding the Bayesian strategy
 * works in, and the grid. Pure: no Electron, no tfjs.
 *
 * Encoding — one coordinate in [0, 1] per hyperparameter, in the space's key order:
 * - float / int: linear (or log when `log`) position between the bounds. Int and stepped
 *   dimensions own equal slices of the unit interval: the bounds are widened by half a step
 *   (int: ±0.5), so every allowed value is the centre of a slice of the same width and a uniform
 *   coordinate decodes to a uniform value.
 * - categorical: the choice's index, as the centre of its slice, (i + 0.5) / k. The GP kernel
 *   does not read distances along this coordinate: it compares categorical coordinates by
 *   equality (see gp/kernel.ts), so the order of the choices means nothing.
 */
import type { Dimension, Params, SearchSpace } from './types'

/** Grid points per numeric dimension when it names neither `steps` nor `step`. */
export const DEFAULT_GRID_STEPS = 5

/** Grids larger than this ask for confirmation before a Study starts. */
export const LARGE_GRID = 10_000

/** Options of validateSpace. */
export interface ValidateOptions {
  /** Hyperparameter names that may be searched; others are refused. Any name when absent. */
  known?: readonly string[]
}

/** Checks a search space as written by a user; throws one Error listing every problem. */
export function validateSpace(json: unknown, options: ValidateOptions = {}): SearchSpace {
  const problems: string[] = []
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('Invalid search space: it must be a JSON object of hyperparameter name → dimension, e.g. {"lr": {"type": "float", "low": 0.0001, "high": 0.1, "log": true}}')
  }
  const entries = Object.entries(json as Record<string, unknown>)
  if (entries.length === 0) problems.push('the space is empty: name at least one hyperparameter')
  const known = options.known ? new Set(options.known) : undefined
  for (const [name, dim] of entries) {
    if (known && !known.has(name)) {
      problems.push(`${name}: unknown hyperparameter (known: ${[...known].join(', ')})`)
    }
    problems.push(...dimensionProblems(dim).map((p) => `${name}: ${p}`))
  }
  if (problems.length > 0) {
    throw new Error(`Invalid search space (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n- ${problems.join('\n- ')}`)
  }
  return json as SearchSpace
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** Every problem of one dimension, as short phrases. */
function dimensionProblems(dim: unknown): string[] {
  if (dim === null || typeof dim !== 'object' || Array.isArray(dim)) {
    return ['must be an object like {"type": "float", "low": 0, "high": 1}']
  }
  const d = dim as Record<string, unknown>
  if (d.type === 'categorical') {
    if (!Array.isArray(d.choices)) return ['categorical needs "choices", a non-empty list']
    const out: string[] = []
    if (d.choices.length === 0) out.push('"choices" is empty: list at least one value')
    const bad = d.choices.filter((c) => !['string', 'number', 'boolean'].includes(typeof c))
    if (bad.length > 0) out.push('"choices" may hold only strings, numbers and booleans')
    if (new Set(d.choices.map((c) => JSON.stringify(c))).size !== d.choices.length) out.push('"choices" repeats a value')
    return out
  }
  if (d.type !== 'float' && d.type !== 'int') {
    return [`"type" must be "float", "int" or "categorical", got ${JSON.stringify(d.type)}`]
  }
  const out: string[] = []
  const { low, high, log, step, steps } = d
  if (!isNumber(low)) out.push('"low" must be a number')
  if (!isNumber(high)) out.push('"high" must be a number')
  if (log !== undefined && typeof log !== 'boolean') out.push('"log" must be true or false')
  if (step !== undefined && !(isNumber(step) && step > 0)) out.push('"step" must be a positive number')
  if (steps !== undefined && !(Number.isInteger(steps) && (steps as number) >= 2)) out.push('"steps" must be an integer ≥ 2')
  if (step !== undefined && steps !== undefined) out.push('give "step" or "steps", not both')
  if (d.type === 'int') {
    if (isNumber(low) && !Number.isInteger(low)) out.push('"low" of an int must be an integer')
    if (isNumber(high) && !Number.isInteger(high)) out.push('"high" of an int must be an integer')
    if (isNumber(step) && !Number.isInteger(step)) out.push('"step" of an int must be an integer')
  }
  if (isNumber(low) && isNumber(high)) {
    if (low >= high) out.push(`"low" (${low}) must be below "high" (${high})`)
    if (log === true && low <= 0) out.push(`log scale needs "low" > 0, got ${low}`)
    if (isNumber(step) && step > 0 && low < high) {
      const k = (high - low) / step
      if (Math.abs(k - Math.round(k)) > 1e-9 * Math.max(1, k)) out.push(`"step" (${step}) does not divide high − low (${high - low})`)
    }
  }
  if (log === true && step !== undefined) out.push('"step" cannot be combined with "log" (use "steps" for a log grid)')
  for (const key of Object.keys(d)) {
    if (!['type', 'low', 'high', 'log', 'step', 'steps'].includes(key)) out.push(`unknown field "${key}"`)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Unit-cube encoding

type NumericDim = Extract<Dimension, { type: 'float' | 'int' }>

/** The slice half-width of a numeric dimension in its own units (int: 0.5, stepped: step/2). */
function halfSlice(dim: NumericDim): number {
  if (dim.step !== undefined) return dim.step / 2
  return dim.type === 'int' ? 0.5 : 0
}

/** The widened bounds of a numeric dimension, in its (log-)scale. */
function scaledBounds(dim: NumericDim): [number, number] {
  const h = halfSlice(dim)
  const t = dim.log ? Math.log : (v: number) => v
  return [t(dim.low - h), t(dim.high + h)]
}

/** Snaps a numeric value to an allowed one: within bounds, on the step, an integer for int. */
export function snapValue(dim: NumericDim, value: number): number {
  let v = Math.min(dim.high, Math.max(dim.low, value))
  if (dim.step !== undefined) v = dim.low + Math.round((v - dim.low) / dim.step) * dim.step
  if (dim.type === 'int') v = Math.round(v)
  else if (dim.step !== undefined) v = Number(v.toPrecision(12)) // 0.1 * 3 → 0.3, not 0.30000000000000004
  return Math.min(dim.high, Math.max(dim.low, v))
}

/** One dimension's value → its unit coordinate. */
export function encodeValue(dim: Dimension, value: string | number | boolean): number {
  if (dim.type === 'categorical') {
    const i = dim.choices.indexOf(value)
    if (i < 0) throw new Error(`${JSON.stringify(value)} is not one of the choices ${JSON.stringify(dim.choices)}`)
    return (i + 0.5) / dim.choices.length
  }
  if (typeof value !== 'number') throw new Error(`expected a number, got ${JSON.stringify(value)}`)
  const [a, b] = scaledBounds(dim)
  const s = dim.log ? Math.log(value) : value
  return Math.min(1, Math.max(0, (s - a) / (b - a)))
}

/** One unit coordinate → the dimension's allowed value. */
export function decodeValue(dim: Dimension, u: number): string | number | boolean {
  const x = Math.min(1, Math.max(0, u))
  if (dim.type === 'categorical') return dim.choices[Math.min(dim.choices.length - 1, Math.floor(x * dim.choices.length))]
  const [a, b] = scaledBounds(dim)
  const s = a + x * (b - a)
  return snapValue(dim, dim.log ? Math.exp(s) : s)
}

/** What keeps `params` from being a point of `space`: a missing or unknown name, or a value it does not allow. */
export function pointProblems(space: SearchSpace, params: Params): string[] {
  const problems = Object.keys(params)
    .filter((name) => !(name in space))
    .map((name) => `"${name}" is not in the space`)
  for (const [name, dim] of Object.entries(space)) {
    const value = params[name]
    if (value === undefined) problems.push(`"${name}" is missing`)
    else if (dim.type === 'categorical' ? !dim.choices.includes(value) : typeof value !== 'number' || snapValue(dim, value) !== value)
      problems.push(`"${name}": ${JSON.stringify(value)} is not a value the space allows`)
  }
  return problems
}

/** Params → a point of [0, 1]^d (d = number of hyperparameters, in key order). */
export function encode(space: SearchSpace, params: Params): number[] {
  return Object.entries(space).map(([name, dim]) => {
    if (!(name in params)) throw new Error(`params lack "${name}"`)
    return encodeValue(dim, params[name])
  })
}

/** A point of [0, 1]^d → Params holding only allowed values. */
export function decode(space: SearchSpace, u: readonly number[]): Params {
  const params: Params = {}
  Object.entries(space).forEach(([name, dim], i) => (params[name] = decodeValue(dim, u[i])))
  return params
}

/** One coordinate's feasible twin: the centre of the slice it falls in (plain floats only clamp). */
export function snapCoordinate(dim: Dimension, u: number): number {
  if (dim.type === 'float' && dim.step === undefined) return Math.min(1, Math.max(0, u))
  return encodeValue(dim, decodeValue(dim, u))
}

/** The point's feasible twin: every coordinate snapped (see snapCoordinate). */
export function snapUnit(space: SearchSpace, u: readonly number[]): number[] {
  return Object.values(space).map((dim, i) => snapCoordinate(dim, u[i]))
}

// ---------------------------------------------------------------------------------------------
// Grid

/** The grid values of one dimension, in ascending (or the choices') order. */
export function gridValues(dim: Dimension): (string | number | boolean)[] {
  if (dim.type === 'categorical') return [...dim.choices]
  if (dim.step !== undefined) {
    const n = Math.round((dim.high - dim.low) / dim.step) + 1
    return Array.from({ length: n }, (_, i) => snapValue(dim, dim.low + i * dim.step!))
  }
  const n = dim.steps ?? DEFAULT_GRID_STEPS
  const t = dim.log ? Math.log : (v: number) => v
  const inv = dim.log ? Math.exp : (v: number) => v
  const [a, b] = [t(dim.low), t(dim.high)]
  const values = Array.from({ length: n }, (_, i) => {
    const v = i === 0 ? dim.low : i === n - 1 ? dim.high : inv(a + ((b - a) * i) / (n - 1))
    return dim.type === 'int' ? Math.round(v) : Number(v.toPrecision(12))
  })
  return [...new Set(values)] // a narrow int range rounds several steps onto one value
}

/** How many points the grid of `space` has (may exceed LARGE_GRID; check before enumerating). */
export function gridSize(space: SearchSpace): number {
  return Object.values(space).reduce((n, dim) => n * gridValues(dim).length, 1)
}

/** Grid point `index` (0-based): the last hyperparameter varies fastest, like nested loops. */
export function gridPoint(space: SearchSpace, index: number): Params | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= gridSize(space)) return undefined
  const names = Object.keys(space)
  const params: Params = {}
  let rest = index
  for (let i = names.length - 1; i >= 0; i--) {
    const values = gridValues(space[names[i]])
    params[names[i]] = values[rest % values.length]
    rest = Math.floor(rest / values.length)
  }
  return Object.fromEntries(names.map((n) => [n, params[n]]))
}

/** Every grid point in the stable order of gridPoint. */
export function gridPoints(space: SearchSpace): Params[] {
  return Array.from({ length: gridSize(space) }, (_, i) => gridPoint(space, i)!)
}
