/** The label check commands: check a Dataset, read the check, review an image. */
import type { Handlers } from '../dispatch'
import { OspreyError } from '../errors'
import type { LabelService } from './service'

/** Their handlers over `labels`. */
export function labelHandlers(labels: LabelService) {
  return {
    'datasets.checkLabels': ({ id, seed }) => labels.check(id, seed),
    'datasets.labelCheck': ({ id }) => labels.get(id),
    'datasets.imageThumbnails': ({ id, paths, size }) => labels.thumbnails(id, paths, size),
    'datasets.showImage': () => {
      throw new OspreyError('unsupported', 'Showing a file in its folder works only in the desktop app; the path is shown beside the image.')
    },
    'datasets.reviewLabel': ({ id, path, decision }) => labels.review(id, path, decision)
  } satisfies Partial<Handlers>
}
