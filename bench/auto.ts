/**
 * "Find the best model" against the defaults, the way the app runs both (services, worker
 * processes, wasm here):
 *
 *   npx tsx bench/auto.ts --dataset colour [--minutes 5] [--classes 6] [--per-class 100] [--seed 1] [--json]
 *     a colour-shapes set made on the spot; `osprey auto` for --minutes, then one Run with the
 *     defaults (`model: auto`) on the same split; both scored on the same held-out test images.
 *   npx tsx bench/auto.ts --dataset fmnist [--minutes 15] [--seed 1] [--json]
 *     the 60,000 Fashion-MNIST training images as a folder; the final model is also scored on the
 *     official 10,000 test images (as bench/quality.ts scores the defaults: 0.926 in 24 minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { wilsonInterval } from '../src-main/verdict'
import { predictFiles } from '../src-main/engine/predict'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { createServices } from '../src-main/services'
import { trialNumber } from '../src-main/tuning/types'
import { SHAPES, writeShapeDataset } from './colour-shapes'
import { exportFashionMnist, labelledFiles } from './fashion-mnist'

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'colour' },
    minutes: { type: 'string' },
    classes: { type: 'string', default: '6' },
    'per-class': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean' },
    defaults: { type: 'boolean', default: true }
  }
})
const fmnist = values.dataset === 'fmnist'
const minutes = Number(values.minutes ?? (fmnist ? 15 : 5))
const seed = Number(values.seed)
const work = mkdtempSync(join(tmpdir(), 'osprey-bench-auto-'))
const folder = fmnist ? join(tmpdir(), 'osprey-bench', 'fashion-mnist-train') : join(work, 'shapes')
const testDir = join(tmpdir(), 'osprey-bench', 'fashion-mnist-test')
if (fmnist) {
  await exportFashionMnist(folder, { split: 'train' })
  await exportFashionMnist(testDir, { split: 'test' })
} else await writeShapeDataset(folder, { classes: SHAPES.slice(0, Number(values.classes)), perClass: Number(values['per-class']), seed })

const dataDir = join(work, 'data')
const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
const t0 = Date.now()
const log = (line: string) => !values.json && console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s  ${line}`)
services.events.on(
  'studies.trial',
  (t) => t.status !== 'running' && log(`Trial ${t.number} ${t.status}: val loss ${t.value?.toFixed(4) ?? '–'} after ${t.intermediate.length} Epochs ${JSON.stringify(t.params)}`)
)
services.events.on('auto.status', (s) => log(`search ${s.status}${s.finalRunId ? ` (final Run ${s.finalRunId})` : ''}`))

const plan = await services.auto.plan(folder, minutes)
log(`plan: ${plan.family}; ${plan.reasons.join(' ')}`)
const started = Date.now()
const search = await services.auto.start({ folder, minutes, seed })
const done = await services.auto.finished(search.id)
const wallMs = Date.now() - started
const result = done.result
if (!result) throw new Error(`The search ended ${done.status} without a final model: ${done.error}`)
const final = services.training.get(result.runId)
const study = services.studies.get(done.studyId!)

/** Accuracy of a Run's model on the official Fashion-MNIST test images, as the studio predicts (`mirror` unset) or with one look only (`mirror: false`). */
async function officialTest(runId: number, mirror?: boolean): Promise<number> {
  const files = labelledFiles(testDir)
  const predictions = await predictFiles(
    services.training.modelPath(runId)!,
    files.map((f) => f.path),
    { backend: 'wasm', mirror }
  )
  return predictions.filter((p, i) => p.label === files[i].label).length / files.length
}

// The defaults on the same split (same seed and fractions: the same test images), for comparison.
let defaults: Record<string, unknown> | null = null
if (!fmnist && values.defaults) {
  const split = { validationSplit: final.config.validationSplit, testSplit: final.config.testSplit, seed: study.seed }
  const t1 = Date.now()
  const run = await services.training.start({ folder, ...split })
  const ended = await services.training.finished(run.id)
  const detail = services.training.get(run.id)
  const evaluation = detail.evaluation!
  const n = evaluation.perClass.reduce((s, c) => s + c.support, 0)
  const correct = evaluation.confusion.reduce((s, row, i) => s + row[i], 0)
  defaults = {
    run: run.id,
    model: detail.config.model,
    image_size: detail.config.imageSize,
    epochs_done: ended.epochsDone,
    status: ended.status,
    split: evaluation.split,
    test_accuracy: correct / n,
    test_interval: Object.values(wilsonInterval(correct, n)),
    minutes: Number(((Date.now() - t1) / 60_000).toFixed(2))
  }
  log(`defaults: Run ${run.id} test accuracy ${(correct / n).toFixed(4)} in ${defaults.minutes} min`)
}

const summary = {
  dataset: fmnist ? 'fashion-mnist (60,000 training images)' : `colour shapes, ${values.classes} classes × ${values['per-class']} images`,
  budget_minutes: minutes,
  used_minutes: Number((done.usedMs / 60_000).toFixed(2)),
  wall_minutes: Number((wallMs / 60_000).toFixed(2)),
  status: done.status,
  family: plan.family,
  trials: study.counts,
  best_trial: trialNumber(result.trial.number), // from 1, as the app shows it
  no_trial_finished: result.noTrialFinished ?? false, // then the final Run trained Trial 1, the default recipe
  final_started_minute: Number(((Date.parse(final.createdAt) - started) / 60_000).toFixed(2)),
  params: result.trial.params,
  final_run: result.runId,
  final_epochs: result.epochs,
  final_train_images: final.split?.train,
  test_images: result.testImages,
  test_accuracy: result.testAccuracy,
  test_interval: [result.interval.low, result.interval.high],
  importance: result.importance.slice(0, 4).map((i) => `${i.name} ${Math.round(i.importance * 100)} %`),
  // The same model with one look per image: what averaging with the mirror adds (the final Run trains with horizontal flips).
  ...(fmnist ? { official_test_accuracy: await officialTest(result.runId), official_test_accuracy_one_look: await officialTest(result.runId, false), official_test_images: 10_000 } : {}),
  defaults
}
services.close()
rmSync(work, { recursive: true, force: true })
if (!values.json) console.log(summary)
console.log(JSON.stringify(summary))
