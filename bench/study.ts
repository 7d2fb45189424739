/**
 * `npm run bench:study -- [--trials 20] [--parallel 2] [--per-class 150] [--epochs 9]
 *   [--strategy random|bayesian] [--seed 1] [--json]`: a real Study on a Fashion-MNIST subset, run
 * twice through the services (every Trial a Run in a worker): with ASHA pruning and without.
 * Reports each Study's best validation accuracy, wall time and Epochs trained, and the Epochs
 * pruning saved. Target: ≥ 40 % fewer Epochs for a best result within 1 % of the
 * unpruned Study's. The random strategy (default) asks both Studies for the same Trials, so the
 * comparison is like for like.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { PrunerName, StrategyName, StudyDetail } from '../src-main/contract'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { createServices } from '../src-main/services'
import { exportFashionMnist } from './fashion-mnist'

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    parallel: { type: 'string', default: '2' },
    'per-class': { type: 'string', default: '150' },
    epochs: { type: 'string', default: '9' },
    strategy: { type: 'string', default: 'random' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean' }
  }
})
const perClass = Number(values['per-class'])
const folder = join(tmpdir(), 'osprey-bench', `fashion-mnist-${perClass}-per-class`)
await exportFashionMnist(folder, { split: 'train', perClass })

const space = {
  lr: { type: 'float', low: 1e-4, high: 3e-2, log: true },
  units: { type: 'int', low: 16, high: 256, log: true },
  dropout: { type: 'float', low: 0, high: 0.6, step: 0.1 },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd'] }
}
const training = { model: 'reference-cnn' as const, imageSize: 28, epochs: Number(values.epochs), batchSize: 64, earlyStopping: 0 }
const log = (line: string) => !values.json && console.log(line)

/** Runs one Study in a fresh data folder; returns it with its wall time. */
async function study(prune: PrunerName): Promise<{ detail: StudyDetail; wallMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-study-'))
  const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  services.events.on('studies.trial', (t) => t.status !== 'running' && log(`  [${prune}] Trial ${t.number} ${t.status} after ${t.intermediate.length} Epochs: ${t.value?.toFixed(4) ?? '–'}`))
  const started = Date.now()
  const { id } = await services.studies.start({
    folder,
    space,
    strategy: values.strategy as StrategyName,
    trials: Number(values.trials),
    parallel: Number(values.parallel),
    prune,
    seed: Number(values.seed),
    training
  })
  await services.studies.finished(id)
  const wallMs = Date.now() - started
  const detail = services.studies.get(id)
  services.close()
  rmSync(dataDir, { recursive: true, force: true })
  return { detail, wallMs }
}

const summarize = ({ detail, wallMs }: Awaited<ReturnType<typeof study>>) => ({
  best_val_accuracy: detail.best?.value ?? null,
  wall_s: Math.round(wallMs / 1000),
  epochs: detail.trialList.reduce((n, t) => n + t.intermediate.length, 0),
  counts: detail.counts
})

log(`Fashion-MNIST, ${perClass} images per class; ${values.trials} Trials, ${values.parallel} in parallel, ${values.strategy}, up to ${training.epochs} Epochs each`)
const pruned = summarize(await study('asha'))
log(`ASHA: ${JSON.stringify(pruned)}`)
const full = summarize(await study('none'))
log(`none: ${JSON.stringify(full)}`)
const result = {
  asha: pruned,
  none: full,
  epochs_saved: 1 - pruned.epochs / full.epochs,
  best_gap: (full.best_val_accuracy ?? 0) - (pruned.best_val_accuracy ?? 0),
  wall_ratio: pruned.wall_s / full.wall_s
}
if (values.json) console.log(JSON.stringify(result))
else
  console.log(
    `Pruning saved ${(result.epochs_saved * 100).toFixed(0)} % of the Epochs and ${((1 - result.wall_ratio) * 100).toFixed(0)} % of the wall time; best ${pruned.best_val_accuracy?.toFixed(4)} vs ${full.best_val_accuracy?.toFixed(4)} (gap ${result.best_gap.toFixed(4)}).`
  )
