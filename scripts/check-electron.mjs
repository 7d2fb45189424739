#!/usr/bin/env node
// Before `npm start`: without Electron's own binary (its download at npm install was skipped or
// failed), electron-vite would end with a bare "Error: Electron uninstall" stack.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

let binary = null
try {
  binary = createRequire(import.meta.url)('electron') // the binary's path; throws when it is missing
} catch {
  binary = null
}
if (typeof binary !== 'string' || !existsSync(binary)) {
  const skipped = Boolean(process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) // install.js skips while it is set
  console.error(`The desktop app cannot start: Electron's own program is not installed (its download at npm install was ${skipped ? 'skipped: ELECTRON_SKIP_BINARY_DOWNLOAD is set' : 'skipped or failed'}).
  Install it (needs the network once):   ${skipped ? 'env -u ELECTRON_SKIP_BINARY_DOWNLOAD ' : ''}node node_modules/electron/install.js
  Or use the studio in a browser:        npm run build && npm run osprey -- serve`)
  process.exit(1)
}
