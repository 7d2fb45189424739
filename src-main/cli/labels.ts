/** `osprey datasets check-labels <folder>` and `osprey datasets review <folder> exclude|keep|undo <image>…`. */
import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { LabelCheck } from '../contract'
import { OspreyError } from '../errors'
import type { Services } from '../services'
import { count, type Output } from './output'

/** Scans `folder` (only what changed), checks its labels and prints what looks wrong. */
export async function checkLabelsCommand(services: Services, folder: string, seed: number | undefined, out: Output): Promise<number> {
  const report = await services.datasets.scan(folder)
  const stop = services.events.on('labels.progress', (p) => {
    const m = /^(.*): (\d+) of (\d+)$/.exec(p.message)
    if (out.json) out.line({ type: 'progress', message: p.message })
    else if (m) out.progress(m[1], Number(m[2]), Number(m[3]), {})
  })
  try {
    const check = await services.labels.check(report.id, seed)
    if (out.json) out.line({ type: 'label-check', ...check })
    else out.text(describe(check, report.path))
    return 0
  } finally {
    stop()
  }
}

/** Records decisions about flagged images: exclude them from new Runs, keep them, or undo either. */
export function reviewCommand(services: Services, folder: string, decision: string, paths: string[], out: Output): number {
  const dataset = services.datasets.list().find((d) => d.path === resolve(folder))
  if (!dataset) throw new OspreyError('not-found', `${folder} is not scanned yet: run osprey datasets check-labels ${folder} first.`)
  const value = { exclude: 'exclude', keep: 'keep', undo: null }[decision]
  if (value === undefined) throw new OspreyError('bad-input', `Say exclude, keep or undo, not "${decision}".`)
  let check: LabelCheck | null = null
  for (const path of paths) check = services.labels.review(dataset.id, inFolder(dataset.path, path), value as 'exclude' | 'keep' | null)
  if (out.json) out.line({ type: 'label-check', ...check })
  else
    out.text(
      `${count(paths.length, 'image')}: ${decision === 'undo' ? 'no decision' : decision}. New Runs on this Dataset leave out ${count(services.labels.excluded(dataset.id).length, 'excluded image')}; the folder itself is not changed.`
    )
  return 0
}

/** An image as the Dataset names it: a path typed from the shell (absolute, or from where the user stands) into one inside `folder`. */
function inFolder(folder: string, path: string): string {
  const inside = relative(folder, resolve(path))
  const within = !inside.startsWith('..') && !isAbsolute(inside)
  return within && (isAbsolute(path) || existsSync(resolve(path))) ? inside.split(sep).join('/') : path
}

function describe(check: LabelCheck, folder: string): string {
  const lines = [`${check.images} images checked with ${check.model} (${check.folds}-fold; the out-of-fold classifier agrees with ${(check.accuracy * 100).toFixed(1)} % of the labels).`]
  if (check.suspects.length === 0) lines.push('No image looks mislabeled.')
  else lines.push(`${count(check.suspects.length, 'image')} ${check.suspects.length === 1 ? 'looks' : 'look'} mislabeled, most suspect first (given → looks like):`)
  for (const s of check.suspects.slice(0, 40))
    lines.push(
      `  ${s.path}: ${s.given} → ${s.suggested} (${(s.confidence * 100).toFixed(0)} %, ${s.given} ${(s.givenProbability * 100).toFixed(0)} %)${check.decisions[s.path] ? `  [${check.decisions[s.path]}]` : ''}`
    )
  if (check.suspects.length > 40) lines.push(`  … and ${check.suspects.length - 40} more (see --json)`)
  if (check.leaks.length) lines.push(`${count(check.leaks.length, 'validation image')} nearly ${check.leaks.length === 1 ? 'repeats' : 'repeat'} a training image (the split with seed ${check.seed}):`)
  for (const l of check.leaks.slice(0, 20)) lines.push(`  ${l.path} ≈ ${l.duplicateOf}`)
  if (check.suspects.length) lines.push(`Leave one out of new Runs: osprey datasets review ${folder} exclude <image>… (keep <image> marks its label right).`)
  return lines.join('\n')
}
