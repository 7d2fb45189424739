/** `osprey runs …`: the Run history from the command line, run as a user or a script runs it. */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/store/db'
import { evaluation, seedDataset, seedRun } from '../../helpers/history'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
const ids: Record<string, number> = {}

beforeAll(() => {
  data = tempDir()
  const db = openDatabase(join(data.path, 'osprey.db'))
  const pets = seedDataset(db)
  ids.slow = seedRun(db, { name: 'slow lr', datasetId: pets, config: { learningRate: 0.0001, fineTuneLearningRate: 0.0001 }, valAccuracy: 0.7, tags: ['baseline'], dataDir: data.path })
  ids.fast = seedRun(db, { name: 'fast lr', datasetId: pets, config: { learningRate: 0.01, fineTuneLearningRate: 0.0001 }, valAccuracy: 0.9 })
  ids.failed = seedRun(db, { name: 'broken', status: 'failed', valAccuracy: null })
  // As Find the best model's final Run: trained on training + validation, judged on the test images.
  ids.final = seedRun(db, { name: 'final', valAccuracy: null, evaluation: { ...evaluation(0.9), split: 'test' } })
  db.close()
})
afterAll(() => data.cleanup())

function osprey(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args, '--data-dir', data.path], { encoding: 'utf8' })
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    objects: () =>
      result.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
  }
}

describe('osprey runs list', () => {
  it('filters by tag, dataset and status, as JSON lines and as text', () => {
    expect(
      osprey('runs', 'list', '--json')
        .objects()
        .map((r) => r.name)
    ).toEqual(['final', 'broken', 'fast lr', 'slow lr'])
    expect(osprey('runs', 'list', '--tag', 'baseline', '--json').objects()).toEqual([expect.objectContaining({ type: 'run', id: ids.slow, tags: ['baseline'], valAccuracy: 0.7 })])
    expect(
      osprey('runs', 'list', '--dataset', 'pets', '--status', 'completed', '--json')
        .objects()
        .map((r) => r.id)
    ).toEqual([ids.fast, ids.slow])
    const text = osprey('runs', 'list', '--status', 'failed')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/failed\s+broken/)
    expect(text.stdout).not.toMatch(/slow lr/)
  })

  it('shows the test accuracy of a Run that had no validation images', () => {
    expect(osprey('runs', 'list', '--search', 'final').stdout).toMatch(/final {2}3\/\d+ epochs {2}test acc 0\.9000 /)
    expect(osprey('runs', 'list', '--search', 'fast').stdout).toMatch(/fast lr {2}3\/\d+ epochs {2}val acc 0\.9000 /)
    expect(osprey('runs', 'show', String(ids.final)).stdout).toMatch(/result {6}val acc –, val loss –, test acc 0\.9000, /)
  })

  it('says what is wrong with a bad filter', () => {
    const run = osprey('runs', 'list', '--status', 'done')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/--status: "done" is not a status; use queued, running/)
    expect(osprey('runs', 'list', '--dataset', 'birds').stderr).toMatch(/No dataset "birds". Known: \d+ pets/)
  })
})

describe('osprey runs tag, note, show, compare', () => {
  it('tags, notes and shows a Run with its config and per-class metrics', () => {
    expect(osprey('runs', 'tag', String(ids.fast), 'best').stdout).toMatch(/tags: best/)
    expect(osprey('runs', 'note', String(ids.fast), 'ten', 'times', 'faster').code).toBe(0)
    const shown = osprey('runs', 'show', String(ids.fast))
    expect(shown.stdout).toMatch(/Run \d+: fast lr/)
    expect(shown.stdout).toMatch(/notes\s+ten times faster/)
    expect(shown.stdout).toMatch(/\n {4}learningRate {9}0.01\n/)
    expect(shown.stdout).toMatch(/\n {4}fineTuneLearningRate 0.0001\n/) // the longest name keeps a space before its value
    expect(shown.stdout).toMatch(/cats\s+precision 0.900/)
    expect(osprey('runs', 'untag', String(ids.fast), 'best', '--json').objects()[0].tags).toEqual([])
  })

  it('compares Runs: the differing setting, the final metrics with the best marked', () => {
    const text = osprey('runs', 'compare', String(ids.slow), String(ids.fast))
    expect(text.stdout).toMatch(/Settings that differ:\n\s+learningRate\s+0.0001\s+0.01/)
    expect(text.stdout).toMatch(/val accuracy\s+0.7000\s+0.9000 \*/)
    const [json] = osprey('runs', 'compare', String(ids.slow), String(ids.fast), '--json').objects()
    expect(json).toMatchObject({ type: 'comparison', differences: [{ key: 'learningRate', values: [0.0001, 0.01] }], best: { valAccuracy: 1 } })
    expect(json.runs[0].config.learningRate).toBe(0.0001)
    expect(osprey('runs', 'compare', String(ids.slow), '999').stderr).toMatch(/No Run with id 999/)
  })
})

describe('osprey runs export and delete', () => {
  it('exports CSV and JSON to stdout', () => {
    const csv = osprey('runs', 'export')
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^id,name,status,dataset,model/)
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(5) // a header and 4 Runs
    const json = JSON.parse(osprey('runs', 'export', '--format', 'json', '--tag', 'baseline').stdout)
    expect(json.runs.map((r: { name: string }) => r.name)).toEqual(['slow lr'])
    expect(osprey('runs', 'export', '--format', 'xml').stderr).toMatch(/--format is csv or json/)
  })

  it('deletes a Run with its files', () => {
    expect(existsSync(join(data.path, 'runs', String(ids.slow), 'model', 'model.json'))).toBe(true)
    expect(osprey('runs', 'delete', String(ids.slow)).stdout).toMatch(/Run \d+ deleted, with 2 files/)
    expect(existsSync(join(data.path, 'runs', String(ids.slow)))).toBe(false)
    expect(osprey('runs', 'show', String(ids.slow)).stderr).toMatch(/No Run with id/)
  })
})

it('warns, keeps the old file and goes on when the database is damaged', () => {
  const damaged = tempDir()
  writeFileSync(join(damaged.path, 'osprey.db'), 'not a database at all'.repeat(100))
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', 'runs', 'list', '--data-dir', damaged.path], { encoding: 'utf8' })
  expect(result.status).toBe(0)
  expect(result.stderr).toMatch(/^osprey: warning: The history database was damaged .* The old file is kept at .*osprey\.db\.corrupt-/)
  expect(result.stdout).toMatch(/No Runs yet/)
  damaged.cleanup()
})
