/**
 * Stratified, seeded split of a Dataset's images into training, validation and (optional) test.
 * Each class is split on its own, so every split keeps the class balance of the whole set.
 */
import { Random, hashString } from './random'

/** One usable image and its class index. */
export interface LabelledImage {
  path: string
  label: number
}

/** Fractions of each class that go to validation and test; the rest is for training. */
export interface SplitFractions {
  validation: number
  test: number
}

/** What a Run records about its split: enough to recognise it and to show per-class counts. */
export interface SplitManifest {
  seed: number
  fractions: SplitFractions
  /** Per class index: [training, validation, test] image counts. */
  counts: [number, number, number][]
  totals: { train: number; validation: number; test: number }
}

/** The split itself: indices into the image list, each ascending. */
export interface Split {
  train: number[]
  validation: number[]
  test: number[]
  manifest: SplitManifest
}

/** At this many images and more, a test split is set aside automatically. */
export const LARGE_DATASET = 10_000

/** The usual fractions for a set of `images` images: 20% validation below 10,000; 10% + 5% test above. */
export function defaultSplitFractions(images: number): SplitFractions {
  return images < LARGE_DATASET ? { validation: 0.2, test: 0 } : { validation: 0.1, test: 0.05 }
}

/** The fractions a Run asked for, `null` meaning automatic (see `defaultSplitFractions`) for each. */
export function resolveSplitFractions(images: number, validation: number | null, test: number | null): SplitFractions {
  const auto = defaultSplitFractions(images)
  return { validation: validation ?? auto.validation, test: test ?? auto.test }
}

/** Class names (sorted) and each image's class index, from a Dataset's usable files. */
export function labelImages(files: readonly { path: string; class: string }[]): { classes: string[]; images: LabelledImage[] } {
  const classes = [...new Set(files.map((f) => f.class))].sort()
  const index = new Map(classes.map((name, i) => [name, i]))
  return { classes, images: files.map((f) => ({ path: f.path, label: index.get(f.class)! })) }
}

/**
 * Splits `images` per class. Within a class, images are shuffled with a stream named after the
 * class, so adding a class does not reshuffle the others. A class of at least 2 images always
 * gives 1 to validation (and, with a test split, a class of at least 3 gives 1 to test), so
 * every class is measured. Throws when a fraction is out of range or a class would be left
 * without training images.
 */
export function splitDataset(images: readonly LabelledImage[], options: { seed: number; fractions?: SplitFractions; classNames?: readonly string[] }): Split {
  const fractions = options.fractions ?? defaultSplitFractions(images.length)
  checkFractions(fractions)
  const byClass: number[][] = []
  images.forEach((image, i) => {
    if (!Number.isInteger(image.label) || image.label < 0) throw new Error(`Image ${image.path} has an invalid class index ${image.label}.`)
    ;(byClass[image.label] ??= []).push(i)
  })
  const root = new Random(options.seed)
  const split: Split = { train: [], validation: [], test: [], manifest: { seed: options.seed, fractions: { ...fractions }, counts: [], totals: { train: 0, validation: 0, test: 0 } } }
  for (let label = 0; label < byClass.length; label++) {
    const members = byClass[label] ?? []
    const name = options.classNames?.[label] ?? `class ${label}`
    const [v, t] = shares(members.length, fractions)
    if (members.length > 0 && members.length - v - t < 1) {
      throw new Error(
        `Class "${name}" has ${members.length} image${members.length === 1 ? '' : 's'}: with ${pct(fractions.validation)} validation${fractions.test > 0 ? ` and ${pct(fractions.test)} test` : ''} none would be left for training. Add images or lower the fractions.`
      )
    }
    const order = root.fork(hashString(options.classNames?.[label] ?? String(label))).shuffle(members.slice())
    split.validation.push(...order.slice(0, v))
    split.test.push(...order.slice(v, v + t))
    split.train.push(...order.slice(v + t))
    split.manifest.counts.push([members.length - v - t, v, t])
  }
  for (const list of [split.train, split.validation, split.test]) list.sort((a, b) => a - b)
  split.manifest.totals = { train: split.train.length, validation: split.validation.length, test: split.test.length }
  return split
}

/** How many of a class's `n` images go to validation and test. */
function shares(n: number, f: SplitFractions): [number, number] {
  let v = Math.round(n * f.validation)
  let t = Math.round(n * f.test)
  if (f.validation > 0 && n >= 2 && v === 0) v = 1
  if (f.test > 0 && n >= 3 && t === 0) t = 1
  return [v, t]
}

function checkFractions(f: SplitFractions): void {
  for (const [name, value] of [
    ['validation', f.validation],
    ['test', f.test]
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value >= 1) throw new Error(`The ${name} fraction must be at least 0 and below 1, got ${value}.`)
  }
  if (f.validation + f.test >= 1) throw new Error(`Validation (${pct(f.validation)}) and test (${pct(f.test)}) together must leave images for training.`)
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`

/**
 * A seeded, stratified `fraction` of the training split (at least one image per class that had
 * one); validation and test are unchanged, so a Trial on a subset is measured like any other.
 */
export function subsetTrain(split: Split, labels: readonly number[], fraction: number, seed: number): Split {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`The training fraction must be above 0 and at most 1, got ${fraction}.`)
  if (fraction === 1) return split
  const byClass = new Map<number, number[]>()
  for (const i of split.train) (byClass.get(labels[i]) ?? byClass.set(labels[i], []).get(labels[i])!).push(i)
  const root = new Random(seed).fork(hashString('train-subset'))
  const train: number[] = []
  const counts = split.manifest.counts.map((c) => [...c] as [number, number, number])
  for (const [label, members] of byClass) {
    const keep = Math.max(1, Math.round(members.length * fraction))
    train.push(...root.fork(label).shuffle(members.slice()).slice(0, keep))
    counts[label][0] = keep
  }
  train.sort((a, b) => a - b)
  return { ...split, train, manifest: { ...split.manifest, counts, totals: { ...split.manifest.totals, train: train.length } } }
}

/** Training and validation as one training split, for a final Run whose recipe is chosen; the test split is unchanged. */
export function mergeValidation(split: Split): Split {
  const train = [...split.train, ...split.validation].sort((a, b) => a - b)
  const counts = split.manifest.counts.map(([t, v, x]) => [t + v, 0, x] as [number, number, number])
  return { ...split, train, validation: [], manifest: { ...split.manifest, counts, totals: { train: train.length, validation: 0, test: split.test.length } } }
}
