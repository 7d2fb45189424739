/** "Try it" in a worker: load a Run's model once, classify each image, and say plainly why any one cannot be read. */
import { stat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import type { ImagePrediction } from '../contract'
import { fileHead, unreadableFormat } from '../datasets/formats'
import { imageThumbnail } from '../datasets/thumbnails'
import { looksLikeImage, walk } from '../datasets/walk'
import { initBackend } from '../engine/backend'
import { loadClassifier, type Classifier } from '../engine/predict'
import type { PredictJobInput, PredictJobResult } from './protocol'

/** Classifies `input.paths` (a folder: every image in it) with the model in `input.modelDir`; a bad file gets its own error and never fails the others. */
export async function runPredictJob(input: PredictJobInput, signal: AbortSignal): Promise<PredictJobResult> {
  // One thread: a handful of single images gains nothing from more, and starts faster.
  const backend = await initBackend(input.backend, { threads: 1 })
  try {
    const classifier = await loadClassifier(backend.tf, input.modelDir).catch((e: Error) => {
      throw new Error(`The Run's model cannot be loaded from ${input.modelDir}: ${e.message}`)
    })
    const predictions: ImagePrediction[] = []
    // Try it shows a card per image; the command line (no thumbnails) classifies a folder whole.
    const limit = input.thumbnailSize > 0 ? SHOWN_AT_MOST : Infinity
    for (const given of input.paths) {
      const images = await imagesIn(given, signal)
      if (images?.length === 0) predictions.push(failed(given, 'No images in this folder (JPEG, PNG, WebP, GIF, TIFF or AVIF, at any depth).'))
      const paths = images ?? [given]
      const room = Math.max(0, limit - predictions.length)
      for (const path of paths.slice(0, room)) {
        signal.throwIfAborted()
        predictions.push(await predictOne(path, input.thumbnailSize, classifier))
      }
      if (paths.length > room)
        predictions.push(failed(given, `${paths.length - room} more not shown: Try it classifies up to ${SHOWN_AT_MOST} images at a time; osprey predict classifies a whole folder.`))
    }
    classifier.dispose()
    return { backend: backend.name, predictions }
  } finally {
    backend.dispose()
  }
}

/** The most images one Try it shows. */
const SHOWN_AT_MOST = 200

/** The images under `path` when it is a folder (at any depth, in path order, read-only as a scan); null when it is not one. */
async function imagesIn(path: string, signal: AbortSignal): Promise<string[] | null> {
  if (!isAbsolute(path) || !(await stat(path).catch(() => null))?.isDirectory()) return null
  const { files } = await walk(path, { signal })
  return files.filter((f) => looksLikeImage(f.path)).map((f) => join(path, f.path))
}

function failed(path: string, error: string): ImagePrediction {
  return { path, thumbnail: null, label: null, confidence: null, top: [], error }
}

async function predictOne(path: string, thumbnailSize: number, classifier: Classifier): Promise<ImagePrediction> {
  if (!isAbsolute(path)) return failed(path, 'Not a full path: give the absolute path of the image on the machine running Osprey.')
  const problem = await fileProblem(path)
  if (problem) return failed(path, problem)
  try {
    const { label, confidence, top } = await classifier.classify(path)
    const thumbnail = thumbnailSize > 0 ? await imageThumbnail(path, thumbnailSize) : ''
    return { path, thumbnail, label, confidence, top, error: null }
  } catch (e) {
    return failed(path, unreadableFormat(await fileHead(path), path) ?? imageProblem(e as Error))
  }
}

/** Why `path` is not a readable file, or null when it is one. */
async function fileProblem(path: string): Promise<string | null> {
  try {
    const s = await stat(path)
    if (s.size === 0) return 'This file is empty (0 bytes).'
    return null
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return 'No such file: check the path (it must exist on the machine running Osprey).'
    if (code === 'EACCES' || code === 'EPERM') return 'Permission denied: Osprey may not read this file.'
    return `This file cannot be opened: ${(e as Error).message}`
  }
}

/** A decoding failure in plain words. */
function imageProblem(e: Error): string {
  const message = e.message ?? String(e)
  if (/unsupported image format/i.test(message)) return 'Not an image Osprey can read. Use JPEG, PNG, WebP, GIF, TIFF or AVIF.'
  return `This image cannot be decoded; it may be damaged or truncated (${message}).`
}
