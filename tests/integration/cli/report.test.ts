/** `osprey runs compare … --html FILE` and `osprey studies show ID --html FILE`, run as a user runs them. */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/store/db'
import { StudyRepository } from '../../../src-main/store/studies'
import { seedDataset, seedRun } from '../../helpers/history'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
const ids: Record<string, number> = {}

beforeAll(() => {
  data = tempDir()
  const db = openDatabase(join(data.path, 'osprey.db'))
  const pets = seedDataset(db)
  ids.slow = seedRun(db, { name: 'slow <b>lr</b>', datasetId: pets, config: { learningRate: 0.0001 }, valAccuracy: 0.7, notes: '<script>alert(1)</script>' })
  ids.fast = seedRun(db, { name: 'fast lr', datasetId: pets, config: { learningRate: 0.01 }, valAccuracy: 0.9 })
  // A finished Study whose two Trials are the Runs above.
  const studies = new StudyRepository(db)
  const settings = { folder: '/data/pets', trials: 2, timeBudgetMinutes: null, parallel: 1, prune: 'none' as const, seed: 5, training: { epochs: 3 } }
  ids.study = studies.create({ name: 'lr sweep', datasetId: pets, strategy: 'grid', objective: 'valAccuracy', space: { learningRate: { type: 'choice', values: [0.0001, 0.01] } }, settings })
  studies.startTrial(ids.study, 0, { learningRate: 0.0001 }, ids.slow)
  studies.endTrial(ids.study, 0, 'completed', 0.7)
  studies.startTrial(ids.study, 1, { learningRate: 0.01 }, ids.fast)
  studies.endTrial(ids.study, 1, 'completed', 0.9)
  studies.setStatus(ids.study, 'completed')
  // Three Trials at 100 % and one below: the one with the lowest validation loss is best, not the first.
  ids.tied = studies.create({
    name: 'easy set',
    datasetId: pets,
    strategy: 'random',
    objective: 'valAccuracy',
    space: { learningRate: { type: 'float', low: 0.0001, high: 0.1, log: true } },
    settings
  })
  for (const [number, [valAccuracy, valLoss]] of [
    [0.9, 0.4],
    [1, 0.3],
    [1, 0.02],
    [1, 0.1]
  ].entries()) {
    const runId = seedRun(db, { name: `easy ${number}`, datasetId: pets, valAccuracy, valLoss })
    studies.startTrial(ids.tied, number, { learningRate: 0.001 * (number + 1) }, runId)
    studies.endTrial(ids.tied, number, 'completed', valAccuracy)
  }
  studies.setStatus(ids.tied, 'completed')
  db.close()
})
afterAll(() => data.cleanup())

function osprey(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args, '--data-dir', data.path], { encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('osprey runs compare --html', () => {
  it('writes a report naming both Runs, escapes their text, and refuses to overwrite it without --overwrite', () => {
    const file = join(data.path, 'compare.html')
    const written = osprey('runs', 'compare', String(ids.slow), String(ids.fast), '--html', file)
    expect(written.stderr).toBe('')
    expect(written.stdout).toMatch(/Report written to .*compare\.html/)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('slow &lt;b&gt;lr&lt;/b&gt;')
    expect(html).toContain('fast lr')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script')
    expect(html).toMatch(/learningRate<\/th><td>0\.0001<\/td><td>0\.01<\/td>/)
    expect(html).toMatch(/<svg /)

    writeFileSync(file, 'keep me')
    const refused = osprey('runs', 'compare', String(ids.slow), String(ids.fast), '--html', file)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/compare\.html already exists: choose another name, or add --overwrite to replace it/)
    expect(readFileSync(file, 'utf8')).toBe('keep me')
    expect(osprey('runs', 'compare', String(ids.slow), String(ids.fast), '--html', file, '--overwrite').code).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('fast lr')
  })

  it('says what is wrong with a missing folder or an unknown Run', () => {
    expect(osprey('runs', 'compare', String(ids.slow), String(ids.fast), '--html', join(data.path, 'nowhere', 'r.html')).stderr).toMatch(/the folder .*nowhere does not exist/)
    expect(osprey('runs', 'compare', String(ids.slow), '999', '--html', join(data.path, 'x.html')).stderr).toMatch(/No Run with id 999/)
  })
})

describe('osprey studies show --html', () => {
  it('writes the Study report with its Trials and best result', () => {
    const file = join(data.path, 'study.html')
    const written = osprey('studies', 'show', String(ids.study), '--html', file)
    expect(written.code).toBe(0)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('lr sweep')
    expect(html).toContain('Best: Trial 2') // Trials count from 1, as on screen
    expect(html).toMatch(/data-table="trials"/)
    expect(html).toMatch(/data-chart="trial-curves"[\s\S]*<polyline/)
    expect(osprey('studies', 'show', '999', '--html', join(data.path, 'y.html')).stderr).toMatch(/No Study with id 999/)
  })

  it('names as best, among Trials that tie, the one with the lowest validation loss, and says so', () => {
    const shown = osprey('studies', 'show', String(ids.tied))
    expect(shown.stdout).toMatch(/Best: Trial 3 \(Run \d+\) valAccuracy 1\.0000 \(3 Trials scored the same; this one has the lowest validation loss\)/)
    const file = join(data.path, 'tied.html')
    expect(osprey('studies', 'show', String(ids.tied), '--html', file).code).toBe(0)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('Best: Trial 3')
    expect(html).toContain('3 Trials scored the same; this one has the lowest validation loss.')
  })
})
