/**
 * A child process that records Runs as training does, each Run with its Epoch and 200 Iterations
 * in one transaction, and prints the count after each commit: the kill-during-write test kills it.
 */
import { openDatabase } from '../../src-main/store/db'
import { RunRepository } from '../../src-main/store/runs'
import { defaultConfig } from '../../src-main/runs/config'

const db = openDatabase(process.argv[2])
const runs = new RunRepository(db)
const config = defaultConfig('/data/pets', undefined, 1)
for (let n = 1; ; n++) {
  db.transaction(() => {
    const id = runs.create({ name: `run ${n}`, datasetId: null, fingerprint: 'f', config })
    runs.addIterations(
      Array.from({ length: 200 }, (_, i) => ({
        runId: id,
        epoch: 1,
        iteration: i + 1,
        loss: 1 / (i + 1),
        accuracy: i / 200,
        learningRate: 1e-3,
        imagesPerSecond: 100,
        elapsedMs: i * 10,
        memoryBytes: 0
      }))
    )
    runs.addEpoch({ runId: id, epoch: 1, trainLoss: 0.5, trainAccuracy: 0.5, valLoss: 0.5, valAccuracy: 0.5, learningRate: 1e-3, durationMs: 100 })
    runs.update(id, { status: 'completed', outcome: { valAccuracy: 0.5, valLoss: 0.5, imagesPerSecond: 100 } })
  })()
  process.stdout.write(`${n}\n`)
}
