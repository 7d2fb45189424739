/** The job queue's command: which queue, connected or not, and its workers. */
import type { Handlers } from '../dispatch'
import type { QueueHandle } from '../services'

/** Its handler over `queue`, when the host connected one. */
export function queueHandlers(queue: QueueHandle | undefined) {
  return {
    'queue.status': async () => (queue ? queue.status() : { url: null, connected: false, workers: [] })
  } satisfies Partial<Handlers>
}
