/** The pretrained backbone commands: list, download, remove, inspect a model folder. */
import type { Handlers } from '../dispatch'
import type { BackboneService } from './service'

/** Their handlers over `backbones`. */
export function backboneHandlers(backbones: BackboneService) {
  return {
    'backbones.list': () => backbones.list(),
    'backbones.download': ({ id }) => backbones.download(id),
    'backbones.remove': ({ id }) => backbones.remove(id),
    'backbones.inspect': ({ folder }) => backbones.inspect(folder)
  } satisfies Partial<Handlers>
}
