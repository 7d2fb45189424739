/**
 * The Tune screen as a user meets it in a browser, against a real `osprey serve`: a small random
 * Study on the sample dataset trains its Trials in workers (wasm backend) and fills the table and
 * the charts; a Trial opens its Run; "Use best" trains a new Run. And before anything starts:
 * every problem of a space, the size of a grid, Load and Save of the space as JSON.
 */
import { readFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { accessibilityViolations } from './accessibility'
import { expect, test, type OspreyServer } from './server'

/** Uncaught errors in the page; every test ends by expecting none. */
const pageErrors = new WeakMap<Page, string[]>()

test.afterEach(({ page }) => {
  expect(pageErrors.get(page) ?? [], 'uncaught errors in the page').toEqual([])
})

/** Opens the studio, scans the sample dataset, and goes to Tune. */
async function openTune(page: Page, server: OspreyServer): Promise<void> {
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('sample-button').click()
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '300')
  await page.getByTestId('nav-tune').click()
  await expect(page.getByTestId('study-form')).toBeVisible()
  await expect(page.getByTestId('study-epochs')).toBeVisible()
}

/** Types a space into the JSON view (leaving it, so it is shown formatted). */
async function typeSpace(page: Page, space: unknown): Promise<void> {
  await page.getByTestId('space-json').fill(JSON.stringify(space))
  await page.getByTestId('space-json').blur()
}

/** A small random Study on the sample dataset: tiny images, a small model, the wasm backend. */
async function fillSmallStudy(page: Page, { trials, parallel, epochs }: { trials: number; parallel: number; epochs: number }): Promise<void> {
  await typeSpace(page, { lr: { type: 'float', low: 0.001, high: 0.01, log: true }, optimizer: { type: 'categorical', choices: ['adam', 'sgd'] } })
  await page.getByTestId('study-strategy').selectOption('random')
  await page.getByTestId('study-trials').fill(String(trials))
  await page.getByTestId('study-parallel').fill(String(parallel))
  await page.getByTestId('study-model').selectOption('reference-cnn')
  await page.getByTestId('study-image-size').fill('16')
  await page.getByTestId('study-epochs').fill(String(epochs))
  await page.getByTestId('study-batch-size').fill('32')
  await page.getByTestId('study-early-stopping').fill('0')
  await page.getByTestId('study-backend').selectOption('wasm')
  await page.getByTestId('study-seed').fill('7')
}

test('a small random Study fills its Trial table and charts; a Trial opens its Run and leads back; Use best fills the New Run form', async ({ page, server }) => {
  test.setTimeout(120_000)
  await openTune(page, server)
  await expect(page.getByTestId('study-dataset').locator('option:checked')).toContainText('sample')

  await fillSmallStudy(page, { trials: 3, parallel: 2, epochs: 1 })
  await expect(page.getByTestId('space-row')).toHaveCount(2)
  await expect(page.getByTestId('space-row').nth(1).getByTestId('space-choices')).toHaveValue('adam, sgd')
  await expect(page.getByTestId('grid-size')).toContainText('valid')
  await expect(page.getByTestId('start-study')).toBeEnabled()
  await page.getByTestId('start-study').click()

  // The Study is listed and shown; its Trials appear in the table and finish.
  await expect(page.getByTestId('study-item')).toHaveCount(1)
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', /running|completed/)
  const rows = page.getByTestId('trial-row')
  await expect(rows).toHaveCount(3, { timeout: 60_000 })
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })
  for (let i = 0; i < 3; i++) await expect(rows.nth(i)).toHaveAttribute('data-status', 'completed')
  for (const value of await page.getByTestId('trial-value').allInnerTexts()) expect(value).toMatch(/^\d+\.\d%$/)
  // Beside accuracy, each Trial's validation loss: what breaks a tie for best.
  await expect(page.getByTestId('trial-secondary')).toHaveCount(3)
  for (const loss of await page.getByTestId('trial-secondary').allInnerTexts()) expect(loss).toMatch(/^\d+\.\d{4}$/)
  await expect(page.getByTestId('study-counts')).toContainText('3 completed')
  await expect(page.getByTestId('study-best')).toContainText('Best: Trial')

  // Sorting by the objective puts the best first.
  await page.getByTestId('sort-value').click()
  const sorted = (await page.getByTestId('trial-value').allInnerTexts()).map((v) => parseFloat(v))
  expect(sorted).toEqual([...sorted].sort((a, b) => b - a))

  // The charts: best so far (uPlot), parallel coordinates with a log axis and a choice axis, learning curves.
  await expect(page.getByTestId('best-so-far-chart').locator('canvas')).toHaveCount(1)
  await expect(page.getByTestId('pc-line')).toHaveCount(3)
  await expect(page.getByTestId('pc-axis')).toHaveCount(3)
  await expect(page.locator('[data-testid="pc-axis"][data-name="lr"]')).toHaveAttribute('data-log', 'true')
  await expect(page.locator('[data-testid="pc-axis"][data-name="optimizer"]')).toContainText('sgd')
  await expect(page.getByTestId('trial-curves').locator('canvas')).toHaveCount(1)
  await expect(page.getByTestId('importance')).toBeVisible()
  // Three completed Trials: bars, or why there are none, never "once a few Trials have completed".
  await expect(page.getByTestId('importance')).not.toContainText('Shown once')

  // The Study's HTML report downloads with its best Trial and every Trial in it.
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-report').click()])
  expect(report.suggestedFilename()).toMatch(/^osprey-study-\d+-.*\.html$/)
  const html = await readFile((await report.path())!, 'utf8')
  expect(html).toContain('Best: Trial')
  expect(html.match(/<tr><th scope="row">\d+( ★)?<\/th>/g)).toHaveLength(3)
  const reportPage = await page.context().newPage()
  await reportPage.setContent(html)
  expect(await accessibilityViolations(reportPage), "the Study's report").toEqual([])
  await reportPage.close()

  // A line of the parallel-coordinates plot opens that Trial's Run on the Train screen.
  const line = page.getByTestId('pc-line').first()
  const number = await line.getAttribute('data-number')
  await line.dispatchEvent('click')
  await expect(page.getByTestId('nav-train')).toHaveAttribute('aria-current', 'page')
  await expect(page.locator('#run-name')).toContainText(`Trial ${Number(number) + 1}`) // Trials count from 1, like Runs
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed')
  await expect(page.getByTestId('loss-chart').locator('canvas')).toHaveCount(1)
  // Trials are listed on the Tune screen, not among the Train screen's Runs.
  await expect(page.getByTestId('run-item')).toHaveCount(0)

  // The Trial's header leads back to its Study, still on show.
  await page.getByTestId('back-to-study').click()
  await expect(page.getByTestId('nav-tune')).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('trial-row')).toHaveCount(3)
  // Use best opens the New Run form filled with the best Trial's settings, to check and start; nothing starts by itself.
  const optimizer = /optimizer = (\w+)/.exec(await page.getByTestId('study-best').innerText())![1]
  await page.getByTestId('use-best').click()
  await expect(page.getByTestId('nav-train')).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('train-form')).toBeVisible()
  await expect(page.getByTestId('field-model')).toHaveValue('reference-cnn')
  await expect(page.getByTestId('field-image-size')).toHaveValue('16')
  await expect(page.getByTestId('field-optimizer')).toHaveValue(optimizer)
  await expect(page.getByTestId('run-item')).toHaveCount(0)
  await page.getByTestId('start-run').click()
  await expect(page.locator('#run-name')).not.toContainText('Trial')
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /queued|running|completed/)
})

test('a stopped Study resumes where it stopped: no completed Trial is trained again', async ({ page, server }) => {
  test.setTimeout(120_000)
  await openTune(page, server)
  await fillSmallStudy(page, { trials: 3, parallel: 1, epochs: 1 })
  await expect(page.getByTestId('start-study')).toBeEnabled()
  await page.getByTestId('start-study').click()

  const first = page.locator('[data-testid="trial-row"][data-number="0"]')
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })
  const firstRun = await first.getAttribute('data-run')
  await page.getByTestId('stop-study').click()
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 })
  await expect(page.getByTestId('stop-study')).toBeDisabled()
  await expect(page.getByTestId('study-item')).toHaveAttribute('data-status', 'stopped')
  // A Trial cut short shows as stopped, not as running.
  await expect(page.locator('[data-testid="trial-status"][data-status="running"]')).toHaveCount(0)

  await page.getByTestId('resume-study').click()
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 })
  await expect(page.getByTestId('trial-row')).toHaveCount(3)
  for (const number of ['0', '1', '2']) await expect(page.locator(`[data-testid="trial-row"][data-number="${number}"]`)).toHaveAttribute('data-status', 'completed')
  // Trial 0 kept its Run: it was not trained again.
  await expect(first).toHaveAttribute('data-run', firstRun!)
})

test('a wrong space lists every problem and cannot start; a grid says how many Trials it has; Load and Save keep the JSON', async ({ page, server }) => {
  await openTune(page, server)
  const start = page.getByTestId('start-study')
  const problems = page.getByTestId('space-problems')

  await typeSpace(page, { lr: { type: 'float', low: 1, high: 0.1, log: true }, nope: { type: 'categorical', choices: [] } })
  await expect(problems).toContainText('"low" (1) must be below "high" (0.1)')
  await expect(problems).toContainText('nope: unknown hyperparameter')
  await expect(problems).toContainText('"choices" is empty')
  await expect(start).toBeDisabled()

  // Not JSON at all: said, and the rows keep the last good space.
  await page.getByTestId('space-json').fill('{"lr": ')
  await expect(problems).toContainText('Not valid JSON')
  await expect(page.getByTestId('space-row')).toHaveCount(2)
  await expect(start).toBeDisabled()

  // A grid: 3 optimizers × 6 dropout steps.
  await typeSpace(page, { optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] }, dropout: { type: 'float', low: 0, high: 0.5, step: 0.1 } })
  await page.getByTestId('study-strategy').selectOption('grid')
  await expect(page.getByTestId('grid-size')).toHaveText(
    'The grid has 18 points. With 12 Trials, 12 of them are trained, drawn in a shuffled order so that they spread over every hyperparameter; 18 Trials try them all.'
  )
  await page.getByTestId('study-trials').fill('18')
  await expect(page.getByTestId('grid-size')).toHaveText('The grid has 18 points: the Study trains each once, so at most 18 Trials.')
  await expect(problems).toHaveCount(0)
  await expect(start).toBeEnabled()

  // A row added in the form shows in the JSON and multiplies the grid (learning rate: 5 steps by default).
  await page.getByTestId('space-add').click()
  await expect(page.getByTestId('space-row').nth(2)).toHaveAttribute('data-name', 'learningRate')
  expect(JSON.parse(await page.getByTestId('space-json').inputValue())).toHaveProperty('learningRate')
  await expect(page.getByTestId('grid-size')).toContainText('The grid has 90 points')
  await page.getByTestId('space-row').nth(2).getByTestId('space-steps').fill('10')
  await expect(page.getByTestId('grid-size')).toContainText('The grid has 180 points')

  // Save writes exactly the JSON view.
  const download = page.waitForEvent('download')
  await page.getByTestId('space-save').click()
  const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8'))
  expect(saved).toEqual(JSON.parse(await page.getByTestId('space-json').inputValue()))
  expect(saved.learningRate).toEqual({ type: 'float', low: 0.0001, high: 0.1, log: true, steps: 10 })

  // Load a grid over 10,000 points: it needs a yes before it can start.
  const big = { lr: { type: 'float', low: 0.0001, high: 0.1, log: true, steps: 200 }, dropout: { type: 'float', low: 0, high: 0.5, steps: 100 } }
  await page.getByTestId('space-file').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(big)) })
  await expect(page.getByTestId('space-row')).toHaveCount(2)
  await expect(page.getByTestId('grid-size')).toContainText('The grid has 20,000 points')
  await expect(start).toBeDisabled()
  await page.getByTestId('confirm-large-grid').getByRole('checkbox').check()
  await expect(start).toBeEnabled()

  // A file that is not a space is refused and changes nothing.
  await page.getByTestId('space-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('[1, 2]') })
  await expect(page.getByTestId('space-load-error')).toContainText('notes.json is not a search space')
  await expect(page.getByTestId('space-row')).toHaveCount(2)
})
