/** Recorded Runs written straight through the repositories, for history tests (no training). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Evaluation, RunStatus, TrainingConfig } from '../../src-main/contract'
import type { Db } from '../../src-main/store/db'
import { DatasetRepository } from '../../src-main/store/datasets'
import { HistoryRepository } from '../../src-main/store/history'
import { RunRepository } from '../../src-main/store/runs'
import { defaultConfig } from '../../src-main/runs/config'

/** What a seeded Run looks like; everything has a sensible default. */
export interface SeedRun {
  name?: string
  datasetId?: number | null
  status?: RunStatus
  config?: Partial<TrainingConfig>
  valAccuracy?: number | null
  valLoss?: number | null
  epochs?: number
  iterationsPerEpoch?: number
  backend?: string
  createdAt?: string
  durationMs?: number
  tags?: string[]
  notes?: string
  /** Writes runs/<id>/model/model.json under this data folder and records it as the model artifact. */
  dataDir?: string
  evaluation?: Evaluation | null
}

/** A Dataset recorded as scanned (two classes, 20 images), as if `datasets scan` had run; returns its id. */
export function seedDataset(db: Db, path = '/data/pets', name = 'pets'): number {
  const datasets = new DatasetRepository(db)
  const id = datasets.ensure(path, name)
  const stats = { smallest: null, largest: null, mostCommon: null, channels: { grayscale: 0, rgb: 20, alpha: 0 }, formats: { png: 20 } }
  datasets.saveReport({
    id,
    name,
    path,
    scannedAt: '2026-11-27T09:00:00.000Z',
    durationMs: 5,
    classes: [
      { name: 'cats', count: 10 },
      { name: 'dogs', count: 10 }
    ],
    images: 20,
    problems: [],
    fingerprint: 'f'.repeat(64),
    stats,
    changes: null,
    filesSeen: 20,
    filesRead: 20
  })
  return id
}

/** An evaluation over two classes with a given accuracy. */
export function evaluation(accuracy: number): Evaluation {
  const right = Math.round(accuracy * 10)
  return {
    split: 'validation',
    classes: ['cats', 'dogs'],
    confusion: [
      [right, 10 - right],
      [10 - right, right]
    ],
    perClass: ['cats', 'dogs'].map((name) => ({ name, precision: accuracy, recall: accuracy, f1: accuracy, support: 10 })),
    accuracy,
    loss: 1 - accuracy,
    topLosses: []
  }
}

/** Records a finished Run with Epochs, Iterations, an evaluation and tags; returns its id. */
export function seedRun(db: Db, run: SeedRun = {}): number {
  const runs = new RunRepository(db)
  const config: TrainingConfig = { ...defaultConfig('/data/pets', undefined, 7), ...run.config }
  const id = runs.create({ name: run.name ?? `pets · ${config.model}`, datasetId: run.datasetId ?? null, fingerprint: 'f'.repeat(64), config })
  const valAccuracy = run.valAccuracy === undefined ? 0.8 : run.valAccuracy
  const epochs = run.epochs ?? 3
  const perEpoch = run.iterationsPerEpoch ?? 4
  for (let e = 1; e <= epochs; e++) {
    const progress = e / epochs
    runs.addEpoch({
      runId: id,
      epoch: e,
      trainLoss: 1 - 0.5 * progress,
      trainAccuracy: 0.5 + 0.4 * progress,
      valLoss: 1.1 - 0.5 * progress,
      valAccuracy: (valAccuracy ?? 0.5) * progress,
      learningRate: 1e-3,
      durationMs: 1000
    })
    runs.addIterations(
      Array.from({ length: perEpoch }, (_, i) => ({
        runId: id,
        epoch: e,
        iteration: (e - 1) * perEpoch + i + 1,
        loss: 1 - 0.5 * progress,
        accuracy: 0.5 + 0.4 * progress,
        learningRate: 1e-3,
        imagesPerSecond: 500,
        elapsedMs: ((e - 1) * perEpoch + i) * 250,
        memoryBytes: 0
      }))
    )
  }
  runs.update(id, {
    status: run.status ?? 'completed',
    backend: run.backend ?? 'wasm',
    durationMs: run.durationMs ?? epochs * 1000,
    outcome: {
      valAccuracy,
      valLoss: run.valLoss === undefined ? (valAccuracy === null ? null : 1 - valAccuracy) : run.valLoss,
      imagesPerSecond: 500,
      evaluation: run.evaluation === undefined ? (valAccuracy === null ? null : evaluation(valAccuracy)) : run.evaluation
    }
  })
  if (run.createdAt) db.prepare('UPDATE runs SET created_at = ? WHERE id = ?').run(run.createdAt, id)
  const history = new HistoryRepository(db)
  if (run.notes) history.setNotes(id, run.notes)
  for (const tag of run.tags ?? []) history.tag(id, tag)
  if (run.dataDir) {
    const model = join(run.dataDir, 'runs', String(id), 'model')
    mkdirSync(model, { recursive: true })
    writeFileSync(join(model, 'model.json'), '{}')
    writeFileSync(join(model, 'weights.bin'), Buffer.alloc(16))
    runs.addArtifact(id, 'model', join('runs', String(id), 'model'), 16)
  }
  return id
}
