/** Runs as CSV (one row a Run, config flattened into columns) or JSON. Pure. */
import type { HistoryRun, TrainingConfig } from '../contract'
import { flattenConfig } from './compare'

/** A Run with what an export carries beyond the list row. */
export interface ExportedRun extends HistoryRun {
  config: TrainingConfig
  fingerprint: string
}

const COLUMNS: [string, (r: ExportedRun) => unknown][] = [
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['status', (r) => r.status],
  ['dataset', (r) => r.datasetName],
  ['model', (r) => r.model],
  ['backend', (r) => r.backend],
  ['created_at', (r) => r.createdAt],
  ['duration_ms', (r) => r.durationMs],
  ['epochs_done', (r) => r.epochsDone],
  ['val_accuracy', (r) => r.valAccuracy],
  ['val_loss', (r) => r.valLoss],
  ['test_accuracy', (r) => r.testAccuracy ?? null],
  ['images_per_second', (r) => r.imagesPerSecond],
  ['seed', (r) => r.seed],
  ['fingerprint', (r) => r.fingerprint],
  ['study_id', (r) => r.studyId],
  ['tags', (r) => r.tags.join(';')],
  ['notes', (r) => r.notes]
]

/**
 * RFC 4180: quote a field holding a comma, quote, or line break; double the quotes. Text that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return: a Run
 * name, a note, a tag…) gets a leading apostrophe, as OWASP advises; numbers stay numbers.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The Runs as CSV text with a header row; config settings become `config.<key>` columns. */
export function runsToCsv(runs: ExportedRun[]): string {
  const configKeys: string[] = []
  const flats = runs.map((r) => flattenConfig(r.config))
  for (const flat of flats) for (const key of flat.keys()) if (key !== 'folder' && !configKeys.includes(key)) configKeys.push(key)
  const header = [...COLUMNS.map(([name]) => name), 'folder', ...configKeys.map((k) => `config.${k}`)]
  const lines = runs.map((r, i) => [...COLUMNS.map(([, get]) => get(r)), r.config.folder, ...configKeys.map((k) => flats[i].get(k))].map(csvField).join(','))
  return [header.join(','), ...lines].join('\r\n') + '\r\n'
}

/** The Runs as pretty-printed JSON: `{ exportedAt, runs: [...] }`. */
export function runsToJson(runs: ExportedRun[], exportedAt = new Date().toISOString()): string {
  return JSON.stringify({ exportedAt, runs }, null, 2) + '\n'
}
