/**
 * Saved models scored on the official Fashion-MNIST test images, each alone and all averaged
 * (their class probabilities, image by image), one look and mirror averaged:
 *
 *   npx tsx bench/ensemble.ts DATA/runs/1/model DATA/runs/2/model [...]
 *
 * Each image is classified as the studio does (`predictFiles`, as bench/auto.ts scores its final
 * model). The test images are exported once (tmpdir/osprey-bench/fashion-mnist-test). EVERY=n keeps
 * every n-th test image, for a quick check; the figures use all 10,000.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { predictFiles } from '../src-main/engine/predict'
import { exportFashionMnist, FASHION_MNIST_CLASSES, labelledFiles } from './fashion-mnist'

const dirs = process.argv.slice(2)
const testDir = join(tmpdir(), 'osprey-bench', 'fashion-mnist-test')
await exportFashionMnist(testDir, { split: 'test' })
const files = labelledFiles(testDir).filter((_, i) => i % Number(process.env.EVERY ?? 1) === 0)

/** Each test image's probability per class under the model in `dir`. */
async function probabilities(dir: string, mirror: boolean): Promise<Map<string, number>[]> {
  const predictions = await predictFiles(
    dir,
    files.map((f) => f.path),
    { backend: 'wasm', mirror, top: FASHION_MNIST_CLASSES.length }
  )
  return predictions.map((p) => new Map(p.top.map((t) => [t.label, t.probability])))
}

/** The share of test images whose most likely class, averaged over `models`, is their own. */
function accuracy(models: Map<string, number>[][]): number {
  const mean = (i: number, label: string) => models.reduce((sum, m) => sum + m[i].get(label)!, 0)
  const right = files.filter((f, i) => FASHION_MNIST_CLASSES.reduce((a, b) => (mean(i, b) > mean(i, a) ? b : a)) === f.label)
  return right.length / files.length
}

const looks = { one: [] as Map<string, number>[][], mirrored: [] as Map<string, number>[][] }
for (const dir of dirs) {
  looks.one.push(await probabilities(dir, false))
  looks.mirrored.push(await probabilities(dir, true))
  console.log(`${dir}: one look ${accuracy([looks.one.at(-1)!]).toFixed(4)}, mirrored ${accuracy([looks.mirrored.at(-1)!]).toFixed(4)}`)
}
console.log(`averaged (${dirs.length}): one look ${accuracy(looks.one).toFixed(4)}, mirrored ${accuracy(looks.mirrored).toFixed(4)}`)
