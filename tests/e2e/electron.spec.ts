/**
 * The desktop shell: the built app launched in Electron shows the Datasets screen.
 * Skipped where the Electron binary is absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron, expect, test } from '@playwright/test'
import { electronBinary } from '../helpers/electron'

const binary = electronBinary()

test('the desktop window opens on the Datasets screen', async () => {
  test.skip(!binary, 'Electron binary not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run npm install with network access to run this test')
  const entry = resolve('out/main/index.js')
  expect(existsSync(entry), 'run npm run build first').toBe(true)

  const dataDir = await mkdtemp(join(tmpdir(), 'osprey-e2e-electron-'))
  const app = await _electron.launch({
    executablePath: binary!,
    args: [entry, '--no-sandbox', '--disable-gpu'],
    env: { ...process.env, OSPREY_DATA_DIR: dataDir, ELECTRON_ENABLE_LOGGING: '1' }
  })
  try {
    const window = await app.firstWindow()
    await expect(window).toHaveTitle('Osprey Studio')
    await expect(window.getByTestId('empty-state')).toBeVisible()
    await expect(window.getByTestId('path-input')).toBeVisible()
    // Only the desktop has a native folder dialog.
    await expect(window.getByTestId('open-folder-button')).toBeVisible()
  } finally {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  }
})
