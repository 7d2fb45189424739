/** Turns a folder's file entries into what the user sees: classes, problems, stats, fingerprint. Pure. */
import { createHash } from 'node:crypto'
import type { DatasetChanges, DatasetClass, ImageStats, Problem } from '../contract'
import type { FileEntry } from './inspect'
import { problem, sortProblems } from './problems'

/** The parts of a DatasetReport computed from the entries. */
export interface Summary {
  classes: DatasetClass[]
  images: number
  problems: Problem[]
  fingerprint: string
  stats: ImageStats
}

/** True when training will use this file. */
export function isUsable(e: FileEntry): boolean {
  return e.class !== null && e.problem === null
}

/** True when the file is grayscale (8 or 16 bits); every other colour space counts as colour. */
export function isGrey(e: Pick<FileEntry, 'space'>): boolean {
  return e.space === 'b-w' || e.space === 'grey16'
}

/** Up to `n` of `items`, evenly spread over them from the first: the same list always gives the same pick. */
export function evenlySpread<T>(items: readonly T[], n: number): T[] {
  const count = Math.min(n, items.length)
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)])
}

/** Below this many images a class can hardly be learned, nor checked: the validation split may hold none of it. */
const FEW_IMAGES = 5

function fewImages(c: DatasetClass): string {
  const what = c.count === 1 ? 'only 1 image' : `only ${c.count} images`
  return `The class "${c.name}" has ${what}: too few to learn it from, and the validation images may hold none of it. Add at least 10 (a pretrained model learns from about that many; from scratch needs hundreds).`
}

/** Summarizes `entries` (sorted by path) of a folder whose class folders are `classNames`. */
export function summarize(classNames: string[], entries: FileEntry[], folderProblems: Problem[]): Summary {
  const problems = [...folderProblems]
  const counts = new Map(classNames.map((c) => [c, 0]))
  const usable: FileEntry[] = []
  for (const e of entries) {
    if (e.problem) problems.push(problem(e.path, e.problem, e.message ?? ''))
    else if (e.class === null)
      problems.push(problem(e.path, 'loose-file', 'This file is directly in the dataset folder, outside any class folder, so it is not used. Move it into the folder of its class.'))
    if (!isUsable(e)) continue
    usable.push(e)
    counts.set(e.class!, (counts.get(e.class!) ?? 0) + 1)
  }
  const classes = classNames.map((name) => ({ name, count: counts.get(name) ?? 0 }))

  const split = splitFolders(classNames, entries, counts)
  if (split) {
    // The "classes" are train/, test/, …: per-class checks would only speak of them.
    problems.push(problem('.', 'split-folders', split))
  } else if (classNames.length === 0) {
    const loose = entries.filter((e) => e.class === null).length
    const found = loose ? ` Found ${loose} image${loose === 1 ? '' : 's'} directly in the folder.` : ''
    problems.push(problem('.', 'no-classes', `No class folders found.${found} Put the images of each class in a sub-folder named after the class, e.g. cats/001.jpg and dogs/001.jpg.`))
  } else {
    for (const c of classes) if (c.count === 0) problems.push(problem(c.name, 'empty-class', `The class folder "${c.name}" has no usable images, so it is left out.`))
    const withImages = classes.filter((c) => c.count > 0)
    // With one class the Dataset cannot be trained at all: that error says what to do.
    if (withImages.length > 1) for (const c of withImages) if (c.count < FEW_IMAGES) problems.push(problem(c.name, 'few-images', fewImages(c)))
    if (withImages.length === 1) {
      // Named at the one class that has images: the folder the user looks at.
      problems.push(
        problem(withImages[0].name, 'single-class', `Only one class ("${withImages[0].name}") has images. A classifier needs at least two classes: add a sub-folder of images for each other class.`)
      )
    }
  }
  problems.push(...duplicates(usable))

  return { classes, images: usable.length, problems: sortProblems(problems), fingerprint: fingerprint(usable), stats: stats(usable) }
}

// Names of the parts of a dataset already split (Kaggle, Roboflow, torchvision ImageFolder layouts).
const SPLIT_NAMES = new Set(['train', 'training', 'val', 'valid', 'validation', 'test', 'testing', 'eval', 'evaluation', 'dev'])

/** What to say when every top folder is a split part (train/, test/, …) holding class folders of its own; else null. */
function splitFolders(classNames: string[], entries: FileEntry[], counts: Map<string, number>): string | null {
  if (classNames.length === 0 || !classNames.every((c) => SPLIT_NAMES.has(c.toLowerCase()))) return null
  const inner = new Map<string, Set<string>>(classNames.map((c) => [c, new Set()]))
  for (const e of entries) {
    const parts = e.path.split('/')
    if (e.class !== null && parts.length >= 3) inner.get(e.class)!.add(parts[1])
  }
  if ([...inner.values()].some((folders) => folders.size === 0)) return null
  const classes = [...new Set([...inner.values()].flatMap((folders) => [...folders]))].sort()
  const shown = classes.length > 6 ? `${classes.slice(0, 6).join(', ')}, …` : classes.join(', ')
  const trainFirst = (c: string) => (/^train/i.test(c) ? 0 : 1)
  const largest = [...classNames].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || trainFirst(a) - trainFirst(b))[0]
  const parts = classNames.length === 1 ? `The folder "${classNames[0]}" looks like a part` : `The folders ${classNames.map((c) => `"${c}"`).join(', ')} look like the parts`
  return (
    `${parts} of a dataset that was already split, with the class folders inside (${shown}). Osprey makes its own training, validation and test split from one folder per class: ` +
    `scan the "${largest}" folder itself, or move the images so that this folder holds the class folders directly.`
  )
}

/** Second and later copies of the same content, within a class or across classes. */
function duplicates(usable: FileEntry[]): Problem[] {
  const first = new Map<string, FileEntry>()
  const found: Problem[] = []
  for (const e of usable) {
    const original = first.get(e.hash!)
    if (!original) first.set(e.hash!, e)
    else if (original.class === e.class) found.push(problem(e.path, 'duplicate', `Same image as ${original.path}. Duplicates weigh an image twice and can leak between training and validation.`))
    else found.push(problem(e.path, 'duplicate-across-classes', `Same image as ${original.path} in class "${original.class}": one image with two labels confuses training. Keep it in one class.`))
  }
  return found
}

/** sha256 over the path and content hash of every usable image, in path order. */
export function fingerprint(usable: readonly Pick<FileEntry, 'path' | 'hash'>[]): string {
  const hash = createHash('sha256')
  for (const e of usable) hash.update(`${e.path}\0${e.hash}\n`)
  return hash.digest('hex')
}

function stats(usable: FileEntry[]): ImageStats {
  const sizes = new Map<string, number>()
  const formats: Record<string, number> = {}
  const channels = { grayscale: 0, rgb: 0, alpha: 0 }
  let elongated = 0
  for (const e of usable) {
    const key = `${e.width}x${e.height}`
    sizes.set(key, (sizes.get(key) ?? 0) + 1)
    formats[e.format!] = (formats[e.format!] ?? 0) + 1
    if (isGrey(e)) channels.grayscale++
    else channels.rgb++
    if (e.hasAlpha) channels.alpha++
    if (Math.max(e.width!, e.height!) > 2 * Math.min(e.width!, e.height!)) elongated++
  }
  type Size = { width: number; height: number; count: number }
  let smallest: Size | null = null
  let largest: Size | null = null
  let mostCommon: Size | null = null
  // Equal areas (a phone's portrait and landscape photos) go to the more common size, so that a set
  // of one size does not read "smallest 3024 × 4032, largest 3024 × 4032, most common 4032 × 3024".
  const before = (a: Size, b: Size | null, sign: 1 | -1) => !b || sign * (a.width * a.height - b.width * b.height) < 0 || (a.width * a.height === b.width * b.height && a.count > b.count)
  for (const [key, count] of sizes) {
    const [width, height] = key.split('x').map(Number)
    const s = { width, height, count }
    if (before(s, smallest, 1)) smallest = s
    if (before(s, largest, -1)) largest = s
    if (!mostCommon || count > mostCommon.count) mostCommon = s
  }
  const size = (s: Size | null) => (s ? { width: s.width, height: s.height } : null)
  return { smallest: size(smallest), largest: size(largest), mostCommon, channels, formats, elongated }
}

/** What changed between two manifests, by path, size and modification time. */
export function changesBetween(before: Map<string, { size: number; mtimeMs: number }>, after: FileEntry[]): DatasetChanges {
  const changes: DatasetChanges = { added: 0, removed: 0, changed: 0, examples: { added: [], removed: [], changed: [] } }
  const note = (kind: 'added' | 'removed' | 'changed', path: string) => {
    changes[kind]++
    if (changes.examples[kind].length < 100) changes.examples[kind].push(path)
  }
  const seen = new Set<string>()
  for (const e of after) {
    seen.add(e.path)
    const old = before.get(e.path)
    if (!old) note('added', e.path)
    else if (old.size !== e.size || old.mtimeMs !== e.mtimeMs) note('changed', e.path)
  }
  for (const path of before.keys()) if (!seen.has(path)) note('removed', path)
  return changes
}
