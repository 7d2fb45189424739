/**
 * The studio in a browser that cannot name a path on the server (a tab reached over a tunnel):
 * a dataset comes from this computer as a zip or a folder, Try it takes images chosen here, and
 * the exported model downloads as a zip. Everything over the authenticated connection.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { unzipSync, zipSync } from 'fflate'
import { cleanDataset, imageBytes } from './folders'
import { expect, test } from './server'

test('a dataset uploads as a zip or a folder, Try it takes chosen images, and the model downloads as a zip', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()

  // A zip whose classes sit in one top folder, as "Compress" makes it: unpacked into the data folder and scanned.
  const zip = join(workDir, 'colours.zip')
  const entries: Record<string, Uint8Array> = {}
  for (const [c, name] of ['red', 'blue'].entries()) for (let i = 0; i < 3; i++) entries[`colours/${name}/${i}.png`] = await imageBytes(c * 10 + i, 'png')
  await writeFile(zip, zipSync(entries))
  await page.getByTestId('upload-zip').setInputFiles(zip)
  await expect(page.getByTestId('report-path')).toHaveText(join(server.dataDir, 'datasets', 'colours'))
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '6')

  // A folder, chosen with the folder picker: sent file by file, then scanned.
  const folder = await cleanDataset(join(workDir, 'shades'), ['dark', 'light'], 10)
  await page.getByTestId('upload-folder').setInputFiles(folder)
  await expect(page.getByTestId('report-path')).toHaveText(join(server.dataDir, 'datasets', 'shades'))
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '20')

  // A quick Run on the uploaded folder.
  await page.getByTestId('nav-train').click()
  await page.getByTestId('field-early-stopping').fill('0')
  await page.getByTestId('field-model').selectOption('reference-cnn')
  await expect(page.getByTestId('start-run')).toBeEnabled() // the model's own defaults have landed
  await page.getByTestId('field-image-size').fill('16')
  await page.getByTestId('field-epochs').fill('1')
  await page.getByTestId('field-batch-size').fill('8')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })

  // Try it with an image chosen on this computer: uploaded, then classified; its class names keep one line each.
  await page.getByTestId('try-files').setInputFiles(join(folder, 'dark', '001.png'))
  const card = page.getByTestId('prediction').first()
  await expect(card.getByTestId('prediction-label')).toHaveText(/^(dark|light)$/, { timeout: 30_000 })
  for (const label of await card.locator('.label').all()) expect((await label.boundingBox())!.height).toBeLessThan(24)

  // The model downloads as one zip with everything an export writes.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()])
  expect(download.suggestedFilename()).toMatch(/^osprey-run-\d+-model\.zip$/)
  const files = unzipSync(await readFile((await download.path())!))
  expect(Object.keys(files).sort()).toEqual(['README.md', 'classify.mjs', 'labels.json', 'metadata.json', 'model.json', 'weights.bin'])
  expect(new TextDecoder().decode(files['README.md'])).toContain('It tells apart 2 classes, in the order of its outputs (also in labels.json): dark, light.')
  expect(JSON.parse(new TextDecoder().decode(files['labels.json']))).toEqual(['dark', 'light'])
  expect(errors).toEqual([])
})
