// A synthetic Trial for the queue benchmarks: a training worker process that speaks the
// job protocol of src-main/jobs/worker.ts but, instead of training, waits OSPREY_SYNTHETIC_MS per
// Trial (spread over its Epochs), reports each Epoch, keeps a checkpoint after each (so a Trial
// taken again resumes), and saves a tiny "model". No tfjs: what is measured is coordination.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const total = Number(process.env.OSPREY_SYNTHETIC_MS ?? 0)
let stopped = false
const post = (message) => process.connected && process.send(message)

process.on('message', async (message) => {
  if (message.type === 'control' && message.action === 'stop') stopped = true
  if (message.type === 'cancel') stopped = true
  if (message.type !== 'start') return
  const { input } = message
  const epochs = input.config.epochs
  const checkpoint = join(input.runDir, 'checkpoint-last')
  let from = 0
  // As the real checkpoints: every Epoch's metrics so far ride along (a resuming worker sends them again).
  let saved = []
  if (input.resume) ({ epoch: from, epochs: saved = [] } = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')))
  // The objective: best near lr = 10^-2.5, so a strategy has something to find.
  const lr = input.config.learningRate
  const accuracy = Math.max(0, 1 - Math.abs(Math.log10(lr) + 2.5) / 3)
  post({ type: 'progress', data: { kind: 'started', backend: 'synthetic', versions: {}, split: { train: 1, validation: 1, test: 0, classes: ['a', 'b'], perClass: {} }, normalizationStats: null } })
  let epoch = from
  while (epoch < epochs && !stopped) {
    epoch++
    if (total > 0) await new Promise((r) => setTimeout(r, total / epochs))
    const value = accuracy * (epoch / epochs)
    post({ type: 'progress', data: { kind: 'iteration', metrics: { epoch, iteration: epoch, loss: 1 - value, accuracy: value, learningRate: lr, imagesPerSecond: 1, elapsedMs: 1, memoryBytes: 0 } } })
    const metrics = { epoch, trainLoss: 1 - value, trainAccuracy: value, valLoss: 1 - value, valAccuracy: value, learningRate: lr, durationMs: total / epochs }
    post({ type: 'progress', data: { kind: 'epoch', improved: true, metrics } })
    saved.push(metrics)
    mkdirSync(checkpoint, { recursive: true })
    writeFileSync(join(checkpoint, 'state.json'), JSON.stringify({ epoch, epochs: saved }))
    post({ type: 'progress', data: { kind: 'checkpoint', epoch, path: checkpoint } })
  }
  const modelPath = join(input.runDir, 'model')
  mkdirSync(modelPath, { recursive: true })
  writeFileSync(join(modelPath, 'model.json'), JSON.stringify({ synthetic: true, lr }))
  writeFileSync(join(modelPath, 'weights.bin'), Buffer.alloc(1024, epoch))
  post({
    type: 'done',
    result: { stoppedBy: stopped ? 'stopped' : 'completed', epochsDone: epoch, evaluation: null, testEvaluation: null, imagesPerSecond: null, modelPath },
    usage: { maxRssBytes: 0, cpuMs: 0 }
  })
})
process.on('disconnect', () => process.exit(0))
