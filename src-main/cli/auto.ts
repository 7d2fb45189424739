/** `osprey auto <folder> --minutes M`: find the best model in a time budget; `osprey auto list|resume <id>`. */
import type { AutoResult, AutoSearch, StudySummary } from '../contract'
import { OspreyError } from '../errors'
import type { Services } from '../services'
import type { Output } from './output'
import { trialNumber } from '../tuning/types'

/** Options `osprey auto` adds. */
export const AUTO_OPTIONS = { minutes: { type: 'string' } } as const

/** Flags `osprey auto` reads. */
export interface AutoFlags {
  minutes?: string | boolean
  seed?: string | boolean
  trialsOn?: string
  [key: string]: unknown
}

/** `osprey auto <folder>`: plans (says what and why), searches, trains the winner, reports; Ctrl+C stops it (`osprey auto resume ID` goes on). */
export async function autoCommand(services: Services, folder: string, flags: AutoFlags, out: Output): Promise<number> {
  const minutes = flags.minutes === undefined ? undefined : Number(flags.minutes)
  if (minutes !== undefined && !(minutes >= 1 && minutes <= 1440)) throw new OspreyError('bad-input', `--minutes must be a number from 1 to 1440, not "${String(flags.minutes)}".`)
  const seed = typeof flags.seed === 'string' ? Number(flags.seed) : undefined
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new OspreyError('bad-input', `--seed must be a whole number, not "${String(flags.seed)}".`)
  await services.queue?.ready()
  const plan = await services.auto.plan(folder, minutes)
  if (out.json) out.line({ type: 'plan', ...plan })
  else {
    out.text(
      `Find the best model in ${minutesText(plan.budgetMinutes)}: up to ${plan.searchMinutes} min searching, then about ${plan.finalMinutes} min training the winner on training + validation; its test accuracy is measured on ${plan.testImages} images the search never sees.`
    )
    for (const reason of plan.reasons) out.text(`  · ${reason}`)
  }
  const search = await services.auto.start({ folder, minutes, seed, ...(flags.trialsOn === 'queue' ? { trialsOn: 'queue' as const } : {}) })
  return follow(services, search, out)
}

/** `osprey auto resume <id>`. */
export async function autoResumeCommand(services: Services, id: string, out: Output): Promise<number> {
  await services.queue?.ready()
  return follow(services, await services.auto.resume(searchId(id)), out)
}

/** `osprey auto list`. */
export function autoListCommand(services: Services, out: Output): void {
  const searches = services.auto.list()
  if (out.json) return searches.forEach((s) => out.line({ type: 'auto', ...s }))
  if (searches.length === 0) return out.text('No searches yet. Start one: osprey auto <folder> --minutes 15')
  for (const s of searches) {
    const result = s.result ? `Run ${s.result.runId}: test accuracy ${s.result.testAccuracy.toFixed(4)}` : 'no final model'
    out.text(`${String(s.id).padStart(4)}  ${s.status.padEnd(11)} ${s.name}  ${(s.usedMs / 60_000).toFixed(1)}/${s.budgetMinutes} min  Study ${s.studyId}  ${result}`)
  }
}

async function follow(services: Services, search: AutoSearch, out: Output): Promise<number> {
  if (!out.json) out.text(`Search ${search.id}: Study ${search.studyId} (osprey studies show ${search.studyId}). Ctrl+C stops it; \`osprey auto resume ${search.id}\` goes on with the budget left.`)
  const disposers = [
    services.events.on('studies.trial', (trial) => {
      if (trial.studyId !== search.studyId || trial.status === 'running') return
      if (out.json) out.line({ type: 'trial', ...trial })
      else
        out.text(
          `Trial ${String(trialNumber(trial.number)).padStart(3)}  ${trial.status.padEnd(9)} val_loss ${trial.value === null ? '–' : trial.value.toFixed(4)}  ${trial.intermediate.length} ${trial.intermediate.length === 1 ? 'epoch' : 'epochs'}`
        )
    }),
    services.events.on('auto.status', (s) => {
      if (s.id !== search.id || s.status !== 'training' || !s.finalRunId) return
      if (out.json) out.line({ type: 'final', run: s.finalRunId })
      else out.text(`Training the winner on training + validation: Run ${s.finalRunId}.`)
    }),
    services.events.on('studies.status', ({ study }: { study: StudySummary }) => {
      if (study.id === search.studyId && study.status !== 'running' && !out.json)
        out.text(`Study ${study.id} ${study.status}: ${study.counts.completed} completed, ${study.counts.pruned} pruned, ${study.counts.failed} failed.`)
    })
  ]
  const stop = () => {
    out.text('Stopping: running Trials or the final Run stop now (Ctrl+C again to quit at once).')
    process.once('SIGINT', () => process.exit(130))
    services.auto.stop(search.id)
  }
  process.once('SIGINT', stop)
  const done = await services.auto.finished(search.id)
  process.off('SIGINT', stop)
  for (const dispose of disposers) dispose()
  const r = done.result
  const summary = {
    id: done.id,
    status: done.status,
    study: done.studyId,
    run: r?.runId ?? null,
    test_accuracy: r?.testAccuracy ?? null,
    test_interval: r ? [r.interval.low, r.interval.high] : null,
    test_images: r?.testImages ?? null,
    guessing: r?.guessing ?? null,
    best_trial: r ? trialNumber(r.trial.number) : null,
    no_trial_finished: r?.noTrialFinished ?? false,
    tied_trials: r?.tiedTrials ?? 0,
    params: r?.trial.params ?? null,
    budget_minutes: done.budgetMinutes,
    used_minutes: Number((done.usedMs / 60_000).toFixed(3)),
    error: done.error
  }
  if (out.json) out.line({ type: 'auto', ...summary })
  else {
    out.text(`Search ${done.id} ${done.status} in ${(done.usedMs / 60_000).toFixed(1)} of ${minutesText(done.budgetMinutes)}.`)
    if (r) {
      out.text(
        `Final model: Run ${r.runId} (${recipe(r)}; ${r.epochs} Epochs on training + validation): test accuracy ${r.testAccuracy.toFixed(4)} (95 % CI ${r.interval.low.toFixed(3)}–${r.interval.high.toFixed(3)}, ${r.testImages} images).`
      )
      if (r.guessing && r.chance)
        out.text(
          `No better than guessing yet: the interval reaches ${(r.chance * 100).toFixed(1)} %, a guess among ${Math.round(1 / r.chance)} classes. Give the search more time, or more images per class.`
        )
      const params = Object.entries(r.trial.params)
        .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v}`)
        .join(' ')
      const why = r.importance.map((i) => `${i.name} ${(i.importance * 100).toFixed(0)} %`).join(', ')
      out.text(r.importance.length ? `Why it won: ${why} of what mattered; the recipe: ${params}.` : `The recipe: ${params}.`)
    }
    if (done.error) out.error('failed', done.error)
  }
  return done.status === 'failed' ? 1 : 0
}

function searchId(text: string): number {
  const id = Number(text)
  if (!Number.isInteger(id) || id <= 0) throw new OspreyError('bad-input', `"${text}" is not a search id; see osprey auto list.`)
  return id
}

function minutesText(n: number): string {
  return `${n} minute${n === 1 ? '' : 's'}`
}

/** Which recipe the final model trained, and how it did in the search. */
function recipe(r: AutoResult): string {
  if (r.noTrialFinished) return `the default recipe, Trial ${trialNumber(r.trial.number)}: no Trial finished in the search's time`
  const tie = r.tiedTrials ? `, the first of ${r.tiedTrials} Trials that tie` : ''
  return `Trial ${trialNumber(r.trial.number)}'s recipe${tie}: validation loss ${r.trial.valLoss?.toFixed(4) ?? '–'}, accuracy ${r.trial.valAccuracy?.toFixed(4) ?? '–'}`
}
