/**
 * Which Chromium the end-to-end tests drive, and how. This machine is offline and runs as root,
 * so Playwright's own download is usually absent and Chromium needs the flags below.
 */
import { existsSync } from 'node:fs'
import { chromium } from '@playwright/test'

/** Flags for a root, offline, headless machine: no sandbox, no GPU, no calls home. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** The Chromium executable: OSPREY_CHROMIUM, then Debian's /usr/bin/chromium, then Playwright's own. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OSPREY_CHROMIUM
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`OSPREY_CHROMIUM=${fromEnv} does not exist. Point it at a Chrome or Chromium executable, or unset it.`)
    return fromEnv
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium'
  let bundled: string | undefined
  try {
    bundled = chromium.executablePath()
  } catch {
    bundled = undefined // Playwright throws on platforms it has no build for
  }
  if (bundled && existsSync(bundled)) return bundled
  throw new Error(
    "No Chromium found for the end-to-end tests. Install Debian's chromium: apt-get install -y chromium, or set OSPREY_CHROMIUM=/path/to/chrome " +
      '(or, with network access, npx playwright install chromium).'
  )
}
