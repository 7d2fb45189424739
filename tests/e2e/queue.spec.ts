/**
 * A Study across two worker processes from the Tune screen, in Chromium: `osprey serve
 * --redis`, a real redis-server on a free loopback port and two `osprey worker` processes (the
 * built command line). The form offers the workers; each Trial's row names the worker training it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { redisServerBinary, startRedisServer, type RedisServer } from '../../src-main/queue/redis-server'
import { cliFile, expect, test } from './server'

test.skip(!redisServerBinary(), 'redis-server is not installed (apt-get install redis-server): this test needs a real one')

let scratch: string
let redis: RedisServer
let workers: ChildProcess[] = []

test.beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'osprey-e2e-queue-'))
  redis = await startRedisServer(join(scratch, 'redis'))
  workers = await Promise.all(['alpha', 'beta'].map((name) => startWorker(name)))
})
test.afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL')
  await redis?.stop()
  await rm(scratch, { recursive: true, force: true })
})

/** `osprey worker` (the built CLI); resolves once it takes Trials. */
function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cliFile, 'worker', '--json', '--concurrency', '1', '--worker-name', name, '--data-dir', join(scratch, 'worker')], {
    env: { ...process.env, OSPREY_REDIS_URL: redis.url },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start within 30 s`)), 30_000)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"type":"worker"')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
  })
}

test('a Study started in the Tune screen trains its Trials on two workers, each row naming its worker', async ({ page, startServer }) => {
  test.setTimeout(180_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack)))
  const server = await startServer(undefined, ['--redis', redis.url])
  await page.goto(server.url)
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('sample-button').click()
  await expect(page.getByTestId('image-count')).toHaveAttribute('data-value', '300')
  await page.getByTestId('nav-tune').click()
  await expect(page.getByTestId('study-epochs')).toBeVisible()

  // The form offers the queue once it sees the two workers.
  const where = page.getByTestId('study-trials-on')
  await expect(where.locator('option[value="queue"]')).toHaveText('Workers on the queue (2 connected)')
  await where.selectOption('queue')
  await expect(page.locator('#study-trials-on-hint')).toContainText('alpha, beta')

  await page.getByTestId('space-json').fill(JSON.stringify({ lr: { type: 'float', low: 0.001, high: 0.01, log: true } }))
  await page.getByTestId('space-json').blur()
  await page.getByTestId('study-strategy').selectOption('random')
  await page.getByTestId('study-trials').fill('4')
  await page.getByTestId('study-parallel').fill('2')
  await page.getByTestId('study-model').selectOption('reference-cnn')
  await page.getByTestId('study-image-size').fill('16')
  await page.getByTestId('study-epochs').fill('1')
  await page.getByTestId('study-batch-size').fill('32')
  await page.getByTestId('study-backend').selectOption('wasm')
  await expect(page.getByTestId('start-study')).toBeEnabled()
  await page.getByTestId('start-study').click()

  // Live: a running Trial names the worker that took it.
  const rows = page.getByTestId('trial-row')
  await expect(
    page
      .locator('[data-testid="trial-row"][data-status="running"] [data-testid="trial-worker"]')
      .filter({ hasText: /alpha|beta/ })
      .first()
  ).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 })
  await expect(rows).toHaveCount(4)
  const names = await page.getByTestId('trial-worker').allInnerTexts()
  expect(new Set(names)).toEqual(new Set(['alpha', 'beta']))
  await expect(page.getByTestId('study-counts')).toContainText('4 completed')
  expect(errors).toEqual([])
})
