/**
 * "Find the best model" on the main side: one time budget for a Study chosen from the Dataset
 * (./plan.ts), then the winner trained on training + validation, its test accuracy measured on
 * images the search never saw. The Study and the final Run are ordinary ones (History, compare,
 * reports); this loop only decides when each starts and stops, and keeps the clock.
 */
import { randomInt } from 'node:crypto'
import type { AutoPlanInfo, AutoResult, AutoSearch, RunDetail, StudyDetail, TrialsOn, TrainingRequest } from '../contract'
import { whyUntrainable } from '../datasets/problems'
import type { DatasetService } from '../datasets/service'
import { OspreyError } from '../errors'
import type { EventBus } from '../events'
import type { HistoryService } from '../history/service'
import type { Db } from '../store/db'
import { AutoRepository, type AutoRecord } from '../store/auto'
import type { StudyService } from '../studies/service'
import type { TrainingService } from '../runs/service'
import { applyParams } from '../tuning/params'
import { median } from '../tuning/pruners'
import { trialNumber, type Params } from '../tuning/types'
import { wilsonInterval } from '../verdict'
import { DEFAULT_BUDGET_MINUTES, finalRecipe, finalReserveMs, planSearch, reachesChance, winningTrial, type AutoPlan } from './plan'

/** What the service needs from the composition root. */
export interface AutoServiceDeps {
  db: Db
  events: EventBus
  datasets: DatasetService
  training: TrainingService
  studies: StudyService
  history: HistoryService
  /** Trials the machine trains at once. */
  slots: number
  /** The studio is connected to a job queue: a search sends its Trials to the workers unless asked otherwise. */
  queued?: boolean
  /** The images of a Dataset the user excluded after a label check: the Trials leave them out, and so does the plan. */
  excluded?: (datasetId: number) => string[]
}

/** A search this process drives. */
interface Active {
  /** When the current stretch of work began; null while paused. */
  since: number | null
  /** Why the loop should end early. */
  halt: 'pause' | 'stop' | null
  searchStopped: boolean
  finalStopped: boolean
  runId: number | null
  done: Promise<void>
}

// Starting a worker, loading tfjs, saving and evaluating: time a final Run needs beyond its Epochs.
const FINAL_OVERHEAD_MS = 15_000
// The same for a head on cached embeddings (2.9–3.4 s measured on 3 × 189 colour images), and the
// Study's running Trial stopping before the final Run can start: the least, on an idle machine; under
// load the Trials' own time outside their Epochs is used (a 1-minute budget's final Run then started
// 8 s after the Study was told to stop, and took 9 s).
const HEAD_OVERHEAD_MS = 4_000
const STUDY_STOP_MS = 4_000
// Starting a worker and loading tfjs: time a final Run with a time limit spends before its clock starts.
const WORKER_START_MS = 5_000
// The final Run stops this long before the budget ends, to save and evaluate inside it.
const STOP_AHEAD = 0.025
const TICK_MS = 500
/** How often a running search's clock is written: a search whose process dies resumes with the time it had left, not its whole budget. */
const CLOCK_SAVE_MS = 5_000
const FINAL_SPEEDUP = 1.8

/** Searches for the best model: plan, start, pause, resume, stop, list. */
export class AutoService {
  #deps: AutoServiceDeps
  #repo: AutoRepository
  #active = new Map<number, Active>()

  constructor(deps: AutoServiceDeps) {
    this.#deps = deps
    this.#repo = new AutoRepository(deps.db)
    this.#repo.interruptOrphans()
  }

  /** What a search on `folder` would do in `minutes`, before it starts. */
  async plan(folder: string, minutes = DEFAULT_BUDGET_MINUTES): Promise<AutoPlanInfo> {
    const { report, plan } = await this.#plan(folder, minutes)
    const searchMinutes = Math.round(minutes * plan.studyShare * 10) / 10
    return {
      folder: report.path,
      datasetId: report.id,
      budgetMinutes: minutes,
      family: plan.family,
      reasons: plan.reasons,
      space: plan.space,
      searchMinutes,
      finalMinutes: Math.round((minutes - searchMinutes) * 10) / 10,
      testImages: plan.testImages
    }
  }

  /** Scans the folder, plans, starts the Study; resolves once the search is recorded. */
  async start(request: { folder: string; minutes?: number; seed?: number; trialsOn?: TrialsOn }): Promise<AutoSearch> {
    const since = Date.now() // the budget counts from the button, scan included
    const minutes = request.minutes ?? DEFAULT_BUDGET_MINUTES
    const { report, plan } = await this.#plan(request.folder, minutes)
    const name = `${report.name} · Find the best model`
    const study = await this.#deps.studies.start({
      folder: report.path,
      name,
      space: plan.space as Record<string, unknown>,
      strategy: 'bayesian',
      trials: plan.trials,
      // A cap of the Study's own; the loop here stops it sooner, keeping time for the final Run.
      timeBudgetMinutes: minutes,
      parallel: plan.parallel,
      prune: 'asha',
      // Loss, not accuracy: on a small validation split many recipes tie at the same accuracy, while the loss still tells them apart.
      objective: 'valLoss',
      seed: request.seed ?? randomInt(2 ** 31 - 1),
      training: plan.training,
      ...(plan.startWith ? { startWith: plan.startWith } : {}),
      ...((request.trialsOn ?? (this.#deps.queued ? 'queue' : 'local')) === 'queue' ? { trialsOn: 'queue' as const } : {})
    })
    const id = this.#repo.create({ name, folder: report.path, datasetId: report.id, budgetMs: minutes * 60_000, plan })
    this.#repo.update(id, { studyId: study.id })
    this.#launch(id, since)
    return this.get(id)
  }

  /** Pauses: the Study stops (its unfinished Trials train again on resume), or the final Run pauses. The clock stops. */
  pause(id: number): AutoSearch {
    const active = this.#running(id)
    const record = this.#record(id)
    if (record.phase === 'search') {
      active.halt = 'pause'
      this.#stopStudy(record)
    } else if (active.runId !== null) {
      this.#deps.training.pause(active.runId)
      this.#account(id, active)
      this.#setStatus(id, 'paused')
    } else throw new OspreyError('bad-input', `The final Run of search ${id} is starting; pause it in a moment.`)
    return this.get(id)
  }

  /** Resumes a paused, stopped or interrupted search with the budget it has left. */
  async resume(id: number): Promise<AutoSearch> {
    const record = this.#record(id)
    const active = this.#active.get(id)
    if (active && active.since === null && active.runId !== null) {
      // The final Run was paused in this process: it goes on where it stopped.
      await this.#deps.training.resume(active.runId)
      active.since = Date.now()
      this.#setStatus(id, 'training')
      return this.get(id)
    }
    if (active) throw new OspreyError('bad-input', `The search ${id} is already running.`)
    if (!['paused', 'stopped', 'interrupted'].includes(record.status))
      throw new OspreyError('bad-input', `The search ${id} is ${record.status}; only a paused, stopped or interrupted one can be resumed.`)
    if (record.usedMs >= record.budgetMs * (1 - STOP_AHEAD))
      throw new OspreyError('bad-input', `The search ${id} has used its whole budget of ${record.budgetMinutes} minute${record.budgetMinutes === 1 ? '' : 's'}. Start a new search to look further.`)
    this.#launch(id, Date.now())
    return this.get(id)
  }

  /** Stops: running Trials stop, or the final Run stops (it keeps its model and is evaluated on the test split). */
  stop(id: number): AutoSearch {
    const active = this.#running(id)
    active.halt = 'stop'
    const record = this.#record(id)
    if (record.phase === 'search') this.#stopStudy(record)
    else if (active.runId !== null) this.#stopRun(active.runId)
    return this.get(id)
  }

  get(id: number): AutoSearch {
    return this.#view(this.#record(id))
  }

  list(): AutoSearch[] {
    return this.#repo.list().map((r) => this.#view(r))
  }

  /** Resolves when search `id` has stopped running (at once if it is not running). */
  async finished(id: number): Promise<AutoSearch> {
    await this.#active.get(id)?.done
    return this.get(id)
  }

  async #plan(folder: string, minutes: number): Promise<{ report: Awaited<ReturnType<DatasetService['scan']>>; plan: AutoPlan }> {
    const report = await this.#deps.datasets.scan(folder)
    const why = whyUntrainable(report)
    if (why) throw new OspreyError('bad-input', `This dataset cannot be trained on yet: ${why}`)
    try {
      return { report, plan: planSearch(report, minutes, this.#deps.slots, this.#deps.excluded?.(report.id)) }
    } catch (e) {
      throw new OspreyError('bad-input', (e as Error).message)
    }
  }

  #record(id: number): AutoRecord {
    const record = this.#repo.get(id)
    if (!record) throw new OspreyError('not-found', `No search with id ${id}.`)
    return record
  }

  #running(id: number): Active {
    const active = this.#active.get(id)
    if (!active || active.halt) throw new OspreyError('bad-input', `The search ${id} is not running.`)
    return active
  }

  /** The stored summary with the clock of a running search brought up to now. */
  #view(record: AutoRecord): AutoSearch {
    const { phase: _phase, budgetMs: _budget, plan: _plan, ...summary } = record
    const since = this.#active.get(record.id)?.since ?? null
    return { ...summary, usedMs: record.usedMs + (since === null ? 0 : Date.now() - since), at: new Date().toISOString() }
  }

  /** Time used so far, this stretch included. */
  #used(id: number, active: Active): number {
    return this.#record(id).usedMs + (active.since === null ? 0 : Date.now() - active.since)
  }

  /** Adds this stretch to the time used and stops the clock, or with `goOn` starts the next stretch now. */
  #account(id: number, active: Active, goOn = false): void {
    if (active.since === null) return
    const now = Date.now()
    this.#repo.update(id, { usedMs: this.#record(id).usedMs + now - active.since })
    active.since = goOn ? now : null
  }

  #setStatus(id: number, status: AutoSearch['status'], error: string | null = null): void {
    this.#repo.update(id, { status, error })
    this.#deps.events.emit('auto.status', this.get(id))
  }

  #launch(id: number, since: number): void {
    const active: Active = { since, halt: null, searchStopped: false, finalStopped: false, runId: null, done: Promise.resolve() }
    this.#active.set(id, active)
    this.#repo.claim(id)
    this.#setStatus(id, this.#record(id).phase === 'search' ? 'searching' : 'training')
    const tick = setInterval(() => {
      try {
        this.#tick(id, active)
      } catch {
        // A read that failed (a full disk, a Run deleted meanwhile) must not end the app; the next tick tries again.
      }
    }, TICK_MS)
    active.done = this.#drive(id, active)
      .then(() => {
        this.#account(id, active)
        this.#setStatus(id, active.halt === 'pause' ? 'paused' : active.halt === 'stop' ? 'stopped' : 'completed')
      })
      .catch((e: Error) => {
        this.#account(id, active)
        this.#setStatus(id, 'failed', e.message)
      })
      .finally(() => {
        clearInterval(tick)
        this.#active.delete(id)
      })
  }

  /** The budget's guard: ends the search in time for the final Run, and the final Run in time to be evaluated. */
  #tick(id: number, active: Active): void {
    if (active.since === null || active.halt) return
    const record = this.#repo.get(id)
    if (!record) return
    if (Date.now() - active.since >= CLOCK_SAVE_MS) this.#account(id, active, true)
    const used = this.#used(id, active)
    if (record.phase === 'search' && !active.searchStopped && used >= this.#searchLimit(record)) {
      active.searchStopped = true
      this.#stopStudy(record)
    }
    // A final Run with a time limit plans to end by then on its own: the guard waits for the budget's very end.
    const guard = record.plan.family === 'scratch' ? 1 : 1 - STOP_AHEAD
    if (record.phase === 'final' && active.runId !== null && !active.finalStopped && used >= record.budgetMs * guard) {
      // Stopped before its first Epoch, a head would have no model to test: a late start (a loaded machine) gets the budget's 5 % grace.
      if (guard < 1 && used < record.budgetMs * 1.05 && this.#deps.training.get(active.runId).epochsDone === 0) return
      active.finalStopped = true
      this.#stopRun(active.runId)
    }
  }

  /**
   * When the Study must end. From scratch: its share of the budget, or sooner when the final Run is
   * measured to need more (the final Run then takes all the time left). A head on embeddings the
   * Trials cached here takes seconds: once a Trial has measured it, the Study may use all but that.
   */
  #searchLimit(record: AutoRecord): number {
    const estimate = this.#finalEstimate(record)
    const beforeFinal = record.budgetMs * (1 - STOP_AHEAD) - (estimate?.reserveMs ?? record.plan.initialReserveSeconds * 1000)
    return estimate?.cachedHere ? beforeFinal : Math.min(record.budgetMs * record.plan.studyShare, beforeFinal)
  }

  async #drive(id: number, active: Active): Promise<void> {
    let record = this.#record(id)
    if (record.phase === 'search') {
      await this.#search(record, active)
      if (active.halt) return
      this.#repo.update(id, { phase: 'final' })
      this.#setStatus(id, 'training')
      record = this.#record(id)
    }
    await this.#final(record, active)
  }

  /** Runs (or resumes) the Study until it ends or the loop stops it. */
  async #search(record: AutoRecord, active: Active): Promise<void> {
    const studyId = record.studyId!
    const study = this.#deps.studies.get(studyId)
    // Resumed: the Study goes on while its share of the budget lasts (a Study that ran all its Trials is done).
    if ((study.status === 'stopped' || study.status === 'interrupted') && this.#used(record.id, active) < this.#searchLimit(record)) this.#deps.studies.resume(studyId)
    const done = await this.#deps.studies.finished(studyId)
    if (done.status === 'failed') throw new OspreyError('internal', done.error ?? 'The Study failed.')
  }

  /** Trains the winner on training + validation with its Epochs (as many as the budget allows), and records the test result. */
  async #final(record: AutoRecord, active: Active): Promise<void> {
    const study = this.#deps.studies.get(record.studyId!)
    const best = finalRecipe(record.plan, study)
    if (!best) {
      // Trials completed, but none learned: there is no recipe worth training, and the Study's verdict says why.
      if (study.verdict) throw new OspreyError('bad-input', `${study.verdict.headline}, so there is no recipe to train. ${study.verdict.detail} ${study.verdict.advice.join(' ')}`)
      const where = study.trialsOn === 'queue' ? ' Its Trials wait for workers on the job queue: is `osprey worker` running?' : ''
      throw new OspreyError(
        'bad-input',
        `No Trial completed within the budget (${study.counts.pruned} pruned, ${study.counts.failed} failed), so there is no recipe to train. Give the search more time.${where}`
      )
    }
    let runId = record.finalRunId
    if (runId !== null) {
      const run = this.#deps.training.get(runId)
      if (run.status === 'interrupted' || run.status === 'paused') await this.#deps.training.resume(runId)
    } else {
      const request = this.#finalRequest(record, study, best)
      const run = await this.#deps.training.start(request)
      runId = run.id
      this.#repo.update(record.id, { finalRunId: runId })
      this.#deps.history.rename(runId, `${record.name} · final (Trial ${trialNumber(best.number)} on training + validation)`)
      this.#deps.history.tag(runId, 'best-model')
      this.#deps.events.emit('auto.status', this.get(record.id))
    }
    active.runId = runId
    if (active.halt === 'stop') this.#stopRun(runId)
    const done = await this.#deps.training.finished(runId)
    if (done.status === 'failed' || done.status === 'interrupted') throw new OspreyError('internal', `The final Run ${runId} ${done.status}: ${done.error ?? 'see its page'}.`)
    const detail = this.#deps.training.get(runId)
    if (detail.evaluation?.split !== 'test') {
      if (active.halt) return // stopped before it had a model to test
      throw new OspreyError('internal', `The final Run ${runId} has no test result.`)
    }
    this.#repo.update(record.id, { result: this.#result(detail, study, best) })
  }

  /**
   * The winner's settings for the final Run: training + validation, no early stopping, its best Epoch
   * count. From scratch, the time left is its time limit: it trains the Iterations that fit, its schedule
   * spread over them, so it ends on time and annealed (an Epoch on a large Dataset is a large share of
   * the budget, too coarse to plan by). A head trains in seconds: its Epochs are cut to the time left.
   */
  #finalRequest(record: AutoRecord, study: StudyDetail, best: { number: number; params: Params }): TrainingRequest {
    const trial = study.trialList.find((t) => t.number === best.number)!
    const request = applyParams({ ...study.training, folder: study.folder }, best.params)
    const estimate = this.#finalEstimate(record)
    const { trainFraction: _subset, ...full } = request
    const left = record.budgetMs * (1 - STOP_AHEAD) - this.#used(record.id, this.#active.get(record.id)!)
    let epochs = estimate?.epochs ?? Math.max(1, trial.intermediate.length)
    const final: TrainingRequest = { ...full, trainOn: 'train+validation', earlyStopping: 0, seed: study.seed }
    if (request.model !== 'pretrained') return { ...final, epochs, timeLimitMinutes: Math.max(0.1, (left - WORKER_START_MS) / 60_000) }
    if (estimate) epochs = Math.max(1, Math.min(epochs, Math.floor((left - estimate.overheadMs) / estimate.epochMs)))
    const head = Math.min(epochs, request.epochs ?? epochs)
    const tuned = (request.fineTuneBlocks ?? 0) > 0 && epochs > head ? epochs - head : 0
    return { ...final, epochs: head, ...(tuned ? { fineTuneEpochs: tuned } : { fineTuneBlocks: 0 }) }
  }

  /**
   * From the best Trial so far: the Epochs the final Run should train, the time one of them takes on training + validation, and
   * the time to keep for it. Trials on a subset measure the pace before any finishes: the first to train an Epoch times it.
   */
  #finalEstimate(record: AutoRecord): { epochs: number; epochMs: number; overheadMs: number; reserveMs: number; cachedHere: boolean } | null {
    const study = this.#deps.studies.get(record.studyId!)
    const best = winningTrial(study)
    const measured = (t: StudyDetail['trialList'][number]) => t.runId !== null && t.intermediate.length > 0
    const trial = best ? study.trialList.find((t) => t.number === best.number) : record.plan.finalEpochsAtLeast ? study.trialList.find(measured) : undefined
    if (!trial || trial.runId === null || !measured(trial)) return null
    let run: RunDetail
    try {
      run = this.#deps.training.get(trial.runId)
    } catch {
      return null
    }
    if (!run.split || run.epochMetrics.length === 0) return null
    const epochMs = run.epochMetrics.reduce((s, e) => s + e.durationMs, 0) / run.epochMetrics.length
    const fraction = run.config.trainFraction ?? 1
    const fullTrain = run.split.train / fraction + run.split.validation
    // Trials from scratch share the cores (one thread each); the final Run has them all (two replicas on wasm): on Fashion-MNIST
    // here two Trials side by side trained ~180 images/s each, one Run ~375 (an estimate; the budget guard stops it in time if wrong).
    const scratch = run.config.model !== 'pretrained'
    const speedup = scratch && record.plan.parallel > 1 ? FINAL_SPEEDUP : 1
    // From scratch, by training throughput (an Epoch of a subset Trial is mostly its full validation pass; a Run still training has
    // its Iterations' pace); a head's Epochs are tiny either way.
    const paces = run.iterationMetrics.map((i) => i.imagesPerSecond).filter((v) => v > 0)
    const pace = run.imagesPerSecond ?? (paces.length ? median(paces) : null)
    const perEpoch = scratch && pace ? ((fullTrain / pace) * 1000) / speedup : (epochMs * fullTrain) / Math.max(1, run.split.train) / speedup
    // The recipe won with all its Epochs (its value is its last weights'); a Trial on a subset says little about Epochs on all images, so there the time decides.
    const epochs = fraction < 1 ? 30 : trial.intermediate.length
    // A head on the embeddings its Trials cached on this machine; Trials on workers cached them there, and the final Run computes them again.
    const cachedHere = !scratch && !(run.config.fineTuneBlocks ?? 0) && !run.worker
    // A loaded machine starts, saves and evaluates slower: a Trial's time outside its Epochs is that, measured now (on this
    // machine only: a Trial on a worker also waited on the queue, and the final Run trains here).
    const outsideEpochs = Math.min(...study.trialList.map((t) => (!t.worker && t.wallMs != null && t.durationMs != null ? t.wallMs - t.durationMs : Infinity)))
    const outside = Number.isFinite(outsideEpochs) ? outsideEpochs : 0
    const overheadMs = Math.max(cachedHere ? HEAD_OVERHEAD_MS : FINAL_OVERHEAD_MS, outside)
    const reserveMs = finalReserveMs(record.plan, record.budgetMs, { epochMs: perEpoch, aroundMs: Math.max(STUDY_STOP_MS, outside) + overheadMs, epochs, subset: fraction < 1 })
    return { epochs, epochMs: perEpoch, overheadMs, cachedHere, reserveMs }
  }

  #result(run: RunDetail, study: StudyDetail, { number, tied }: { number: number; tied?: number }): AutoResult {
    const evaluation = run.evaluation!
    const n = evaluation.perClass.reduce((s, c) => s + c.support, 0)
    const correct = evaluation.confusion.reduce((s, row, i) => s + row[i], 0)
    const trial = study.trialList.find((t) => t.number === number)!
    const finished = trial.status === 'completed'
    const interval = wilsonInterval(correct, n)
    const classes = evaluation.perClass.length
    return {
      runId: run.id,
      testAccuracy: correct / n,
      interval,
      testImages: n,
      chance: 1 / classes,
      guessing: reachesChance(interval, classes),
      // An unfinished Trial's figures are those of a recipe cut short: none are shown for it.
      trial: {
        number,
        params: trial.params,
        valLoss: finished ? trial.value : null,
        valAccuracy: finished && trial.runId !== null ? this.#deps.training.get(trial.runId).valAccuracy : null,
        runId: trial.runId
      },
      ...(finished ? {} : { noTrialFinished: true }),
      ...(tied ? { tiedTrials: tied } : {}),
      epochs: run.epochMetrics.length,
      importance: study.importance
    }
  }

  #stopStudy(record: AutoRecord): void {
    try {
      this.#deps.studies.stop(record.studyId!)
    } catch {
      // Not running (ended meanwhile): nothing to stop.
    }
  }

  #stopRun(runId: number): void {
    try {
      this.#deps.training.stop(runId)
    } catch {
      // Not running yet or any more: the loop sees how it ended.
    }
  }
}
