/** A Study as one self-contained HTML page to share. Pure. */
import type { StudyDetail, TrialSummary } from '../contract'
import { barChart, lineChart, type Series } from './charts'
import { tieNote } from '../studies/best'
import { trialNumber } from '../tuning/types'
import { verdictBlock } from './compare'
import { duration, esc, fixed, page, table, value, type ReportMeta } from './html'

/** The file name a Study report is saved under, e.g. `osprey-study-4-2026-11-27T10-00-00.html`. */
export function studyReportFilename(study: StudyDetail, generatedAt: string): string {
  return `osprey-study-${study.id}-${generatedAt.slice(0, 19).replaceAll(':', '-')}.html`
}

/** Beyond this many Trials the per-Epoch chart shows the best ones only, so it stays readable. */
const MAX_CURVES = 20

/** The whole Study report: settings, space, best Trial, every Trial, best-so-far, importance, curves. */
export function studyReport(study: StudyDetail, meta: ReportMeta): string {
  const objective = study.objective === 'valLoss' ? 'validation loss' : 'validation accuracy'
  const body = [
    `<section><h2>Study</h2><div class="cards">${settings(study, objective)}${best(study, objective)}</div>
<h3>Search space</h3><pre data-block="space">${esc(JSON.stringify(study.space, null, 2))}</pre>
${Object.keys(study.training).length ? `<details><summary>Settings every Trial shares</summary><pre>${esc(JSON.stringify(study.training, null, 2))}</pre></details>` : ''}</section>`,
    `<section><h2>Trials${study.best ? ' <span class="muted">(★ best)</span>' : ''}</h2>${trials(study, objective)}</section>`,
    `<section><h2>Charts</h2><div class="charts">${bestSoFar(study, objective)}
${
  study.importance.length
    ? barChart(
        'Parameter importance',
        study.importance.map((i) => ({ label: i.name, value: i.importance })),
        'importance'
      )
    : `<p class="muted" data-block="importance">No parameter importance: ${study.verdict ? 'no setting made a difference.' : 'it needs at least 3 completed Trials, and more than one whose result differs from the rest.'}</p>`
}
${curves(study, objective)}</div></section>`
  ].join('\n')
  return page(`Study: ${study.name}`, `Study ${study.id} · ${study.status}`, meta, body)
}

function settings(s: StudyDetail, objective: string): string {
  const rows: [string, string][] = [
    ['id', esc(s.id)],
    ['status', esc(s.status) + (s.error ? ` <span class="muted">(${esc(s.error)})</span>` : '')],
    ['dataset folder', esc(s.folder)],
    ['strategy', esc(s.strategy)],
    ['objective', `${esc(objective)} (${s.objective === 'valLoss' ? 'lower' : 'higher'} is better)`],
    ['pruning', esc(s.prune)],
    ['seed', esc(s.seed)],
    ['budget', `${esc(s.trials)} Trials${s.timeBudgetMinutes ? `, ${esc(s.timeBudgetMinutes)} min` : ''}, ${esc(s.parallel)} in parallel`],
    ['Trials', `${s.counts.completed} completed, ${s.counts.pruned} pruned, ${s.counts.failed} failed, ${s.counts.running} unfinished`],
    ['created', esc(s.createdAt)]
  ]
  return `<article class="card"><h3>${esc(s.name)}</h3><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></article>`
}

function best(s: StudyDetail, objective: string): string {
  if (s.verdict) return `<article class="card" data-block="best"><h3>No best Trial</h3>${verdictBlock(s.verdict)}</article>`
  if (!s.best) return '<article class="card" data-block="best"><h3>Best Trial</h3><p class="muted">No completed Trial yet.</p></article>'
  const params = Object.entries(s.best.params).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(value(v))}</dd>`)
  const tie = tieNote(s.best, s.objective)
  return `<article class="card" data-block="best"><h3>Best: Trial ${esc(trialNumber(s.best.number))}</h3><dl><dt>${esc(objective)}</dt><dd><strong>${fixed(s.best.value)}</strong></dd><dt>Run</dt><dd>${esc(s.best.runId ?? '–')}</dd>${params.join('')}</dl>${tie ? `<p class="muted">${esc(tie)}</p>` : ''}</article>`
}

function trials(s: StudyDetail, objective: string): string {
  if (s.trialList.length === 0) return '<p class="muted">No Trial yet.</p>'
  const keys = [...new Set(s.trialList.flatMap((t) => Object.keys(t.params)))]
  const rows = s.trialList.map((t) => {
    const isBest = s.best?.number === t.number
    return [
      `${esc(trialNumber(t.number))}${isBest ? ' ★' : ''}`,
      ...keys.map((k) => esc(value(t.params[k]))),
      esc(t.status) + (t.error ? ` <span class="muted">(${esc(t.error)})</span>` : ''),
      isBest ? `<strong>${fixed(t.value)}</strong>` : fixed(t.value),
      fixed(t.secondary),
      esc(t.intermediate.length),
      esc(duration(t.durationMs)),
      esc(t.runId ?? '–')
    ]
  })
  // The other validation figure breaks ties for best.
  const other = s.objective === 'valLoss' ? 'validation accuracy' : 'validation loss'
  return table('Trials', ['Trial', ...keys.map(esc), 'status', esc(objective), other, 'Epochs', 'training time', 'Run'], rows, 'data-table="trials"')
}

/** Each finished Trial's value as a dot, and the best so far as a line, in Trial order. */
function bestSoFar(s: StudyDetail, objective: string): string {
  const lower = s.objective === 'valLoss'
  const done = s.trialList.filter((t) => t.value !== null && t.status !== 'running')
  let bestValue: number | null = null
  const line: [number, number][] = done.map((t) => {
    bestValue = bestValue === null || (lower ? t.value! < bestValue : t.value! > bestValue) ? t.value! : bestValue
    return [trialNumber(t.number), bestValue]
  })
  const series: Series[] = [
    { label: 'each Trial', points: done.map((t) => [trialNumber(t.number), t.value]), dots: true, noLine: true, colour: 9 },
    { label: 'best so far', points: line, colour: 0 }
  ]
  return lineChart({ title: `Best ${objective} so far`, xLabel: 'Trial', yLabel: objective, series, integerX: true, yRange: lower ? undefined : [0, 1] }, 'best-so-far')
}

/** The objective after each Epoch, one line per Trial (the best ones when there are many). */
function curves(s: StudyDetail, objective: string): string {
  const lower = s.objective === 'valLoss'
  const withCurve = s.trialList.filter((t) => t.intermediate.length > 0)
  const shown: TrialSummary[] =
    withCurve.length <= MAX_CURVES
      ? withCurve
      : [...withCurve]
          .sort((a, b) => (lower ? (a.value ?? Infinity) - (b.value ?? Infinity) : (b.value ?? -Infinity) - (a.value ?? -Infinity)))
          .slice(0, MAX_CURVES)
          .sort((a, b) => a.number - b.number)
  const series: Series[] = shown.map((t, i) => ({
    label: `Trial ${trialNumber(t.number)}${t.status === 'pruned' ? ' (pruned)' : ''}`,
    points: t.intermediate.map((v, e): [number, number] => [e + 1, v]),
    colour: i
  }))
  const title = `${objective[0].toUpperCase()}${objective.slice(1)} per Epoch${withCurve.length > MAX_CURVES ? ` (best ${MAX_CURVES} of ${withCurve.length} Trials)` : ''}`
  return lineChart({ title, xLabel: 'Epoch', yLabel: objective, series, integerX: true, yRange: lower ? undefined : [0, 1] }, 'trial-curves')
}
