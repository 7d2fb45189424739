/**
 * Saving and loading models as files (model.json + weights.bin, the TF.js layers format):
 * plain tfjs has no file:// handler under Node. Writes go to a temporary folder first, then
 * replace the old one, so a crash never leaves half a model.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfjs from '@tensorflow/tfjs'
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'

type Tf = typeof tfjs

/** An IOHandler that saves to and loads from `dir`. */
export function fileHandler(tf: Tf, dir: string): tfjs.io.IOHandler {
  return {
    async save(artifacts) {
      const weights = Array.isArray(artifacts.weightData) ? tf.io.concatenateArrayBuffers(artifacts.weightData) : (artifacts.weightData ?? new ArrayBuffer(0))
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }]
      }
      const staging = `${dir}.saving`
      await rm(staging, { recursive: true, force: true })
      await mkdir(staging, { recursive: true })
      await writeFile(join(staging, 'weights.bin'), Buffer.from(weights))
      await writeFile(join(staging, 'model.json'), JSON.stringify(modelJson))
      await rm(dir, { recursive: true, force: true })
      await rename(staging, dir)
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    },
    async load() {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
        modelTopology: object
        format?: string
        generatedBy?: string
        convertedBy?: string | null
        userDefinedMetadata?: object
        weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[]
      }
      const buffers = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(dir, p)))))
      const joined = Buffer.concat(buffers)
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        userDefinedMetadata: json.userDefinedMetadata as tfjs.io.ModelArtifacts['userDefinedMetadata'],
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)
      }
    }
  }
}

/** Saves named tensors (e.g. optimizer state) as weights.bin + manifest.json in `dir`. */
export async function saveTensors(tf: Tf, dir: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors)
  const bytes = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'tensors.bin'), Buffer.from(bytes))
  await writeFile(join(dir, 'tensors.json'), JSON.stringify(specs))
}

/** Loads what saveTensors wrote. */
export async function loadTensors(tf: Tf, dir: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(await readFile(join(dir, 'tensors.json'), 'utf8')) as tfjs.io.WeightsManifestEntry[]
  const bytes = await readFile(join(dir, 'tensors.bin'))
  const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs)
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }))
}
