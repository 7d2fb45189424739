/**
 * Saved models scored on the official Fashion-MNIST test images, each alone and all averaged
 * (their class probabilities, image by image), one look and mirror averaged:
 *
 *   npx tsx bench/ensemble.ts DATA/runs/1/model DATA/runs/2/model [...]
 *
 * The test images are exported once, as bench/auto.ts does (tmpdir/osprey-bench/fashion-mnist-test).
 * EVERY=n keeps every n-th test image, for a quick check; the figures use all 10,000.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { initBackend } from '../src-main/engine/backend'
import { classProbabilities } from '../src-main/engine/evaluate'
import { fileHandler } from '../src-main/engine/io'
import { decodeImage } from '../src-main/pipeline/cache'
import { normalizeRecord } from '../src-main/pipeline/normalize'
import { exportFashionMnist } from './fashion-mnist'

const dirs = process.argv.slice(2)
const { tf } = await initBackend('wasm')
const list = (dir: string) =>
  readdirSync(dir)
    .filter((d) => !d.startsWith('.'))
    .flatMap((label) => readdirSync(join(dir, label)).map((f) => ({ path: join(dir, label, f), label })))
const testDir = join(tmpdir(), 'osprey-bench', 'fashion-mnist-test')
await exportFashionMnist(testDir, { split: 'test' })
const testFiles = list(testDir).filter((_, i) => i % Number(process.env.EVERY ?? 1) === 0)
const models = await Promise.all(dirs.map((d) => tf.loadLayersModel(fileHandler(tf, d))))
type Meta = { classes: string[]; imageSize: number; channels: 1 | 3; normalization: { kind: string; mean: number[]; std: number[] } }
const metas = models.map((m) => m.getUserDefinedMetadata() as Meta)
const S = metas[0].imageSize
const C = metas[0].channels
const labels = testFiles.map((f) => metas[0].classes.indexOf(f.label))
const K = metas[0].classes.length
// Probabilities of every test image under each model, one look and mirrored.
const probs: { one: Float32Array; mirrored: Float32Array }[] = []
for (const [m, model] of models.entries()) {
  const stats = { normalization: metas[m].normalization.kind, mean: metas[m].normalization.mean, std: metas[m].normalization.std } as never
  const one = new Float32Array(testFiles.length * K)
  const mirrored = new Float32Array(testFiles.length * K)
  const x = new Float32Array(500 * S * S * C)
  const rec = new Float32Array(S * S * C)
  for (let i = 0; i < testFiles.length; i += 500) {
    const n = Math.min(500, testFiles.length - i)
    for (let k = 0; k < n; k++) {
      normalizeRecord(await decodeImage(testFiles[i + k].path, S, C), rec, stats)
      x.set(rec, k * rec.length)
    }
    for (const [mirror, out] of [
      [false, one],
      [true, mirrored]
    ] as const) {
      const p = tf.tidy(() => classProbabilities(tf, model, tf.tensor4d(x.subarray(0, n * S * S * C), [n, S, S, C]), mirror))
      out.set(p.dataSync() as Float32Array, i * K)
      p.dispose()
    }
  }
  probs.push({ one, mirrored })
}
const accuracy = (p: Float32Array) =>
  labels.filter((y, i) => {
    let best = 0
    for (let k = 1; k < K; k++) if (p[i * K + k] > p[i * K + best]) best = k
    return best === y
  }).length / labels.length
const mean = (ps: Float32Array[]) => ps[0].map((_, j) => ps.reduce((s, p) => s + p[j], 0) / ps.length)
for (const [m, p] of probs.entries()) console.log(`${dirs[m]}: one look ${accuracy(p.one).toFixed(4)}, mirrored ${accuracy(p.mirrored).toFixed(4)}`)
console.log(`averaged (${probs.length}): one look ${accuracy(mean(probs.map((p) => p.one))).toFixed(4)}, mirrored ${accuracy(mean(probs.map((p) => p.mirrored))).toFixed(4)}`)
process.exit(0)
