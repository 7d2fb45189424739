/** Scanning real folders with real sharp and real SQLite: every problem a user's folder can have. */
import { spawnSync } from 'node:child_process'
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DatasetReport, Problem } from '../../../src-main/contract'
import { whyUntrainable } from '../../../src-main/datasets/problems'
import { scanDataset } from '../../../src-main/datasets/scan'
import { DatasetRepository } from '../../../src-main/store/datasets'
import { openDatabase, type Db } from '../../../src-main/store/db'
import { bmp, HEIC_FIXTURE, image, jpeg, png, put, tempDir, writeHugePng } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
let db: Db
let repository: DatasetRepository

beforeEach(() => {
  data = tempDir()
  folder = tempDir()
  db = openDatabase(join(data.path, 'osprey.db'))
  repository = new DatasetRepository(db)
})
afterEach(() => {
  db.close()
  data.cleanup()
  folder.cleanup()
})

const scan = (path = folder.path, options = {}) => scanDataset(path, { repository, ...options })
const kinds = (problems: Problem[]) => problems.map((p) => `${p.kind} ${p.path}`).sort()
/** The problems besides "too few images": the small folders below are small to test something else. */
const besidesFew = (report: DatasetReport) => report.problems.filter((p) => p.kind !== 'few-images')

/** Every file and its modification time: proof that a scan never writes to the folder. */
function snapshot(root: string, out: Record<string, number> = {}): Record<string, number> {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name)
    out[path] = lstatSync(path).mtimeMs
    if (entry.isDirectory()) snapshot(path, out) // links are not followed: one loop is enough
  }
  return out
}

describe('a folder with every kind of image and problem', () => {
  beforeEach(async () => {
    const root = folder.path
    put(root, 'cats/a.png', await png(1))
    put(root, 'cats/b.jpg', await jpeg(2))
    put(root, 'cats/rgba.png', await png(3, { channels: 4 }))
    put(root, 'cats/deep/nested/c.webp', await image(4).webp().toBuffer())
    put(root, 'cats/anim.gif', await image(5).gif().toBuffer())
    put(root, 'cats/scan.tiff', await image(6).tiff().toBuffer())
    put(root, 'cats/photo.avif', await image(7).avif().toBuffer())
    put(root, 'cats/drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"><rect width="10" height="5" fill="red"/></svg>')
    put(root, 'cats/sixteen.png', await image(8).toColourspace('rgb16').png().toBuffer())
    put(root, 'cats/print.jpg', await image(9).toColourspace('cmyk').jpeg().toBuffer())
    // A portrait photo stored sideways: EXIF orientation 6 turns 16×12 into 12×16.
    put(root, 'cats/rotated.jpg', await image(10, { width: 16, height: 12 }).jpeg().withMetadata({ orientation: 6 }).toBuffer())
    put(root, 'cats/copy-of-a.png', await png(1)) // duplicate within the class
    put(root, 'cats/empty.png', '') // zero bytes
    put(root, 'cats/notes.txt', 'not an image')
    put(root, 'cats/fake.jpg', 'a text file with an image name')
    const whole = await jpeg(11, { width: 64, height: 64 })
    put(root, 'cats/truncated.jpg', whole.subarray(0, whole.length >> 1))
    put(root, 'cats/.DS_Store', 'mac')
    put(root, 'cats/Thumbs.db', 'win')
    put(root, 'cats/IMG_0001.AAE', '<?xml version="1.0"?><plist><dict/></plist>') // an Apple Photos edit, beside its photo
    put(root, 'cats/b.xmp', '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>') // a Lightroom sidecar
    put(root, 'cats/.hidden.png', await png(12))
    put(root, 'dogs 🐕 犬/d1.png', await png(13, { channels: 1 }))
    put(root, 'dogs 🐕 犬/same as cat.png', await png(2 + 1000)) // distinct
    put(root, 'dogs 🐕 犬/stolen.png', await png(3, { channels: 4 })) // same as cats/rgba.png
    put(root, 'birds/.keep', '') // an empty class: hidden files do not count
    put(root, '.git/config', 'ignored')
    put(root, 'stray.png', await png(14)) // outside any class
    put(root, 'README.md', 'A dataset') // fine beside the classes
    symlinkSync('..', join(root, 'cats', 'loop')) // leads back to the dataset folder
    await writeHugePng(join(root, 'dogs 🐕 犬', 'huge.png'), 20000, 20000)
  })

  it('counts usable images per class and reports each problem once, with its file', async () => {
    const before = snapshot(folder.path)
    const report = await scan()
    expect(report.classes).toEqual([
      { name: 'birds', count: 0 },
      { name: 'cats', count: 12 },
      { name: 'dogs 🐕 犬', count: 3 }
    ])
    expect(report.images).toBe(15)
    expect(kinds(report.problems)).toEqual(
      [
        'corrupt cats/fake.jpg',
        'corrupt cats/truncated.jpg',
        'duplicate cats/copy-of-a.png',
        'duplicate-across-classes dogs 🐕 犬/stolen.png',
        'empty-class birds',
        'empty-file cats/empty.png',
        'few-images dogs 🐕 犬',
        'loose-file stray.png',
        'not-image cats/notes.txt',
        'symlink-loop cats/loop',
        'too-large dogs 🐕 犬/huge.png'
      ].sort()
    )
    for (const p of report.problems) expect(p.message.length).toBeGreaterThan(20)
    expect(report.problems.find((p) => p.kind === 'too-large')?.message).toContain('20000×20000')
    expect(report.problems.find((p) => p.kind === 'duplicate-across-classes')?.message).toContain('cats/rgba.png')
    expect(report.problems.find((p) => p.kind === 'few-images')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/^The class "dogs 🐕 犬" has only 3 images: too few/) })
    expect(snapshot(folder.path)).toEqual(before) // the user's folder is only read
    // The list counts the classes a Run trains on: the empty one is left out.
    expect(repository.list()[0]).toMatchObject({ images: 15, classes: 2 })
  })

  it('summarizes sizes after EXIF orientation, channels and formats', async () => {
    const { stats } = await scan()
    // Alpha: rgba.png, its copy in dogs, the SVG and the GIF (libvips writes GIFs with alpha).
    expect(stats.channels).toEqual({ grayscale: 1, rgb: 14, alpha: 4 })
    expect(stats.formats).toEqual({ png: 7, jpeg: 3, webp: 1, gif: 1, tiff: 1, avif: 1, svg: 1 })
    expect(stats.smallest).toEqual({ width: 10, height: 5 })
    expect(stats.mostCommon).toEqual({ width: 16, height: 12, count: 13 }) // all but the SVG and the rotated photo
    const rotated = db.prepare("SELECT width, height FROM dataset_files WHERE path = 'cats/rotated.jpg'").get()
    expect(rotated).toEqual({ width: 12, height: 16 })
  })

  it('lists errors before warnings', async () => {
    const severities = (await scan()).problems.map((p) => p.severity)
    expect(severities).toEqual([...severities].sort())
  })
})

describe('the fingerprint', () => {
  beforeEach(async () => {
    put(folder.path, 'a/1.png', await png(1))
    put(folder.path, 'b/2.png', await png(2))
  })

  it('stays the same when nothing used for training changed, even if a file was touched', async () => {
    const first = await scan()
    utimesSync(join(folder.path, 'a/1.png'), new Date(), new Date(Date.now() + 5000))
    put(folder.path, 'a/broken.png', '') // not used: does not change the fingerprint
    const second = await scan()
    expect(second.fingerprint).toBe(first.fingerprint)
    expect(second.fingerprint).toMatch(/^[0-9a-f]{64}$/)
  })

  it('changes when an image changes, and when an image moves to another class', async () => {
    const first = await scan()
    put(folder.path, 'a/1.png', await png(3))
    const edited = await scan()
    expect(edited.fingerprint).not.toBe(first.fingerprint)
    rmSync(join(folder.path, 'a/1.png'))
    put(folder.path, 'b/1.png', await png(3))
    expect((await scan()).fingerprint).not.toBe(edited.fingerprint)
  })
})

describe('scanning a known folder again', () => {
  beforeEach(async () => {
    for (let i = 0; i < 6; i++) put(folder.path, `${i % 2 ? 'odd' : 'even'}/${i}.png`, await png(i))
  })

  it('reads only what was added or changed, and says what changed', async () => {
    const first = await scan()
    expect(first.changes).toBeNull()
    expect(first.filesRead).toBe(6)

    const unchanged = await scan()
    expect(unchanged.id).toBe(first.id)
    expect(unchanged.filesRead).toBe(0)
    expect(unchanged.changes).toMatchObject({ added: 0, removed: 0, changed: 0 })

    put(folder.path, 'odd/7.png', await png(7))
    unlinkSync(join(folder.path, 'even/0.png'))
    put(folder.path, 'even/2.png', await png(22))
    utimesSync(join(folder.path, 'even/2.png'), new Date(), new Date(Date.now() + 5000))
    const changed = await scan()
    expect(changed.filesRead).toBe(2)
    expect(changed.filesSeen).toBe(6)
    expect(changed.changes).toEqual({ added: 1, removed: 1, changed: 1, examples: { added: ['odd/7.png'], removed: ['even/0.png'], changed: ['even/2.png'] } })
    expect(changed.images).toBe(6)
    expect(repository.list()).toHaveLength(1)
  })

  it('notices a file that was fixed since the last scan', async () => {
    put(folder.path, 'odd/bad.png', 'garbage')
    expect((await scan()).problems.map((p) => p.path)).toContain('odd/bad.png')
    put(folder.path, 'odd/bad.png', await png(99))
    utimesSync(join(folder.path, 'odd/bad.png'), new Date(), new Date(Date.now() + 5000))
    const fixed = await scan()
    expect(besidesFew(fixed)).toEqual([])
    expect(fixed.images).toBe(7)
  })

  it('names an iPhone photo and a bitmap instead of calling them damaged, and reads such files again at every scan', async () => {
    put(folder.path, 'odd/IMG_0001.HEIC', readFileSync(HEIC_FIXTURE))
    put(folder.path, 'even/scan.bmp', bmp())
    put(folder.path, 'odd/IMG_0001.MOV', Buffer.alloc(4096, 7)) // a Live Photo's video: not an image
    const first = await scan()
    expect(first.filesRead).toBe(9)
    expect(besidesFew(first).map((p) => [p.kind, p.path, p.message.slice(0, 40)])).toEqual([
      ['not-image', 'odd/IMG_0001.MOV', 'This file is not an image (supported: JP'],
      ['unsupported-format', 'even/scan.bmp', 'This is a BMP image, which Osprey cannot'],
      ['unsupported-format', 'odd/IMG_0001.HEIC', 'This is an HEIC photo (the format iPhone']
    ])
    // Unchanged, the two images are read again (a newer Osprey may decode them, or say better why
    // not), the video is not; nothing counts as changed.
    const again = await scan()
    expect(again.filesRead).toBe(2)
    expect(again.changes).toMatchObject({ added: 0, removed: 0, changed: 0 })
    expect(besidesFew(again)).toEqual(besidesFew(first))
  })

  it('reports a file that disappears while the folder is being scanned', async () => {
    let removed = false
    const report = await scan(folder.path, {
      onProgress: (p: { phase: string }) => {
        if (p.phase === 'reading' && !removed) {
          removed = true
          unlinkSync(join(folder.path, 'odd/5.png'))
        }
      }
    })
    expect(besidesFew(report)).toEqual([expect.objectContaining({ path: 'odd/5.png', kind: 'unreadable', message: expect.stringContaining('disappeared') })])
    expect(report.images).toBe(5)
  })

  it('can be cancelled, and then records nothing', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(scan(folder.path, { signal: controller.signal })).rejects.toThrow()
    expect(repository.list()).toEqual([])
  })
})

describe('folders that cannot be used as they are', () => {
  it('explains the expected layout when there are no class folders', async () => {
    put(folder.path, 'one.png', await png(1))
    put(folder.path, 'two.png', await png(2))
    const report = await scan()
    expect(report.images).toBe(0)
    const noClasses = report.problems.find((p) => p.kind === 'no-classes')!
    expect(noClasses.message).toMatch(/Found 2 images directly in the folder.*sub-folder named after the class/)
  })

  it('recognises a dataset already split into train/ and test/ with the class folders inside, and says which folder to scan', async () => {
    let seed = 0
    for (const [part, n] of [
      ['train', 4],
      ['test', 2]
    ] as const)
      for (const cls of ['cats', 'dogs']) for (let i = 0; i < n; i++) put(folder.path, `${part}/${cls}/${i}.png`, await png(seed++))
    const report = await scan()
    // Only the layout is named: "train" and "test" are no classes to count or to call small.
    expect(report.problems).toEqual([
      {
        path: '.',
        kind: 'split-folders',
        severity: 'error',
        message:
          'The folders "test", "train" look like the parts of a dataset that was already split, with the class folders inside (cats, dogs). Osprey makes its own training, validation and test split from one folder per class: scan the "train" folder itself, or move the images so that this folder holds the class folders directly.'
      }
    ])
    expect(whyUntrainable(report)).toBe(report.problems[0].message)
    expect(repository.list()[0].untrainable).toBe(report.problems[0].message) // the Datasets list marks it too

    // One part alone is no single class either; a real class named "train" beside others is left alone.
    rmSync(join(folder.path, 'test'), { recursive: true })
    expect((await scan()).problems.map((p) => [p.kind, p.message.slice(0, 54)])).toEqual([['split-folders', 'The folder "train" looks like a part of a dataset that']])
    put(folder.path, 'bus/0.png', await png(99))
    expect((await scan()).problems.map((p) => p.kind)).not.toContain('split-folders')
  })

  it('says so for an empty folder', async () => {
    const report = await scan()
    expect(report.problems.map((p) => p.kind)).toEqual(['no-classes'])
  })

  it('asks for a second class when there is only one', async () => {
    put(folder.path, 'cats/1.png', await png(1))
    expect((await scan()).problems.map((p) => [p.kind, p.path])).toEqual([['single-class', 'cats']]) // named at the one class, not "."
  })

  it('refuses a missing path and a file, saying what to do', async () => {
    await expect(scan(join(folder.path, 'nope'))).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('Folder not found') })
    const file = put(folder.path, 'x.png', await png(1))
    await expect(scan(file)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('is a file, not a folder') })
  })

  it('reports a class folder and a file it may not read', async (context) => {
    const asRoot = process.getuid?.() === 0
    if (asRoot && !nobodyCanRunTheCli()) {
      context.skip(
        `run as root from ${process.cwd()}, which the user nobody cannot read: root reads every file, so unreadable files can only be checked as another user (run the tests as a normal user, or from a checkout others can read)`
      )
    }
    put(folder.path, 'a/1.png', await png(1))
    put(folder.path, 'a/secret.png', await png(2))
    put(folder.path, 'b/2.png', await png(3))
    put(folder.path, 'c/3.png', await png(4))
    chmodSync(join(folder.path, 'b'), 0o000)
    chmodSync(join(folder.path, 'a/secret.png'), 0o000)
    const report = asRoot ? await scanAsNobody(folder.path) : await scan()
    chmodSync(join(folder.path, 'b'), 0o755)
    expect(kinds(besidesFew(report))).toEqual(['empty-class b', 'unreadable a/secret.png', 'unreadable b'])
    expect(report.problems.find((p) => p.path === 'b' && p.kind === 'unreadable')?.message).toContain('permission denied')
    expect(report.images).toBe(2)
  })

  it('never decodes an image over the pixel limit', async () => {
    put(folder.path, 'a/1.png', await png(1))
    put(folder.path, 'b/2.png', await png(2))
    put(folder.path, 'b/big.jpg', await image(3, { width: 300, height: 200 }).jpeg().toBuffer())
    const report = await scan(folder.path, { pixelLimit: 50_000 })
    expect(besidesFew(report)).toEqual([expect.objectContaining({ path: 'b/big.jpg', kind: 'too-large' })])
  })
})

it('counts a CMYK JPEG with the colour images', async () => {
  put(folder.path, 'a/print.jpg', await image(9).toColourspace('cmyk').jpeg().toBuffer())
  put(folder.path, 'b/grey.png', await png(1, { channels: 1 }))
  expect((await sharp(join(folder.path, 'a/print.jpg')).metadata()).space).toBe('cmyk')
  expect((await scan()).stats.channels).toEqual({ grayscale: 1, rgb: 1, alpha: 0 })
})

/** Whether the user nobody can run the CLI from this checkout (not from a private folder such as /root). */
function nobodyCanRunTheCli(): boolean {
  const probe = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('node:fs').accessSync('src-main/cli.ts')"], { uid: 65534, gid: 65534, stdio: 'ignore' })
  return probe.status === 0
}

/** Root reads everything, so as root the scan runs as `nobody` through the CLI, as a user would. */
async function scanAsNobody(path: string): Promise<DatasetReport> {
  const dataDir = join(path, '..', `${basename(path)}-data`)
  mkdirSync(dataDir)
  chmodSync(dataDir, 0o777) // mkdir's mode is cut by the umask
  chmodSync(path, 0o755)
  for (const dir of ['a', 'c']) chmodSync(join(path, dir), 0o755)
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', 'datasets', 'scan', path, '--json', '--data-dir', dataDir], {
    encoding: 'utf8',
    uid: 65534,
    gid: 65534,
    env: { ...process.env, HOME: dataDir }
  })
  rmSync(dataDir, { recursive: true, force: true })
  if (run.status !== 0) throw new Error(`scan as nobody failed: ${run.stderr}`)
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as DatasetReport
}
