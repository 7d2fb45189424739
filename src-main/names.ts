/**
 * The contract's event names as a runtime list: the preload lets a page listen to these and no
 * other. Commands need no list: main's dispatch knows them from their request schemas and refuses
 * any other name, so a command's name is written in the contract, its schema and its handler only.
 */
import type { EventName } from './contract'

/** Every event name. */
export const eventNames = [
  'datasets.scanProgress',
  'datasets.changed',
  'runs.iteration',
  'runs.epoch',
  'runs.phase',
  'runs.status',
  'menu.action',
  'studies.trial',
  'studies.status',
  'backbones.progress',
  'labels.progress',
  'auto.status'
] as const satisfies readonly EventName[]

// Compile-time check that no contract event is missing from the list above.
const complete: Exclude<EventName, (typeof eventNames)[number]> extends never ? true : false = true
void complete
