/** A Dataset's label check through the services, in a real worker, on photo-like colour images with planted mistakes. */
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shapeImage, writeShapeDataset } from '../../../bench/colour-shapes'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let shapes: ReturnType<typeof tempDir>
let services: Services
let folder: string
const moved = ['star/circle-0003.jpg', 'circle/triangle-0007.jpg']
const copies = Array.from({ length: 6 }, (_, i) => `triangle/copy-${i}.jpg`)

beforeAll(async () => {
  data = tempDir()
  shapes = tempDir()
  folder = join(shapes.path, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 24, seed: 31 })
  // Two images in the wrong class folder, and six resized, re-encoded copies of triangles (some will straddle the split).
  for (const path of moved)
    renameSync(
      join(
        folder,
        path.replace(/^\w+\//, (m) => (m === 'star/' ? 'circle/' : 'triangle/'))
      ),
      join(folder, path)
    )
  for (const [i, copy] of copies.entries()) {
    const original = await shapeImage('triangle', 31 * 1_000_003 + 10_007 + (i + 10))
    const width = (await sharp(original).metadata()).width!
    writeFileSync(
      join(folder, copy),
      await sharp(original)
        .resize(Math.round(width * 0.8))
        .jpeg({ quality: 80 })
        .toBuffer()
    )
  }
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
})
afterAll(() => {
  services.close()
  data.cleanup()
  shapes.cleanup()
})

describe('a label check', () => {
  it('flags the images in the wrong class folder first, finds copies across the split, and excluded images leave new Runs', async () => {
    const report = await services.datasets.scan(folder)
    const progress: string[] = []
    services.events.on('labels.progress', (p) => progress.push(p.message))
    const check = await services.labels.check(report.id, 5)
    expect(check).toMatchObject({ datasetId: report.id, images: 78, folds: 5, seed: 5, stale: false, decisions: {} })
    expect(progress.some((m) => /^Computing features \(MobileNetV2 α 0\.35\): \d+ of 78$/.test(m))).toBe(true)
    // The planted mistakes come first, with the class they really are.
    expect(
      check.suspects
        .slice(0, 2)
        .map((s) => s.path)
        .sort()
    ).toEqual([...moved].sort())
    expect(check.suspects.find((s) => s.path === moved[0])).toMatchObject({ given: 'star', suggested: 'circle' })
    // Every near-duplicate reported is a planted copy and its original, one in validation, one in training.
    const originals = copies.map((_, i) => `triangle/triangle-${String(i + 10).padStart(4, '0')}.jpg`)
    expect(check.leaks.length).toBeGreaterThan(0)
    for (const leak of check.leaks) {
      const pair = [leak.path, leak.duplicateOf]
      expect(copies.some((c, i) => pair.includes(c) && pair.includes(originals[i]))).toBe(true)
      expect(leak.similarity).toBeGreaterThanOrEqual(0.85)
    }

    // Excluding an image: recorded with the check, and left out of new Runs (in their config), the folder untouched.
    const reviewed = services.labels.review(report.id, moved[0], 'exclude')
    expect(reviewed.decisions).toEqual({ [moved[0]]: 'exclude' })
    services.labels.review(report.id, moved[1], 'keep')
    // A path the Dataset does not hold (a typo, a file outside it) is refused rather than counted as excluded.
    expect(() => services.labels.review(report.id, 'star/nope.jpg', 'exclude')).toThrow(/star\/nope\.jpg is not an image of this Dataset: give its path inside the folder/)
    expect(() => services.labels.review(report.id, join(folder, moved[0]), 'exclude')).toThrow(/is not an image of this Dataset/)
    expect(services.training.defaults(folder).exclude).toEqual([moved[0]])
    // Find the best model plans on the kept images, and says why one is missing.
    const plan = (await services.auto.plan(folder, 5)).reasons.join(' ')
    expect(plan).toContain('77 images in 3 classes')
    expect(plan).toContain('1 image you excluded after the label check is left out of every Trial and of the final Run')
    const run = await services.training.start({ folder, model: 'pretrained', imageSize: 96, epochs: 2, backend: 'wasm', seed: 5 })
    expect((await services.training.finished(run.id)).status).toBe('completed')
    const detail = services.training.get(run.id)
    expect(detail.config.exclude).toEqual([moved[0]])
    expect(detail.split!.train + detail.split!.validation).toBe(77)
    expect(services.labels.get(report.id)!.decisions).toEqual({ [moved[0]]: 'exclude', [moved[1]]: 'keep' })
  }, 120_000)

  it('says when the folder changed since the check, and refuses a Dataset it cannot judge', async () => {
    const report = services.datasets.list().find((d) => d.path === folder)!
    writeFileSync(join(folder, 'star', 'new.jpg'), await shapeImage('star', 999))
    await services.datasets.scan(folder)
    expect(services.labels.get(report.id)!.stale).toBe(true)
    await expect(() => services.labels.review(999, 'x.jpg', 'keep')).toThrow(/Check the labels of this Dataset first/)
    // Thumbnails and "show in folder" answer for the Dataset's own images only, never any file a request names.
    const [thumb] = await services.labels.thumbnails(report.id, ['star/new.jpg'])
    expect(thumb.thumbnail).toMatch(/^data:image\/webp;base64,/)
    await expect(services.labels.thumbnails(report.id, ['../../../etc/passwd'])).rejects.toThrow('../../../etc/passwd is not an image of this Dataset.')
    expect(() => services.labels.imageFile(report.id, '/etc/passwd')).toThrow(/is not an image of this Dataset/)
  })
})
