/**
 * A Dataset's label check in a browser, against a real `osprey serve`: the images in the wrong
 * class folder come first with what they look like; one excluded leaves the next Run, which says so.
 */
import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { writeShapeDataset } from '../../bench/colour-shapes'
import { expect, test } from './server'

test('check labels: the misfiled images come first, and an excluded one is left out of the next Run', async ({ page, server, workDir }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  const folder = join(workDir, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 14, seed: 41 })
  renameSync(join(folder, 'circle', 'circle-0002.jpg'), join(folder, 'star', 'circle-0002.jpg'))

  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  const panel = page.getByTestId('label-review')
  await panel.getByTestId('check-labels').click()
  await expect(panel.getByTestId('label-summary')).toContainText('42 images', { timeout: 90_000 })
  await expect(panel.getByTestId('label-summary')).toContainText('with MobileNetV2') // colour photos: judged on the pretrained backbone's features
  const first = panel.getByTestId('label-suspect').first()
  await expect(first).toHaveAttribute('data-path', 'star/circle-0002.jpg')
  await expect(first).toContainText('star → circle')
  await expect(first.locator('img')).toHaveAttribute('src', /^data:image\/webp;base64,/)

  await first.getByTestId('label-exclude').click()
  await expect(first).toHaveAttribute('data-decision', 'exclude')
  await expect(panel.getByTestId('label-excluded')).toHaveText('1 left out of new Runs.')

  await page.getByTestId('nav-train').click()
  await expect(page.getByTestId('train-excluded')).toContainText('1 image of this Dataset is left out')
  expect(errors).toEqual([])
})

test('the Labels panel stays where it is while the previews arrive, so a click meant for it lands on it', async ({ page, server, workDir }) => {
  const folder = join(workDir, 'shapes')
  await writeShapeDataset(folder, { classes: ['circle', 'triangle', 'star'], perClass: 14, seed: 41 })
  // The previews' answer is held back until the test lets it go, as on a busy machine.
  let release = () => {}
  const held = new Promise<void>((done) => (release = done))
  const thumbnailRequests = new Set<number>()
  await page.routeWebSocket(/\/api/, (ws) => {
    const studio = ws.connectToServer()
    ws.onMessage((message) => {
      const request = JSON.parse(String(message)) as { id: number; command: string }
      if (request.command === 'datasets.thumbnails') thumbnailRequests.add(request.id)
      studio.send(message)
    })
    studio.onMessage((message) => {
      const reply = JSON.parse(String(message)) as { id?: number }
      if (reply.id !== undefined && thumbnailRequests.has(reply.id)) void held.then(() => ws.send(message))
      else ws.send(message)
    })
  })

  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('path-input').fill(folder)
  await page.getByTestId('scan-button').click()
  await expect(page.getByTestId('report-path')).toHaveText(folder)
  await expect(page.getByTestId('thumbnails')).toHaveAttribute('aria-busy', 'true')
  const before = (await page.getByTestId('label-review').boundingBox())!.y
  release()
  await expect(page.getByTestId('thumbnails')).toHaveAttribute('aria-busy', 'false')
  await expect(page.getByTestId('thumbnails').locator('img')).toHaveCount(36)
  expect(Math.abs((await page.getByTestId('label-review').boundingBox())!.y - before)).toBeLessThan(2)
})

test('small grayscale images are judged by CNNs trained from scratch, and Stop ends that check', async ({ page, server }) => {
  test.setTimeout(120_000)
  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('sample-button').click() // 300 Fashion-MNIST images of 28 px
  await expect(page.getByTestId('report-path')).toContainText('sample-dataset')
  const panel = page.getByTestId('label-review')
  await panel.getByTestId('check-labels').click()
  await expect(panel.getByTestId('label-progress')).toContainText('Training model 1 of 10', { timeout: 60_000 })
  await panel.getByTestId('stop-label-check').click()
  await expect(panel.getByTestId('label-error')).toHaveText('The label check was stopped; the last check, if any, stays as it was.', { timeout: 20_000 })
  await expect(panel.getByTestId('check-labels')).toHaveText('Check labels')
  await expect(panel.getByTestId('label-summary')).toHaveCount(0)
})
