/**
 * End-to-end tests: the studio served by `osprey serve` (run `npm run build` first), driven in
 * Chromium; plus a desktop-shell test that runs only where the Electron binary is installed.
 */
import { defineConfig } from '@playwright/test'
import { chromiumArgs, chromiumExecutable } from './tests/e2e/browser'

export default defineConfig({
  testDir: 'tests/e2e',
  // Each test starts its own server and scans real folders: one at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure'
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 900 },
        launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs }
      }
    }
  ]
})
