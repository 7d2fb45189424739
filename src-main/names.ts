/** The contract's command and event names as runtime lists (the preload's whitelist). */
import type { CommandName, EventName } from './contract'

/** Every command name; `satisfies` keeps the list in step with the contract. */
export const commandNames = [
  'app.info',
  'datasets.list',
  'datasets.scan',
  'datasets.cancelScan',
  'datasets.get',
  'datasets.thumbnails',
  'datasets.rename',
  'datasets.forget',
  'runs.start',
  'runs.pause',
  'runs.resume',
  'runs.stop',
  'runs.list',
  'runs.get',
  'runs.defaults',
  'runs.augmentPreview',
  'runs.findLearningRate',
  'runs.estimate',
  'dialog.openFolder',
  // Studies
  'studies.checkSpace',
  'studies.start',
  'studies.stop',
  'studies.resume',
  'studies.list',
  'studies.get',
  'studies.useBest',
  // Run history
  'history.query',
  'history.tags',
  'runs.rename',
  'runs.note',
  'runs.tag',
  'runs.untag',
  'runs.delete',
  'runs.compare',
  'runs.export',
  'runs.artifacts',
  // Try it, export, top-loss gallery
  'runs.predict',
  'runs.exportModel',
  'runs.topLossImages',
  // HTML reports
  'runs.compareReport',
  'runs.report',
  'studies.report',
  // Pretrained backbones
  'backbones.list',
  'backbones.download',
  'backbones.remove',
  'backbones.inspect',
  // Label checks
  'datasets.checkLabels',
  'datasets.labelCheck',
  'datasets.imageThumbnails',
  'datasets.showImage',
  'datasets.reviewLabel',
  // Trials on a job queue
  'queue.status',
  // Find the best model
  'auto.plan',
  'auto.start',
  'auto.pause',
  'auto.resume',
  'auto.stop',
  'auto.get',
  'auto.list'
] as const satisfies readonly CommandName[]

/** Every event name. */
export const eventNames = [
  'datasets.scanProgress',
  'runs.iteration',
  'runs.epoch',
  'runs.phase',
  'runs.status',
  'menu.action',
  'studies.trial',
  'studies.status',
  'backbones.progress',
  'datasets.labelCheckProgress',
  'auto.status'
] as const satisfies readonly EventName[]

// Compile-time check that no contract name is missing from the lists above.
type Missing<T, L extends readonly unknown[]> = Exclude<T, L[number]>
const complete: [Missing<CommandName, typeof commandNames>, Missing<EventName, typeof eventNames>] extends [never, never] ? true : false = true
void complete
