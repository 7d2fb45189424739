/**
 * What the desktop window trusts, as pure functions (no Electron import, so they are unit-tested):
 * only the studio's own page may use the contract or hold a permission, and of the web's
 * permissions the studio uses one — writing a fingerprint to the clipboard.
 */

import { pathToFileURL } from 'node:url'

/** The studio's page: the built index.html, or in development the Vite server. */
export type AppPage = { fileUrl: string } | { devOrigin: string }

/** The page `ELECTRON_RENDERER_URL` names in development, else the built `rendererFile`. */
export function appPage(rendererFile: string, devServerUrl?: string): AppPage {
  if (devServerUrl) return { devOrigin: new URL(devServerUrl).origin }
  return { fileUrl: pathToFileURL(rendererFile).href }
}

/** True for the studio's own page (any #fragment or ?query): not any file:// page, not another port. */
export function isAppPage(url: string | undefined, page: AppPage): boolean {
  let parsed: URL
  try {
    parsed = new URL(url ?? '')
  } catch {
    return false
  }
  if ('devOrigin' in page) return parsed.origin === page.devOrigin
  const own = new URL(page.fileUrl)
  // Compared decoded: the same path may be escaped differently (a space as %20 or not).
  return parsed.protocol === 'file:' && parsed.host === own.host && decoded(parsed.pathname) === decoded(own.pathname)
}

/** The web permissions the studio uses: copying a fingerprint (Fingerprint.svelte). */
const USED_PERMISSIONS = new Set(['clipboard-sanitized-write'])

/** Whether `permission` may be granted to a frame at `requestingUrl`: only what the studio uses, only to its own page. */
export function allowPermission(permission: string, requestingUrl: string | undefined, page: AppPage): boolean {
  return USED_PERMISSIONS.has(permission) && isAppPage(requestingUrl, page)
}

function decoded(path: string): string | null {
  try {
    return decodeURIComponent(path)
  } catch {
    return null
  }
}
