/**
 * Every main screen at 1400 and 900 px wide: nothing wider than the window (no horizontal
 * scrollbar on the page, a room's sidebar or its content), and the page itself never taller than
 * the window (the rooms scroll inside; a wheel over a sidebar must not carry the app away). Each
 * also passes axe-core's accessibility rules (WCAG 2.1 A and AA, best practice): labels, contrast,
 * headings, and scrolling tables the keyboard can reach.
 * History, Runs and a Study are seeded through the repositories, so nothing trains here.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { openDatabase } from '../../src-main/store/db'
import { StudyRepository } from '../../src-main/store/studies'
import { seedDataset, seedRun } from '../helpers/history'
import { accessibilityViolations } from './accessibility'
import { cleanDataset } from './folders'
import { expect, test } from './server'

/** The little of the DOM the check reads (this project's tests compile without the DOM's types). */
interface Box {
  scrollWidth: number
  clientWidth: number
  scrollHeight: number
  className: string
  tagName: string
}
type Window = { document: { scrollingElement: Box | null; documentElement: Box; querySelectorAll(selector: string): Iterable<Box> }; innerWidth: number; innerHeight: number }

/** Elements that overflow: the page, or a scrolling room, wider than it shows; the page taller than the window. */
function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, innerWidth, innerHeight } = globalThis as unknown as Window
    const found: string[] = []
    const root = document.scrollingElement ?? document.documentElement
    if (root.scrollWidth > innerWidth + 1) found.push(`the page is ${root.scrollWidth - innerWidth} px too wide`)
    if (root.scrollHeight > innerHeight + 1) found.push(`the page is ${root.scrollHeight - innerHeight} px taller than the window`)
    for (const el of document.querySelectorAll('main, .room > .content, .sidebar')) {
      if (el.scrollWidth > el.clientWidth + 1) found.push(`${el.className.split(' ')[0] || el.tagName}: ${el.scrollWidth - el.clientWidth} px wider than it shows`)
    }
    return found
  })
}

async function check(page: Page, screen: string): Promise<void> {
  expect(await accessibilityViolations(page), `${screen}: accessibility`).toEqual([])
  for (const width of [1400, 900]) {
    await page.setViewportSize({ width, height: width === 1400 ? 900 : 700 })
    // Charts follow their container's width a frame later.
    await page.waitForTimeout(250)
    expect(await overflows(page), `${screen} at ${width} px`).toEqual([])
  }
}

test('no screen is wider than the window, or makes the page taller than it, at 1400 and 900 px, and each passes the accessibility rules', async ({ page, dataDir, workDir, startServer }) => {
  test.setTimeout(90_000)
  const db = openDatabase(join(dataDir, 'osprey.db'))
  const pets = seedDataset(db, '/data/pets', 'pets')
  const runs = [0.62, 0.91, 0.9].map((accuracy, i) =>
    seedRun(db, { name: `pets · reference-cnn · 64 px · a name long enough to wrap in a narrow sidebar #${i + 1}`, datasetId: pets, valAccuracy: accuracy, epochs: 12, tags: ['baseline', 'keep'] })
  )
  const studies = new StudyRepository(db)
  const settings = { folder: '/data/pets', trials: 3, timeBudgetMinutes: null, parallel: 1, prune: 'none' as const, seed: 5, training: { epochs: 12 } }
  const study = studies.create({
    name: 'learning rate sweep',
    datasetId: pets,
    strategy: 'random',
    objective: 'valAccuracy',
    space: { learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true }, dropout: { type: 'float', low: 0, high: 0.5, step: 0.1 } },
    settings
  })
  runs.forEach((runId, n) => {
    // The Runs are the Study's Trials, as a Study records its own.
    db.prepare('UPDATE runs SET study_id = ? WHERE id = ?').run(study, runId)
    studies.startTrial(study, n, { learningRate: 10 ** -(n + 2), dropout: n / 10 }, runId)
    studies.endTrial(study, n, 'completed', [0.62, 0.91, 0.9][n])
  })
  studies.setStatus(study, 'completed')
  db.close()
  const folder = await cleanDataset(join(workDir, 'colours'), ['red', 'green', 'blue'], 6)

  await page.goto((await startServer()).url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await check(page, 'Datasets')

  await page.getByTestId('nav-train').click()
  await expect(page.getByTestId('train-form')).toBeVisible()
  await check(page, 'the New Run form')

  await page.getByTestId('nav-history').click()
  await expect(page.getByTestId('history-total')).toHaveText('3 Runs')
  await check(page, 'History')
  await page.getByTestId('history-row').first().getByRole('button').click()
  await expect(page.getByTestId('run-detail')).toBeVisible()
  await check(page, 'a Run in History')
  for (const row of await page.getByTestId('select-run').all()) await row.check()
  await page.getByTestId('compare-button').click()
  await expect(page.getByTestId('compare-view')).toBeVisible()
  await check(page, 'the comparison')

  await page.getByTestId('nav-tune').click()
  await page.getByTestId('study-item').getByRole('button').click()
  await expect(page.getByTestId('trial-row')).toHaveCount(3)
  await check(page, 'a Study')
  await page.getByTestId('open-trial').first().click()
  await expect(page.getByTestId('loss-chart')).toBeVisible()
  await check(page, 'a finished Run')
  // The charts stacked on the Run's page share one plot area: their x axes line up.
  const plots = await page
    .locator('[data-testid$="-chart"] .u-over')
    .evaluateAll((els) => els.map((e) => Math.round((e as unknown as { getBoundingClientRect(): { left: number } }).getBoundingClientRect().left)))
  expect(new Set(plots).size).toBe(1)

  // The Trial's Run opened on the Train screen, with a way back to its Study.
  await page.getByTestId('back-to-study').click()
  await page.getByTestId('new-study').click()
  await expect(page.getByTestId('study-form')).toBeVisible()
  await check(page, 'the New Study form')
})

test('a Run of 40 classes shows its whole confusion matrix in a 1400 px window, its mistakes standing out of blank cells', async ({ page, dataDir, startServer }) => {
  const classes = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? `a class name long enough to be cut short ${i}` : `class ${i}`))
  // Each class: 5 images right, and class i mistaken once for class i + 1.
  const confusion = classes.map((_, t) => classes.map((_, p) => (p === t ? 5 : p === (t + 1) % 40 ? 1 : 0)))
  const db = openDatabase(join(dataDir, 'osprey.db'))
  const dataset = seedDataset(db, '/data/many', 'many')
  const perClass = classes.map((name) => ({ name, precision: 5 / 6, recall: 5 / 6, f1: 5 / 6, support: 6 }))
  seedRun(db, { name: 'forty classes', datasetId: dataset, valAccuracy: 5 / 6, evaluation: { split: 'validation', classes, confusion, perClass, accuracy: 5 / 6, loss: 0.5, topLosses: [] } })
  db.close()

  await page.setViewportSize({ width: 1400, height: 900 })
  await page.goto((await startServer()).url)
  await page.getByTestId('nav-history').click()
  await page.getByTestId('history-row').first().getByRole('button').click()
  const matrix = page.getByTestId('confusion-matrix')
  await expect(matrix).toBeVisible()
  const { table, shown } = await matrix.evaluate((el) => {
    const box = el as unknown as { getBoundingClientRect(): { width: number }; parentElement: { clientWidth: number } }
    return { table: box.getBoundingClientRect().width, shown: box.parentElement.clientWidth }
  })
  expect(table).toBeLessThanOrEqual(shown) // no sideways scrolling to reach the last column
  const cells = await page.getByTestId('cm-cell').allInnerTexts()
  expect(cells).toHaveLength(1600)
  expect(cells.filter((c) => c === '5')).toHaveLength(40)
  expect(cells.filter((c) => c === '1')).toHaveLength(40)
  expect(cells.filter((c) => c === '')).toHaveLength(1520) // no sea of zeros
})
