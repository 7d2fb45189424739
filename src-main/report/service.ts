/** Makes the HTML reports (one Run, a comparison, a Study) from what the history and Study services already answer. */
import type { HtmlReport } from '../contract'
import type { HistoryService } from '../history/service'
import type { StudyService } from '../studies/service'
import { compareReport, compareReportFilename, runReportFilename } from './compare'
import { studyReport, studyReportFilename } from './study'

/** Comparison and Study reports, stamped with the app's version and the time they were made. */
export class ReportService {
  #deps: { history: Pick<HistoryService, 'compare' | 'runs'>; studies: Pick<StudyService, 'get'>; version: string; now: () => Date }

  constructor(deps: { history: Pick<HistoryService, 'compare' | 'runs'>; studies: Pick<StudyService, 'get'>; version: string; now?: () => Date }) {
    this.#deps = { now: () => new Date(), ...deps }
  }

  /** 2 to 10 Runs compared; fails like `history.compare` does (not-found, bad-input). */
  compare(ids: number[]): HtmlReport {
    const comparison = this.#deps.history.compare(ids)
    const meta = this.#meta()
    return { filename: compareReportFilename(comparison, meta.generatedAt), html: compareReport(comparison, meta) }
  }

  /** One Run on its own; not-found when there is none. */
  run(id: number): HtmlReport {
    const comparison = this.#deps.history.runs([id])
    const meta = this.#meta()
    return { filename: runReportFilename(id, meta.generatedAt), html: compareReport(comparison, meta) }
  }

  /** One Study with every Trial; not-found when there is none. */
  study(id: number): HtmlReport {
    const study = this.#deps.studies.get(id)
    const meta = this.#meta()
    return { filename: studyReportFilename(study, meta.generatedAt), html: studyReport(study, meta) }
  }

  #meta() {
    return { version: this.#deps.version, generatedAt: this.#deps.now().toISOString() }
  }
}
