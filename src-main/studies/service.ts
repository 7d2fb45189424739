/**
 * Studies on the main side: each Trial is a training Run in a worker; the strategy proposes,
 * this loop owns execution, pruning and storage. Everything needed to go on lives in SQLite, so
 * a Study stopped, or cut short by a crash, resumes without repeating a completed Trial.
 */
import { randomInt } from 'node:crypto'
import type { Objective, RunSummary, StudyDetail, StudyRequest, StudySummary } from '../contract'
import { whyUntrainable } from '../datasets/problems'
import type { DatasetService } from '../datasets/service'
import { OspreyError } from '../errors'
import type { EventBus } from '../events'
import type { Db } from '../store/db'
import { StudyRepository, type StudySettings } from '../store/studies'
import { checkRequest } from '../runs/config'
import type { TrainingService } from '../runs/service'
import { paramImportance } from '../tuning/importance'
import { applyParams, TUNABLE_NAMES } from '../tuning/params'
import { createPruner } from '../tuning/pruners'
import { studyRequestSchema } from '../tuning/request'
import { gridSize, LARGE_GRID, pointProblems, validateSpace } from '../tuning/space'
import { createStrategy } from '../tuning/strategies'
import type { Observation, Params, SearchSpace } from '../tuning/types'

/** What the service needs from the composition root. */
export interface StudyServiceDeps {
  db: Db
  events: EventBus
  training: TrainingService
  datasets: DatasetService
  /** Trials trained at once when a request does not say. */
  defaultParallel: number
  /** The clock a Study's time limit is read on (milliseconds); tests pass their own. */
  now?: () => number
}

interface ActiveStudy {
  stopping: boolean
  /** Trial number → its Run and the Run's Epochs, while it trains. */
  runs: Map<number, { id: number; epochs: number }>
  pruned: Set<number>
  done: Promise<void>
}

/** Studies: check a space, start, stop, resume, list, inspect, retrain the best. */
export class StudyService {
  #deps: StudyServiceDeps
  #studies: StudyRepository
  #active = new Map<number, ActiveStudy>()

  constructor(deps: StudyServiceDeps) {
    this.#deps = deps
    this.#studies = new StudyRepository(deps.db)
    this.#studies.interruptOrphans() // the loop of a Study cannot outlive the app that ran it
  }

  /** Every problem of a space, and the size of its grid. */
  checkSpace(space: unknown): { problems: string[]; gridSize: number | null } {
    try {
      return { problems: [], gridSize: gridSize(validateSpace(space, { known: TUNABLE_NAMES })) }
    } catch (e) {
      return { problems: spaceProblems(e), gridSize: null }
    }
  }

  /** Checks everything, records the Study and starts its Trials; resolves once it is recorded. */
  async start(input: StudyRequest): Promise<StudySummary> {
    const parsed = studyRequestSchema.safeParse(input)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'study'}: ${i.message}`)
      throw new OspreyError('bad-input', `The Study settings need fixing: ${issues.join('; ')}.`, issues)
    }
    const request = parsed.data
    const { problems, gridSize: points } = this.checkSpace(request.space)
    if (problems.length) throw new OspreyError('bad-input', `The search space needs fixing: ${problems.join('; ')}.`, problems)
    if (request.strategy === 'grid' && points! > LARGE_GRID && !request.confirmLargeGrid) {
      throw new OspreyError(
        'bad-input',
        `This grid has ${points!.toLocaleString('en')} points (over ${LARGE_GRID.toLocaleString('en')}). Confirm to start it anyway, or use fewer steps or the random or Bayesian strategy.`
      )
    }
    const startWith = request.startWith ?? []
    if (startWith.length && request.strategy === 'grid') throw new OspreyError('bad-input', 'A grid tries every point of its space: start it without Trials to try first.')
    const space = validateSpace(request.space, { known: TUNABLE_NAMES }) // checked above: it parses
    const outside = startWith.flatMap((params, i) => pointProblems(space, params).map((p) => `Trial ${i + 1} to try first: ${p}`))
    if (outside.length) throw new OspreyError('bad-input', `The Trials to try first need fixing: ${outside.join('; ')}.`, outside)
    checkRequest({ ...request.training, folder: request.folder }) // the shared settings, before touching the folder
    if (request.trialsOn === 'queue') this.#deps.training.queueReady()
    const report = await this.#deps.datasets.scan(request.folder)
    const why = whyUntrainable(report)
    if (why) throw new OspreyError('bad-input', `This dataset cannot be tuned on yet: ${why}`)
    const seed = request.seed ?? request.training?.seed ?? randomInt(2 ** 31 - 1)
    const settings: StudySettings = {
      folder: report.path,
      trials: request.strategy === 'grid' ? Math.min(request.trials, points!) : request.trials,
      timeBudgetMinutes: request.timeBudgetMinutes ?? null,
      parallel: request.parallel ?? this.#deps.defaultParallel,
      prune: request.prune ?? 'none',
      seed,
      // Every Trial shares the seed, so each trains on the same split from the same start.
      training: { ...request.training, seed: request.training?.seed ?? seed },
      ...(request.trialsOn === 'queue' ? { trialsOn: 'queue' as const } : {}),
      ...(startWith.length ? { startWith } : {})
    }
    const objective: Objective = request.objective ?? 'valAccuracy'
    const id = this.#studies.create({ name: request.name || `${report.name} · ${request.strategy}`, datasetId: report.id, strategy: request.strategy, objective, space: request.space, settings })
    this.#launch(id)
    return this.#summary(id)
  }

  /** Stops a Study: no new Trial starts, running ones stop; resume it later. */
  stop(id: number): StudySummary {
    const active = this.#active.get(id)
    if (!active) throw new OspreyError('bad-input', `Study ${id} is not running.`)
    active.stopping = true
    for (const run of active.runs.values()) this.#stopRun(run.id)
    return this.#summary(id)
  }

  /** Resumes a stopped or interrupted Study: unfinished Trials again, then new ones. */
  resume(id: number): StudySummary {
    const study = this.#summary(id)
    if (this.#active.has(id)) throw new OspreyError('bad-input', `Study ${id} is already running.`)
    if (study.status === 'completed' && study.counts.completed + study.counts.pruned + study.counts.failed >= study.trials) {
      throw new OspreyError('bad-input', `Study ${id} has run its whole budget of ${study.trials} Trials. Start a new Study to search further.`)
    }
    this.#launch(id)
    return this.#summary(id)
  }

  list(): StudySummary[] {
    return this.#studies.list()
  }

  get(id: number): StudyDetail {
    const detail = this.#studies.detail(id)
    if (!detail) throw new OspreyError('not-found', `No Study with id ${id}.`)
    const finished = detail.trialList.filter((t) => t.status === 'completed' && t.value !== null).map((t) => ({ params: t.params as Params, value: t.value! }))
    // Trials that all tie (or all guess) say nothing about which hyperparameter matters.
    return { ...detail, importance: detail.verdict ? [] : paramImportance(detail.space as SearchSpace, finished) }
  }

  /** Trains the best Trial's settings as an ordinary Run. */
  async useBest(id: number): Promise<RunSummary> {
    const study = this.get(id)
    if (!study.best) throw new OspreyError('bad-input', study.verdict ? `Study ${id} has no best Trial: ${study.verdict.headline.toLowerCase()}.` : `Study ${id} has no completed Trial yet.`)
    return this.#deps.training.start(applyParams({ ...study.training, folder: study.folder }, study.best.params as Params))
  }

  /** Resolves when Study `id` has stopped running (at once if it is not running). */
  async finished(id: number): Promise<StudySummary> {
    await this.#active.get(id)?.done
    return this.#summary(id)
  }

  #summary(id: number): StudySummary {
    const study = this.#studies.summary(id)
    if (!study) throw new OspreyError('not-found', `No Study with id ${id}.`)
    return study
  }

  #setStatus(id: number, status: StudySummary['status'], message: string | null = null): void {
    this.#studies.setStatus(id, status, message)
    this.#deps.events.emit('studies.status', { study: this.#summary(id), ...(message ? { message } : {}) })
  }

  #emitTrial(studyId: number, number: number): void {
    const trial = this.#studies.trial(studyId, number)
    if (trial) this.#deps.events.emit('studies.trial', trial)
  }

  #launch(id: number): void {
    const active: ActiveStudy = { stopping: false, runs: new Map(), pruned: new Set(), done: Promise.resolve() }
    this.#active.set(id, active)
    this.#studies.claim(id)
    this.#setStatus(id, 'running')
    active.done = this.#loop(id, active)
      .then(() => this.#setStatus(id, active.stopping ? 'stopped' : 'completed'))
      .catch((e: Error) => this.#setStatus(id, 'failed', `The Study stopped: ${e.message}`))
      .finally(() => this.#active.delete(id))
  }

  async #loop(id: number, active: ActiveStudy): Promise<void> {
    const detail = this.#studies.detail(id)!
    const settings = this.#studies.settings(id)!
    const space = validateSpace(detail.space, { known: TUNABLE_NAMES })
    const strategy = createStrategy(detail.strategy, space, settings.seed)
    const pruner = createPruner(settings.prune)
    const sign = detail.objective === 'valLoss' ? 1 : -1 // strategies and pruners minimize
    const observations = (): Observation[] =>
      this.#studies
        .trials(id)
        .map((t) => ({ number: t.number, params: t.params as Params, status: t.status, value: t.value === null ? null : sign * t.value, intermediate: t.intermediate.map((v) => sign * v) }))
    const now = this.#deps.now ?? Date.now
    const deadline = settings.timeBudgetMinutes ? now() + settings.timeBudgetMinutes * 60_000 : Infinity

    // The Trial whose Run is `runId`, while it trains.
    const trialOf = (runId: number) => [...active.runs].find(([, run]) => run.id === runId)?.[0]
    const disposePruning = this.#deps.events.on('runs.epoch', (epoch) => {
      const number = trialOf(epoch.runId)
      if (number === undefined || active.pruned.has(number) || active.stopping) return
      const all = observations()
      const trial = all.find((t) => t.number === number)!
      this.#emitTrial(id, number)
      // A rung on the last Epoch judges nothing: the Trial has finished and counts as completed.
      if (epoch.epoch >= active.runs.get(number)!.epochs) return
      if (
        pruner.shouldPrune(
          trial,
          all.filter((t) => t.number !== number),
          trial.intermediate.length
        )
      ) {
        active.pruned.add(number)
        this.#stopRun(epoch.runId)
      }
    })
    // A Trial on the queue shows which worker took it as soon as one does.
    const disposeStatus = this.#deps.events.on('runs.status', ({ run }) => {
      const number = trialOf(run.id)
      if (number !== undefined) this.#emitTrial(id, number)
    })
    try {
      const existing = this.#studies.trials(id)
      const unfinished = existing.filter((t) => t.status === 'running').map((t) => ({ number: t.number, params: t.params as Params, runId: t.runId }))
      let next = existing.reduce((n, t) => Math.max(n, t.number + 1), 0)
      const inFlight = new Map<number, Promise<void>>()
      let exhausted = false
      while (true) {
        while (!active.stopping && !exhausted && inFlight.size < settings.parallel && now() < deadline) {
          let trial: { number: number; params: Params; runId?: number | null } | undefined = unfinished.shift()
          if (!trial) {
            if (next >= settings.trials) break
            const params = settings.startWith?.[next] ?? strategy.suggest(observations(), next)
            if (!params) {
              exhausted = true
              break
            }
            trial = { number: next++, params }
          }
          const { number } = trial
          const runId = trial.runId ?? null
          this.#studies.startTrial(id, number, trial.params, runId)
          inFlight.set(
            number,
            this.#trial(id, active, number, trial.params, settings, sign, runId).finally(() => inFlight.delete(number))
          )
        }
        if (inFlight.size === 0) break
        await Promise.race(inFlight.values())
      }
    } finally {
      disposePruning()
      disposeStatus()
    }
  }

  /** Trains one Trial and records how it ended. Never throws: a failed Trial does not end the Study.
   *  `runId`: the Run of an unfinished Trial; a Run that completed is taken as it is, one on the queue is followed again. */
  async #trial(id: number, active: ActiveStudy, number: number, params: Params, settings: StudySettings, sign: number, runId: number | null = null): Promise<void> {
    let run: RunSummary
    try {
      run =
        (await this.#again(runId)) ??
        (await this.#deps.training.start(applyParams({ ...settings.training, folder: settings.folder }, params), { studyId: id, number, onQueue: settings.trialsOn === 'queue' }))
    } catch (e) {
      this.#studies.endTrial(id, number, 'failed', null, (e as Error).message)
      return this.#emitTrial(id, number)
    }
    this.#studies.startTrial(id, number, params, run.id)
    active.runs.set(number, { id: run.id, epochs: run.epochs })
    this.#emitTrial(id, number)
    if (active.stopping) this.#stopRun(run.id)
    const done = await this.#deps.training.finished(run.id)
    active.runs.delete(number)
    const trial = this.#studies.trial(id, number)!
    const value = (sign < 0 ? done.valAccuracy : done.valLoss) ?? null
    // A stop that came too late to cut the Run short prunes nothing.
    if (active.pruned.has(number) && done.status !== 'completed') {
      // Where it stood when stopped (as Optuna records it), as a completed Trial keeps its final value:
      // its best Epoch would make a Trial that fell behind look better than the winner, and teach the strategy so.
      this.#studies.endTrial(id, number, 'pruned', trial.intermediate.at(-1) ?? value)
    } else if (done.status === 'completed' && value !== null) this.#studies.endTrial(id, number, 'completed', value)
    else if (done.status === 'stopped' && active.stopping)
      return this.#emitTrial(id, number) // stays unfinished: a resume trains it again
    else this.#studies.endTrial(id, number, 'failed', null, done.error ?? `The Run ended ${done.status}.`)
    this.#emitTrial(id, number)
  }

  /** An unfinished Trial's Run that needs no new Run: completed (the studio stopped before recording
   *  the Trial), or on the queue and interrupted (the studio stopped; its job may have gone on). */
  async #again(runId: number | null): Promise<RunSummary | null> {
    if (runId === null) return null
    let run: RunSummary
    try {
      run = this.#deps.training.get(runId)
    } catch {
      return null // deleted meanwhile: train it anew
    }
    if (run.status === 'completed') return run
    if (run.status === 'interrupted' && run.worker) return this.#deps.training.resume(runId)
    return null
  }

  /** Stops a Run now, or as soon as its worker has started. */
  #stopRun(runId: number): void {
    try {
      this.#deps.training.stop(runId)
    } catch {
      const dispose = this.#deps.events.on('runs.status', ({ run }) => {
        if (run.id !== runId) return
        if (run.status === 'running') this.#deps.training.stop(runId)
        if (run.status !== 'queued') dispose()
      })
    }
  }
}

/** The problems listed in the space validator's error. */
function spaceProblems(e: unknown): string[] {
  const message = (e as Error).message
  const listed = message.split('\n- ').slice(1)
  return listed.length ? listed : [message]
}
