/** A comparison of Runs as one self-contained HTML page to share. Pure. */
import type { ComparedRun, Evaluation, RunComparison, Verdict } from '../contract'
import { lineChart } from './charts'
import { duration, esc, fixed, page, scrolling, swatch, table, value, type Cell, type ReportMeta } from './html'

/** The file name a comparison report is saved under, e.g. `osprey-compare-3-7-2026-11-27T10-00-00.html`. */
export function compareReportFilename(comparison: RunComparison, generatedAt: string): string {
  return `osprey-compare-${comparison.runs.map((r) => r.run.id).join('-')}-${generatedAt.slice(0, 19).replaceAll(':', '-')}.html`
}

/** The file name a one-Run report is saved under, e.g. `osprey-run-3-2026-11-27T10-00-00.html`. */
export function runReportFilename(runId: number, generatedAt: string): string {
  return `osprey-run-${runId}-${generatedAt.slice(0, 19).replaceAll(':', '-')}.html`
}

/** The whole report of one Run, or of 2 to 10 side by side: headlines with verdicts, final metrics, settings, curves, per-class F1, confusion matrices. */
export function compareReport(comparison: RunComparison, meta: ReportMeta): string {
  const runs = comparison.runs
  const single = runs.length === 1
  const title = single ? `Run ${runs[0].run.id}: ${runs[0].run.name}` : `Comparing ${runs.length} Runs: ${runs.map((r) => r.run.name).join(' · ')}`
  const body = [
    `<section><h2>${single ? 'Run' : 'Runs'}</h2><div class="cards">${runs.map(headline).join('\n')}</div></section>`,
    `<section><h2>Final metrics${single ? '' : ' <span class="muted">(★ best)</span>'}</h2>${finalMetrics(comparison)}</section>`,
    single
      ? `<section><h2>Settings</h2>${settingsTable(comparison)}</section>`
      : `<section><h2>Settings that differ</h2>${differences(comparison)}
<details><summary>Every setting (${comparison.settings.length})</summary>${settingsTable(comparison)}</details></section>`,
    `<section><h2>Curves per Epoch</h2><div class="charts">${curves(runs)}</div></section>`,
    perClass(runs),
    matrices(runs)
  ].join('\n')
  return page(title, `Run ${runs.map((r) => r.run.id).join(', ')}`, meta, body)
}

function runHeader(r: ComparedRun, i: number): string {
  return `${swatch(i)}${esc(r.run.id)} ${esc(r.run.name)}`
}

function headline(r: ComparedRun, i: number): string {
  const run = r.run
  const rows: [string, string][] = [
    ['id', esc(run.id)],
    ['dataset', `${esc(run.datasetName ?? '–')} <span class="muted">(${esc(r.config.folder)})</span>`],
    ['status', esc(run.status) + (run.error ? ` <span class="muted">(${esc(run.error)})</span>` : '')],
    ['model', esc(run.model)],
    ['backend', esc(run.backend ?? '–')],
    ['Epochs', `${esc(run.epochsDone)}/${esc(run.epochs)}`],
    ['training time', esc(duration(run.durationMs))],
    ['created', esc(run.createdAt)],
    ['seed', esc(run.seed)]
  ]
  if (run.tags.length) rows.push(['tags', run.tags.map(esc).join(', ')])
  if (run.notes) rows.push(['notes', esc(run.notes)])
  return `<article class="card" data-run="${esc(run.id)}"><h3>${swatch(i)}${esc(run.name)}</h3>${verdictBlock(run.verdict)}<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></article>`
}

function finalMetrics(c: RunComparison): string {
  // The best value gets a class (colour) and a ★, so it reads without colour too.
  const row = (name: string, key: keyof RunComparison['best'] | null, show: (r: ComparedRun) => string): Cell[] => [
    name,
    ...c.runs.map((r, i): Cell => (key && c.best[key] === i ? { html: `${show(r)} ★`, className: 'best' } : show(r)))
  ]
  const rows = [
    row('Validation accuracy', 'valAccuracy', (r) => fixed(r.run.valAccuracy)),
    row('Validation loss', 'valLoss', (r) => fixed(r.run.valLoss)),
    row('Images / s', 'imagesPerSecond', (r) => (r.run.imagesPerSecond === null ? '–' : String(Math.round(r.run.imagesPerSecond)))),
    row('Training time', 'durationMs', (r) => duration(r.run.durationMs)),
    row('Epochs', null, (r) => `${r.run.epochsDone}/${r.run.epochs}`)
  ]
  return table('Final metrics', ['Metric', ...c.runs.map(runHeader)], rows, 'data-table="final-metrics"')
}

function differences(c: RunComparison): string {
  if (c.differences.length === 0) return '<p>Every setting is the same.</p>'
  return table(
    'Settings that differ',
    ['Setting', ...c.runs.map(runHeader)],
    c.differences.map((d) => [esc(d.key), ...d.values.map((v) => esc(value(v)))]),
    'data-table="differences"'
  )
}

function settingsTable(c: RunComparison): string {
  const differing = new Set(c.differences.map((d) => d.key))
  const head = ['Setting', ...c.runs.map(runHeader)].map((h) => `<th scope="col">${h}</th>`).join('')
  const rows = c.settings.map((s) => `<tr${differing.has(s.key) ? ' class="differs"' : ''}><th scope="row">${esc(s.key)}</th>${s.values.map((v) => `<td>${esc(value(v))}</td>`).join('')}</tr>`)
  return scrolling('Every setting', `<table data-table="settings"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`)
}

function curves(runs: ComparedRun[]): string {
  const series = (key: 'valAccuracy' | 'valLoss' | 'trainLoss') => runs.map((r) => ({ label: `${r.run.id} ${r.run.name}`, points: r.epochs.map((e): [number, number | null] => [e.epoch, e[key]]) }))
  return [
    lineChart({ title: 'Validation accuracy', xLabel: 'Epoch', yLabel: 'accuracy', series: series('valAccuracy'), yRange: [0, 1], integerX: true }, 'val-accuracy'),
    lineChart({ title: 'Validation loss', xLabel: 'Epoch', yLabel: 'loss', series: series('valLoss'), integerX: true }, 'val-loss'),
    lineChart({ title: 'Training loss', xLabel: 'Epoch', yLabel: 'loss', series: series('trainLoss'), integerX: true }, 'train-loss')
  ].join('\n')
}

function perClass(runs: ComparedRun[]): string {
  const classes = [...new Set(runs.flatMap((r) => r.evaluation?.perClass.map((c) => c.name) ?? []))]
  if (classes.length === 0) return '<section><h2>F1 per class</h2><p class="muted">No Run has an evaluation.</p></section>'
  const rows = classes.map((name) => [
    esc(name),
    ...runs.map((r) => {
      const c = r.evaluation?.perClass.find((p) => p.name === name)
      return c ? `${c.f1.toFixed(3)} <span class="muted">(P ${c.precision.toFixed(2)}, R ${c.recall.toFixed(2)})</span>` : '–'
    })
  ])
  return `<section><h2>F1 per class <span class="muted">(precision, recall)</span></h2>${table('F1 per class', ['Class', ...runs.map((r, i) => runHeader(r, i))], rows, 'data-table="per-class"')}</section>`
}

/**
 * A confusion matrix as a table, each cell shaded by its share of the true class. Past 8 classes,
 * as in the app, the column names stand upright and empty cells stay blank, so the mistakes stand out.
 */
export function confusionMatrix(e: Evaluation, label = 'Confusion matrix'): string {
  const compact = e.classes.length > 8
  const head = `<tr><th scope="col">true ↓ predicted →</th>${e.classes.map((c) => `<th scope="col" title="${esc(c)}">${esc(c)}</th>`).join('')}</tr>`
  const rows = e.confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1
    const cells = row
      .map((n, p) => `<td style="background: rgba(var(--cell), ${(n / total).toFixed(2)})"${t === p ? ' class="diagonal"' : ''}>${compact && n === 0 && t !== p ? '' : esc(n)}</td>`)
      .join('')
    return `<tr><th scope="row" title="${esc(e.classes[t])}">${esc(e.classes[t])}</th>${cells}</tr>`
  })
  return scrolling(label, `<table class="matrix${compact ? ' compact' : ''}"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`)
}

function matrices(runs: ComparedRun[]): string {
  const figures = runs.map(
    (r, i) =>
      `<figure><figcaption>${runHeader(r, i)}${r.evaluation ? ` <span class="muted">(${esc(r.evaluation.split)}, accuracy ${fixed(r.evaluation.accuracy, 3)})</span>` : ''}</figcaption>${r.evaluation ? confusionMatrix(r.evaluation, `Confusion matrix of Run ${r.run.id}`) : '<p class="muted">No evaluation.</p>'}</figure>`
  )
  return `<section><h2>Confusion matrices</h2><div class="matrices">${figures.join('\n')}</div></section>`
}

/** A verdict as the app shows it: the headline, the figures behind it, what to try. */
export function verdictBlock(verdict: Verdict | null): string {
  if (!verdict) return ''
  const advice = verdict.advice.length ? `<ul>${verdict.advice.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : ''
  return `<div class="verdict ${esc(verdict.tone)}" data-verdict="${esc(verdict.kind)}"><p><strong>${esc(verdict.headline)}.</strong> ${esc(verdict.detail)}</p>${advice}</div>`
}
