/**
 * The Train screen as a user meets it in a browser, against a real `osprey serve` that trains
 * in a worker on the wasm backend: the form and its checks, a live Run with moving charts,
 * pause / resume / stop, the results at the end, and reopening a finished Run from the list.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import sharp from 'sharp'
import { expect, test, type OspreyServer } from './server'

/** Images per class; 20% of each class (4) is kept for validation, 16 train. */
const perClass = 20
const validationImages = 8
const classes = ['horizontal', 'vertical']

/** 16×16 stripes, two pixels wide: horizontal or vertical, each image shifted and shaded differently. */
async function stripes(root: string): Promise<string> {
  const size = 16
  for (const name of classes) {
    await mkdir(join(root, name), { recursive: true })
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(size * size * 3)
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const on = ((name === 'horizontal' ? y : x) + i) % 4 < 2
          pixels.fill(on ? 235 - i * 3 : 15 + i * 3, (y * size + x) * 3, (y * size + x + 1) * 3)
        }
      }
      const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toBuffer()
      await writeFile(join(root, name, `${String(i).padStart(2, '0')}.png`), png)
    }
  }
  return root
}

/** Uncaught errors in the page; every test ends by expecting none. */
const pageErrors = new WeakMap<Page, string[]>()

/** Opens the studio, scans `folder` on the Datasets screen, and goes to Train. */
async function openTrain(page: Page, server: OspreyServer, folder: string): Promise<void> {
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await page.getByTestId('nav-train').click()
  await expect(page.getByTestId('train-form')).toBeVisible()
  await expect(page.getByTestId('field-epochs')).toBeVisible()
}

test.afterEach(({ page }) => {
  expect(pageErrors.get(page) ?? [], 'uncaught errors in the page').toEqual([])
})

/** Fills the form for a small, fast Run on the stripes; no early stopping, so it runs every Epoch. */
async function fillSettings(page: Page, epochs: number): Promise<void> {
  await page.getByTestId('field-early-stopping').fill('0')
  await page.getByTestId('field-model').selectOption('reference-cnn')
  await expect(page.getByTestId('start-run')).toBeEnabled() // the model's own defaults have landed
  await page.getByTestId('field-image-size').fill('16')
  await page.getByTestId('field-epochs').fill(String(epochs))
  await page.getByTestId('field-batch-size').fill('8')
  await page.getByTestId('field-backend').selectOption('wasm')
  await page.getByTestId('field-seed').fill('7')
}

/** The chart's pixels, to tell whether it has been redrawn with new points. */
function chartPixels(page: Page, testid: string): Promise<string> {
  return page
    .getByTestId(testid)
    .locator('canvas')
    .evaluate((canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL())
}

function progress(page: Page): Promise<string> {
  return page.getByTestId('run-progress').innerText()
}

/** The confusion matrix's cells as { true, predicted, count }. */
async function confusion(page: Page) {
  return page
    .getByTestId('cm-cell')
    .evaluateAll((cells) => cells.map((c) => ({ true: c.getAttribute('data-true'), predicted: c.getAttribute('data-predicted'), count: Number(c.getAttribute('data-count')) })))
}

/** The results of a finished Run: the confusion matrix covers every validation image, per class and top losses are shown. */
async function expectResults(page: Page): Promise<void> {
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 30_000 })
  const cells = await confusion(page)
  expect(cells).toHaveLength(classes.length * classes.length)
  expect(new Set(cells.map((c) => `${c.true}→${c.predicted}`))).toEqual(new Set(classes.flatMap((t) => classes.map((p) => `${t}→${p}`))))
  expect(cells.reduce((sum, c) => sum + c.count, 0)).toBe(validationImages)
  // Each class's row holds exactly its validation images.
  for (const name of classes) expect(cells.filter((c) => c.true === name).reduce((sum, c) => sum + c.count, 0)).toBe(validationImages / classes.length)

  const perClassRows = page.getByTestId('per-class').locator('tbody tr')
  await expect(perClassRows).toHaveCount(classes.length)
  for (const name of classes) await expect(page.getByTestId('per-class').locator(`tr[data-name="${name}"] th`)).toHaveText(name)
  // 4 validation images a class: the report says how little its per-class figures can tell.
  await expect(page.getByTestId('few-images')).toContainText(/^Few validation images of horizontal \(4 images: its recall of \d+% could be anywhere from \d+% to \d+%\) and vertical/)
  await expect(page.getByTestId('top-losses')).toBeVisible()
}

test('a Run goes live with moving charts; pause holds it still, resume moves it on, stop keeps what it learned', async ({ page, server, workDir }) => {
  test.setTimeout(150_000)
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)

  // The Dataset open in the Datasets room is the one chosen.
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toContainText('stripes')
  await fillSettings(page, 30)
  // 40 images, 20% for validation: 32 train, in batches of 8.
  await expect(page.getByTestId('iterations-per-epoch')).toHaveText('4')
  await page.getByTestId('start-run').click()

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 45_000 })
  await expect(page.getByTestId('run-backend')).toHaveText('wasm')
  await expect(page.getByTestId('run-progress')).toContainText(/^Epoch \d+\/30 · Iteration \d+ of 120$/)
  for (const chart of ['loss-chart', 'accuracy-chart', 'lr-chart']) await expect(page.getByTestId(chart).locator('canvas')).toHaveCount(1)
  await expect(page.getByTestId('run-item')).toHaveCount(1)

  // Live: the counters climb and the chart is redrawn with new points.
  const firstProgress = await progress(page)
  const firstPixels = await chartPixels(page, 'loss-chart')
  await expect.poll(() => progress(page), { timeout: 15_000 }).not.toBe(firstProgress)
  await expect.poll(() => chartPixels(page, 'loss-chart'), { timeout: 15_000 }).not.toBe(firstPixels)

  // Paused (the "Pausing…" in between is too brief here to catch: tests/unit/renderer/training.test.ts holds it), nothing moves for a second.
  await page.getByTestId('pause-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused')
  await expect(page.getByTestId('resume-run')).toBeEnabled()
  await expect(page.getByTestId('pause-run')).toHaveCount(0)
  await expect(page.getByTestId('run-pending')).toHaveCount(0)
  await page.waitForTimeout(600)
  const heldProgress = await progress(page)
  const heldPixels = await chartPixels(page, 'loss-chart')
  await page.waitForTimeout(1000)
  expect(await progress(page)).toBe(heldProgress)
  expect(await chartPixels(page, 'loss-chart')).toBe(heldPixels)

  // Resumed: it moves again.
  await page.getByTestId('resume-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running')
  await expect.poll(() => progress(page), { timeout: 15_000 }).not.toBe(heldProgress)

  // Pause again so that the Run cannot finish by itself before Stop lands, then stop it.
  await page.getByTestId('pause-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused')
  const stoppedAt = Number(/Epoch (\d+)\//.exec(await progress(page))![1])
  expect(stoppedAt).toBeLessThan(30)
  await page.getByTestId('stop-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 })
  // A finished Run cannot be steered: no Pause, Resume or Stop, but its report.
  for (const button of ['pause-run', 'resume-run', 'stop-run']) await expect(page.getByTestId(button)).toHaveCount(0)
  await expect(page.getByTestId('run-report')).toBeVisible()
  // Stopped inside an Epoch, it counts the whole Epochs it did (4 Iterations each), as the sidebar does.
  const [, done, iterations] = /^(\d+) of 30 Epochs done · (\d+) Iterations$/.exec(await progress(page)) ?? []
  expect(Number(done)).toBe(Math.floor(Number(iterations) / 4))
  await expect(page.getByTestId('run-item')).toContainText(`${done} of 30 Epochs`)

  await expectResults(page)
  await expect(page.getByTestId('run-item')).toHaveAttribute('data-status', 'stopped')
})

test('a short Run completes with its results, and reopens from the list after a reload', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)
  await fillSettings(page, 3)
  await page.getByTestId('start-run').click()

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })
  await expect(page.getByTestId('run-progress')).toHaveText('3 of 3 Epochs done · 12 Iterations')
  await expectResults(page)
  // Stripes are easy: the model gets most validation images right after 3 Epochs.
  const right = (await confusion(page)).filter((c) => c.true === c.predicted).reduce((sum, c) => sum + c.count, 0)
  expect(right).toBeGreaterThanOrEqual(6)

  // A fresh page knows nothing but what the server recorded.
  await page.reload()
  await page.getByTestId('nav-train').click()
  const item = page.getByTestId('run-item')
  await expect(item).toHaveCount(1)
  await expect(item).toHaveAttribute('data-status', 'completed')
  await expect(page.getByTestId('train-form')).toBeVisible()
  await item.getByRole('button').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed')
  await expect(page.getByTestId('run-progress')).toHaveText('3 of 3 Epochs done · 12 Iterations')
  await expect(page.getByTestId('loss-chart').locator('canvas')).toHaveCount(1)
  await expectResults(page)
  // A finished Run cannot be steered; its verdict says how it did, and the sidebar agrees on the Epochs.
  for (const button of ['pause-run', 'resume-run', 'stop-run']) await expect(page.getByTestId(button)).toHaveCount(0)
  await expect(page.getByTestId('verdict')).toBeVisible()
  await expect(item).toContainText('3 of 3 Epochs')

  // Back to the form with the keyboard-reachable "New Run" button.
  await page.getByTestId('new-run').click()
  await expect(page.getByTestId('train-form')).toBeVisible()
})

test('a Run from scratch with a time limit plans its Epochs from its pace and ends within the limit', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)
  await fillSettings(page, 1000)
  await page.getByTestId('field-time-limit').fill('0.25')
  // The estimate before Start already says the limit ends it, not the 1,000 Epochs.
  await expect(page.getByTestId('run-estimate')).toContainText('Training until the time limit', { timeout: 60_000 })
  await expect(page.getByTestId('estimate-total')).toHaveText(/This Run: (about )?15 s/)
  await expect(page.getByTestId('run-estimate')).toContainText('ending at its time limit')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 30_000 })
  const started = Date.now()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })
  expect(Date.now() - started).toBeLessThan(30_000) // 15 s from the job's start, a few more for the page to hear of it
  // The Epochs are those that fit, as planned from the measured pace: far fewer than the 1,000 asked.
  const [, done, planned] = /^(\d+) of (\d+) Epochs? done/.exec(await progress(page)) ?? []
  expect(Number(done)).toBe(Number(planned))
  expect(Number(planned)).toBeGreaterThan(1)
  expect(Number(planned)).toBeLessThan(1000)
})

test('wrong settings are refused before any Run starts: in the form first, then by the server', async ({ page, server, workDir }) => {
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)

  await page.getByTestId('field-batch-size').fill('0')
  await expect(page.getByTestId('field-batch-size-error')).toHaveText('At least 1 image per batch.')
  await expect(page.getByTestId('iterations-per-epoch')).toHaveText('–')
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('train-invalid')).toBeVisible()
  await expect(page.getByTestId('field-batch-size')).toBeFocused()
  await expect(page.getByTestId('run-status')).toHaveCount(0)

  // Passes the form's checks, but the server knows the training set is smaller than one batch.
  await page.getByTestId('field-batch-size').fill('100')
  await expect(page.getByTestId('field-batch-size-error')).toHaveCount(0)
  await page.getByTestId('start-run').click()
  const refusal = page.getByTestId('train-error')
  await expect(refusal).toContainText('larger than the training set')
  await expect(refusal.locator('li')).toHaveText(['batchSize: at most 32'])
  await expect(page.getByTestId('run-status')).toHaveCount(0)
  await expect(page.getByTestId('train-form')).toBeVisible()

  // Nothing was recorded: the list of Runs is still empty after a reload.
  await page.reload()
  await page.getByTestId('nav-train').click()
  await expect(page.getByText('No Runs yet.')).toBeVisible()
  await expect(page.getByTestId('run-item')).toHaveCount(0)
})

test('a Run that diverges fails, and the page says why and how to fix it', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)
  await fillSettings(page, 30)
  // A huge learning rate: the weights blow up and the loss stops being a number.
  await page.getByTestId('field-optimizer').selectOption('sgd')
  await page.getByTestId('field-schedule').selectOption('constant')
  await page.getByTestId('field-lr').fill('10')
  await page.getByTestId('start-run').click()

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'failed', { timeout: 60_000 })
  const verdict = page.getByTestId('verdict')
  await expect(verdict).toHaveAttribute('data-verdict', 'diverged')
  await expect(page.getByTestId('verdict-headline')).toHaveText('Training diverged.')
  await expect(verdict).toContainText('training diverged')
  await expect(verdict).toContainText('Lower the learning rate: try 1.0 (it was 10)')
  for (const button of ['pause-run', 'resume-run', 'stop-run']) await expect(page.getByTestId(button)).toHaveCount(0)
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(0)
  await expect(page.getByTestId('run-item')).toHaveAttribute('data-status', 'failed')
})

test('a Run that learns nothing says the model is guessing, with what to try, and is not shown in green', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  // Two classes of pure noise: nothing in the images tells them apart.
  for (const [c, name] of ['left', 'right'].entries()) {
    await mkdir(join(workDir, 'noise', name), { recursive: true })
    for (let i = 0; i < 40; i++) {
      const pixels = Buffer.from(Array.from({ length: 16 * 16 * 3 }, (_, k) => ((k + 1) * 7919 * (c * 97 + i + 1)) % 251))
      await writeFile(
        join(workDir, 'noise', name, `${i}.png`),
        await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
          .png()
          .toBuffer()
      )
    }
  }
  await openTrain(page, server, join(workDir, 'noise'))
  await fillSettings(page, 2)
  await page.getByTestId('start-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })
  await expect(page.getByTestId('verdict')).toHaveAttribute('data-verdict', 'guessing')
  await expect(page.getByTestId('verdict-headline')).toHaveText('The model is guessing.')
  await expect(page.getByTestId('verdict')).toContainText('a model answering at random scores about 50%')
  await expect(page.getByTestId('verdict')).toContainText('What to try:')
  // Completed, but not a success: no green badge, and the list says "guessing" too.
  await expect(page.getByTestId('run-status')).not.toHaveClass(/\bok\b/)
  await expect(page.getByTestId('run-item').getByTestId('verdict-badge')).toHaveText('guessing')
  // Nor do the charts call it memorising.
  await expect(page.getByTestId('overfit-hint')).toHaveCount(0)
  // Its mistakes are chance misses: the gallery does not send the user looking for wrong labels.
  await expect(page.getByTestId('top-losses-guessing')).toContainText('The model is guessing, so these are chance misses')
  await expect(page.getByTestId('evaluation')).not.toContainText('Often a wrong label')
})

/** The preview's pictures in page order, by their alt text ("<path> · original" or "<path> · Epoch <e>"). */
function previewImages(page: Page): Promise<{ alt: string; src: string }[]> {
  return page
    .getByTestId('augment-preview')
    .getByTestId('preview-image')
    .evaluateAll((images) => images.map((i) => ({ alt: i.getAttribute('alt') ?? '', src: i.getAttribute('src') ?? '' })))
}

/** The Epoch pictures only, joined: changes when any augmented version changes. */
async function epochSources(page: Page): Promise<string> {
  return (await previewImages(page))
    .filter((i) => i.alt.includes(' · Epoch '))
    .map((i) => i.src)
    .join('\n')
}

async function originalSources(page: Page): Promise<string> {
  return (await previewImages(page))
    .filter((i) => i.alt.endsWith(' · original'))
    .map((i) => i.src)
    .join('\n')
}

test('the augmentation preview shows what each Epoch trains on, follows the settings, and re-rolls the seed', async ({ page, server, workDir }) => {
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)
  await page.getByTestId('field-image-size').fill('16')
  await page.getByTestId('field-seed').fill('7')
  const panel = page.getByTestId('augment-preview')
  await panel.getByTestId('preview-augmentation').click()

  // Per class: its first 2 images, each as the model sees it and then in Epochs 1…6.
  await expect(panel.getByTestId('preview-class')).toHaveCount(classes.length)
  for (const name of classes) {
    const rows = panel.locator(`[data-testid="preview-class"][data-name="${name}"]`).getByTestId('preview-row')
    await expect(rows).toHaveCount(2)
    for (const [r, file] of ['00.png', '01.png'].entries()) {
      const images = rows.nth(r).getByTestId('preview-image')
      await expect(images).toHaveCount(7)
      const path = `${name}/${file}`
      const shown = await images.evaluateAll((all) => all.map((i) => ({ alt: i.getAttribute('alt'), src: i.getAttribute('src') ?? '' })))
      expect(shown.map((i) => i.alt)).toEqual([`${path} · original`, ...[1, 2, 3, 4, 5, 6].map((e) => `${path} · Epoch ${e}`)])
      for (const { src } of shown) expect(src).toMatch(/^data:image\/png;base64,/)
    }
    await expect(rows.first().getByText('as the model sees it')).toBeVisible()
  }
  await expect(panel.getByTestId('preview-seed')).toHaveText('7')
  const originals = await originalSources(page)
  const first = await epochSources(page)

  // A wider rotation (set with the keyboard) refreshes the preview by itself: new Epoch pictures, same originals.
  await page.getByTestId('aug-rotation').focus()
  await page.keyboard.press('End')
  await expect(page.getByTestId('aug-rotation')).toHaveValue('180')
  await expect.poll(() => epochSources(page)).not.toBe(first)
  expect(await originalSources(page)).toBe(originals)
  const rotated = await epochSources(page)

  // Re-roll: a new seed in the form, new pictures, still the same originals.
  await panel.getByTestId('reroll-augmentation').click()
  await expect(page.getByTestId('field-seed')).not.toHaveValue('7')
  const seed = Number(await page.getByTestId('field-seed').inputValue())
  expect(Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 31 - 1).toBe(true)
  await expect(panel.getByTestId('preview-seed')).toHaveText(String(seed))
  await expect.poll(() => epochSources(page)).not.toBe(rotated)
  expect(await originalSources(page)).toBe(originals)

  // A rotation turns the subject but keeps it; noise at the end of its slider hides it, and the form says so before any Run.
  await expect(page.getByTestId('aug-strong')).toHaveCount(0)
  await page.getByTestId('aug-noise').focus()
  await page.keyboard.press('End')
  await expect(page.getByTestId('aug-strong')).toHaveText('Noise 100% hides much of what the images show: look at the preview before training.')

  // With every augmentation off, each Epoch trains on exactly the image as the model sees it.
  await page.getByTestId('augmentation').getByRole('button', { name: 'All off' }).click()
  await expect(page.getByTestId('aug-strong')).toHaveCount(0)
  await expect
    .poll(async () => {
      const images = await previewImages(page)
      return images.length === classes.length * 2 * 7 && images.every((image, i) => image.src === images[i - (i % 7)].src)
    })
    .toBe(true)

  // A setting the trainer would refuse is said plainly, and no request goes out.
  await page.getByTestId('field-image-size').fill('4')
  await expect(panel.getByTestId('preview-error')).toHaveText('Fix the image size first: At least 8 pixels.')
})

test('the learning-rate finder draws loss against rate and puts its suggestion in the form', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const folder = await stripes(join(workDir, 'stripes'))
  await openTrain(page, server, folder)
  await page.getByTestId('field-model').selectOption('reference-cnn')
  await expect(page.getByTestId('start-run')).toBeEnabled() // the model's own defaults have landed
  await page.getByTestId('field-image-size').fill('16')
  await page.getByTestId('field-batch-size').fill('8')
  await page.getByTestId('field-backend').selectOption('wasm')
  await page.getByTestId('field-seed').fill('7') // the same model and batches on every run of this test

  const finder = page.getByTestId('lr-finder')
  await page.getByTestId('find-lr').click()
  await expect(finder).toHaveAttribute('aria-busy', 'true')
  await expect(page.getByTestId('lr-finder-status')).toHaveText('Trying rates from 1e-7 to 10 on your images…')

  await expect(page.getByTestId('lr-finder-chart').locator('canvas')).toHaveCount(1, { timeout: 90_000 })
  await expect(finder).toHaveAttribute('aria-busy', 'false')
  await expect(page.getByTestId('lr-finder-error')).toHaveCount(0)
  const said = await page.getByTestId('lr-suggestion').innerText()
  const match = /^Suggested: (\d(?:\.\d)?e-?\d+|[\d.]+), where the loss falls fastest\.$/.exec(said)
  expect(match, said).not.toBeNull()
  const rate = Number(match![1])
  expect(rate).toBeGreaterThanOrEqual(1e-7)
  expect(rate).toBeLessThanOrEqual(10)

  await expect(page.getByTestId('use-lr')).toHaveText(`Use ${match![1]}`)
  await page.getByTestId('use-lr').click()
  expect(Number(await page.getByTestId('field-lr').inputValue())).toBe(rate)
  await expect(page.getByTestId('field-lr-error')).toHaveCount(0)
})
