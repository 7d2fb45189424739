/** A path typed into the studio as into a shell: `~` is the home folder of the machine running Osprey. */
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { nodeSpawner } from '../../src-main/jobs/spawn-node'
import { expandHome, workerFile } from '../../src-main/paths'
import { createServices, type Services } from '../../src-main/services'
import { png, put, tempDir } from '../helpers/images'

let home: ReturnType<typeof tempDir>
let data: ReturnType<typeof tempDir>
let services: Services
const savedHome = process.env.HOME

beforeAll(async () => {
  home = tempDir()
  data = tempDir()
  process.env.HOME = home.path // os.homedir() reads it on every call
  for (let i = 0; i < 4; i++) put(home.path, `photos/birds/${i % 2 ? 'egret' : 'heron'}/${i}.png`, await png(i))
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'http' })
})
afterAll(() => {
  services.close()
  process.env.HOME = savedHome
  home.cleanup()
  data.cleanup()
})

it('reads a leading ~ as the home folder, and only a leading one', () => {
  expect(expandHome('~')).toBe(home.path)
  expect(expandHome('~/photos/birds')).toBe(join(home.path, 'photos/birds'))
  for (const kept of ['/data/~/birds', '~someone/birds', 'relative/~']) expect(expandHome(kept)).toBe(kept)
})

it('scans a folder typed as ~/…: the Dataset is the folder under the home folder', async () => {
  const report = await services.datasets.scan('~/photos/birds')
  expect(report.path).toBe(join(home.path, 'photos/birds'))
  expect(report.images).toBe(4)
  expect(services.datasets.list().map((d) => d.path)).toEqual([join(home.path, 'photos/birds')])
})
