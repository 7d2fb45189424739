/** The Find the best model commands: plan, start, pause, resume, stop, get, list. */
import type { Handlers } from '../dispatch'
import type { AutoService } from './service'

/** Their handlers over `auto`. */
export function autoHandlers(auto: AutoService) {
  return {
    'auto.plan': ({ folder, minutes }) => auto.plan(folder, minutes),
    'auto.start': (request) => auto.start(request),
    'auto.pause': ({ id }) => auto.pause(id),
    'auto.resume': ({ id }) => auto.resume(id),
    'auto.stop': ({ id }) => auto.stop(id),
    'auto.get': ({ id }) => auto.get(id),
    'auto.list': () => auto.list()
  } satisfies Partial<Handlers>
}
