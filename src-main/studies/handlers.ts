/** The Study commands, each handed to the Study service. */
import type { Handlers } from '../dispatch'
import type { StudyService } from './service'

/** Their handlers over `studies`. */
export function studyHandlers(studies: StudyService) {
  return {
    'studies.checkSpace': ({ space }) => studies.checkSpace(space),
    'studies.start': ({ study }) => studies.start(study),
    'studies.stop': ({ id }) => studies.stop(id),
    'studies.resume': ({ id }) => studies.resume(id),
    'studies.list': () => studies.list(),
    'studies.get': ({ id }) => studies.get(id),
    'studies.useBest': ({ id }) => studies.useBest(id)
  } satisfies Partial<Handlers>
}
