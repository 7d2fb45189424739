/**
 * The search-space editor: rows edited through form controls and a JSON text view of the same
 * space. Either side can be edited; the other follows. While the user types in the JSON view,
 * their text stays as typed (no reformatting under the cursor) and the rows follow each time it
 * parses; a form edit rewrites the text.
 */
import { choicesText, parseChoices, retype, rowsOf, rowProblems, spaceNames, spaceOf, spaceText, suggestedDimension, isObject, type DimensionType, type SpaceRow } from './searchSpace'

/** The numeric fields of a float or int dimension that the form edits. */
export type NumberField = 'low' | 'high' | 'step' | 'steps'

// New rows take the first of these that is not in the space yet.
const preferred = ['learningRate', 'dropout', 'units', 'optimizer', 'batchSize', 'weightDecay']

/** Rows and JSON of one search space. */
export class SpaceEditor {
  /** The rows, in the space's order. */
  rows = $state<SpaceRow[]>([])
  #draft = $state<string | null>(null)
  #jsonError = $state<string | null>(null)
  #nextKey = 0

  /** The space as JSON-ready data (a snapshot: safe to send). */
  readonly space = $derived($state.snapshot(spaceOf(this.rows)) as Record<string, unknown>)
  /** Problems of the rows themselves (unnamed, repeated names). */
  readonly rowProblems = $derived(rowProblems(this.rows))
  readonly #canonical = $derived(spaceText(this.space))

  constructor(space: Record<string, unknown> = {}) {
    this.rows = rowsOf(space, () => this.#nextKey++)
  }

  /** What the JSON view shows: the user's text while they edit it, else the space formatted. */
  get text(): string {
    return this.#draft ?? this.#canonical
  }
  /** Why the JSON view's text is not a space (the rows keep the last good one). */
  get jsonError(): string | null {
    return this.#jsonError
  }

  /** Adds a row for a hyperparameter not in the space yet, with a sensible range. */
  add(): void {
    const used = new Set(this.rows.map((r) => r.name))
    const name = [...preferred, ...spaceNames].find((n) => !used.has(n)) ?? ''
    this.rows.push({ key: this.#nextKey++, name, dimension: suggestedDimension(name) })
    this.#edited()
  }

  /** Removes a row. */
  remove(key: number): void {
    this.rows = this.rows.filter((r) => r.key !== key)
    this.#edited()
  }

  /** Another hyperparameter for a row: its range starts from that one's suggestion. */
  rename(key: number, name: string): void {
    const row = this.#row(key)
    if (!row) return
    row.name = name
    row.dimension = suggestedDimension(name)
    this.#edited()
  }

  /** Another type for a row, keeping the bounds where they fit. */
  setType(key: number, type: DimensionType): void {
    const row = this.#row(key)
    if (!row) return
    row.dimension = retype(row.dimension, type)
    this.#edited()
  }

  /** The value of a numeric field, or null when it is not set. */
  number(row: SpaceRow, field: NumberField): number | null {
    const v = isObject(row.dimension) ? row.dimension[field] : undefined
    return typeof v === 'number' ? v : null
  }

  /** Sets a numeric field; null (an empty or unfinished input) removes it. `step` and `steps` exclude each other. */
  setNumber(key: number, field: NumberField, value: number | null | undefined): void {
    const d = this.#dimension(key)
    if (!d) return
    if (value === null || value === undefined || Number.isNaN(value)) delete d[field]
    else {
      d[field] = value
      if (field === 'step') delete d.steps
      if (field === 'steps') delete d.step
    }
    this.#edited()
  }

  /** True when the row searches on a log scale. */
  log(row: SpaceRow): boolean {
    return isObject(row.dimension) && row.dimension.log === true
  }

  /** Log scale on or off (off leaves the field out, as users write it). */
  setLog(key: number, on: boolean): void {
    const d = this.#dimension(key)
    if (!d) return
    if (on) {
      d.log = true
      delete d.step // a step cannot be combined with a log scale
    } else delete d.log
    this.#edited()
  }

  /** The row's choices as text. */
  choices(row: SpaceRow): string {
    return isObject(row.dimension) ? choicesText(row.dimension.choices) : ''
  }

  /** Sets a categorical row's choices from text ("adam, sgd"). */
  setChoices(key: number, text: string): void {
    const d = this.#dimension(key)
    if (!d) return
    d.choices = parseChoices(text)
    this.#edited()
  }

  /** The JSON view changed: the rows follow whenever the text parses to an object. */
  editText(text: string): void {
    this.#draft = text
    try {
      this.rows = rowsOf(JSON.parse(text), () => this.#nextKey++)
      this.#jsonError = null
    } catch (error) {
      this.#jsonError = error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : (error as Error).message
    }
  }

  /** The JSON view lost focus: a good text is shown formatted; a bad one stays, to be fixed. */
  commitText(): void {
    if (!this.#jsonError) this.#draft = null
  }

  /** Replaces the space with a file's text; returns why it could not, or null. */
  load(text: string): string | null {
    this.editText(text)
    const error = this.#jsonError
    if (error) {
      this.#draft = null
      this.#jsonError = null
      return error
    }
    this.#draft = null
    return null
  }

  #edited(): void {
    this.#draft = null
    this.#jsonError = null
  }

  #row(key: number): SpaceRow | undefined {
    return this.rows.find((r) => r.key === key)
  }

  #dimension(key: number): Record<string, unknown> | null {
    const row = this.#row(key)
    if (!row) return null
    if (!isObject(row.dimension)) row.dimension = {}
    return row.dimension as Record<string, unknown>
  }
}
