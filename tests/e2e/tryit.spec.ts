/**
 * A finished Run's report in a browser, against a real `osprey serve`: the gallery of the most
 * confidently wrong images, "Try it" on an image given by path (and a bad one), and exporting
 * the model to a folder given by path, with the question before replacing a model already there.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { expect, test } from './server'

const classes = ['even', 'odd']

/**
 * Flat colour squares whose brightness interleaves between the two classes: no model can
 * separate them in a few Epochs, so the validation images always hold mistakes to show.
 */
async function interleaved(root: string): Promise<string> {
  for (const [c, name] of classes.entries()) {
    await mkdir(join(root, name), { recursive: true })
    for (let i = 0; i < 20; i++) {
      const v = 40 + 8 * i + 4 * c
      await sharp({ create: { width: 20, height: 16, channels: 3, background: { r: v, g: 255 - v, b: 90 } } })
        .png()
        .toFile(join(root, name, `${String(i).padStart(2, '0')}.png`))
    }
  }
  return root
}

test('a finished Run shows its worst mistakes, classifies an image given by path, and exports its model to a folder', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  const folder = await interleaved(join(workDir, 'flat'))

  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await page.getByTestId('nav-train').click()
  await page.getByTestId('field-early-stopping').fill('0')
  await page.getByTestId('field-model').selectOption('reference-cnn')
  await expect(page.getByTestId('start-run')).toBeEnabled() // the model's own defaults have landed
  await page.getByTestId('field-image-size').fill('16')
  await page.getByTestId('field-epochs').fill('2')
  await page.getByTestId('field-batch-size').fill('8')
  await page.getByTestId('field-backend').selectOption('wasm')
  await page.getByTestId('field-seed').fill('7')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })

  // The gallery: a picture of each mistake with its true and predicted class and the model's confidence.
  const mistakes = page.getByTestId('top-loss')
  await expect(mistakes.first()).toBeVisible({ timeout: 30_000 })
  const count = await mistakes.count()
  expect(count).toBeGreaterThan(0)
  await expect(page.getByTestId('top-loss-image')).toHaveCount(count)
  for (const src of await page.getByTestId('top-loss-image').evaluateAll((images) => images.map((i) => i.getAttribute('src')))) expect(src).toMatch(/^data:image\/webp;base64,/)
  const first = mistakes.first()
  const firstPath = (await first.getAttribute('data-path'))!
  const truth = firstPath.split('/')[0]
  const other = classes.find((c) => c !== truth)!
  await expect(first).toContainText(`${truth} → ${other}`)
  await expect(first).toContainText(/\d+\.\d%/)

  // Try it: an image by its path, and a path that is not there, each answered on its own.
  const tryIt = page.getByTestId('try-it')
  const image = join(folder, 'odd', '03.png')
  await tryIt.getByTestId('try-path').fill(image)
  await tryIt.getByTestId('try-button').click()
  const good = tryIt.locator(`[data-testid="prediction"][data-path="${image}"]`)
  await expect(good).toBeVisible({ timeout: 30_000 })
  await expect(good.getByTestId('prediction-label')).toHaveText(/^(even|odd)$/)
  await expect(good.locator('img')).toHaveAttribute('src', /^data:image\/webp;base64,/)
  const bars = await good.getByTestId('probability').evaluateAll((items) => items.map((i) => ({ label: i.getAttribute('data-label'), p: Number(i.getAttribute('data-probability')) })))
  expect(bars.map((b) => b.label).sort()).toEqual(classes)
  expect(bars[0].p + bars[1].p).toBeCloseTo(1, 4)
  expect(bars[0].p).toBeGreaterThanOrEqual(bars[1].p)

  const missing = join(workDir, 'nowhere.jpg')
  await tryIt.getByTestId('try-path').fill(missing)
  await tryIt.getByTestId('try-button').click()
  await expect(tryIt.locator(`[data-testid="prediction"][data-path="${missing}"]`).getByTestId('prediction-error')).toHaveText(/^No such file/, { timeout: 30_000 })
  await expect(tryIt.getByTestId('prediction')).toHaveCount(2)
  // A folder's path: every image in it, each with its answer.
  await tryIt.getByTestId('try-path').fill(join(folder, 'even'))
  await tryIt.getByTestId('try-button').click()
  await expect(tryIt.getByTestId('prediction')).toHaveCount(22, { timeout: 30_000 })
  await expect(tryIt.locator(`[data-testid="prediction"][data-path="${join(folder, 'even', '19.png')}"]`).getByTestId('prediction-label')).toHaveText(/^(even|odd)$/)

  // Export to a folder by path; a second export asks before replacing, and Replace does it.
  const target = join(workDir, 'exported')
  const exporter = page.getByTestId('export-model')
  await exporter.getByTestId('export-path').fill(target)
  await exporter.getByTestId('export-button').click()
  await expect(exporter.getByTestId('export-done')).toContainText(target)
  for (const file of ['model.json', 'weights.bin', 'labels.json', 'metadata.json', 'README.md', 'classify.mjs']) expect(existsSync(join(target, file))).toBe(true)
  expect(JSON.parse(await readFile(join(target, 'labels.json'), 'utf8'))).toEqual(classes)
  await writeFile(join(target, 'model.json'), '{}') // someone else's model is there now
  await exporter.getByTestId('export-button').click()
  await expect(exporter.getByTestId('export-error')).toContainText('already holds weights.bin, labels.json, metadata.json, README.md, classify.mjs, model.json')
  await exporter.getByTestId('export-replace').click()
  await expect(exporter.getByTestId('export-done')).toBeVisible()
  expect(JSON.parse(await readFile(join(target, 'model.json'), 'utf8'))).toHaveProperty('weightsManifest')

  // An image deleted since the Run gets a clear placeholder when the report is opened again.
  await rm(join(folder, firstPath))
  await page.reload()
  await page.getByTestId('nav-train').click()
  await page.getByTestId('run-item').getByRole('button').click()
  const gone = page.locator(`[data-testid="top-loss"][data-path="${firstPath}"]`)
  await expect(gone.getByTestId('top-loss-missing')).toHaveText('This image is no longer on disk (moved or deleted since the Run).')
  await expect(page.getByTestId('top-loss-image')).toHaveCount(count - 1)
  expect(errors).toEqual([])
})
