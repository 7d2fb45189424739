/** Exporting a model into a folder of the user's: nothing there is replaced unless told, and no link is written through. */
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { exportModel } from '../../../src-main/runs/export'
import { put, tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
let modelDir: string
let target: string
const details = { runId: 1, runName: 'birds · reference-cnn', model: 'reference-cnn' as const, backend: 'wasm' }
const facts = { dataset: 'birds', fingerprint: 'f'.repeat(64), createdAt: '2026-12-04T06:00:00.000Z', epochs: 2, split: null, evaluation: null }

beforeEach(() => {
  dir = tempDir()
  // A saved model as a Run leaves it: model.json naming weights.bin, with Osprey's metadata.
  modelDir = join(dir.path, 'runs/1/model')
  const normalization = { kind: 'unit', mean: [0], std: [1] }
  put(
    modelDir,
    'model.json',
    JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'], weights: [] }], userDefinedMetadata: { classes: ['heron', 'osprey'], imageSize: 16, channels: 1, normalization } })
  )
  put(modelDir, 'weights.bin', Buffer.from([1, 2, 3, 4]))
  target = join(dir.path, 'export')
})
afterEach(() => dir.cleanup())

it('refuses any file of the export already in the folder, not only model.json, and changes nothing', async () => {
  put(target, 'weights.bin', 'the weights of another model')
  put(target, 'labels.json', '["someone else"]')
  await expect(exportModel(modelDir, target, details, facts)).rejects.toMatchObject({
    code: 'bad-input',
    message: `${target} already holds weights.bin, labels.json. Choose an empty folder, or allow replacing them (Replace in the app, --overwrite on the command line).`
  })
  expect(readFileSync(join(target, 'weights.bin'), 'utf8')).toBe('the weights of another model')
  expect(readdirSync(target).sort()).toEqual(['labels.json', 'weights.bin'])
})

it('never writes through a link named like one of its files: refused unless told, then the link itself is replaced', async () => {
  const victim = put(dir.path, 'elsewhere/victim.txt', 'not to be touched')
  put(target, 'placeholder', '') // the folder exists, with a file of the user's
  symlinkSync(victim, join(target, 'labels.json'))
  symlinkSync(join(dir.path, 'elsewhere', 'created-by-export'), join(target, 'metadata.json')) // dangling
  await expect(exportModel(modelDir, target, details, facts)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('already holds labels.json, metadata.json') })

  expect(await exportModel(modelDir, target, details, facts, true)).toEqual(['model.json', 'weights.bin', 'labels.json', 'metadata.json', 'README.md', 'classify.mjs'])
  expect(readFileSync(victim, 'utf8')).toBe('not to be touched')
  expect(existsSync(join(dir.path, 'elsewhere', 'created-by-export'))).toBe(false)
  expect(lstatSync(join(target, 'labels.json')).isSymbolicLink()).toBe(false)
  expect(JSON.parse(readFileSync(join(target, 'labels.json'), 'utf8'))).toEqual(['heron', 'osprey'])
  expect(readFileSync(join(target, 'weights.bin'))).toEqual(Buffer.from([1, 2, 3, 4]))
  // No temporary file is left behind.
  expect(readdirSync(target).sort()).toEqual(['README.md', 'classify.mjs', 'labels.json', 'metadata.json', 'model.json', 'placeholder', 'weights.bin'])
})
