/** The HTML report commands: a Run, a comparison, a Study. */
import type { Handlers } from '../dispatch'
import type { ReportService } from './service'

/** Their handlers over `reports`. */
export function reportHandlers(reports: ReportService) {
  return {
    'runs.compareReport': ({ ids }) => reports.compare(ids),
    'runs.report': ({ id }) => reports.run(id),
    'studies.report': ({ id }) => reports.study(id)
  } satisfies Partial<Handlers>
}
