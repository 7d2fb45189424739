/**
 * "Find the best model" in a browser against a real `osprey serve`: a short budget with its
 * estimate, the search watched (paused and resumed), the final model's card with its test accuracy
 * and interval, the final Run and the Study one click away.
 */
import { join } from 'node:path'
import { writeShapeDataset } from '../../bench/colour-shapes'
import { expect, test } from './server'

test('one button finds the best model within a short budget: estimate, progress, pause and resume, the final model and what was tried', async ({ page, server, workDir }) => {
  test.setTimeout(240_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  const folder = join(workDir, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 25, seed: 8 })

  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await page.getByTestId('nav-train').click()

  // The budget (15 minutes unless changed) and what it buys, before anything starts.
  const panel = page.getByTestId('auto-search')
  await expect(panel.getByTestId('auto-minutes')).toHaveValue('15')
  await expect(panel.getByTestId('auto-estimate')).toContainText('up to 12.8 min searching, then about 2.2 min training the winner')
  await panel.getByTestId('auto-minutes').fill('0')
  await expect(panel.getByText('From 1 to 1,440 minutes (a day).')).toBeVisible()
  await expect(panel.getByTestId('auto-start')).toBeDisabled()
  await panel.getByTestId('auto-minutes').fill('1.5')
  await expect(panel.getByTestId('auto-estimate')).toContainText('up to 1.3 min searching')
  await expect(panel.getByTestId('auto-estimate')).toContainText('on 15 held-out images')
  await panel.getByTestId('auto-reasons').locator('summary').click()
  await expect(panel.getByTestId('auto-reasons')).toContainText('Colour images: a network pretrained on ImageNet')

  await panel.getByTestId('auto-start').click()
  await expect(panel.getByTestId('auto-status')).toHaveAttribute('data-status', 'searching')
  await expect(panel.getByTestId('auto-open-study')).toBeVisible()
  // Pause once a Trial has ended (the panel counts them live): the clock stops; resume goes on.
  await expect(panel.getByTestId('auto-trials')).not.toHaveAttribute('data-ended', '0', { timeout: 60_000 })
  await panel.getByTestId('auto-pause').click()
  await expect(panel.getByTestId('auto-status')).toHaveAttribute('data-status', 'paused', { timeout: 30_000 })
  const pausedAt = await panel.getByTestId('auto-status').textContent()
  await page.waitForTimeout(2_500)
  await expect(panel.getByTestId('auto-status')).toHaveText(pausedAt!)
  await panel.getByTestId('auto-resume').click()
  await expect(panel.getByTestId('auto-status')).toHaveAttribute('data-status', /searching|training/)

  // The result: the final model, tested on images the search never saw.
  await expect(panel.getByTestId('auto-status')).toHaveAttribute('data-status', /completed|failed/, { timeout: 150_000 })
  const failure = panel.getByTestId('auto-error')
  if (await failure.count()) throw new Error(`The search failed: ${await failure.textContent()}`)
  const result = panel.getByTestId('auto-result')
  await expect(result.getByTestId('auto-interval')).toContainText(/95 % confidence interval \d+\.\d %–\d+\.\d %, 15 test images the search never saw/)
  const accuracy = Number((await result.getByTestId('auto-test-accuracy').textContent())!.replace(' %', '')) / 100
  expect(accuracy).toBeGreaterThan(0.5) // chance: 1/3
  await expect(result.getByTestId('auto-guessing')).toHaveCount(0) // a model that learned is not called a guess
  await expect(result.getByTestId('auto-params')).toContainText('imageSize')
  const [, winner, tied] = (await result.textContent())!.match(/The recipe of Trial (\d+)(, the first of \d+ Trials that tie)?/)!
  await expect(panel.getByTestId('auto-trials')).toContainText(/Trials: \d+ completed, \d+ stopped early \(pruned\)/)
  const used = (await panel.getByTestId('auto-status').textContent())!.match(/(\d+\.\d) of 1\.5 min used/)
  expect(Number(used![1])).toBeLessThanOrEqual(1.6) // 1.5 min + 5 %, as shown rounded

  // The final Run, one click away: trained on training + validation, its report on the test split.
  await panel.getByTestId('auto-open-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /completed|stopped/)
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('verdict')).toContainText('of the test images right')
  // In History it is listed with that test accuracy: it has no validation images to score.
  await page.getByTestId('nav-history').click()
  await expect(page.getByTestId('history-row').filter({ hasText: 'Find the best model · final' }).getByTestId('row-test-accuracy')).toHaveText(`test acc. ${(accuracy * 100).toFixed(1)}%`)
  await page.getByTestId('nav-train').click()
  // What was tried: the Study, an ordinary one on the Tune screen.
  await page.getByTestId('new-run').click()
  await page.getByTestId('auto-search').getByTestId('auto-open-study').click()
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', /stopped|completed/)
  // The status shows from the Study list at once; its Trials arrive with its detail just after.
  await expect(page.getByTestId('trial-row').nth(1)).toBeVisible()
  // The same number as the result named; Trials that all tie (a loss of 0 on 15 easy images) have no best, and the first of them was trained.
  if (tied) await expect(page.getByTestId('study-verdict')).toContainText('Trials tie')
  else await expect(page.getByTestId('study-best')).toContainText(`Best: Trial ${winner} `)
  expect(errors).toEqual([])
})
