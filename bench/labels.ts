/**
 * The label check against known mistakes: `npm run bench:labels -- [--set fashion-mnist|colour] [--per-class 300] [--rate 0.05] [--seed 1] [--train] [--json]`
 *
 * 1. Exports `--per-class` Fashion-MNIST training images per class (the Debian package) — or, with
 *    `--set colour`, makes that many photo-like colour images of 6 shapes (bench/colour-shapes.ts) — then a
 *    noisy copy where a `--rate` share of the images, chosen at random (seeded), sit in another
 *    class's folder, chosen at random: mislabeled on purpose.
 * 2. Scans the noisy copy and runs the app's label check on it (services, worker; the included
 *    backbone for the colour set, default CNNs from scratch for Fashion-MNIST's 28-pixel grayscale):
 *    precision and recall of the flagged images against the flipped ones (target: both ≥ 0.8), and
 *    the near-duplicates it reports across the split.
   `--data-dir D` keeps the data folder (the scan, the embeddings) in D for the next run.
 * 3. With `--train`: trains the default recipe twice on the noisy copy, as is and without the
 *    flagged images, and scores both on 2,000 official test images.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { predictFiles } from '../src-main/engine/predict'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { Random } from '../src-main/pipeline/random'
import { createServices } from '../src-main/services'
import { SHAPES, writeShapeDataset } from './colour-shapes'
import { exportFashionMnist } from './fashion-mnist'

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'fashion-mnist' },
    'per-class': { type: 'string', default: '300' },
    rate: { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '1' },
    train: { type: 'boolean' },
    json: { type: 'boolean' },
    'data-dir': { type: 'string' }
  }
})
const perClass = Number(values['per-class'])
const rate = Number(values.rate)
const seed = Number(values.seed)
const note = (m: string) => console.error(`[bench:labels] ${m}`)

const colour = values.set === 'colour'
const root = join(tmpdir(), 'osprey-bench', `labels-${values.set}-${perClass}`)
const clean = join(root, 'clean')
if (colour) {
  if (!existsSync(join(clean, '.complete.json'))) await writeShapeDataset(clean, { classes: SHAPES, perClass, seed: 2027 })
  writeFileSync(join(clean, '.complete.json'), '{}')
} else await exportFashionMnist(clean, { split: 'train', perClass })
const noisy = join(root, `noisy-${rate}-${seed}`)
rmSync(noisy, { recursive: true, force: true })
cpSync(clean, noisy, { recursive: true, filter: (src) => !src.endsWith('.complete.json') })
const classes = readdirSync(noisy).filter((d) => !d.startsWith('.'))
const files = classes.flatMap((c) => readdirSync(join(noisy, c)).map((f) => ({ c, f })))
const rng = new Random(seed).fork('flips')
const flipped = new Set<string>()
for (const { c, f } of rng.shuffle([...files]).slice(0, Math.round(files.length * rate))) {
  const others = classes.filter((o) => o !== c)
  const to = others[rng.int(others.length)]
  renameSync(join(noisy, c, f), join(noisy, to, f))
  flipped.add(`${to}/${f}`)
}
note(`${files.length} images, ${flipped.size} moved to a wrong class folder`)

// --data-dir keeps the data folder (scan, embeddings) for the next run.
const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'osprey-bench-labels-'))
const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
const load = loadavg()[0]
try {
  const report = await services.datasets.scan(noisy)
  const started = Date.now()
  services.events.on('labels.progress', (p) => note(p.message))
  const check = await services.labels.check(report.id)
  const seconds = (Date.now() - started) / 1000
  const flagged = new Set(check.suspects.map((s) => s.path))
  const hits = [...flagged].filter((p) => flipped.has(p)).length
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    model: check.model,
    images: files.length,
    flipped: flipped.size,
    flagged: flagged.size,
    precision: Math.round((hits / Math.max(1, flagged.size)) * 1000) / 1000,
    recall: Math.round((hits / Math.max(1, flipped.size)) * 1000) / 1000,
    outOfFoldAccuracy: Math.round(check.accuracy * 1000) / 1000,
    leaks: check.leaks.length,
    checkSeconds: Math.round(seconds),
    loadAverage1mBefore: Math.round(load * 100) / 100,
    target: { precision: 0.8, recall: 0.8 }
  }
  if (values.train) {
    if (colour) throw new Error('--train scores on the Fashion-MNIST test images: use it with --set fashion-mnist')
    const test = join(tmpdir(), 'osprey-bench', 'fashion-mnist-test-200')
    await exportFashionMnist(test, { split: 'test', perClass: 200 })
    const testFiles = readdirSync(test)
      .filter((d) => !d.startsWith('.'))
      .flatMap((c) => readdirSync(join(test, c)).map((f) => ({ path: join(test, c, f), label: c })))
    const accuracyOf = async (exclude: string[]) => {
      const run = await services.training.start({ folder: noisy, seed, backend: 'wasm', exclude })
      await services.training.finished(run.id)
      const predictions = await predictFiles(
        services.training.modelPath(run.id)!,
        testFiles.map((f) => f.path),
        { backend: 'wasm' }
      )
      return predictions.filter((p, i) => p.label === testFiles[i].label).length / testFiles.length
    }
    result.testAccuracyAsIs = await accuracyOf([])
    result.testAccuracyWithoutFlagged = await accuracyOf([...flagged])
    result.testImages = testFiles.length
  }
  if (!values.json) console.log(JSON.stringify(result, null, 2))
  else console.log(JSON.stringify(result))
  writeFileSync(join(root, 'last-result.json'), JSON.stringify(result))
  writeFileSync(join(root, 'last-suspects.json'), JSON.stringify(check.suspects.map((s) => ({ ...s, flipped: flipped.has(s.path) }))))
} finally {
  services.close()
  if (!values['data-dir']) rmSync(dataDir, { recursive: true, force: true })
}
