/**
 * The Run history on the main side: query, annotate, compare, export and delete Runs. Deleting
 * removes the Run's files under the data folder too, never anything outside it.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { ComparedRun, HistoryPage, HistoryQuery, HistoryRun, Response, RunComparison } from '../contract'
import { OspreyError } from '../errors'
import type { Db } from '../store/db'
import { ACTIVE_STATUSES, HistoryRepository } from '../store/history'
import { RunRepository } from '../store/runs'
import { bestRuns, configDifferences, configSettings } from './compare'
import { runsToCsv, runsToJson } from './export'

/** Points per iteration curve in a comparison: enough for a chart a few hundred pixels wide. */
const COMPARE_POINTS = 500

/** Browse, search, tag, compare, export and delete past Runs. */
export class HistoryService {
  #history: HistoryRepository
  #runs: RunRepository
  #dataDir: string

  constructor(deps: { db: Db; dataDir: string }) {
    this.#history = new HistoryRepository(deps.db)
    this.#runs = new RunRepository(deps.db)
    this.#dataDir = deps.dataDir
  }

  query(q: HistoryQuery = {}): HistoryPage {
    return this.#history.query(q)
  }

  tags(): { tag: string; runs: number }[] {
    return this.#history.tags()
  }

  /** One Run as the list shows it; not-found when there is none. */
  get(id: number): HistoryRun {
    const run = this.#history.get(id)
    if (!run) throw new OspreyError('not-found', `No Run with id ${id}; see osprey runs list.`)
    return run
  }

  rename(id: number, name: string): HistoryRun {
    const trimmed = name.trim()
    if (!trimmed) throw new OspreyError('bad-input', 'A Run needs a name: type at least one character.')
    if (!this.#history.rename(id, trimmed)) this.get(id)
    return this.get(id)
  }

  note(id: number, notes: string): HistoryRun {
    if (!this.#history.setNotes(id, notes)) this.get(id)
    return this.get(id)
  }

  tag(id: number, tag: string): HistoryRun {
    this.get(id)
    this.#history.tag(id, cleanTag(tag))
    return this.get(id)
  }

  untag(id: number, tag: string): HistoryRun {
    this.get(id)
    this.#history.untag(id, tag.trim())
    return this.get(id)
  }

  /** A Run's files and whether each still exists under the data folder. */
  artifacts(id: number): Response<'history.artifacts'> {
    this.get(id)
    return this.#history.artifacts(id).map((a) => ({ ...a, exists: this.#inside(resolve(this.#dataDir, a.path)) && existsSync(resolve(this.#dataDir, a.path)) }))
  }

  /** Deletes a finished Run, its metrics and its files; refuses one that is training. */
  delete(id: number): { deleted: boolean; filesRemoved: number } {
    const run = this.get(id)
    if (ACTIVE_STATUSES.includes(run.status)) throw new OspreyError('bad-input', `Run ${id} is ${run.status}: stop it first, then delete it.`)
    // The files to remove are read before the rows (and their artifact list) go.
    const paths = [join(this.#dataDir, 'runs', String(id)), ...this.#history.artifactPaths(id).map((p) => resolve(this.#dataDir, p))]
    if (!this.#history.delete(id)) throw new OspreyError('bad-input', `Run ${id} started again meanwhile: stop it first, then delete it.`)
    let filesRemoved = 0
    for (const path of new Set(paths)) {
      if (!this.#inside(path) || !existsSync(path)) continue
      filesRemoved += countFiles(path)
      rmSync(path, { recursive: true, force: true })
    }
    return { deleted: true, filesRemoved }
  }

  /** 2 to 10 Runs side by side. */
  compare(ids: number[]): RunComparison {
    const unique = [...new Set(ids)]
    if (unique.length < 2 || unique.length > 10) throw new OspreyError('bad-input', `Compare 2 to 10 different Runs (got ${unique.length}).`)
    return this.runs(unique)
  }

  /** Runs laid out as a comparison, however many (one for a Run's own report). */
  runs(ids: number[]): RunComparison {
    const unique = [...new Set(ids)]
    const runs: ComparedRun[] = unique.map((id) => {
      const detail = this.#runs.detail(id, COMPARE_POINTS)
      if (!detail) throw new OspreyError('not-found', `No Run with id ${id}; see osprey runs list.`)
      return {
        run: this.get(id),
        config: detail.config,
        epochs: detail.epochMetrics,
        iterations: detail.iterationMetrics.map(({ iteration, epoch, loss, accuracy, elapsedMs }) => ({ iteration, epoch, loss, accuracy, elapsedMs })),
        evaluation: detail.evaluation
      }
    })
    const configs = runs.map((r) => r.config)
    return { runs, settings: configSettings(configs), differences: configDifferences(configs), best: bestRuns(runs.map((r) => r.run)) }
  }

  /** The Runs a query (or a list of ids) matches, every page, as CSV or JSON. */
  export(format: 'csv' | 'json', query: HistoryQuery = {}, ids?: number[]): Response<'history.export'> {
    const runs = this.#history.all(query, ids)
    const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-')
    return { format, filename: `osprey-runs-${stamp}.${format}`, text: format === 'csv' ? runsToCsv(runs) : runsToJson(runs) }
  }

  #inside(path: string): boolean {
    const rel = relative(this.#dataDir, path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  }
}

function cleanTag(tag: string): string {
  const trimmed = tag.trim()
  if (!trimmed || trimmed.length > 64) throw new OspreyError('bad-input', 'A tag is 1 to 64 characters, e.g. "baseline".')
  return trimmed
}

function countFiles(path: string): number {
  if (!statSync(path).isDirectory()) return 1
  return readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).length
}
