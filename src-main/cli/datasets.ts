/** `osprey datasets scan|list`. */
import type { DatasetReport } from '../contract'
import { cropNote, everySizeDiffers, imbalanceNote } from '../datasets/problems'
import type { Services } from '../services'
import { cells, count, padCells, type Output } from './output'

/** `osprey datasets scan <folder>`: scans and prints the report. */
export async function scanCommand(services: Services, folder: string, out: Output): Promise<void> {
  const report = await services.datasets.scan(folder, (p) => out.progress(p.phase, p.done, p.total, p))
  if (out.json) return out.line({ type: 'dataset', ...report })
  out.text(describe(report))
}

/** `osprey datasets list`. */
export function listCommand(services: Services, out: Output): void {
  const list = services.datasets.list()
  if (out.json) return list.forEach((d) => out.line({ type: 'dataset', ...d }))
  if (list.length === 0) return out.text('No datasets yet. Scan one: osprey datasets scan <folder>')
  for (const d of list)
    out.text(`${String(d.id).padStart(4)}  ${d.name}  ${count(d.images, 'image')}, ${count(d.classes, 'class')}, ${count(d.errors, 'error')}, ${count(d.warnings, 'warning')}  ${d.path}`)
}

function describe(r: DatasetReport): string {
  const trained = r.classes.filter((c) => c.count > 0).length
  const lines = [`${r.name}  (${r.path})`, `${r.images} usable images in ${trained} classes, fingerprint ${r.fingerprint.slice(0, 16)}`]
  const widest = Math.max(0, ...r.classes.map((c) => cells(c.name)))
  for (const c of r.classes) lines.push(`  ${padCells(c.name, widest)}  ${String(c.count).padStart(6)}`)
  const imbalance = imbalanceNote(r.classes)
  if (imbalance) lines.push(imbalance)
  const { smallest, largest, mostCommon, channels } = r.stats
  if (smallest && largest) {
    const common = mostCommon && !everySizeDiffers(r.stats) ? `most common ${mostCommon.width}×${mostCommon.height} (${mostCommon.count})` : 'every size differs'
    lines.push(`sizes: smallest ${smallest.width}×${smallest.height}, largest ${largest.width}×${largest.height}, ${common}`)
    const greyInRgb = r.stats.colourSample?.colour === 0 ? ` (grey pictures: none of the ${r.stats.colourSample.of} looked at holds colour)` : ''
    lines.push(`channels: ${channels.grayscale} grayscale, ${channels.rgb} colour${greyInRgb}, ${channels.alpha} with alpha`)
    const crop = cropNote(r.stats)
    if (crop) lines.push(crop)
  }
  if (r.changes) lines.push(`since the last scan: ${r.changes.added} added, ${r.changes.removed} removed, ${r.changes.changed} changed (read ${r.filesRead} files)`)
  const errors = r.problems.filter((p) => p.severity === 'error').length
  lines.push(r.problems.length ? `${count(r.problems.length, 'problem')} (${count(errors, 'error')}, ${count(r.problems.length - errors, 'warning')}):` : 'No problems found.')
  for (const p of r.problems.slice(0, 50)) lines.push(`  ${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.message}`)
  if (r.problems.length > 50) lines.push(`  … and ${r.problems.length - 50} more (see --json)`)
  return lines.join('\n')
}
