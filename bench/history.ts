/**
 * `npm run bench:history -- [--json] [--runs N] [--epochs N] [--iterations N] [--keep]`: fills a
 * database with 10,000 Runs × 50 Epochs × 200 Iteration points each (one transaction), then measures
 * the History list's first page, a filtered + sorted query, a search, a comparison of 10 Runs, a CSV
 * export of every Run, and the database size per Run. Targets: ≤ 50 ms, ≤ 100 ms, ≤ 150 ms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { HistoryService } from '../src-main/history/service'
import { openDatabase, type Db } from '../src-main/store/db'
import { Random } from '../src-main/pipeline/random'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    keep: { type: 'boolean' },
    runs: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '50' },
    iterations: { type: 'string', default: '200' }
  }
})
const RUNS = Number(values.runs)
const EPOCHS = Number(values.epochs)
const ITERATIONS = Number(values.iterations)
const CLASSES = 10
const log = (text: string) => !values.json && console.log(text)

function fill(db: Db): void {
  const rng = new Random(42)
  const random = () => rng.next()
  const models = ['reference-cnn', 'default-cnn', 'compact-resnet']
  const statuses = ['completed', 'completed', 'completed', 'completed', 'stopped', 'failed', 'interrupted']
  const classes = Array.from({ length: CLASSES }, (_, i) => `class-${i}`)
  const dataset = db.prepare("INSERT INTO datasets (path, name, fingerprint, images, report_json, scanned_at) VALUES (?, ?, ?, 1000, '{}', '2026-11-27T00:00:00Z')")
  const run = db.prepare(`INSERT INTO runs (name, dataset_id, fingerprint, status, config_json, seed, backend, versions_json, summary_json, notes, created_at, started_at, ended_at, duration_ms)
    VALUES (@name, @dataset, 'f', @status, @config, @seed, @backend, '{"tfjs":"4.22.0"}', @summary, @notes, @created, @created, @created, @duration)`)
  const epoch = db.prepare('INSERT INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const iteration = db.prepare('INSERT INTO iterations (run_id, iteration, epoch, loss, accuracy, learning_rate, elapsed_ms, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const tag = db.prepare('INSERT INTO tags (run_id, tag) VALUES (?, ?)')
  const artifact = db.prepare("INSERT INTO artifacts (run_id, kind, path, bytes) VALUES (?, 'model', ?, 1000000)")
  const start = Date.parse('2025-01-01T00:00:00Z')
  db.transaction(() => {
    for (let d = 1; d <= 5; d++) dataset.run(`/data/set-${d}`, `set-${d}`, `fp${d}`)
    for (let r = 1; r <= RUNS; r++) {
      const model = models[r % 3]
      const lr = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2][Math.floor(random() * 5)]
      const status = statuses[Math.floor(random() * statuses.length)]
      const accuracy = status === 'failed' ? null : 0.5 + 0.45 * random()
      const config = {
        folder: `/data/set-${1 + (r % 5)}`,
        model,
        imageSize: 32,
        epochs: EPOCHS,
        batchSize: [32, 64, 128][r % 3],
        optimizer: 'adam',
        learningRate: lr,
        weightDecay: 0,
        schedule: 'cosine',
        earlyStopping: 5,
        normalization: 'standardize',
        augmentation: { flipHorizontal: true, flipVertical: false, rotation: 10, scale: 0.8, translate: 0.1, brightness: 0.2, contrast: 0.2, saturation: 0, hue: 0, blur: 0, noise: 0, erasing: 0.25 },
        validationSplit: null,
        testSplit: null,
        seed: r,
        backend: 'auto'
      }
      const confusion = classes.map((_, t) => classes.map((_, p) => (t === p ? 80 : Math.floor(random() * 4))))
      const evaluation =
        accuracy === null
          ? null
          : {
              split: 'validation',
              classes,
              confusion,
              accuracy,
              loss: 1 - accuracy,
              perClass: classes.map((name) => ({ name, precision: random(), recall: random(), f1: random(), support: 100 })),
              topLosses: Array.from({ length: 16 }, (_, i) => ({ path: `class-${i % CLASSES}/img-${i}.png`, label: 'class-0', predicted: 'class-1', confidence: 0.9, loss: 3 }))
            }
      const summary =
        accuracy === null
          ? null
          : JSON.stringify({ valAccuracy: accuracy, valLoss: 1 - accuracy, imagesPerSecond: 500 + 1000 * random(), normalizationStats: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, evaluation })
      const created = new Date(start + r * 3_600_000).toISOString()
      const id = Number(
        run.run({
          name: `set-${1 + (r % 5)} · ${model} · run ${r}`,
          dataset: 1 + (r % 5),
          status,
          config: JSON.stringify(config),
          seed: r,
          backend: r % 4 === 0 ? 'tensorflow' : 'wasm',
          summary,
          notes: r % 7 === 0 ? `tried lr ${lr} with heavier augmentation` : '',
          created,
          duration: Math.floor(60_000 + 600_000 * random())
        }).lastInsertRowid
      )
      for (let e = 1; e <= EPOCHS; e++) epoch.run(id, e, 1 / e, 1 - 1 / (e + 1), 1.1 / e, (accuracy ?? 0.5) * (e / EPOCHS), lr, 1000)
      for (let i = 1; i <= ITERATIONS; i++) iteration.run(id, i, Math.ceil((i * EPOCHS) / ITERATIONS), 1 / i, 1 - 1 / (i + 1), lr, i * 100, 500)
      if (r % 5 === 0) tag.run(id, 'baseline')
      if (r % 11 === 0) tag.run(id, 'keep')
      artifact.run(id, `runs/${id}/model`)
    }
  })()
}

/** Median and slowest of `n` timed calls, in milliseconds, plus the first (cold statement cache). */
function time(n: number, work: () => unknown): { first: number; median: number; max: number } {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    work()
    times.push(performance.now() - t)
  }
  const sorted = [...times].sort((a, b) => a - b)
  const round = (x: number) => Math.round(x * 100) / 100
  return { first: round(times[0]), median: round(sorted[Math.floor(n / 2)]), max: round(sorted.at(-1)!) }
}

const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-history-'))
const file = join(dir, 'osprey.db')
log(`Filling ${file}: ${RUNS} Runs × ${EPOCHS} Epochs × ${ITERATIONS} Iteration points…`)
let t = performance.now()
const writer = openDatabase(file)
fill(writer)
writer.pragma('wal_checkpoint(TRUNCATE)')
writer.close()
const fillSeconds = (performance.now() - t) / 1000
log(`  filled in ${fillSeconds.toFixed(1)} s`)

// A fresh connection, as the app opens it at start.
const db = openDatabase(file)
const history = new HistoryService({ db, dataDir: dir })
const ids = history.query({ limit: 10, sort: { by: 'valAccuracy', direction: 'desc' } }).runs.map((r) => r.id)
const filtered = { datasetId: 3, status: ['completed' as const], metric: { name: 'valAccuracy' as const, min: 0.8 }, sort: { by: 'valAccuracy' as const, direction: 'desc' as const }, limit: 100 }
const figures = {
  runs: RUNS,
  epochs: EPOCHS,
  iterationsPerRun: ITERATIONS,
  fillSeconds: Math.round(fillSeconds * 10) / 10,
  firstPageMs: time(20, () => history.query({ limit: 100 })),
  filteredSortedMs: time(20, () => history.query(filtered)),
  tagSortedByLossMs: time(20, () => history.query({ tag: 'keep', sort: { by: 'valLoss', direction: 'asc' }, limit: 100 })),
  searchMs: time(20, () => history.query({ search: 'heavier augment', sort: { by: 'durationMs', direction: 'desc' }, limit: 100 })),
  lastPageMs: time(5, () => history.query({ offset: RUNS - 100, limit: 100 })),
  compare10Ms: time(20, () => history.compare(ids)),
  exportCsvAllMs: time(3, () => history.export('csv')),
  matches: { filtered: history.query(filtered).total, search: history.query({ search: 'heavier augment' }).total },
  dbBytes: statSync(file).size,
  bytesPerRun: Math.round(statSync(file).size / RUNS)
}
db.close()
if (!values.keep) rmSync(dir, { recursive: true, force: true })

const ok = (ms: number, limit: number) => (ms <= limit ? 'ok' : 'OVER')
log(`first page of 100:          median ${figures.firstPageMs.median} ms (first ${figures.firstPageMs.first}, max ${figures.firstPageMs.max})  target 50 ms ${ok(figures.firstPageMs.median, 50)}`)
log(
  `filtered + sorted:          median ${figures.filteredSortedMs.median} ms (first ${figures.filteredSortedMs.first}, max ${figures.filteredSortedMs.max})  target 100 ms ${ok(figures.filteredSortedMs.median, 100)}; ${figures.matches.filtered} match`
)
log(`tag, sorted by loss:        median ${figures.tagSortedByLossMs.median} ms`)
log(`full-text search + sort:    median ${figures.searchMs.median} ms; ${figures.matches.search} match`)
log(`last page (offset ${RUNS - 100}):  median ${figures.lastPageMs.median} ms`)
log(`compare 10 Runs:            median ${figures.compare10Ms.median} ms (first ${figures.compare10Ms.first}, max ${figures.compare10Ms.max})  target 150 ms ${ok(figures.compare10Ms.median, 150)}`)
log(`export every Run as CSV:    median ${figures.exportCsvAllMs.median} ms`)
log(`database: ${(figures.dbBytes / 1e6).toFixed(0)} MB, ${(figures.bytesPerRun / 1024).toFixed(1)} KiB per Run`)
if (values.json) console.log(JSON.stringify({ type: 'bench-history', ...figures }))
