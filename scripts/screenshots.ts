/**
 * Screenshots of the main screens for docs/ (and for looking at the studio as a newcomer would):
 * `osprey serve` on a fresh data folder, a colour dataset of 3 shapes × 60 photos, a pretrained
 * Run, a Run from scratch, a small Study; then each screen at 1400 × 900 and 900 × 700, in the
 * light and dark schemes. Needs `npm run build` first and Chromium (as the e2e tests do).
 *
 *   npm run build && npm run screenshots -- [--out docs/screenshots] [--dark] [--keep]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from '@playwright/test'
import { writeShapeDataset } from '../bench/colour-shapes'
import { startServe } from '../bench/lib/serve'
import { chromiumArgs, chromiumExecutable } from '../tests/e2e/browser'

const { values: flags } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' }, dark: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } })
const out = resolve(flags.out!)
mkdirSync(out, { recursive: true })
const work = mkdtempSync(join(tmpdir(), 'osprey-shots-'))
const folder = join(work, 'shapes')
await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 60, seed: 3 })
const served = await startServe(join(work, 'data'))
const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs })

/** The sizes every screen is shot at. */
const sizes = [
  { width: 1400, height: 900 },
  { width: 900, height: 700 }
]

try {
  const schemes: ('light' | 'dark')[] = flags.dark ? ['light', 'dark'] : ['light']
  const page = await browser.newPage({ viewport: sizes[0], colorScheme: 'light' })
  page.on('pageerror', (e) => console.error('page error:', e.message))
  await page.goto(served.url)

  // An empty studio first: what a newcomer sees.
  await page.getByTestId('nav-history').click()
  await shootAll(page, 'history-empty', schemes)

  // Datasets: scan the folder, see the report.
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await page.getByTestId('report-path').waitFor()
  await page.waitForTimeout(1500) // thumbnails
  await shootAll(page, 'datasets', schemes)

  // Train: the form with its defaults (the pretrained model for colour photos), then a Run to its verdict.
  await page.getByTestId('nav-train').click()
  await page.getByTestId('field-epochs').waitFor()
  await page.waitForTimeout(500)
  await shootAll(page, 'train-form', schemes)
  await page.getByTestId('start-run').click()
  await page.locator('[data-testid="run-status"][data-status="completed"]').waitFor({ timeout: 600_000 })
  await page.getByTestId('confusion-matrix').waitFor({ timeout: 60_000 })
  await page.waitForTimeout(800)
  await shootAll(page, 'train-run', schemes)

  // A Run from scratch on the same photos: it guesses, and says so.
  await page.getByTestId('new-run').click()
  await page.getByTestId('field-model').selectOption('reference-cnn')
  await page.getByTestId('field-image-size').fill('32')
  await page.getByTestId('field-epochs').fill('4')
  await page.getByTestId('start-run').click()
  await page.locator('[data-testid="run-status"][data-status="completed"]').waitFor({ timeout: 600_000 })
  await page.getByTestId('verdict').waitFor()
  await page.waitForTimeout(800)
  await shootAll(page, 'train-guessing', schemes)

  // History: both Runs, one opened, then the two compared.
  await page.getByTestId('nav-history').click()
  await page.getByTestId('history-row').first().waitFor()
  await shootAll(page, 'history', schemes)
  await page.getByTestId('select-run').nth(0).check()
  await page.getByTestId('select-run').nth(1).check()
  await page.getByTestId('compare-button').click()
  await page.getByTestId('compare-view').waitFor()
  await page.waitForTimeout(1000)
  await shootAll(page, 'history-compare', schemes)

  // Tune: the New Study form.
  await page.getByTestId('nav-tune').click()
  await page.getByTestId('study-form').waitFor()
  await page.waitForTimeout(500)
  await shootAll(page, 'tune-form', schemes)
  console.log(`Screenshots in ${out}`)
} finally {
  await browser.close()
  await served.stop()
  if (!flags.keep) rmSync(work, { recursive: true, force: true })
  else console.log(`Kept ${work}`)
}

/** `name` at every size and scheme, as <name>-<width>[-dark].png; the page is restored to the first size and light. */
async function shootAll(page: Page, name: string, schemes: ('light' | 'dark')[]): Promise<void> {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const size of sizes) {
      await page.setViewportSize(size)
      await page.waitForTimeout(300) // charts follow their container's size
      await page.screenshot({ path: join(out, `${name}-${size.width}${scheme === 'dark' ? '-dark' : ''}.png`) })
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize(sizes[0])
}
