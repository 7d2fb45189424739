/** `--html FILE` of `runs compare` and `studies show`: writes an HTML report, never over a file by surprise. */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { HtmlReport } from '../contract'
import { OspreyError } from '../errors'
import type { Output } from './output'

/** The flags a report command reads. */
export interface ReportFlags {
  html?: string | boolean
  overwrite?: string | boolean
}

/** Writes `report` to the `--html` file; refuses an existing file unless `--overwrite`. */
export function writeReport(report: HtmlReport, flags: ReportFlags, out: Output): number {
  if (typeof flags.html !== 'string' || flags.html.trim() === '') throw new OspreyError('bad-input', `--html needs a file name, e.g. --html ${report.filename}`)
  const file = resolve(flags.html)
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory())
    throw new OspreyError('bad-input', `Cannot write ${file}: the folder ${dirname(file)} does not exist. Create it first or choose another path.`)
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new OspreyError('bad-input', `${file} is a folder: give a file name, e.g. ${resolve(file, report.filename)}`)
    if (flags.overwrite !== true) throw new OspreyError('bad-input', `${file} already exists: choose another name, or add --overwrite to replace it.`)
  }
  try {
    writeFileSync(file, report.html, 'utf8')
  } catch (e) {
    throw new OspreyError('bad-input', `Cannot write ${file}: ${(e as Error).message}`)
  }
  if (out.json) out.line({ type: 'report', file, bytes: Buffer.byteLength(report.html) })
  else out.text(`Report written to ${file} (${Math.round(Buffer.byteLength(report.html) / 1024)} KB). Open it in any browser.`)
  return 0
}
