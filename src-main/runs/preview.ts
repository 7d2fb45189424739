/**
 * The augmentation preview: for a few images per class, the image as the model sees it without
 * augmentation, then the versions Epochs 1…N will train on — the trainer's own code and seeds
 * (`rngFor(seed, epoch, image)` over the same image order), so the preview is exactly what trains.
 */
import { join } from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import sharp from 'sharp'
import type { AugmentationPreview, Augmentation } from '../contract'
import { augmentImage } from '../pipeline/augment'
import { decodeImage } from '../pipeline/cache'
import { rngFor } from '../pipeline/random'
import { labelImages } from '../pipeline/split'

/** Which images and how many versions; the files are the dataset's usable images in path order. */
export interface PreviewRequest {
  root: string
  files: { path: string; class: string }[]
  size: number
  channels: 1 | 3
  augmentation: Augmentation
  seed: number
  perClass: number
  epochs: number
}

/** Builds the preview; yields to the event loop between images (it runs on the main process). */
export async function augmentationPreview(r: PreviewRequest): Promise<AugmentationPreview> {
  const { classes, images } = labelImages(r.files)
  const out: AugmentationPreview = { classes: classes.map((name) => ({ name, images: [] })) }
  const pixels = r.size * r.size * r.channels
  const augmented = new Float32Array(pixels)
  for (let index = 0; index < images.length; index++) {
    const entry = out.classes[images[index].label]
    if (entry.images.length >= r.perClass) continue
    const source = await decodeImage(join(r.root, images[index].path), r.size, r.channels)
    const versions: string[] = []
    for (let epoch = 1; epoch <= r.epochs; epoch++) {
      augmentImage(source, r.size, r.size, r.channels, r.augmentation, rngFor(r.seed, epoch, index), augmented)
      versions.push(
        await png(
          Uint8Array.from(augmented, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
          r.size,
          r.channels
        )
      )
      await yieldToLoop()
    }
    entry.images.push({ path: images[index].path, original: await png(source, r.size, r.channels), epochs: versions })
  }
  return out
}

async function png(data: Uint8Array, size: number, channels: 1 | 3): Promise<string> {
  const image = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width: size, height: size, channels } })
  const encoded = await (channels === 1 ? image.toColourspace('b-w') : image).png({ compressionLevel: 3 }).toBuffer()
  return `data:image/png;base64,${encoded.toString('base64')}`
}
