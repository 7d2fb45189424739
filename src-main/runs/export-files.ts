/**
 * Writing an export's files into a folder of the user's, safely: no file already there is replaced
 * unless the user said so, no symlink is ever followed (a link named like one of our files is
 * replaced itself, never written through), and every file is written under a temporary name and
 * then moved into place, so a file appears whole or not at all. Files are placed in the order
 * given: the caller puts the one that marks a complete export (model.json) last.
 */
import { randomBytes } from 'node:crypto'
import { link, lstat, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OspreyError } from '../errors'

/** One file of an export: copied from `copyFrom`, or written from `data`. */
export type ExportFile = { name: string } & ({ copyFrom: string } | { data: string | Buffer })

/** Writes `files` into `folder` (which exists); refuses any that exists unless `overwrite`. */
export async function writeExportFiles(folder: string, files: ExportFile[], overwrite: boolean): Promise<void> {
  const present = (await Promise.all(files.map(async (f) => ((await lstat(join(folder, f.name)).catch(() => null)) ? f.name : null)))).filter((n) => n !== null)
  if (present.length && !overwrite) {
    throw new OspreyError(
      'bad-input',
      `${folder} already holds ${present.join(', ')}. Choose an empty folder, or allow replacing ${present.length === 1 ? 'it' : 'them'} (Replace in the app, --overwrite on the command line).`
    )
  }
  const temps = new Map<string, string>()
  try {
    for (const file of files) {
      // 'wx' creates a new file and fails on anything there, a link included.
      const temp = join(folder, `.${file.name}.${randomBytes(6).toString('hex')}.partial`)
      temps.set(file.name, temp)
      // Read and written rather than copied: a copy would keep the data folder's private mode (600).
      await writeFile(temp, 'copyFrom' in file ? await readFile(file.copyFrom) : file.data, { flag: 'wx' })
    }
    for (const file of files) {
      await place(temps.get(file.name)!, join(folder, file.name), overwrite)
      temps.delete(file.name)
    }
  } finally {
    await Promise.all([...temps.values()].map((temp) => rm(temp, { force: true })))
  }
}

/** Moves `temp` to `target`: rename replaces whatever is there (a link itself, not its target);
 *  without `overwrite` a hard link fails if something appeared there since the check. */
async function place(temp: string, target: string, overwrite: boolean): Promise<void> {
  if (overwrite) return rename(temp, target)
  try {
    await link(temp, target)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new OspreyError('bad-input', `${target} appeared while exporting; nothing of it was replaced. Export again to choose what to do.`)
    // Some file systems (FAT, exFAT, some network shares) have no hard links: check, then rename.
    if ((await lstat(target).catch(() => null)) !== null) throw new OspreyError('bad-input', `${target} appeared while exporting; nothing of it was replaced. Export again to choose what to do.`)
    return rename(temp, target)
  }
  await rm(temp, { force: true })
}
