/** `npm start` where Electron's own program was not downloaded: a way forward, not a stack trace. */
import { spawnSync } from 'node:child_process'
import { expect, it } from 'vitest'
import { electronBinary } from '../helpers/electron'

it("says how to install Electron's program, or to use osprey serve, when it is missing", (context) => {
  if (electronBinary()) context.skip('the Electron binary is installed here, so npm start opens the app (tests/e2e/electron.spec.ts starts it)')
  const run = spawnSync(process.execPath, ['scripts/check-electron.mjs'], { encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })
  expect(run.status).toBe(1)
  expect(run.stderr).toContain("The desktop app cannot start: Electron's own program is not installed")
  expect(run.stderr).toContain('env -u ELECTRON_SKIP_BINARY_DOWNLOAD node node_modules/electron/install.js')
  expect(run.stderr).toContain('npm run build && npm run osprey -- serve')
})
