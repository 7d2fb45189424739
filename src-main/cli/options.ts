/**
 * Which options each command reads. The command line parses the options of every command at once,
 * so a misspelt one (`--epoch=50`) or one of another command (`train --name`) used to be ignored
 * without a word; now any option the command does not read is refused, naming the one meant.
 */
import { closest as closestOf, distance } from 'fastest-levenshtein'
import { OspreyError } from '../errors'
import { TRAIN_OPTIONS } from './training'
import { TUNE_OPTIONS } from './tuning'

/** Read by every command. */
const EVERYWHERE = ['data-dir', 'json', 'help']
/** How a command that runs Trials reaches the workers of a queue (see `studioQueue`). */
const QUEUE = ['redis', 'studio-host', 'studio-port', 'studio-url', 'allow-remote']
const HISTORY_QUERY = ['tag', 'dataset', 'status', 'search', 'sort', 'limit']
const HTML_REPORT = ['html', 'overwrite']
/** Commands whose second word names what to do (`runs show`), not a folder or Run. */
const WITH_SUBCOMMANDS = new Set(['datasets', 'runs', 'studies', 'backbones'])

/** By "command sub", else by command; a command not named reads none beyond EVERYWHERE. */
const READS: Record<string, string[]> = {
  'datasets check-labels': ['seed'],
  train: Object.keys(TRAIN_OPTIONS),
  tune: [...Object.keys(TRAIN_OPTIONS), ...Object.keys(TUNE_OPTIONS), ...QUEUE],
  'auto list': [],
  'auto resume': QUEUE,
  auto: ['minutes', 'seed', ...QUEUE],
  'studies show': HTML_REPORT,
  'studies resume': QUEUE,
  'runs list': HISTORY_QUERY,
  'runs export': [...HISTORY_QUERY, 'format'],
  'runs compare': HTML_REPORT,
  predict: ['backend'],
  export: ['overwrite'],
  serve: ['port', 'host', 'allow-remote', ...QUEUE],
  worker: ['redis', 'concurrency', 'worker-name', 'studio', 'copy-datasets'],
  cluster: ['workers', 'port']
}

/** Throws a bad-input error naming the first option in `given` that `command` (with `sub`) does not read. */
export function refuseUnknownOptions(command: string, sub: string | undefined, given: Record<string, unknown>): void {
  const name = `${command} ${sub ?? ''}`.trim()
  const reads = new Set([...EVERYWHERE, ...(READS[name] ?? READS[command] ?? [])])
  const unknown = Object.keys(given).find((option) => !reads.has(option))
  if (unknown === undefined) return
  const shown = flag(unknown)
  const meant = closest(unknown, [...reads])
  const elsewhere = Object.entries(READS).flatMap(([command, options]) => (options.includes(unknown) ? [`osprey ${command}`] : []))
  const hint = meant ? `did you mean ${flag(meant)}?` : elsewhere.length ? `it is an option of ${elsewhere.join(' and ')}.` : 'osprey --help lists the options.'
  const which = READS[name] || (WITH_SUBCOMMANDS.has(command) && sub) ? name : command
  throw new OspreyError('bad-input', `${which} does not take ${shown}: ${hint}`)
}

const flag = (option: string) => (option.length === 1 ? `-${option}` : `--${option}`)

/** Names people bring from Keras, PyTorch and the app's own labels, too far from ours for edits to find. */
const KNOWN_AS: Record<string, string[]> = {
  'learning-rate': ['lr'],
  'validation-split': ['val-split'],
  'early-stopping': ['early-stop'],
  patience: ['early-stop'],
  normalization: ['normalize'],
  augmentation: ['augment'],
  batch: ['batch-size'],
  'fine-tune-learning-rate': ['fine-tune-lr'],
  'augmented-views': ['views'],
  budget: ['minutes', 'time-limit'],
  'time-budget': ['minutes', 'time-limit']
}

/** The option `typed` is known as, or one or two edits away from it (a letter missed, added or wrong), if any. */
function closest(typed: string, options: string[]): string | undefined {
  const known = KNOWN_AS[typed]?.find((option) => options.includes(option))
  if (known) return known
  const nearest = options.length ? closestOf(typed, options) : undefined
  return nearest !== undefined && distance(typed, nearest) <= 2 ? nearest : undefined
}
