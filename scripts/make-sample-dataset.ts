/**
 * (Re)creates resources/sample-dataset/: 30 Fashion-MNIST images per class from
 * the TEST split (benchmarks and training use the train split, so they never
 * overlap), plus the dataset's MIT LICENSE and a short README.md.
 *
 * Run: npx tsx scripts/make-sample-dataset.ts
 * Needs the Debian package dataset-fashion-mnist.
 */
import { readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportFashionMnist, FASHION_MNIST_CLASSES } from '../bench/fashion-mnist.ts'

const PER_CLASS = 30
const COPYRIGHT_FILE = '/usr/share/doc/dataset-fashion-mnist/copyright'
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'resources', 'sample-dataset')

/**
 * Builds the MIT licence text of Fashion-MNIST from the Debian copyright file
 * (DEP-5 format): the Copyright line of the `Files: *` stanza (upstream's files,
 * not debian/*) and the body of the `License: Expat` stanza.
 */
function fashionMnistLicense(): string {
  const text = readFileSync(COPYRIGHT_FILE, 'utf8')
  const stanzas = text.split(/\n\s*\n/)
  const upstream = stanzas.find((s) => /^Files:\s*\*\s*$/m.test(s))
  const copyright = upstream?.match(/^Copyright:\s*(.+)$/m)?.[1].trim()
  const license = stanzas.find((s) => /^License:\s*Expat\s*$/m.test(s) && !/^Files:/m.test(s))
  if (!copyright || !license) throw new Error(`${COPYRIGHT_FILE}: no upstream Copyright line or Expat licence text`)
  // Continuation lines are indented by one space; a lone "." is an empty line.
  const body = license
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^ /, '').replace(/\s+$/, ''))
    .map((line) => (line === '.' ? '' : line))
    .join('\n')
  return `The MIT License (MIT)\n\nCopyright (c) ${copyright}\n\n${body.trim()}\n`
}

const license = fashionMnistLicense() // fail before deleting anything
await rm(out, { recursive: true, force: true })
const { images } = await exportFashionMnist(out, { split: 'test', perClass: PER_CLASS })
await rm(join(out, '.complete.json'), { force: true }) // ship only class folders, LICENSE and README.md
await writeFile(join(out, 'LICENSE'), license)
await writeFile(
  join(out, 'README.md'),
  [
    `Sample dataset: ${PER_CLASS} grayscale 28x28 PNGs for each of ${FASHION_MNIST_CLASSES.length} clothing classes, one folder per class.`,
    'Source: Fashion-MNIST test split (Zalando Research, MIT licence, see LICENSE), from the Debian package dataset-fashion-mnist.',
    'Made with: `npx tsx scripts/make-sample-dataset.ts` (first 30 images of each class in file order).'
  ].join('\n') + '\n'
)
console.log(`${out}: ${images} images in ${FASHION_MNIST_CLASSES.length} class folders`)
