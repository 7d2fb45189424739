/** The HTML report commands: a Run, a comparison, a Study. */
import type { Handlers } from '../dispatch'
import type { ReportService } from './service'

/** Their handlers over `reports`. */
export function reportHandlers(reports: ReportService) {
  return {
    'report.compare': ({ ids }) => reports.compare(ids),
    'report.run': ({ id }) => reports.run(id),
    'report.study': ({ id }) => reports.study(id)
  } satisfies Partial<Handlers>
}
