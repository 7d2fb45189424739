/**
 * A folder that opens but fails while it is listed (a network share that drops mid-scan, a disk
 * pulled out) is reported and the scan goes on. Root lists every local folder, so the fault is
 * injected: `opendir` is the real one, and the listing of a folder named "flaky" fails after its
 * first entry with the error such a share gives.
 */
import { afterAll, expect, it, vi } from 'vitest'
import { tempDir, put } from '../../helpers/images'

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...fs,
    opendir: async (path: string, options?: object) => {
      const dir = await fs.opendir(path, options)
      if (!path.endsWith('flaky')) return dir
      return {
        async *[Symbol.asyncIterator]() {
          yield (await dir.read())!
          await dir.close()
          throw Object.assign(new Error(`EIO: i/o error, scandir '${path}'`), { code: 'EIO' })
        }
      }
    }
  }
})
const { walk } = await import('../../../src-main/datasets/walk')

const folder = tempDir()
afterAll(() => folder.cleanup())

it('reports a folder whose listing fails part-way, keeps what it listed, and scans the rest', async () => {
  put(folder.path, 'cats/1.png', 'x')
  put(folder.path, 'flaky/1.png', 'x')
  put(folder.path, 'flaky/2.png', 'x')
  put(folder.path, 'owls/1.png', 'x')
  const listing = await walk(folder.path)
  expect(listing.classes).toEqual(['cats', 'flaky', 'owls'])
  expect(listing.problems).toEqual([
    expect.objectContaining({ path: 'flaky', kind: 'unreadable', message: 'This folder could not be read to the end (a read error: the disk or network share failed).' })
  ])
  expect(listing.files.map((f) => f.path)).toEqual(['cats/1.png', expect.stringMatching(/^flaky\/[12]\.png$/), 'owls/1.png'])
})
