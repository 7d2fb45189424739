/** Electron's own program, where its npm package came with it. */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

/** The Electron executable, or null when the npm package came without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD=1, no network). */
export function electronBinary(): string | null {
  try {
    // The electron package's main export is the binary's path; it throws when the binary is missing.
    const path = createRequire(import.meta.url)('electron') as unknown
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}
