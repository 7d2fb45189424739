/** The Datasets commands, each handed to the Dataset service. */
import type { Handlers } from '../dispatch'
import type { DatasetService } from './service'

/** Their handlers over `datasets`. */
export function datasetHandlers(datasets: DatasetService) {
  return {
    'datasets.list': () => datasets.list(),
    'datasets.scan': ({ path }) => datasets.scan(path),
    'datasets.cancelScan': ({ path }) => ({ cancelled: datasets.cancelScan(path) }),
    'datasets.get': ({ id }) => datasets.get(id),
    'datasets.thumbnails': ({ id, perClass, size }) => datasets.thumbnails(id, perClass, size),
    'datasets.rename': ({ id, name }) => datasets.rename(id, name),
    'datasets.forget': ({ id }) => ({ forgotten: datasets.forget(id) })
  } satisfies Partial<Handlers>
}
