/**
 * A finished Run's model, as a user uses it: "Try it" (a predict job in a real worker), export to a
 * folder that loads and classifies on its own, and the top-loss gallery. One tiny real Run (wasm).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Evaluation } from '../../../src-main/contract'
import { predictFiles } from '../../../src-main/engine/predict'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { HEIC_FIXTURE, put, tempDir } from '../../helpers/images'

/** A flat colour square with a dark bar on its left (so its mirror differs); the two classes interleave in brightness, so the model must make mistakes (the gallery has images). */
async function flat(value: number): Promise<Buffer> {
  const bar = await sharp({ create: { width: 5, height: 16, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .png()
    .toBuffer()
  return sharp({ create: { width: 20, height: 16, channels: 3, background: { r: value, g: 255 - value, b: (value * 3) % 256 } } })
    .composite([{ input: bar, left: 0, top: 0 }])
    .png()
    .toBuffer()
}

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let out: ReturnType<typeof tempDir>
let services: Services
let runId: number
let evaluation: Evaluation

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  out = tempDir()
  for (let i = 0; i < 16; i++) {
    put(folder.path, `even/${i}.png`, await flat(60 + 8 * i))
    put(folder.path, `odd/${i}.png`, await flat(64 + 8 * i))
  }
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
  const run = await services.training.start({
    folder: folder.path,
    model: 'reference-cnn',
    imageSize: 16,
    batchSize: 8,
    epochs: 2,
    backend: 'wasm',
    normalization: 'standardize',
    augmentation: { erasing: 0 },
    seed: 5
  })
  runId = (await services.training.finished(run.id)).id
  evaluation = services.training.get(runId).evaluation!
}, 120_000)
afterAll(() => {
  services.close()
  for (const d of [data, folder, out]) d.cleanup()
})

it('classifies images exactly as the evaluation did (same decoding, normalization and mirror), with the top classes', async () => {
  // Trained from scratch with horizontal flips (the small-image default): each image is classified with its mirror.
  expect(evaluation.mirrored).toBe(true)
  expect(evaluation.topLosses.length).toBeGreaterThan(0)
  const mistake = evaluation.topLosses[0]
  const { backend, predictions } = await services.runModels.predict(runId, [join(folder.path, mistake.path)])
  expect(backend).toBe('wasm')
  const [p] = predictions
  expect(p.error).toBeNull()
  expect(p.label).toBe(mistake.predicted)
  expect(p.confidence).toBeCloseTo(mistake.confidence, 4)
  expect(p.top.map((t) => t.label).sort()).toEqual(['even', 'odd'])
  expect(p.top[0]).toEqual({ label: p.label, probability: p.confidence })
  expect(p.thumbnail).toMatch(/^data:image\/webp;base64,/)
})

it('gives each unreadable file its own plain message and still classifies the others', async () => {
  const text = put(out.path, 'notes.png', 'not an image at all')
  const empty = put(out.path, 'empty.jpg', '')
  const good = join(folder.path, 'odd/3.png')
  const nothing = join(out.path, 'no images')
  put(nothing, 'readme.txt', 'just text')
  const iphone = put(out.path, 'IMG_0001.HEIC', readFileSync(HEIC_FIXTURE))
  const { predictions } = await services.runModels.predict(runId, [text, join(out.path, 'gone.png'), good, empty, nothing, 'relative/cat.png', iphone])
  expect(predictions.map((p) => [p.path, p.error])).toEqual([
    [text, 'Not an image Osprey can read. Use JPEG, PNG, WebP, GIF, TIFF or AVIF.'],
    [join(out.path, 'gone.png'), 'No such file: check the path (it must exist on the machine running Osprey).'],
    [good, null],
    [empty, 'This file is empty (0 bytes).'],
    [nothing, 'No images in this folder (JPEG, PNG, WebP, GIF, TIFF or AVIF, at any depth).'],
    ['relative/cat.png', 'Not a full path: give the absolute path of the image on the machine running Osprey.'],
    [iphone, expect.stringMatching(/^This is an HEIC photo \(the format iPhones save in\), which Osprey cannot decode\. Convert it to JPEG/)]
  ])
  expect(predictions[2].label).toMatch(/^(even|odd)$/)
})

it('classifies every image in a folder given instead of an image, at any depth and in path order, and nothing else in it', async () => {
  const mixed = join(out.path, 'new photos')
  for (const name of ['b.png', 'a.png', 'later/c.png']) put(mixed, name, await flat(100))
  put(mixed, 'notes.txt', 'not an image')
  const { predictions } = await services.runModels.predict(runId, [mixed, join(folder.path, 'odd/3.png')])
  expect(predictions.map((p) => [p.path, p.error])).toEqual([
    [join(mixed, 'a.png'), null],
    [join(mixed, 'b.png'), null],
    [join(mixed, 'later/c.png'), null],
    [join(folder.path, 'odd/3.png'), null]
  ])
  // The same pixels get the same answer, as three images given one by one would.
  expect(new Set(predictions.slice(0, 3).map((p) => `${p.label} ${p.confidence}`)).size).toBe(1)
  expect(readdirSync(mixed).sort()).toEqual(['a.png', 'b.png', 'later', 'notes.txt']) // the folder is only read
})

it('shows at most 200 of a big folder in Try it and says how many more; the command line classifies it whole', async () => {
  const big = join(out.path, 'big')
  const image = await flat(120)
  for (let i = 0; i < 203; i++) put(big, `${String(i).padStart(3, '0')}.png`, image)
  const shown = (await services.runModels.predict(runId, [big])).predictions
  expect(shown).toHaveLength(201)
  expect(shown.slice(0, 200).every((p) => p.error === null && p.thumbnail)).toBe(true)
  expect(shown[200]).toMatchObject({ path: big, error: '3 more not shown: Try it classifies up to 200 images at a time; osprey predict classifies a whole folder.' })
  const whole = (await services.runModels.predict(runId, [big], { thumbnails: false })).predictions
  expect(whole.map((p) => p.path)).toEqual(Array.from({ length: 203 }, (_, i) => join(big, `${String(i).padStart(3, '0')}.png`)))
}, 60_000)

it('exports a folder that loads on its own and classifies the same as the Run, with labels and metadata', async () => {
  const target = join(out.path, 'exported')
  const result = await services.runModels.exportModel(runId, target)
  expect(result).toEqual({ folder: target, files: ['model.json', 'weights.bin', 'labels.json', 'metadata.json', 'README.md', 'classify.mjs'] })
  expect(JSON.parse(readFileSync(join(target, 'labels.json'), 'utf8'))).toEqual(['even', 'odd'])
  // The weights leave the private data folder with the mode of any file the user saves, not its 600.
  const mode = (file: string) => statSync(file).mode & 0o777
  if (process.platform !== 'win32') expect(mode(join(services.training.modelPath(runId)!, 'weights.bin'))).toBe(0o600)
  expect(mode(join(target, 'weights.bin'))).toBe(mode(join(target, 'labels.json')))
  const run = services.training.get(runId)
  const metadata = JSON.parse(readFileSync(join(target, 'metadata.json'), 'utf8'))
  expect(metadata).toMatchObject({ format: 'osprey-image-classifier', runId, labels: ['even', 'odd'], imageSize: 16, channels: 3, mirror: true, model: 'reference-cnn', backend: 'wasm' })
  expect(metadata.normalization).toEqual({ kind: 'standardize', mean: run.normalizationStats!.mean, std: run.normalizationStats!.std })

  const files = [0, 5, 11].flatMap((i) => [join(folder.path, `even/${i}.png`), join(folder.path, `odd/${i}.png`)])
  const fromRun = (await services.runModels.predict(runId, files)).predictions
  const fromExport = await predictFiles(target, files, { backend: 'wasm' })
  expect(fromExport.map((p) => p.label)).toEqual(fromRun.map((p) => p.label))
  fromExport.forEach((p, i) => expect(p.confidence).toBeCloseTo(fromRun[i].confidence!, 5))
})

it("exports a README with this model's own numbers, and a classify.mjs that follows it and answers as the Run does", async () => {
  const target = join(out.path, 'scripted', 'model')
  await services.runModels.exportModel(runId, target)
  const run = services.training.get(runId)
  const readme = readFileSync(join(target, 'README.md'), 'utf8')
  const stats = run.normalizationStats!
  expect(readme).toContain(`It tells apart 2 classes, in the order of its outputs (also in labels.json): even, odd.`)
  expect(readme).toContain(`right on ${evaluation.confusion.flat().reduce((a, b) => a + b)} validation images (95 % interval`)
  expect(readme).toContain(`shorter side is 16 px`)
  expect(readme).toContain(`with mean [${stats.mean.map((v) => Number(v.toPrecision(6))).join(', ')}] and std [${stats.std.map((v) => Number(v.toPrecision(6))).join(', ')}]`)
  expect(readme).toContain('averages the probabilities of the image and of its mirror')
  expect(readme).not.toContain(folder.path) // the dataset by its folder's name only: the folder may be shared

  // classify.mjs as its receiver runs it, with one stand-in: @tensorflow/tfjs-node cannot be installed
  // here (its install downloads libtensorflow), so a package of that name gives @tensorflow/tfjs with
  // tfjs-node's file:// model loader. sharp and tfjs are this project's own.
  const modules = join(out.path, 'scripted', 'node_modules')
  put(join(modules, '@tensorflow', 'tfjs-node'), 'package.json', JSON.stringify({ name: '@tensorflow/tfjs-node', type: 'module', exports: './index.js' }))
  put(
    join(modules, '@tensorflow', 'tfjs-node'),
    'index.js',
    `import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
function load(url) {
  const file = fileURLToPath(url)
  const json = JSON.parse(readFileSync(file, 'utf8'))
  const weights = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dirname(file), p))))
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength), userDefinedMetadata: json.userDefinedMetadata }
}
tf.io.registerLoadRouter((url) => (typeof url === 'string' && url.startsWith('file://') ? { load: async () => load(url) } : null))
export * from '@tensorflow/tfjs'
`
  )
  for (const name of ['sharp', '@tensorflow/tfjs']) symlinkSync(join(process.cwd(), 'node_modules', name), join(modules, name))
  const files = [0, 7, 13].flatMap((i) => [join(folder.path, `even/${i}.png`), join(folder.path, `odd/${i}.png`)])
  const { stdout } = await promisify(execFile)(process.execPath, [join(target, 'classify.mjs'), ...files], { cwd: out.path })
  const lines = stdout.split('\n').filter((l) => l.startsWith(folder.path))
  const fromRun = (await services.runModels.predict(runId, files)).predictions
  expect(lines).toHaveLength(files.length)
  lines.forEach((line, i) => {
    const [, path, label, percent] = /^(.*): (\w+) ([\d.]+) %/.exec(line)!
    expect(path).toBe(files[i])
    expect(label).toBe(fromRun[i].label)
    expect(Number(percent)).toBeCloseTo(100 * fromRun[i].confidence!, 0)
  })
}, 60_000)

it('refuses to replace a model already in the folder unless told, and says what is wrong with a bad folder', async () => {
  const target = join(out.path, 'twice')
  await services.runModels.exportModel(runId, target)
  await expect(services.runModels.exportModel(runId, target)).rejects.toMatchObject({
    code: 'bad-input',
    message: expect.stringContaining('already holds weights.bin, labels.json, metadata.json, README.md, classify.mjs, model.json')
  })
  await expect(services.runModels.exportModel(runId, target, true)).resolves.toMatchObject({ folder: target })
  await expect(services.runModels.exportModel(runId, put(out.path, 'a-file', 'x'))).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('is a file, not a folder') })
  await expect(services.runModels.exportModel(runId, 'relative/folder')).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('not a full path') })
  await expect(services.runModels.exportModel(9999, target)).rejects.toMatchObject({ code: 'not-found' })

  // Never into the Run's own dataset, even through a link: it would add a class folder there.
  const link = join(out.path, 'link-to-dataset')
  symlinkSync(folder.path, link)
  for (const inside of [join(folder.path, 'exported'), folder.path, join(link, 'exported')]) {
    await expect(services.runModels.exportModel(runId, inside)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('is inside the dataset folder') })
  }
  expect(readdirSync(folder.path).sort()).toEqual(['even', 'odd'])
})

it('shows the top-loss images as thumbnails, and a clear placeholder for one deleted since', async () => {
  const first = await services.runModels.topLossImages(runId)
  expect(first.map((i) => i.path)).toEqual(evaluation.topLosses.map((l) => l.path))
  for (const image of first) expect(image).toMatchObject({ thumbnail: expect.stringMatching(/^data:image\/webp;base64,/), missing: null })

  const gone = evaluation.topLosses[0].path
  rmSync(join(folder.path, gone))
  expect(existsSync(join(folder.path, gone))).toBe(false)
  const after = await services.runModels.topLossImages(runId)
  expect(after[0]).toEqual({ path: gone, thumbnail: null, missing: 'This image is no longer on disk (moved or deleted since the Run).' })
  expect(after.slice(1).every((i) => i.thumbnail !== null)).toBe(true)
})
