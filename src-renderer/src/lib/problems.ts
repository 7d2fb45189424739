/** How problems are named and ordered on screen; pure, so it is easy to test. */
import type { Problem, ProblemKind, ProblemSeverity } from '../../../src-main/contract'

/** A heading for each kind of problem, in the user's words. The key order is the display order. */
export const problemTitles: Record<ProblemKind, string> = {
  'missing-folder': 'Folder cannot be used',
  'no-classes': 'No class folders',
  'single-class': 'Only one class',
  'split-folders': 'Split folders instead of class folders',
  'empty-class': 'Empty class folders',
  'few-images': 'Classes with very few images',
  'symlink-loop': 'Folder links that loop',
  unreadable: 'Unreadable files',
  'empty-file': 'Empty files',
  'not-image': 'Files that are not images',
  'unsupported-format': 'Images in formats Osprey cannot read',
  corrupt: 'Damaged images',
  'too-large': 'Images too large',
  'loose-file': 'Files outside any class',
  duplicate: 'Duplicates within a class',
  'duplicate-across-classes': 'Duplicates across classes'
}

/** All problems of one kind. */
export interface ProblemGroup {
  kind: ProblemKind
  severity: ProblemSeverity
  title: string
  problems: Problem[]
}

const kindOrder = Object.keys(problemTitles) as ProblemKind[]

/** Problems grouped by kind: groups with errors first, then warnings, each in `problemTitles` order. */
export function groupProblems(problems: readonly Problem[]): ProblemGroup[] {
  const groups = new Map<ProblemKind, ProblemGroup>()
  for (const problem of problems) {
    let group = groups.get(problem.kind)
    if (!group) {
      group = { kind: problem.kind, severity: problem.severity, title: problemTitles[problem.kind] ?? problem.kind, problems: [] }
      groups.set(problem.kind, group)
    }
    // A kind that is an error for any of its items counts as an error group.
    if (problem.severity === 'error') group.severity = 'error'
    group.problems.push(problem)
  }
  const rank = (g: ProblemGroup) => (g.severity === 'error' ? 0 : 1000) + kindOrder.indexOf(g.kind)
  return [...groups.values()].sort((a, b) => rank(a) - rank(b))
}

/** How many errors and warnings there are. */
export function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0
  for (const p of problems) if (p.severity === 'error') errors++
  return { errors, warnings: problems.length - errors }
}
