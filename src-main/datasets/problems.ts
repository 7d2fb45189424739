/** Problem constructors: every kind with its severity, in one place. */
import type { DatasetClass, DatasetReport, ImageStats, Problem, ProblemKind, ProblemSeverity } from '../contract'

// `error`: the file or folder is not used; `warning`: it is used but deserves a look.
const SEVERITY: Record<ProblemKind, ProblemSeverity> = {
  'missing-folder': 'error',
  'no-classes': 'error',
  'single-class': 'error',
  'split-folders': 'error',
  'empty-class': 'warning',
  'few-images': 'warning',
  'loose-file': 'warning',
  unreadable: 'error',
  'empty-file': 'error',
  'not-image': 'error',
  corrupt: 'error',
  'unsupported-format': 'error',
  'too-large': 'error',
  duplicate: 'warning',
  'duplicate-across-classes': 'warning',
  'symlink-loop': 'warning'
}

/** A Problem of `kind` at `path` (relative, `/` separators). */
export function problem(path: string, kind: ProblemKind, message: string): Problem {
  return { path, kind, severity: SEVERITY[kind], message }
}

/** Errors first, then warnings; within each, by kind then path. */
export function sortProblems(problems: Problem[]): Problem[] {
  const rank = (p: Problem) => (p.severity === 'error' ? 0 : 1)
  return problems.sort((a, b) => rank(a) - rank(b) || a.kind.localeCompare(b.kind) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** The problems that keep a whole Dataset from training (the Datasets list reads them too). */
export const BLOCKING_KINDS: readonly ProblemKind[] = ['no-classes', 'single-class', 'split-folders']

/** Why a dataset cannot be trained on yet — no class folders, a single class, split folders instead
 *  of class folders, or class folders without a usable image — or null when it can. */
export function whyUntrainable(report: Pick<DatasetReport, 'problems' | 'images' | 'classes'>): string | null {
  const blocking = report.problems.find((p) => BLOCKING_KINDS.includes(p.kind))
  if (blocking) return blocking.message
  if (report.images > 0) return null
  const names = report.classes.map((c) => c.name).join(', ')
  return `the class folders (${names}) have no usable images. Put the images of each class in its folder, then try again.`
}

/** A sentence when the largest class has 2× or more the images of the smallest (empty classes aside), else null: beyond about 2:1 a classifier starts to favour the big classes. */
export function imbalanceNote(classes: readonly Pick<DatasetClass, 'count'>[]): string | null {
  const counts = classes.map((c) => c.count).filter((n) => n > 0)
  if (counts.length < 2) return null
  const smallest = Math.min(...counts)
  const ratio = Math.max(...counts) / smallest
  if (ratio < 2) return null
  return `The largest class has ${ratio.toFixed(1)}× the images of the smallest (${smallest.toLocaleString('en')} ${smallest === 1 ? 'image' : 'images'}). The model may favour the larger classes.`
}

/** True when no two images share a size: there is no "most common" one to show. */
export function everySizeDiffers(stats: Pick<ImageStats, 'mostCommon' | 'channels'>): boolean {
  return stats.mostCommon?.count === 1 && stats.channels.grayscale + stats.channels.rgb > 1
}

/** A sentence when images are more than twice as long as they are wide, else null: a Run resizes each to its centre square, which then keeps less than half of it. */
export function cropNote(stats: Pick<ImageStats, 'elongated'>): string | null {
  const n = stats.elongated ?? 0
  if (n === 0) return null
  const which = n === 1 ? '1 image is' : `${n.toLocaleString('en')} images are`
  return `${which} more than twice as long as wide: training sees only the centre square of an image, less than half of ${n === 1 ? 'this one' : 'these'}. Where the subject is off-centre, crop the image around it first.`
}
