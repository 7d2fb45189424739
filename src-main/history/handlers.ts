/** The History commands: find, annotate, compare, export and delete past Runs. */
import type { Handlers } from '../dispatch'
import type { HistoryService } from './service'

/** Their handlers over `history`. */
export function historyHandlers(history: HistoryService) {
  return {
    'history.query': (query) => history.query(query),
    'history.tags': () => history.tags(),
    'runs.rename': ({ id, name }) => history.rename(id, name),
    'runs.note': ({ id, notes }) => history.note(id, notes),
    'runs.tag': ({ id, tag }) => history.tag(id, tag),
    'runs.untag': ({ id, tag }) => history.untag(id, tag),
    'runs.delete': ({ id }) => history.delete(id),
    'runs.compare': ({ ids }) => history.compare(ids),
    'runs.export': ({ format, query, ids }) => history.export(format, query, ids),
    'runs.artifacts': ({ id }) => history.artifacts(id)
  } satisfies Partial<Handlers>
}
