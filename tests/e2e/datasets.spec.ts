/**
 * The Datasets screen as a user meets it in a browser, against a real `osprey serve`:
 * access control, the sample dataset, folders by path and by drop, bad input, the remembered
 * history across a restart, and the keyboard.
 */
import { readdirSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Page } from '@playwright/test'
import WebSocket from 'ws'
import { cleanDataset, foreignClass, messy, messyDataset, writeImage } from './folders'
import { expect, test, type OspreyServer } from './server'

const sampleClasses = ['ankle-boot', 'bag', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 't-shirt-top', 'trouser']

/** The browser's drag-and-drop classes (this tsconfig has no DOM library). */
interface BrowserDrag {
  DataTransfer: new () => { setData(type: string, data: string): void }
  DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => unknown
}

/** Opens the studio through its tokened URL and waits until it can scan. */
async function openStudio(page: Page, server: OspreyServer): Promise<void> {
  await page.goto(server.url)
  await expect(page.getByTestId('sample-button')).toBeEnabled()
  // The token moved from the fragment into this tab's sessionStorage: the address bar no longer shows it.
  expect(page.url()).toBe(`${server.origin}/`)
}

/** Types a folder's path and presses Scan; waits for the report of that folder. */
async function scanByPath(page: Page, folder: string): Promise<void> {
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
}

/** The report's class rows as { name: count }. */
async function classCounts(page: Page): Promise<Record<string, number>> {
  const rows = await page.getByTestId('class-row').evaluateAll((els) => els.map((el) => [el.getAttribute('data-name'), Number(el.getAttribute('data-count'))] as const))
  return Object.fromEntries(rows)
}

test('without the access token the page shell says how to get in and the API is refused; with it the studio loads, and no cookie is set', async ({ page, server }) => {
  const asset = readdirSync('out/renderer/assets').find((f) => f.endsWith('.js'))
  expect(asset, 'the built renderer has a script asset').toBeTruthy()

  // The shell (page and assets) is the same for everyone and carries no data.
  for (const path of ['/', '/index.html', `/assets/${asset}`]) {
    const shell = await fetch(`${server.origin}${path}`, { redirect: 'manual' })
    expect(shell.status, `${path} without the token`).toBe(200)
    expect(shell.headers.get('set-cookie')).toBeNull()
  }
  const token = /#token=([\w-]+)$/.exec(server.url)?.[1]
  expect(token, 'the printed URL carries the token in its fragment').toBeTruthy()

  const socketStatus = (query: string) =>
    new Promise<number | string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`)
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 'no status')
        ws.terminate()
      })
      ws.on('open', () => {
        resolve('opened')
        ws.close()
      })
      ws.on('error', (e) => resolve(`error: ${e.message}`))
    })
  expect(await socketStatus('')).toBe(401)
  expect(await socketStatus('?token=not-the-token')).toBe(401)
  // The same socket opens for whoever holds the token, so the 401s above are about the token.
  expect(await socketStatus(`?token=${token}`)).toBe('opened')

  // A browser without the token sees how to get in, not the studio.
  await page.goto(server.origin)
  await expect(page.getByTestId('access-needed')).toContainText('Open the URL that `osprey serve` printed')
  await expect(page.getByTestId('path-input')).toHaveCount(0)

  await openStudio(page, server)
  await expect(page).toHaveTitle('Osprey Studio')
  await expect(page.getByTestId('empty-state')).toBeVisible()
  // The app talks to the API over the socket with the token it was given: the empty history is shown.
  await expect(page.getByText('No datasets yet.')).toBeVisible()
  // The token never became a cookie (cookies reach every port of 127.0.0.1), and a reload keeps the tab working.
  expect(await page.context().cookies()).toEqual([])
  await page.reload()
  await expect(page.getByTestId('sample-button')).toBeEnabled()
})

test('the sample dataset: 300 images in 10 balanced classes, previews, a fingerprint and no problems', async ({ page, server }) => {
  await openStudio(page, server)
  await page.getByTestId('sample-button').click()

  const report = page.getByTestId('report')
  await expect(report).toBeVisible()
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '300')
  expect(await classCounts(page)).toEqual(Object.fromEntries(sampleClasses.map((c) => [c, 30])))
  await expect(page.getByTestId('fingerprint')).toHaveAttribute('data-value', /^[0-9a-f]{64}$/)
  await expect(page.getByTestId('problems')).toContainText('No problems found.')
  await expect(page.getByTestId('problem')).toHaveCount(0)

  // Previews: every class has some, each a data: image that really decodes.
  const thumbnails = page.getByTestId('thumbnails')
  await expect(thumbnails).toHaveAttribute('aria-busy', 'false')
  for (const c of sampleClasses) await expect(thumbnails.locator('h4', { hasText: new RegExp(`^${c}$`) })).toBeVisible()
  const images = thumbnails.locator('img')
  expect(await images.count()).toBeGreaterThanOrEqual(sampleClasses.length)
  const sources = await images.evaluateAll((els) => els.map((el) => el.getAttribute('src') ?? ''))
  for (const src of sources) expect(src).toMatch(/^data:image\/[a-z]+;base64,.{20,}/)
  const first = images.first()
  await first.scrollIntoViewIfNeeded()
  await expect.poll(() => first.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0)

  // The scanned dataset is now listed in the sidebar.
  await expect(page.getByTestId('dataset-item')).toHaveCount(1)
  await expect(page.getByTestId('dataset-item')).toContainText('300 images')

  // Back another day: the empty room points at the list, and the list opens the report without a scan.
  await page.reload()
  await expect(page.getByTestId('empty-saved')).toContainText('open your dataset in the list on the left')
  await page.getByTestId('dataset-item').locator('button.open').click()
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '300')
  await expect(page.getByTestId('empty-state')).toHaveCount(0)
})

test('a folder typed by path: counts, class names in any script, and every problem by file name', async ({ page, server, workDir }) => {
  const folder = await messyDataset(join(workDir, 'pets'))
  await openStudio(page, server)
  await scanByPath(page, folder)

  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', String(messy.images))
  expect(await classCounts(page)).toEqual(Object.fromEntries(messy.classes.map((c) => [c.name, c.count])))
  // The empty class folder is listed but left out, and the figures say so.
  await expect(page.getByTestId('class-count')).toHaveText('2')
  await expect(page.getByTestId('empty-classes')).toHaveText('"unlabelled" has no usable images, so it is left out of training.')
  await expect(page.getByTestId('dataset-item')).toContainText(`${messy.images} images · 2 classes`)
  await expect(page.getByTestId('files-read')).toHaveText(`read ${messy.files} files`)

  for (const [kind, path] of Object.entries(messy.problems)) {
    const row = page.locator(`[data-testid="problem"][data-kind="${kind}"]`)
    await expect(row, `a ${kind} problem`).toHaveCount(1)
    await expect(row.locator('code')).toHaveText(path)
  }
  // Errors are files left out; the duplicate and the empty class are warnings.
  for (const kind of ['empty-file', 'not-image', 'corrupt', 'unsupported-format']) await expect(page.locator(`[data-testid="problem"][data-kind="${kind}"]`)).toHaveAttribute('data-severity', 'error')
  for (const kind of ['duplicate-across-classes', 'empty-class']) await expect(page.locator(`[data-testid="problem"][data-kind="${kind}"]`)).toHaveAttribute('data-severity', 'warning')
  await expect(page.locator('[data-testid="problem"][data-kind="unsupported-format"]')).toContainText('This is an HEIC photo (the format iPhones save in)')
  // The panorama is used, and the Images card says what training sees of it.
  await expect(page.getByTestId('crop-note')).toHaveText(/^1 image is more than twice as long as wide: training sees only the centre square/)

  // Both classes are small, and each is named as such.
  const few = page.locator('[data-testid="problem"][data-kind="few-images"]')
  await expect(few.locator('code')).toHaveText([...messy.fewImages])
  await expect(few.first()).toHaveAttribute('data-severity', 'warning')
  await expect(page.getByTestId('problem')).toHaveCount(Object.keys(messy.problems).length + messy.fewImages.length)

  // Previews name the files by path, the non-Latin class included.
  await expect(page.getByTestId('thumbnails').locator(`img[alt="${foreignClass}/c1.png"]`)).toHaveCount(1)
  await expect(page.getByTestId('thumbnails').locator('h4', { hasText: foreignClass })).toBeVisible()

  // Hidden files and OS leftovers appear nowhere.
  const text = await page.locator('body').innerText()
  for (const name of messy.hidden) expect(text).not.toContain(name)
  const alts = await page
    .getByTestId('thumbnails')
    .locator('img')
    .evaluateAll((els) => els.map((el) => el.getAttribute('alt') ?? ''))
  for (const alt of alts) expect(alt).not.toMatch(/(^|\/)\./)
})

test('a folder dropped on the window is scanned', async ({ page, server, workDir }) => {
  // A name that a file:// URI must percent-encode, to check it arrives decoded.
  const folder = await cleanDataset(join(workDir, 'drop me 鷹 #1'), ['herons', 'ospreys'], 3)
  await openStudio(page, server)

  const uri = pathToFileURL(folder).href
  await page.getByTestId('drop-zone').evaluate((zone, uri) => {
    const { DataTransfer, DragEvent } = globalThis as unknown as BrowserDrag
    const data = new DataTransfer()
    data.setData('text/uri-list', `# dropped by the test\r\n${uri}`)
    for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
  }, uri)

  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '6')
  expect(await classCounts(page)).toEqual({ herons: 3, ospreys: 3 })
  await expect(page.getByTestId('message')).toHaveCount(0)
})

test('a missing folder or a file instead of a folder gets a clear error', async ({ page, server, workDir }) => {
  await openStudio(page, server)
  const message = page.getByTestId('message')

  const missing = join(workDir, 'no such folder')
  await page.getByTestId('path-input').fill(missing)
  await page.getByTestId('scan-button').click()
  await expect(message).toHaveAttribute('data-tone', 'error')
  await expect(message).toContainText('not found')
  await expect(message).toContainText(missing)
  await expect(page.getByTestId('report')).toHaveCount(0)

  const file = join(workDir, 'photo.png')
  await writeImage(workDir, 'photo.png', 7)
  await page.getByTestId('path-input').fill(file)
  await page.getByTestId('scan-button').click()
  await expect(message).toHaveAttribute('data-tone', 'error')
  await expect(message).toContainText(`${file} is a file, not a folder`)
  await expect(page.getByTestId('report')).toHaveCount(0)
  await expect(page.getByText('No datasets yet.')).toBeVisible()
})

test('datasets are remembered across a restart, and a re-scan shows what changed', async ({ page, server, startServer, workDir }) => {
  const folder = await cleanDataset(join(workDir, 'wading birds'), ['egret', 'heron'], 4)
  await openStudio(page, server)
  await scanByPath(page, folder)
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '8')
  const fingerprint = await page.getByTestId('fingerprint').getAttribute('data-value')
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)

  await server.stop()
  const again = await startServer(server.dataDir)
  expect(again.url).not.toBe(server.url) // a fresh token for each launch
  await openStudio(page, again)

  const item = page.getByTestId('dataset-item')
  await expect(item).toHaveCount(1)
  await expect(item).toContainText('wading birds')
  await expect(item).toContainText('8 images')
  await expect(page.getByTestId('report')).toHaveCount(0)

  await item.locator('button.open').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '8')
  await expect(page.getByTestId('fingerprint')).toHaveAttribute('data-value', fingerprint!)
  // The stored report, not a new scan: a re-scan would say "No changes since the last scan".
  await expect(page.getByTestId('files-read')).toHaveText('read 8 files')
  await expect(page.getByTestId('no-changes')).toHaveCount(0)
  await expect(page.getByTestId('changes')).toHaveCount(0)

  await writeImage(folder, 'heron/new.png', 999)
  await unlink(join(folder, 'egret/001.png'))
  await page.getByTestId('rescan-button').click()

  const changes = page.getByTestId('changes')
  await expect(changes).toBeVisible()
  await expect(changes.locator('summary')).toContainText('1 added, 1 removed')
  await changes.locator('summary').click()
  await expect(changes).toContainText('heron/new.png')
  await expect(changes).toContainText('egret/001.png')
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '8')
  expect(await classCounts(page)).toEqual({ egret: 3, heron: 5 })
  await expect(page.getByTestId('fingerprint')).not.toHaveAttribute('data-value', fingerprint!)
  await expect(page.getByTestId('files-read')).toHaveText('read 1 file, 7 unchanged')
})

test('a second window follows the Datasets list: a scan, a rename and a forget in one show in the other without a reload', async ({ page, server, workDir }) => {
  const folder = await cleanDataset(join(workDir, 'wading birds'), ['egret', 'heron'], 4)
  const other = await page.context().newPage()
  await openStudio(other, server)
  await other.getByTestId('nav-datasets').click()
  await expect(other.getByTestId('dataset-item')).toHaveCount(0)

  await openStudio(page, server)
  await scanByPath(page, folder)
  await expect(other.getByTestId('dataset-item')).toContainText('8 images · 2 classes')
  await page.getByTestId('rename-dataset').click()
  await page.getByTestId('dataset-name').fill('herons and egrets')
  await page.getByTestId('dataset-name-save').click()
  await expect(other.getByTestId('dataset-item')).toContainText('herons and egrets')
  page.once('dialog', (dialog) => void dialog.accept())
  await page.getByTestId('dataset-item').getByTestId('forget-button').click()
  await expect(other.getByTestId('dataset-item')).toHaveCount(0)
})

test('the keyboard alone reaches the path field and the Scan button, and Enter scans', async ({ page, server, workDir }) => {
  const folder = await cleanDataset(join(workDir, 'keyboard'), ['left', 'right'], 2)
  await openStudio(page, server)

  const input = page.getByTestId('path-input')
  let presses = 0
  while (!(await input.evaluate((el) => el === el.ownerDocument.activeElement)) && presses < 15) {
    await page.keyboard.press('Tab')
    presses++
  }
  await expect(input).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('scan-button')).toBeFocused()
  await page.keyboard.press('Shift+Tab')
  await expect(input).toBeFocused()

  await page.keyboard.type(folder)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '4')
})

test('from the report: a folder that cannot be trained on says so everywhere, a good one is renamed and opens the New Run form', async ({ page, server, workDir }) => {
  const { mkdir } = await import('node:fs/promises')
  // One class only: the problem names that class folder, and nothing offers to train on it.
  const lonely = join(workDir, 'lonely')
  for (let i = 0; i < 3; i++) await writeImage(lonely, `cats/${i}.png`, i)
  // No class folders at all: the problem names the dataset folder, not ".".
  const flat = join(workDir, 'flat')
  await mkdir(flat, { recursive: true })
  for (let i = 0; i < 2; i++) await writeImage(flat, `${i}.png`, i)
  const good = await cleanDataset(join(workDir, 'colours'), ['red', 'blue'], 4)
  await openStudio(page, server)

  await scanByPath(page, flat)
  await expect(page.getByTestId('problem').filter({ hasText: 'No class folders' }).locator('.path')).toHaveText('flat/ (the dataset folder)')
  await scanByPath(page, lonely)
  await expect(page.getByTestId('problem').filter({ hasText: 'Only one class' }).locator('.path')).toHaveText('cats')
  await expect(page.getByTestId('train-on-dataset')).toBeDisabled()

  await scanByPath(page, good)
  await page.getByTestId('rename-dataset').click()
  await page.getByTestId('dataset-name').fill('primary colours')
  await page.getByTestId('dataset-name-save').click()
  await expect(page.locator('#report-heading')).toHaveText('primary colours')
  await expect(page.getByTestId('dataset-item').filter({ hasText: 'primary colours' })).toHaveCount(1)
  // The name outlives a rescan; the folder keeps its own.
  await page.getByTestId('rescan-button').click()
  await expect(page.locator('#report-heading')).toHaveText('primary colours')
  expect(readdirSync(workDir).sort()).toEqual(['colours', 'flat', 'lonely'])

  await page.getByTestId('train-on-dataset').click()
  await expect(page.getByTestId('train-form')).toBeVisible()
  const field = page.getByTestId('train-dataset')
  await expect(field.locator('option:checked')).toContainText('primary colours')
  // The untrainable ones are marked in the dropdown, and say why once chosen.
  await expect(field.locator('option', { hasText: 'lonely' })).toContainText('cannot be trained on yet')
  await expect(field.locator('option', { hasText: 'flat' })).toContainText('cannot be trained on yet')
  await expect(field.locator('option', { hasText: 'primary colours' })).not.toContainText('cannot be trained on yet')
  await field.selectOption({ label: (await field.locator('option', { hasText: 'lonely' }).textContent())!.trim() })
  await expect(page.getByTestId('train-dataset-untrainable')).toContainText('Only one class')
})
