/** The data folder is the user's alone: created 700, its files 600, and an old world-readable one is made private. */
import { chmodSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nodeSpawner } from '../../src-main/jobs/spawn-node'
import { workerFile } from '../../src-main/paths'
import { createServices } from '../../src-main/services'
import { openDatabase } from '../../src-main/store/db'
import { png, put, tempDir } from '../helpers/images'

let root: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
const mode = (path: string) => statSync(path).mode & 0o777
const savedUmask = process.umask(0o022) // the usual umask, which made everything world-readable

beforeEach(async () => {
  root = tempDir()
  folder = tempDir()
  for (let i = 0; i < 4; i++) put(folder.path, `${i % 2 ? 'a' : 'b'}/${i}.png`, await png(i))
})
afterEach(() => {
  root.cleanup()
  folder.cleanup()
})
afterAll(() => void process.umask(savedUmask))

/** Every path under `dir` with its mode. */
function modes(dir: string): [string, number][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), mode(join(e.parentPath, e.name))])
}

describe.skipIf(process.platform === 'win32')(`the data folder${process.platform === 'win32' ? ' — skipped: Windows has no POSIX file modes to check' : ''}`, () => {
  it('is created 700 and everything in it 600: the database, the scan, the thumbnail cache', async () => {
    const dataDir = join(root.path, 'Osprey Studio')
    const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
    try {
      const report = await services.datasets.scan(folder.path) // written by a worker process
      await services.datasets.thumbnails(report.id, 1, 32) // written by this process
      expect(services.info.notices).toEqual([])
    } finally {
      services.close()
    }
    expect(mode(dataDir)).toBe(0o700)
    const entries = modes(dataDir)
    expect(entries.map(([path]) => path)).toEqual(expect.arrayContaining(['osprey.db', 'cache/thumbnails']))
    for (const [path, m] of entries) expect([path, m]).toEqual([path, statSync(join(dataDir, path)).isDirectory() ? 0o700 : 0o600])
  })

  it('made readable to others by an earlier version, is made private again, and the user is told', () => {
    const dataDir = join(root.path, 'old')
    openDatabase(join(dataDir, 'osprey.db')).close()
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, 'osprey.db'), 0o644)
    const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
    services.close()
    expect(services.info.notices).toEqual([`The data folder ${dataDir} could be read by other users of this machine; Osprey made it private (only you can open it now).`])
    expect([mode(dataDir), mode(join(dataDir, 'osprey.db'))]).toEqual([0o700, 0o600])
  })
})
