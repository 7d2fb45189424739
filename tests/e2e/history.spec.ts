/**
 * The History screen in Chromium against a real `osprey serve`, on a data folder seeded through the
 * repositories (recorded Runs, no training): filter and search, tag a Run, compare Runs with the
 * differing setting highlighted, re-run a config, a 10,000-Run list. How fast 10 Runs compare is a
 * benchmark (bench/compare-screen.ts), not a test.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { openDatabase, type Db } from '../../src-main/store/db'
import { seedDataset, seedRun } from '../helpers/history'
import { accessibilityViolations } from './accessibility'
import { expect, test, type OspreyServer } from './server'

const pageErrors = new WeakMap<Page, string[]>()

/** Writes Runs into the data folder's database before the server opens it. */
function seed(dataDir: string, fill: (db: Db) => void): void {
  const db = openDatabase(join(dataDir, 'osprey.db'))
  db.transaction(() => fill(db))()
  db.close()
}

async function openHistory(page: Page, server: OspreyServer): Promise<void> {
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  await page.goto(server.url)
  await page.getByTestId('nav-history').click()
  // A history with Runs shows their count; an empty one, a welcome.
  await expect(page.getByTestId('history-total').or(page.getByTestId('history-empty'))).toBeVisible()
}

test.afterEach(({ page }) => {
  expect(pageErrors.get(page) ?? [], 'uncaught errors in the page').toEqual([])
})

const rowNames = (page: Page) => page.getByTestId('row-name').allInnerTexts()

test('filters, searches and sorts the history', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    const pets = seedDataset(db, '/data/pets', 'pets')
    const birds = seedDataset(db, '/data/birds', 'birds')
    seedRun(db, { name: 'pets baseline', datasetId: pets, valAccuracy: 0.71, createdAt: '2026-11-01T10:00:00.000Z' })
    seedRun(db, { name: 'pets heavy augmentation', datasetId: pets, valAccuracy: 0.83, notes: 'rotation helped a lot', createdAt: '2026-11-02T10:00:00.000Z' })
    seedRun(db, { name: 'birds resnet', datasetId: birds, valAccuracy: 0.92, config: { model: 'compact-resnet' }, createdAt: '2026-11-03T10:00:00.000Z' })
    seedRun(db, { name: 'birds crashed', datasetId: birds, status: 'failed', valAccuracy: null, createdAt: '2026-11-04T10:00:00.000Z' })
  })
  await openHistory(page, await startServer())
  await expect(page.getByTestId('history-total')).toHaveText('4 Runs')
  expect(await rowNames(page)).toEqual(['birds crashed', 'birds resnet', 'pets heavy augmentation', 'pets baseline'])

  // The filters are folded away until asked for, so the list keeps the height.
  await expect(page.getByTestId('filter-status')).toBeHidden()
  await page.getByTestId('filters-toggle').click()
  await page.getByTestId('filter-status').selectOption('failed')
  await expect(page.getByTestId('filters-toggle')).toHaveText('Filters and sort (1 set)')
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  expect(await rowNames(page)).toEqual(['birds crashed'])
  await page.getByTestId('filter-status').selectOption('')

  // Search finds words in notes too, by prefix.
  await page.getByTestId('history-search').fill('rotat')
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  expect(await rowNames(page)).toEqual(['pets heavy augmentation'])
  await page.getByTestId('history-search').fill('')

  await page.getByTestId('filter-dataset').selectOption({ label: 'pets' })
  await expect(page.getByTestId('history-total')).toHaveText('2 Runs')
  await page.getByTestId('filter-dataset').selectOption({ label: 'Any' })
  await page.getByTestId('history-sort').selectOption('valAccuracy')
  await expect.poll(() => rowNames(page)).toEqual(['birds resnet', 'pets heavy augmentation', 'pets baseline', 'birds crashed'])
  await page.getByTestId('filter-min-accuracy').fill('80')
  await expect.poll(() => rowNames(page)).toEqual(['birds resnet', 'pets heavy augmentation'])
})

test('tags, renames and notes a Run (saving notes says so), and the tag filters the list after a restart', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    seedRun(db, { name: 'first' })
    seedRun(db, { name: 'second', notes: 'try a smaller batch' })
  })
  await openHistory(page, await startServer())
  await page.getByTestId('history-row').filter({ hasText: 'second' }).getByRole('button').click()
  await expect(page.getByTestId('run-detail')).toBeVisible()
  await expect(page.getByTestId('detail-notes')).toHaveValue('try a smaller batch')
  await page.getByTestId('tag-input').fill('keeper')
  await page.getByTestId('tag-add').click()
  await expect(page.getByTestId('detail-tag')).toHaveText(['keeper×'])
  await expect(page.getByTestId('history-row').filter({ hasText: 'second' }).getByTestId('row-tag')).toHaveText('keeper')
  // Renamed and noted from the detail too.
  await page.getByTestId('detail-name').fill('second, tagged')
  await page.getByTestId('detail-name').press('Enter')
  await expect(page.getByTestId('row-name').first()).toHaveText('second, tagged')
  await expect(page.getByTestId('row-name').first()).toHaveAttribute('title', 'second, tagged') // a long name cut short shows whole on hover
  // Saving notes says so, until they are edited again.
  await page.getByTestId('detail-notes').fill('try a smaller batch, then more Epochs')
  await page.getByTestId('save-notes').click()
  await expect(page.getByTestId('notes-saved')).toHaveText('Notes saved.')
  await expect(page.getByTestId('save-notes')).toBeDisabled()
  await page.getByTestId('detail-notes').fill('changed again')
  await expect(page.getByTestId('notes-saved')).toHaveCount(0)

  await page.reload()
  await page.getByTestId('filters-toggle').click()
  await page.getByTestId('filter-tag').selectOption({ label: 'keeper (1)' })
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  expect(await rowNames(page)).toEqual(['second, tagged'])
})

test('compares two Runs: the differing hyperparameter is highlighted, the best result marked', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    const pets = seedDataset(db, '/data/pets', 'pets')
    seedRun(db, { name: 'slow', datasetId: pets, valAccuracy: 0.7, config: { learningRate: 0.0001 } })
    seedRun(db, { name: 'fast', datasetId: pets, valAccuracy: 0.9, config: { learningRate: 0.01 } })
  })
  await openHistory(page, await startServer())
  await expect(page.getByTestId('compare-button')).toBeDisabled()
  for (const name of ['slow', 'fast']) await page.getByTestId('history-row').filter({ hasText: name }).getByTestId('select-run').check()
  await page.getByTestId('compare-button').click()
  await expect(page.getByTestId('compare-view')).toBeVisible()

  const lr = page.getByTestId('compare-config').locator('tr[data-key="learningRate"]')
  await expect(lr).toHaveAttribute('data-differs', 'true')
  await expect(lr).toHaveClass(/differs/)
  await expect(lr.locator('td')).toHaveText(['0.0001', '0.01'])
  await expect(page.getByTestId('compare-config').locator('tr[data-key="batchSize"]')).toHaveAttribute('data-differs', 'false')
  await page.getByTestId('only-differences').check()
  await expect(page.getByTestId('compare-config').locator('tbody tr')).toHaveCount(1)

  const accuracy = page.getByTestId('compare-metrics').locator('tbody tr').first().locator('td')
  await expect(accuracy).toHaveText(['0.7000', '0.9000 ★'])
  await expect(page.getByTestId('compare-chart').locator('canvas')).toHaveCount(1)
  await page.getByTestId('compare-x').selectOption('time')
  await page.getByTestId('compare-metric').selectOption('loss')
  await expect(page.getByTestId('compare-chart')).toContainText('Loss per Iteration')
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(2)

  // The HTML report downloads, names both Runs, and a browser draws its charts from the file alone.
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-report').click()])
  expect(report.suggestedFilename()).toMatch(/^osprey-compare-\d+-\d+-.*\.html$/)
  const html = await readFile((await report.path())!, 'utf8')
  expect(html).toMatch(/slow[\s\S]*fast/)
  await page.setContent(html)
  await expect(page.locator('figure svg polyline')).not.toHaveCount(0)
  await expect(page.locator('td.best')).toContainText(['0.9000 ★'])
  // Light and dark: the best figure's green is text, and must read on either background.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await accessibilityViolations(page), `the report, ${colorScheme}`).toEqual([])
  }
})

test('re-runs a Run with its config: the Train form opens filled with its settings', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    const pets = seedDataset(db, '/data/pets', 'pets')
    seedRun(db, { name: 'to repeat', datasetId: pets, config: { learningRate: 0.0042, epochs: 7, seed: 1234 } })
  })
  await openHistory(page, await startServer())
  await page.getByTestId('history-row').getByRole('button').click()
  await expect(page.getByTestId('detail-seed')).toHaveText('1234')
  await page.getByTestId('rerun').click()
  await expect(page.getByTestId('train-form')).toBeVisible()
  await expect(page.getByTestId('field-lr')).toHaveValue('0.0042')
  await expect(page.getByTestId('field-epochs')).toHaveValue('7')
  await expect(page.getByTestId('field-seed')).toHaveValue('1234')
})

test('filters by date, and continues an interrupted Run from its checkpoint on the Train screen', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    const pets = seedDataset(db, '/data/pets', 'pets')
    seedRun(db, { name: 'last month', datasetId: pets, createdAt: '2026-10-01T10:00:00.000Z' })
    seedRun(db, { name: 'cut short', datasetId: pets, status: 'interrupted', createdAt: '2026-11-20T10:00:00.000Z' })
  })
  await openHistory(page, await startServer())
  await expect(page.getByTestId('history-total')).toHaveText('2 Runs')
  await page.getByTestId('filters-toggle').click()
  await page.getByTestId('filter-from').fill('2026-11-01')
  await page.getByTestId('filter-from').dispatchEvent('change')
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  expect(await rowNames(page)).toEqual(['cut short'])
  await page.getByTestId('history-row').getByRole('button').click()
  await page.getByTestId('continue-run').click()
  await expect(page.getByTestId('train-form')).toHaveCount(0)
  await expect(page.locator('#run-name')).toHaveText('cut short')
})

test('a damaged database: the studio starts on a fresh one and says where the old file was kept', async ({ page, dataDir, startServer }) => {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(join(dataDir, 'osprey.db'), 'not a database, but maybe precious '.repeat(100))
  await openHistory(page, await startServer())
  await expect(page.getByTestId('app-notice')).toContainText(/The history database was damaged.*The old file is kept at .*osprey\.db\.corrupt-/)
  await expect(page.getByTestId('history-empty')).toContainText('No Runs yet')
})

test('downloads the filtered Runs as CSV and JSON', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    seedRun(db, { name: 'kept, with a comma', tags: ['share'] })
    seedRun(db, { name: 'left out' })
  })
  await openHistory(page, await startServer())
  await page.getByTestId('filters-toggle').click()
  await page.getByTestId('filter-tag').selectOption({ label: 'share (1)' })
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  expect(csv.suggestedFilename()).toMatch(/^osprey-runs-.*\.csv$/)
  // UTF-8 with a byte-order mark, which Excel needs to read "α" and accents right.
  const text = await readFile((await csv.path())!, 'utf8')
  expect(text.startsWith('\ufeffid,name,')).toBe(true)
  const lines = text.trimEnd().split('\r\n')
  expect(lines).toHaveLength(2)
  expect(lines[1]).toContain('"kept, with a comma"')
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()])
  expect(JSON.parse(await readFile((await json.path())!, 'utf8')).runs.map((r: { name: string }) => r.name)).toEqual(['kept, with a comma'])
})

test('deletes a Run after confirmation', async ({ page, dataDir, startServer }) => {
  seed(dataDir, (db) => {
    seedRun(db, { name: 'keep' })
    seedRun(db, { name: 'remove me', dataDir })
  })
  await openHistory(page, await startServer())
  await page.getByTestId('history-row').filter({ hasText: 'remove me' }).getByRole('button').click()
  await page.getByTestId('delete-run').click()
  await page.getByTestId('confirm-delete').click()
  await expect(page.getByTestId('message')).toHaveText('Deleted “remove me” and 2 files.')
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
})

test('scrolls 10,000 Runs with only the rows in view in the page', async ({ page, dataDir, startServer }) => {
  test.setTimeout(120_000)
  seed(dataDir, (db) => {
    for (let i = 1; i <= 10_000; i++) seedRun(db, { name: `run ${i}`, epochs: 1, iterationsPerEpoch: 1, evaluation: null, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() })
  })
  await openHistory(page, await startServer())
  await expect(page.getByTestId('history-total')).toHaveText('10,000 Runs')
  expect(await page.getByTestId('history-row').count()).toBeLessThan(60)
  // Scroll through the list frame by frame; each step lands its rows (pages load ahead of need).
  const frames = await page.getByTestId('history-list').evaluate(async (list) => {
    const times: number[] = []
    // The page's own requestAnimationFrame (this file is type-checked without the DOM library).
    const { requestAnimationFrame } = globalThis as unknown as { requestAnimationFrame: (callback: () => void) => number }
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()))
    // The frame time with nothing to do: the floor on this machine, beside which the scroll frames read.
    const idle: number[] = []
    for (let i = 0; i < 30; i++) {
      const t = performance.now()
      await frame()
      idle.push(performance.now() - t)
    }
    idle.sort((a, b) => a - b)
    for (let i = 0; i < 120; i++) {
      const t = performance.now()
      list.scrollTop += 400
      await frame()
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    return { median: times[60], p95: times[114], idle: idle[15] }
  })
  console.log(`history scroll, 10,000 Runs: frame median ${frames.median.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms (idle frame ${frames.idle.toFixed(1)} ms)`)
  await page.getByTestId('history-list').evaluate((list) => (list.scrollTop = list.scrollHeight))
  await expect(page.getByTestId('row-name').last()).toHaveText('run 1')
  expect(await page.getByTestId('history-row').count()).toBeLessThan(60)
})

test('an empty history welcomes instead of offering filters; tags show in the rows; picked Runs a search hides are let go', async ({ page, dataDir, startServer }) => {
  const empty = await startServer()
  pageErrors.set(page, [])
  page.on('pageerror', (error) => pageErrors.get(page)!.push(String(error.stack)))
  await page.goto(empty.url)
  await page.getByTestId('nav-history').click()
  await expect(page.getByTestId('history-empty')).toContainText('No Runs yet')
  await expect(page.getByTestId('history-search')).toHaveCount(0)
  await empty.stop()

  seed(dataDir, (db) => {
    const pets = seedDataset(db, '/data/pets', 'pets')
    seedRun(db, { name: 'a slow one with a long name that takes most of the row', datasetId: pets, valAccuracy: 0.7, tags: ['keep'] })
    seedRun(db, { name: 'fast', datasetId: pets, valAccuracy: 0.9 })
  })
  await openHistory(page, await startServer())
  // The tag is in the row's first line, inside the row (not cut off by a long name).
  const slow = page.getByTestId('history-row').filter({ hasText: 'slow' })
  const tag = slow.getByTestId('row-tag')
  await expect(tag).toHaveText('keep')
  const [row, box] = [await slow.boundingBox(), await tag.boundingBox()]
  expect(box!.x + box!.width).toBeLessThanOrEqual(row!.x + row!.width)

  for (const name of ['slow', 'fast']) await page.getByTestId('history-row').filter({ hasText: name }).getByTestId('select-run').check()
  await expect(page.getByTestId('compare-button')).toHaveText('Compare (2)')
  await page.getByTestId('history-search').fill('fast')
  await expect(page.getByTestId('history-total')).toHaveText('1 Run')
  await expect(page.getByTestId('compare-button')).toHaveText('Compare (1)')
  await expect(page.getByTestId('compare-button')).toBeDisabled()

  // One Run has a report of its own.
  await page.getByTestId('history-row').getByRole('button').click()
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('run-report').click()])
  expect(report.suggestedFilename()).toMatch(/^osprey-run-\d+-.*\.html$/)
  await page.setContent(await readFile((await report.path())!, 'utf8'))
  expect(await accessibilityViolations(page), "the Run's report").toEqual([])
})
