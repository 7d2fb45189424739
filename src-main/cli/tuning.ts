/** `osprey tune`, `osprey studies list|show|resume`. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { StudyDetail, StudyRequest, StudySummary, TrialSummary } from '../contract'
import { tieNote } from '../studies/best'
import { trialNumber } from '../tuning/types'
import { verdictText } from './output'
import { OspreyError } from '../errors'
import type { Services } from '../services'
import type { Output } from './output'
import { writeReport, type ReportFlags } from './report'
import { numberFlag, trainingRequest, type TrainFlags } from './training'

/** Options `osprey tune` adds to the training flags. */
export const TUNE_OPTIONS = {
  space: { type: 'string' },
  strategy: { type: 'string' },
  trials: { type: 'string' },
  parallel: { type: 'string' },
  prune: { type: 'string' },
  objective: { type: 'string' },
  'time-budget': { type: 'string' },
  name: { type: 'string' },
  yes: { type: 'boolean' }
} as const

/** `osprey tune <folder> --space FILE …`: runs a Study to its end; Ctrl+C stops it (resumable). */
export async function tuneCommand(services: Services, folder: string, flags: TrainFlags, out: Output): Promise<number> {
  await services.queue?.ready() // with --redis: say now when Redis cannot be reached
  const study = await services.studies.start(studyRequest(folder, flags))
  return follow(services, study, out)
}

/** `osprey studies resume <id>`. */
export async function studiesResumeCommand(services: Services, id: string, out: Output): Promise<number> {
  await services.queue?.ready()
  return follow(services, services.studies.resume(studyId(id)), out)
}

async function follow(services: Services, study: StudySummary, out: Output): Promise<number> {
  const objective = study.objective
  const where = services.queue && services.studies.get(study.id).trialsOn === 'queue' ? ` on the workers of ${services.queue.url}` : ''
  if (!out.json)
    out.text(
      `Study ${study.id} (${study.strategy}, ${study.trials} Trials${where}, objective ${objective}, pruning ${study.prune}). Ctrl+C stops it; \`osprey studies resume ${study.id}\` goes on later.`
    )
  const dispose = services.events.on('studies.trial', (trial) => {
    if (trial.studyId !== study.id) return
    if (out.json) return out.line({ type: 'trial', ...trial })
    if (trial.status !== 'running') out.text(trialLine(trial, objective))
  })
  const stop = () => {
    out.text('Stopping the Study: running Trials stop now; completed ones are kept (Ctrl+C again to quit at once).')
    process.once('SIGINT', () => process.exit(130))
    services.studies.stop(study.id)
  }
  process.once('SIGINT', stop)
  const done = await services.studies.finished(study.id)
  process.off('SIGINT', stop)
  dispose()
  const best = done.best
  const result = {
    id: done.id,
    status: done.status,
    trials: done.counts,
    verdict: done.verdict,
    best_trial: best ? trialNumber(best.number) : null,
    best_params: best?.params ?? null,
    best_run: best?.runId ?? null,
    objective,
    best_value: best?.value ?? null,
    error: done.error
  }
  if (out.json) out.line({ type: 'study', ...result })
  else {
    out.text(`Study ${done.id} ${done.status}: ${done.counts.completed} completed, ${done.counts.pruned} pruned, ${done.counts.failed} failed.`)
    if (best) out.text(`Best: Trial ${trialNumber(best.number)} (Run ${best.runId}) ${objective} ${best.value.toFixed(4)} with ${formatParams(best.params)}${tied(best, objective)}`)
    if (done.verdict) out.text(verdictText(done.verdict))
    if (done.error && done.status === 'failed') out.error('failed', done.error)
  }
  return done.status === 'failed' ? 1 : 0
}

/** What a search space file holds. */
const SPACE_EXAMPLE = 'one JSON object, a hyperparameter per key, e.g. {"lr": {"type": "float", "low": 0.0001, "high": 0.1, "log": true}}'

/** `osprey studies list`. */
export function studiesListCommand(services: Services, out: Output): void {
  const studies = services.studies.list()
  if (out.json) return studies.forEach((s) => out.line({ type: 'study', ...s }))
  if (studies.length === 0) return out.text('No Studies yet. Start one: osprey tune <folder> --space space.json --strategy bayesian --trials 20')
  for (const s of studies) {
    const best = s.best ? `best ${s.objective} ${s.best.value.toFixed(4)}` : s.verdict ? s.verdict.headline.toLowerCase() : 'no result yet'
    out.text(`${String(s.id).padStart(4)}  ${s.status.padEnd(11)} ${s.name}  ${s.counts.completed + s.counts.pruned + s.counts.failed}/${s.trials} Trials  ${best}  ${s.createdAt}`)
  }
}

/** `osprey studies show <id>`; with `--html FILE`, writes the Study's HTML report instead. */
export function studiesShowCommand(services: Services, id: string, out: Output, flags: ReportFlags = {}): void {
  // HTML reports
  if (flags.html !== undefined) return void writeReport(services.reports.study(studyId(id)), flags, out)
  const study: StudyDetail = services.studies.get(studyId(id))
  if (out.json) return out.line({ type: 'study', ...study })
  out.text(`Study ${study.id}: ${study.name} — ${study.status}; ${study.strategy}, pruning ${study.prune}, objective ${study.objective}, ${study.parallel} in parallel, seed ${study.seed}`)
  out.text(`Folder: ${study.folder}`)
  out.text(`Space: ${JSON.stringify(study.space)}`)
  for (const trial of study.trialList) out.text(trialLine(trial, study.objective))
  if (study.importance.length) out.text(`Importance: ${study.importance.map((i) => `${i.name} ${(i.importance * 100).toFixed(0)}%`).join(', ')}`)
  if (study.best) out.text(`Best: Trial ${trialNumber(study.best.number)} (Run ${study.best.runId}) ${study.objective} ${study.best.value.toFixed(4)}${tied(study.best, study.objective)}`)
  if (study.verdict) out.text(verdictText(study.verdict))
}

/** The study request the flags describe; the training flags set what every Trial shares. */
export function studyRequest(folder: string, flags: TrainFlags): StudyRequest {
  if (typeof flags.space !== 'string') throw new OspreyError('bad-input', `Name the search space: --space FILE (${SPACE_EXAMPLE}).`)
  let text: string
  try {
    text = readFileSync(resolve(flags.space), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file: check the path'
        : code === 'EISDIR'
          ? 'it is a folder: name the JSON file in it'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (e as Error).message
    throw new OspreyError('bad-input', `Cannot read the search space ${flags.space}: ${why}.`)
  }
  let space: unknown
  try {
    space = JSON.parse(text)
  } catch (e) {
    throw new OspreyError('bad-input', `The search space ${flags.space} is not valid JSON (${(e as Error).message}). Write ${SPACE_EXAMPLE}.`)
  }
  if (typeof space !== 'object' || space === null || Array.isArray(space)) throw new OspreyError('bad-input', `The search space ${flags.space} must be ${SPACE_EXAMPLE}.`)
  const number = (name: string) => numberFlag(flags, name)
  const { folder: resolved, ...training } = trainingRequest(folder, flags)
  const request = {
    folder: resolved,
    name: flags.name,
    space,
    strategy: flags.strategy ?? 'bayesian',
    trials: number('trials') ?? 20,
    timeBudgetMinutes: number('time-budget'),
    parallel: number('parallel'),
    prune: flags.prune,
    // The spelling of earlier versions still works in scripts.
    objective: flags.objective === 'val_accuracy' ? 'valAccuracy' : flags.objective === 'val_loss' ? 'valLoss' : flags.objective,
    seed: number('seed'),
    training,
    confirmLargeGrid: flags.yes === true,
    trialsOn: flags.trialsOn === 'queue' ? 'queue' : undefined
  }
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as unknown as StudyRequest
}

function studyId(text: string): number {
  const id = Number(text)
  if (!Number.isInteger(id) || id <= 0) throw new OspreyError('bad-input', `"${text}" is not a Study id; see osprey studies list.`)
  return id
}

function trialLine(t: TrialSummary, objective: string): string {
  const value = t.value === null ? '–' : t.value.toFixed(4)
  const why = t.status === 'failed' && t.error ? `  (${t.error})` : ''
  const worker = t.worker && t.worker !== 'queue' ? `  on ${t.worker}` : ''
  return `Trial ${String(trialNumber(t.number)).padStart(3)}  ${t.status.padEnd(9)} ${objective} ${value}  ${t.intermediate.length} ${t.intermediate.length === 1 ? 'epoch ' : 'epochs'}  ${formatParams(t.params)}${worker}${why}`
}

function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v}`)
    .join(' ')
}

/** After the best Trial's line: how a tie for best was broken, if there was one. */
function tied(best: NonNullable<StudySummary['best']>, objective: StudySummary['objective']): string {
  const note = tieNote(best, objective)
  return note ? ` (${note.replace(/\.$/, '')})` : ''
}
