/** The label check commands: check a Dataset, read the check, review an image. */
import type { Handlers } from '../dispatch'
import { OspreyError } from '../errors'
import type { LabelService } from './service'

/** Their handlers over `labels`. */
export function labelHandlers(labels: LabelService) {
  return {
    'labels.check': ({ id, seed }) => labels.check(id, seed),
    'labels.stop': ({ id }) => ({ stopped: labels.stop(id) }),
    'labels.get': ({ id }) => labels.get(id),
    'labels.thumbnails': ({ id, paths, size }) => labels.thumbnails(id, paths, size),
    'labels.showImage': () => {
      throw new OspreyError('unsupported', 'Showing a file in its folder works only in the desktop app; the path is shown beside the image.')
    },
    'labels.review': ({ id, path, decision }) => labels.review(id, path, decision)
  } satisfies Partial<Handlers>
}
