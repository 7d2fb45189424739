/**
 * A backbone's files on disk: where each one is, whether it is whole (SHA-256 against the catalog
 * or the sums pinned at download), and what a TF.js layers model folder of the user's holds.
 * No tfjs here: the main process checks folders before a worker loads them.
 */
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename, join, normalize } from 'node:path'
import { OspreyError } from '../errors'
import { resourcesDir } from '../paths'
import type { BackboneInfo } from './catalog'

/** What a worker needs to load a backbone: its folder, where to cut it, and the sums to check first. */
export interface BackboneSource {
  /** Catalog id, or the folder of a model of the user's. */
  id: string
  title: string
  dir: string
  /** The layer whose output (averaged over the image when it is a feature map) is the embedding. */
  embeddingLayer: string
  /** Patterns over layer names, one per block that fine-tuning may unfreeze (input → output). */
  blocks: string[]
  /** SHA-256 per file name, checked before loading (a folder of the user's: as found when the Run started). */
  sha256: Record<string, string>
  /** Identifies the weights and the cut, for the embedding cache. */
  key: string
  /** What to do when a file is damaged. */
  remedy: string
}

/** The name of the sums file a download leaves beside the model. */
export const SUMS_FILE = 'SHA256SUMS'

/** Where the included backbones are. */
export function includedModelsDir(): string {
  return join(resourcesDir(), 'models')
}

/** Where downloaded backbones are kept, in the data folder. */
export function downloadedModelsDir(dataDir: string): string {
  return join(dataDir, 'models')
}

/** The folder that holds (or will hold) catalog backbone `info`. */
export function catalogFolder(info: BackboneInfo, dataDir: string): string {
  return join(info.source === 'included' ? includedModelsDir() : downloadedModelsDir(dataDir), info.id)
}

/** SHA-256 of a file, hex. */
export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

/** Reads a SHA256SUMS file ("<hex>  <name>" per line). */
export async function readSums(dir: string): Promise<Record<string, string>> {
  const text = await readFile(join(dir, SUMS_FILE), 'utf8')
  const sums: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim())
    if (m) sums[m[2]] = m[1]
  }
  return sums
}

/** Formats sums as a SHA256SUMS file. */
export function formatSums(sums: Record<string, string>): string {
  return Object.entries(sums)
    .map(([name, hex]) => `${hex}  ${name}\n`)
    .join('')
}

/** Throws a clear error unless every file of `source` matches its SHA-256. */
export async function verifyBackbone(source: BackboneSource): Promise<void> {
  for (const [name, expected] of Object.entries(source.sha256)) {
    const actual = await sha256File(join(source.dir, name)).catch((e: NodeJS.ErrnoException) => {
      throw new OspreyError(
        'bad-input',
        `The backbone ${source.title} is incomplete: ${name} ${e.code === 'ENOENT' ? 'is missing' : `cannot be read (${e.message})`} in ${source.dir}. ${source.remedy}`
      )
    })
    if (actual !== expected) throw new OspreyError('bad-input', `The backbone ${source.title} is damaged: ${name} in ${source.dir} does not match its checksum. ${source.remedy}`)
  }
}

/** The parts of a model.json this module reads. */
interface ModelJson {
  format?: string
  modelTopology?: { class_name?: string; config?: { layers?: { name: string; class_name: string }[] } | { name: string; class_name: string }[]; model_config?: ModelJson['modelTopology'] }
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[]
}

/** What a TF.js layers model folder holds: its layers in order (name and kind) and its weight files. */
export interface ModelFolder {
  layers: { name: string; kind: string }[]
  weightFiles: string[]
  /** Bytes of weights the manifest promises. */
  weightBytes: number
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 }

/** Reads a folder's model.json: its layers and the weight files and bytes it promises (the files themselves are not checked). */
export async function readModelJson(dir: string): Promise<ModelFolder> {
  const text = await readFile(join(dir, 'model.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new OspreyError(
      'bad-input',
      e.code === 'ENOENT' ? `${dir} holds no model.json: choose the folder of a TensorFlow.js layers model (model.json and its weight files).` : `Cannot read ${join(dir, 'model.json')}: ${e.message}.`
    )
  })
  let json: ModelJson
  try {
    json = JSON.parse(text) as ModelJson
  } catch {
    throw new OspreyError('bad-input', `${join(dir, 'model.json')} is not valid JSON: the file is damaged or not a model.`)
  }
  const topology = json.modelTopology?.model_config ?? json.modelTopology
  const config = topology?.config
  const layers = Array.isArray(config) ? config : config?.layers
  if (json.format === 'graph-model' || !layers) {
    throw new OspreyError(
      'bad-input',
      `${dir} holds a TensorFlow.js graph model or no layers: a backbone must be a layers model (converted with --output_format tfjs_layers_model), whose layers can be cut and fine-tuned.`
    )
  }
  const manifest = json.weightsManifest ?? []
  const weightFiles = manifest.flatMap((group) => group.paths)
  // Paths come from a file: never let one point outside the folder.
  if (weightFiles.some((p) => basename(normalize(p)) !== p)) throw new OspreyError('bad-input', `${join(dir, 'model.json')} names weight files outside its folder; it cannot be used.`)
  const weightBytes = manifest.flatMap((g) => g.weights).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * (BYTES[w.quantization?.dtype ?? w.dtype] ?? 4), 0)
  return { layers: layers.map((l) => ({ name: l.name, kind: l.class_name })), weightFiles, weightBytes }
}

/** Reads and checks a TF.js layers model folder: model.json and every weight file it promises, whole. */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const model = await readModelJson(dir)
  let found = 0
  for (const file of model.weightFiles) {
    const s = await stat(join(dir, file)).catch(() => null)
    if (!s?.isFile()) throw new OspreyError('bad-input', `The weight file ${file} that ${join(dir, 'model.json')} names is missing.`)
    found += s.size
  }
  if (found !== model.weightBytes)
    throw new OspreyError('bad-input', `The weight files in ${dir} hold ${found} bytes where model.json describes ${model.weightBytes}: they are incomplete or belong to another model.`)
  return model
}

// Layers that end a feature extractor: the classifier top starts at the first of these.
const TOP = /^(GlobalAveragePooling2D|GlobalMaxPooling2D|GlobalAveragePooling1D|Flatten|Dense|Dropout|Softmax|Reshape)$/

/** The layer to cut a model of the user's at by default: the last one before its classifier top. */
export function defaultCutLayer(layers: ModelFolder['layers']): string {
  const top = layers.findIndex((l, i) => i > 0 && TOP.test(l.kind))
  const before = top > 0 ? layers[top - 1] : layers.at(-1)
  if (!before || before.kind === 'InputLayer') throw new OspreyError('bad-input', 'This model has no layer before its classifier to take features from.')
  return before.name
}
