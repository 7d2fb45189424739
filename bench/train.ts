/**
 * Training-speed benchmark against the PyTorch anchor. Trains the reference CNN (exactly
 * /work/shared/reference/torch_cnn.py's: conv3x3x32 relu, maxpool2, conv3x3x64 relu, maxpool2,
 * dense128 relu, dense10; 225,034 parameters) on Fashion-MNIST with Adam(1e-3), then runs
 * torch_cnn.py with the same settings in a child process and prints both.
 *
 *   npx tsx bench/train.ts [--json] [--backend auto|wasm|cpu|...] [--threads N]
 *                          [--replicas 1|2] [--train 10000] [--test 2000] [--epochs 1] [--batch 64] [--no-torch]
 *
 * With --json the last line is one JSON object (images_per_second, torch_images_per_second,
 * ratio, test_accuracy, torch_test_accuracy, backend, threads, ...).
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { initBackend, type BackendPreference, type Tf } from '../src-main/engine/backend'
import { DataParallel } from '../src-main/engine/wasm/data-parallel'
import { readFashionMnist } from './fashion-mnist'

const TORCH_SCRIPT = '/work/shared/reference/torch_cnn.py'
const PYTHON = '/usr/bin/python3'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
    replicas: { type: 'string', default: '1' },
    train: { type: 'string', default: '10000' },
    test: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    'torch-threads': { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false }
  }
})
const trainCount = Number(args.train)
const testCount = Number(args.test)
const epochs = Number(args.epochs)
const batch = Number(args.batch)
const log = (line: string): void => console.error(line)

/** The reference CNN as tfjs layers (valid padding, as PyTorch's default). */
function referenceCnn(tf: Tf): import('@tensorflow/tfjs').Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 })
    ]
  })
}

/** The first `count` images of a split as [count,28,28,1] floats in [0,1] and int labels. */
function loadSplit(split: 'train' | 'test', count: number): { x: Float32Array; y: Int32Array } {
  const data = readFashionMnist(split)
  const x = new Float32Array(count * 784)
  const y = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const img = data.images[i]
    for (let p = 0; p < 784; p++) x[i * 784 + p] = img[p] / 255
    y[i] = data.labels[i]
  }
  return { x, y }
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher-Yates). */
function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const p = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[p[i], p[j]] = [p[j], p[i]]
  }
  return p
}

/** Runs torch_cnn.py with the same settings; null when PyTorch is not there. */
function runTorch(): { images_per_second: number; test_accuracy: number; engine: string } | null {
  const r = spawnSync(
    PYTHON,
    [TORCH_SCRIPT, '--train', String(trainCount), '--test', String(testCount), '--epochs', String(epochs), '--batch', String(batch), '--threads', String(args['torch-threads'])],
    { encoding: 'utf8' }
  )
  if (r.status !== 0) {
    log(`torch_cnn.py failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`)
    return null
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!)
}

async function main(): Promise<void> {
  const backend = await initBackend(args.backend as BackendPreference, { threads: args.threads ? Number(args.threads) : undefined, log })
  const tf = backend.tf
  const train = loadSplit('train', trainCount)
  const test = loadSplit('test', testCount)
  const model = referenceCnn(tf)
  const optimizer = tf.train.adam(1e-3)
  const xs = tf.tensor4d(train.x, [trainCount, 28, 28, 1])
  const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10)

  const replicas = Number(args.replicas)
  if (replicas > 2 || (replicas === 2 && backend.name !== 'wasm')) throw new Error('--replicas 2 needs --backend wasm')
  const parallel = replicas === 2 ? await DataParallel.start(model, optimizer, { optimizer: 'adam', learningRate: 1e-3, step: { inputShape: [28, 28, 1], classes: 10 }, maxBatch: batch }) : null

  const start = performance.now()
  for (let epoch = 0; epoch < epochs && parallel; epoch++) {
    const order = permutation(trainCount, epoch + 1)
    const x = new Float32Array(batch * 784)
    const y = new Int32Array(batch)
    for (let i = 0; i < trainCount; i += batch) {
      const rows = Math.min(batch, trainCount - i)
      for (let r = 0; r < rows; r++) {
        const j = order[i + r]
        x.set(train.x.subarray(j * 784, (j + 1) * 784), r * 784)
        y[r] = train.y[j]
      }
      parallel.step({ x, y, size: rows }, 1e-3)
    }
  }
  for (let epoch = 0; epoch < epochs && !parallel; epoch++) {
    const order = permutation(trainCount, epoch + 1)
    for (let i = 0; i < trainCount; i += batch) {
      const idx = tf.tensor1d(order.subarray(i, Math.min(trainCount, i + batch)), 'int32')
      tf.tidy(() => {
        const x = tf.gather(xs, idx)
        const y = tf.gather(ys, idx)
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor) as import('@tensorflow/tfjs').Scalar)
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
      })
      idx.dispose()
    }
  }
  await model.getWeights()[0].data() // wait for the last step on asynchronous backends
  const seconds = (performance.now() - start) / 1000
  const imagesPerSecond = (trainCount * epochs) / seconds

  const testX = tf.tensor4d(test.x, [testCount, 28, 28, 1])
  const predicted = tf.tidy(() => (model.predict(testX, { batchSize: 500 }) as import('@tensorflow/tfjs').Tensor).argMax(1))
  const labels = await predicted.data()
  let correct = 0
  for (let i = 0; i < testCount; i++) if (labels[i] === test.y[i]) correct++
  const accuracy = correct / testCount
  const rssMb = process.resourceUsage().maxRSS / 1024
  await parallel?.dispose()
  backend.dispose()

  const torch = args['no-torch'] ? null : runTorch()
  const ratio = torch ? imagesPerSecond / torch.images_per_second : null
  const line = (k: string, v: string): void => console.log(`${k.padEnd(22)} ${v}`)
  line('backend', `${backend.name} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}${replicas > 1 ? `, ${replicas} data-parallel replicas` : ''})`)
  line('images/s', imagesPerSecond.toFixed(1))
  line('test accuracy', accuracy.toFixed(4))
  line('peak RSS', `${rssMb.toFixed(0)} MB`)
  if (torch) {
    line('torch images/s', `${torch.images_per_second} (${torch.engine}, ${args['torch-threads']} threads)`)
    line('torch test accuracy', String(torch.test_accuracy))
    line('ratio', `${ratio!.toFixed(3)} of PyTorch`)
  }
  if (args.json) {
    console.log(
      JSON.stringify({
        images_per_second: Number(imagesPerSecond.toFixed(1)),
        torch_images_per_second: torch?.images_per_second ?? null,
        ratio: ratio === null ? null : Number(ratio.toFixed(3)),
        test_accuracy: accuracy,
        torch_test_accuracy: torch?.test_accuracy ?? null,
        backend: backend.name,
        threads: backend.threads,
        replicas,
        seconds: Number(seconds.toFixed(2)),
        peak_rss_mb: Math.round(rssMb),
        train: trainCount,
        test: testCount,
        epochs,
        batch
      })
    )
  }
}

await main()
