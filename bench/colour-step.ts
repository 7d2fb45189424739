/**
 * Where one replica's time and memory go: training steps of a model (compact-resnet unless --model) on one one-thread wasm backend
 * (as each data-parallel replica has), in this process, with every wasm allocation counted.
 *
 *   npx tsx bench/colour-step.ts [--json] [--size 64] [--rows 32] [--steps 3] [--kernels]
 *                                [--model compact-resnet] [--channels 3] [--classes 3]
 *
 * --rows is one replica's half of a batch (32 of 64). Per step: time, the wasm heap's size (it
 * grows and never shrinks: the process keeps it), the most bytes live at once, and what was live
 * at that moment by the kernel that allocated it. --kernels: one more step under tf.profile, its
 * time by kernel (the rest of the step is JS: tape, bookkeeping). Random inputs; nothing is learned.
 */
import * as tf from '@tensorflow/tfjs'
import { parseArgs } from 'node:util'
import type { ScratchModelName } from '../src-main/contract'
import { buildModel } from '../src-main/engine/models'
import { trainingStep } from '../src-main/engine/step'
import { startWasm } from '../src-main/engine/wasm/init'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    kernels: { type: 'boolean', default: false },
    size: { type: 'string', default: '64' },
    rows: { type: 'string', default: '32' },
    steps: { type: 'string', default: '3' },
    model: { type: 'string', default: 'compact-resnet' },
    channels: { type: 'string', default: '3' },
    classes: { type: 'string', default: '3' }
  }
})
const size = Number(args.size)
const rows = Number(args.rows)
const channels = Number(args.channels)
const classes = Number(args.classes)
const MB = 2 ** 20

await startWasm(1)
interface Module {
  _malloc(n: number): number
  _free(p: number): void
  HEAPU8: Uint8Array
}
const wasm = (tf.backend() as unknown as { wasm: Module }).wasm
tf.tidy(() => tf.add(tf.ones([2]), 1)) // Emscripten swaps its lazy _malloc and _free stubs for the real ones on their first call

// Each allocation is labelled with the kernel running when it was made (outside a kernel: 'js').
let label = 'js'
const engine = tf.engine() as unknown as { runKernel(name: string, ...rest: unknown[]): unknown }
const runKernel = engine.runKernel.bind(engine)
engine.runKernel = (name, ...rest) => {
  const outer = label
  label = name
  try {
    return runKernel(name, ...rest)
  } finally {
    label = outer
  }
}
const blocks = new Map<number, [number, string]>()
const byKernel = new Map<string, number>()
let live = 0
let peak = 0
let atPeak = new Map<string, number>()
const { _malloc: malloc, _free: free } = wasm
// Addresses past 2 GB come back from _malloc negative; tfjs frees them as unsigned.
wasm._malloc = (n) => {
  const p = malloc(n)
  blocks.set(p >>> 0, [n, label])
  byKernel.set(label, (byKernel.get(label) ?? 0) + n)
  live += n
  if (live > peak + MB) atPeak = new Map(byKernel) // a copy only when the peak moves by a megabyte
  peak = Math.max(peak, live)
  return p
}
wasm._free = (p) => {
  const block = blocks.get(p >>> 0)
  if (block) {
    live -= block[0]
    byKernel.set(block[1], byKernel.get(block[1])! - block[0])
    blocks.delete(p >>> 0)
  }
  free(p)
}

const model = buildModel(tf, args.model as ScratchModelName, { size, channels, classes })
const step = trainingStep(tf, model, tf.train.adam(1e-3), { inputShape: [size, size, channels], classes })
const x = new Float32Array(rows * size * size * channels).map(() => Math.random())
const y = new Int32Array(rows).map((_, i) => i % classes)
const results: { ms: number; heapMB: number; peakLiveMB: number; atPeakMB: Record<string, number> }[] = []
for (let i = 0; i < Number(args.steps); i++) {
  peak = live
  const start = performance.now()
  const stats = step({ x, y, size: rows })
  stats.dataSync()
  stats.dispose()
  const top = [...atPeak].filter(([, b]) => b >= MB).sort((a, b) => b[1] - a[1])
  results.push({
    ms: Math.round(performance.now() - start),
    heapMB: Math.round(wasm.HEAPU8.length / MB),
    peakLiveMB: Math.round(peak / MB),
    atPeakMB: Object.fromEntries(top.map(([k, b]) => [k, Math.round(b / MB)]))
  })
  const r = results.at(-1)!
  console.log(`step ${i + 1}: ${r.ms} ms, wasm heap ${r.heapMB} MB, most live at once ${r.peakLiveMB} MB: ${top.map(([k, b]) => `${k} ${Math.round(b / MB)}`).join(', ')}`)
}
if (args.kernels) {
  const start = performance.now()
  const info = await tf.profile(() => {
    const stats = step({ x, y, size: rows })
    stats.dataSync()
    stats.dispose()
  })
  const total = performance.now() - start
  const byName = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 }
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    e.calls++
    byName.set(k.name, e)
  }
  const kernelMs = [...byName.values()].reduce((a, e) => a + e.ms, 0)
  console.log(`profiled step: ${Math.round(total)} ms, in kernels ${Math.round(kernelMs)} ms`)
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`  ${name.padEnd(28)} ${e.ms.toFixed(0).padStart(6)} ms  ${e.calls} calls`)
}
console.log(`process RSS ${Math.round(process.memoryUsage.rss() / MB)} MB`)
if (args.json) console.log(JSON.stringify({ size, rows, steps: results, rssMB: Math.round(process.memoryUsage.rss() / MB) }))
