/**
 * Exporting a Run's model to a folder of the user's: model.json and its weight files as saved
 * (TF.js layers format, loadable by tf.loadLayersModel), plus labels.json (the class names in
 * output order), metadata.json (everything needed to prepare an image the way training did),
 * README.md (what the model does, how well, and each preparation step with its numbers) and
 * classify.mjs (those steps as a script). Plain file copies: no tfjs on the main process.
 */
import { mkdir, readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute, join, normalize } from 'node:path'
import type { ExportedModelMetadata } from '../contract'
import { OspreyError } from '../errors'
import { zipSync, type Zippable } from 'fflate'
import { resourcesDir } from '../paths'
import { writeExportFiles, type ExportFile } from './export-files'
import { exportReadme, type ReadmeFacts } from './export-readme'

/** What the Run adds to the metadata; the rest (labels, size, channels, normalization) comes from the saved model itself. */
export type ExportDetails = Pick<ExportedModelMetadata, 'runId' | 'runName' | 'model' | 'backend'>

type SavedModelJson = {
  weightsManifest: { paths: string[] }[]
  userDefinedMetadata?: {
    classes?: string[]
    imageSize: number
    channels: 1 | 3
    normalization: ExportedModelMetadata['normalization']
    backbone?: ExportedModelMetadata['backbone']
    mirror?: boolean
  }
}

/** Copies the model in `modelDir` into `folder` (created if missing); returns the file names written. */
export async function exportModel(modelDir: string, folder: string, details: ExportDetails, facts: ReadmeFacts, overwrite = false): Promise<string[]> {
  if (!isAbsolute(folder)) throw new OspreyError('bad-input', `"${folder}" is not a full path: give the absolute path of the folder to export to.`)
  const existing = await stat(folder).catch(() => null)
  if (existing && !existing.isDirectory()) throw new OspreyError('bad-input', `${folder} is a file, not a folder. Choose a folder to export the model into.`)
  const files = await exportFiles(modelDir, details, facts)
  await mkdir(folder, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new OspreyError('bad-input', `Cannot create ${folder}: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.message}.`)
  })
  try {
    // No file already there is replaced unless told, no link is followed; model.json last, so a
    // folder with a model.json holds a whole model.
    await writeExportFiles(folder, files, overwrite)
  } catch (e) {
    if (e instanceof OspreyError) throw e
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (e as Error).message
    throw new OspreyError('bad-input', `Cannot write the model into ${folder}: ${why}.`)
  }
  return ['model.json', ...files.slice(0, -1).map((f) => f.name)]
}

/** The export as one zip (the same files, for a browser to download): the folder's files at its top level. */
export async function exportZip(modelDir: string, details: ExportDetails, facts: ReadmeFacts): Promise<Buffer> {
  const files = await exportFiles(modelDir, details, facts)
  const entries: Zippable = {}
  // Weights barely compress: stored as they are; the JSON files deflate well.
  for (const file of files) entries[file.name] = 'copyFrom' in file ? [await readFile(file.copyFrom), { level: 0 }] : [Buffer.from(file.data), { level: 6 }]
  return Buffer.from(zipSync(entries, { mtime: new Date() }))
}

/** The files of an export of the model in `modelDir`, model.json last. */
async function exportFiles(modelDir: string, details: ExportDetails, facts: ReadmeFacts): Promise<ExportFile[]> {
  const modelJson = await readFile(join(modelDir, 'model.json'), 'utf8').catch(() => {
    throw new OspreyError('not-found', `The Run's model files are missing from ${modelDir}; train the Run again to export it.`)
  })
  const saved = JSON.parse(modelJson) as SavedModelJson
  const inputs = saved.userDefinedMetadata
  if (!inputs?.classes) throw new OspreyError('internal', `The model in ${modelDir} has no class names: it was not saved by Osprey.`)
  const weightFiles = saved.weightsManifest.flatMap((group) => group.paths)
  // Weight paths come from a file on disk: never let one point outside the model folder.
  if (weightFiles.some((p) => basename(normalize(p)) !== p)) throw new OspreyError('internal', `The model in ${modelDir} names weight files outside its folder.`)

  const metadata: ExportedModelMetadata = {
    format: 'osprey-image-classifier',
    version: 1,
    ...details,
    labels: inputs.classes,
    imageSize: inputs.imageSize,
    channels: inputs.channels,
    normalization: inputs.normalization,
    ...(inputs.backbone ? { backbone: inputs.backbone } : {}),
    ...(inputs.mirror ? { mirror: true } : {}),
    exportedAt: new Date().toISOString()
  }
  return [
    ...weightFiles.map((file) => ({ name: file, copyFrom: join(modelDir, file) })),
    { name: 'labels.json', data: `${JSON.stringify(metadata.labels, null, 2)}\n` },
    { name: 'metadata.json', data: `${JSON.stringify(metadata, null, 2)}\n` },
    { name: 'README.md', data: exportReadme(metadata, facts) },
    { name: 'classify.mjs', copyFrom: join(resourcesDir(), 'export', 'classify.mjs') },
    { name: 'model.json', data: modelJson }
  ]
}
