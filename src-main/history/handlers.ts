/** The History commands: find, annotate, compare, export and delete past Runs. */
import type { Handlers } from '../dispatch'
import type { HistoryService } from './service'

/** Their handlers over `history`. */
export function historyHandlers(history: HistoryService) {
  return {
    'history.query': (query) => history.query(query),
    'history.tags': () => history.tags(),
    'history.rename': ({ id, name }) => history.rename(id, name),
    'history.note': ({ id, notes }) => history.note(id, notes),
    'history.tag': ({ id, tag }) => history.tag(id, tag),
    'history.untag': ({ id, tag }) => history.untag(id, tag),
    'history.delete': ({ id }) => history.delete(id),
    'history.compare': ({ ids }) => history.compare(ids),
    'history.export': ({ format, query, ids }) => history.export(format, query, ids),
    'history.artifacts': ({ id }) => history.artifacts(id)
  } satisfies Partial<Handlers>
}
