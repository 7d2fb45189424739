/**
 * Transfer learning as a user meets it in a browser, against a real `osprey serve`: colour photos
 * get the pretrained backbone by default with the reason said, the Run trains a head on the
 * backbone's features, the charts and the report show, and Try it classifies a new image.
 */
import { join } from 'node:path'
import { writeShapeDataset } from '../../bench/colour-shapes'
import { expect, test } from './server'

const classes = ['circle', 'star', 'triangle']

test('colour photos train on the pretrained backbone: the form says why, the Run learns, the report and Try it work', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  const folder = join(workDir, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 15, seed: 21 })
  const unseen = join(workDir, 'unseen')
  await writeShapeDataset(unseen, { classes: ['star'], perClass: 1, seed: 99 })

  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await page.getByTestId('nav-train').click()

  // The studio's choice for colour images, and why, in words.
  await expect(page.getByTestId('field-model')).toHaveValue('pretrained')
  await expect(page.getByTestId('model-reason')).toContainText('Colour images: a network pretrained on ImageNet')
  await expect(page.getByTestId('field-backbone')).toHaveValue('mobilenet-v2-0.35')
  await expect(page.getByTestId('field-backbone').locator('option[value="mobilenet-v2-0.35"]')).toHaveText('MobileNetV2 α 0.35 (included)')
  await expect(page.getByTestId('field-backbone').locator('option[value="mobilenet-v2-1.0"]')).toHaveText(/MobileNetV2 α 1\.0 \(download, about 9\.2 MB\)/)
  await expect(page.getByTestId('field-image-size')).toHaveValue('224')
  await expect(page.getByTestId('field-normalization')).toHaveCount(0) // the backbone's own scaling

  // A from-scratch model takes its own defaults for what the user did not change; back again, the backbone's.
  await page.getByTestId('field-epochs').fill('12')
  await page.getByTestId('field-model').selectOption('default-cnn')
  await expect(page.getByTestId('field-image-size')).not.toHaveValue('224')
  await expect(page.getByTestId('backbone-fields')).toHaveCount(0)
  await expect(page.getByTestId('field-epochs')).toHaveValue('12')
  await page.getByTestId('field-model').selectOption('pretrained')
  await expect(page.getByTestId('field-image-size')).toHaveValue('224')
  await expect(page.getByTestId('model-reason')).toBeVisible()

  await page.getByTestId('field-image-size').fill('96') // quicker here; 224 is the default
  await page.getByTestId('field-backend').selectOption('wasm')
  await page.getByTestId('field-seed').fill('3')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 })
  await expect(page.getByTestId('loss-chart').locator('canvas')).toHaveCount(1)

  // The report: 9 validation images (3 per class), most of them right.
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 30_000 })
  const cells = await page.getByTestId('cm-cell').evaluateAll((cs) => cs.map((c) => ({ t: c.getAttribute('data-true'), p: c.getAttribute('data-predicted'), n: Number(c.getAttribute('data-count')) })))
  expect(cells.reduce((s, c) => s + c.n, 0)).toBe(9)
  expect(cells.filter((c) => c.t === c.p).reduce((s, c) => s + c.n, 0)).toBeGreaterThanOrEqual(7)

  // Try it on a photo the Run never saw.
  const image = join(unseen, 'star', 'star-0000.jpg')
  const tryIt = page.getByTestId('try-it')
  await tryIt.getByTestId('try-path').fill(image)
  await tryIt.getByTestId('try-button').click()
  const card = tryIt.locator(`[data-testid="prediction"][data-path="${image}"]`)
  await expect(card).toBeVisible({ timeout: 30_000 })
  await expect(card.getByTestId('prediction-label')).toHaveText(new RegExp(`^(${classes.join('|')})$`))
  const bars = await card.getByTestId('probability').evaluateAll((items) => items.map((i) => i.getAttribute('data-label')))
  expect(bars.sort()).toEqual(classes)

  // A new Run can start from this one's weights.
  await page.getByTestId('new-run').click()
  await expect(page.getByTestId('field-start-from').locator('option')).toHaveText(['Afresh', /^shapes · MobileNetV2 α 0\.35 · \d+ px · #1 \(\d+\.\d%\)$/])
  await page.getByTestId('field-start-from').selectOption('1')
  await page.getByTestId('field-image-size').fill('96')
  await page.getByTestId('field-epochs').fill('3')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 })
  await expect(page.getByTestId('run-item')).toHaveCount(2)
  expect(errors).toEqual([])
})
