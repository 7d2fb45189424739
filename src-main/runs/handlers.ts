/** The Run commands of the Train screen: start and steer a Run, its defaults, estimate and previews; Try it, export and the top-loss gallery. */
import type { Handlers } from '../dispatch'
import type { RunModelService } from './run-model'
import type { TrainingService } from './service'

/** Their handlers over `training` and `runModels`. */
export function trainingHandlers(training: TrainingService, runModels: RunModelService) {
  return {
    'runs.start': ({ config }) => training.start(config),
    'runs.pause': ({ id }) => training.pause(id),
    'runs.resume': ({ id }) => training.resume(id),
    'runs.stop': ({ id }) => training.stop(id),
    'runs.list': () => training.list(),
    'runs.get': ({ id }) => training.get(id),
    'runs.defaults': ({ folder, model }) => training.defaults(folder, model),
    'runs.augmentPreview': (request) => training.augmentPreview(request),
    'runs.findLearningRate': ({ config }) => training.findLearningRate(config),
    'runs.estimate': ({ config }) => training.estimate(config),
    'runs.predict': ({ id, paths }) => runModels.predict(id, paths),
    'runs.exportModel': ({ id, folder, overwrite }) => runModels.exportModel(id, folder, overwrite),
    'runs.topLossImages': ({ id, size }) => runModels.topLossImages(id, size)
  } satisfies Partial<Handlers>
}
