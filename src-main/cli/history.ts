/** `osprey runs list|show|compare|tag|untag|note|delete|export`: the Run history from the command line. */
import { resolve } from 'node:path'
import type { HistoryQuery, HistoryRun, HistorySortKey, RunStatus } from '../contract'
import { OspreyError } from '../errors'
import type { Services } from '../services'
import { cells, fitCells, padCells, verdictText, type Output } from './output'
import { writeReport } from './report'
import { fewImagesNote, listedAccuracy } from '../verdict'

/** The history flags, as parsed by node:util parseArgs. */
export const HISTORY_OPTIONS = {
  tag: { type: 'string' },
  dataset: { type: 'string' },
  status: { type: 'string' },
  search: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  // HTML reports
  html: { type: 'string' }
} as const

type Flags = Record<string, string | boolean | undefined>

const STATUSES: RunStatus[] = ['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'interrupted']
const SORTS: HistorySortKey[] = ['createdAt', 'name', 'durationMs', 'valAccuracy', 'valLoss', 'imagesPerSecond']

/** Runs `osprey runs <sub> ...`; undefined when `sub` is not a history command (usage is shown). */
export function runsCommand(services: Services, sub: string, args: string[], flags: Flags, out: Output): number | undefined {
  switch (sub) {
    case 'list':
      return args.length === 0 ? list(services, flags, out) : undefined
    case 'show':
      return args.length === 1 ? show(services, runId(args[0]), out) : undefined
    case 'compare':
      if (args.length < 2) return undefined
      // HTML reports
      if (flags.html !== undefined) return writeReport(services.reports.compare(args.map(runId)), flags, out)
      return compare(services, args.map(runId), out)
    case 'tag':
    case 'untag': {
      if (args.length !== 2) return undefined
      const run = sub === 'tag' ? services.history.tag(runId(args[0]), args[1]) : services.history.untag(runId(args[0]), args[1])
      if (out.json) out.line({ type: 'run', ...run })
      else out.text(`Run ${run.id} tags: ${run.tags.join(', ') || '(none)'}`)
      return 0
    }
    case 'note': {
      if (args.length < 2) return undefined
      const run = services.history.note(runId(args[0]), args.slice(1).join(' '))
      if (out.json) out.line({ type: 'run', ...run })
      else out.text(`Run ${run.id} notes saved.`)
      return 0
    }
    case 'delete': {
      if (args.length !== 1) return undefined
      const id = runId(args[0])
      const result = services.history.delete(id)
      if (out.json) out.line({ type: 'deleted', id, ...result })
      else out.text(`Run ${id} deleted, with ${result.filesRemoved} file${result.filesRemoved === 1 ? '' : 's'}.`)
      return 0
    }
    case 'export': {
      if (args.length !== 0) return undefined
      const format = flags.format ?? 'csv'
      if (format !== 'csv' && format !== 'json') throw new OspreyError('bad-input', `--format is csv or json, not "${String(format)}".`)
      process.stdout.write(services.history.export(format, query(services, flags)).text)
      return 0
    }
  }
  return undefined
}

function runId(text: string): number {
  const id = Number(text)
  if (!Number.isInteger(id) || id <= 0) throw new OspreyError('bad-input', `"${text}" is not a Run id; see osprey runs list.`)
  return id
}

/** The query the list flags ask for; a dataset may be named by id, name or folder. */
function query(services: Services, flags: Flags): HistoryQuery {
  const q: HistoryQuery = {}
  if (typeof flags.tag === 'string') q.tag = flags.tag
  if (typeof flags.search === 'string') q.search = flags.search
  if (typeof flags.status === 'string') {
    const wanted = flags.status.split(',').map((s) => s.trim())
    const wrong = wanted.filter((s) => !STATUSES.includes(s as RunStatus))
    if (wrong.length) throw new OspreyError('bad-input', `--status: "${wrong.join(', ')}" is not a status; use ${STATUSES.join(', ')} (comma-separated).`)
    q.status = wanted as RunStatus[]
  }
  if (typeof flags.dataset === 'string') {
    const name = flags.dataset
    const datasets = services.datasets.list()
    const found = datasets.find((d) => String(d.id) === name || d.name === name || d.path === resolve(name))
    if (!found) throw new OspreyError('not-found', `No dataset "${name}". Known: ${datasets.map((d) => `${d.id} ${d.name}`).join(', ') || 'none yet (osprey datasets scan <folder>)'}.`)
    q.datasetId = found.id
  }
  if (typeof flags.sort === 'string') {
    const [by, direction = by === 'valLoss' || by === 'name' ? 'asc' : 'desc'] = flags.sort.split(':')
    if (!SORTS.includes(by as HistorySortKey) || (direction !== 'asc' && direction !== 'desc')) {
      throw new OspreyError('bad-input', `--sort is one of ${SORTS.join(', ')}, optionally with :asc or :desc (e.g. valAccuracy:desc).`)
    }
    q.sort = { by: by as HistorySortKey, direction }
  }
  return q
}

function list(services: Services, flags: Flags, out: Output): number {
  const limit = typeof flags.limit === 'string' ? Number(flags.limit) : 1000
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new OspreyError('bad-input', `--limit is a number from 1 to 1000, not "${String(flags.limit)}".`)
  const page = services.history.query({ ...query(services, flags), limit })
  if (out.json) {
    page.runs.forEach((r) => out.line({ type: 'run', ...r }))
    return 0
  }
  if (page.total === 0) {
    out.text(Object.keys(flags).some((k) => k in HISTORY_OPTIONS) ? 'No Runs match.' : 'No Runs yet. Train one: osprey train <folder>')
    return 0
  }
  for (const r of page.runs) out.text(row(r))
  if (page.total > page.runs.length) out.text(`… ${page.total - page.runs.length} more (narrow with --tag, --dataset, --status, --search).`)
  return 0
}

function row(r: HistoryRun): string {
  const tags = r.tags.length ? `  [${r.tags.join(', ')}]` : ''
  const verdict = r.verdict && r.verdict.kind !== 'learned' ? ` (${r.verdict.kind})` : ''
  return `${String(r.id).padStart(4)}  ${((r.pruned ? 'pruned' : r.status) + verdict).padEnd(11)} ${r.name}  ${r.epochsDone}/${r.epochs} epochs  ${accuracy(r)}  ${r.backend ?? ''}  ${r.createdAt}${tags}`
}

function accuracy(r: HistoryRun): string {
  const { images, accuracy } = listedAccuracy(r)
  return `${images === 'test' ? 'test' : 'val'} acc ${fixed(accuracy)}`
}

function fixed(value: number | null, digits = 4): string {
  return value === null ? '–' : value.toFixed(digits)
}

function show(services: Services, id: number, out: Output): number {
  const run = services.history.get(id)
  const detail = services.training.get(id)
  if (out.json) {
    out.line({
      type: 'run',
      ...run,
      verdict: detail.verdict,
      config: detail.config,
      fingerprint: detail.fingerprint,
      split: detail.split,
      versions: detail.versions,
      epochMetrics: detail.epochMetrics,
      evaluation: detail.evaluation
    })
    return 0
  }
  const lines = [
    `Run ${run.id}: ${run.name}`,
    `  status      ${run.status}${run.error ? ` (${run.error})` : ''}`,
    `  dataset     ${run.datasetName ?? '–'} (${detail.config.folder}), fingerprint ${detail.fingerprint.slice(0, 12)}`,
    `  split       ${detail.split ? `${detail.split.train} train, ${detail.split.validation} validation, ${detail.split.test} test` : '–'}`,
    `  backend     ${run.backend ?? '–'}  ${Object.entries(detail.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  seed        ${run.seed}`,
    `  created     ${run.createdAt}${run.durationMs === null ? '' : `; trained in ${(run.durationMs / 1000).toFixed(1)} s`}`,
    `  result      val acc ${fixed(run.valAccuracy)}, val loss ${fixed(run.valLoss)}, ${run.testAccuracy != null ? `test acc ${fixed(run.testAccuracy)}, ` : ''}${Math.round(run.imagesPerSecond ?? 0)} images/s, ${run.epochsDone}/${run.epochs} epochs`,
    ...(detail.verdict ? [`  verdict     ${verdictText(detail.verdict).replaceAll('\n', '\n              ')}`] : []),
    `  tags        ${run.tags.join(', ') || '–'}`,
    `  notes       ${run.notes || '–'}`,
    '  config',
    ...columns(Object.entries(detail.config).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]))
  ]
  if (detail.epochMetrics.length) {
    lines.push('  epochs      loss     acc      val loss val acc')
    for (const e of detail.epochMetrics) lines.push(`    ${String(e.epoch).padStart(4)}      ${fixed(e.trainLoss)}   ${fixed(e.trainAccuracy)}   ${fixed(e.valLoss)}   ${fixed(e.valAccuracy)}`)
  }
  if (detail.evaluation) {
    lines.push(`  per class (${detail.evaluation.split})`)
    lines.push(...columns(detail.evaluation.perClass.map((c) => [c.name, `precision ${fixed(c.precision, 3)}  recall ${fixed(c.recall, 3)}  f1 ${fixed(c.f1, 3)}  (${c.support})`])))
    const few = fewImagesNote(detail.evaluation)
    if (few) lines.push(`    ${few}`)
  }
  out.text(lines.join('\n'))
  return 0
}

function compare(services: Services, ids: number[], out: Output): number {
  const comparison = services.history.compare(ids)
  const runs = comparison.runs.map((r) => r.run)
  if (out.json) {
    out.line({
      type: 'comparison',
      runs: comparison.runs.map((r) => ({ ...r.run, config: r.config, epochMetrics: r.epochs, perClass: r.evaluation?.perClass ?? null })),
      differences: comparison.differences,
      best: comparison.best
    })
    return 0
  }
  const width = 14
  const cell = (text: string) => fitCells(text, width)
  const table = (label: string, values: string[]) => `${cell(label)}${cell('')}${values.map(cell).join('')}`.trimEnd()
  const mark = (i: number, best: number | null) => (i === best ? ' *' : '')
  const lines = [
    table(
      'Run',
      runs.map((r) => String(r.id))
    ),
    table(
      'name',
      runs.map((r) => r.name)
    ),
    '',
    comparison.differences.length ? 'Settings that differ:' : 'Every setting is the same.',
    ...comparison.differences.map((d) =>
      table(
        `  ${d.key}`,
        d.values.map((v) => String(v))
      )
    ),
    '',
    'Final metrics (* best; none on a tie):',
    table(
      '  verdict',
      runs.map((r) => r.verdict?.kind ?? '–')
    ),
    table(
      '  val accuracy',
      runs.map((r, i) => fixed(r.valAccuracy) + mark(i, comparison.best.valAccuracy))
    ),
    table(
      '  val loss',
      runs.map((r, i) => fixed(r.valLoss) + mark(i, comparison.best.valLoss))
    ),
    table(
      '  images/s',
      runs.map((r, i) => String(Math.round(r.imagesPerSecond ?? 0)) + mark(i, comparison.best.imagesPerSecond))
    ),
    table(
      '  training s',
      runs.map((r, i) => (r.durationMs === null ? '–' : (r.durationMs / 1000).toFixed(1)) + mark(i, comparison.best.durationMs))
    ),
    table(
      '  epochs',
      runs.map((r) => `${r.epochsDone}/${r.epochs}`)
    )
  ]
  out.text(lines.join('\n'))
  return 0
}

/** Name–value lines under a heading, the values in one column; a name past 24 characters keeps one space before its value (a setting's name once ran into it). */
function columns(rows: [string, string][]): string[] {
  const width = Math.min(24, Math.max(15, ...rows.map(([name]) => cells(name)))) + 1
  return rows.map(([name, value]) => `    ${padCells(name, width - 1)} ${value}`)
}
