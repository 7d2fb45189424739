/** What the desktop window trusts: only the studio's own page, and only the permission it uses. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allowPermission, appPage, isAppPage } from '../../../src-main/electron/policy'

const built = appPage('/opt/Osprey Studio/out/renderer/index.html')
const dev = appPage('/ignored', 'http://localhost:5173')

describe('isAppPage', () => {
  it('trusts the built page (with any fragment), and no other file:// page', () => {
    expect(isAppPage('file:///opt/Osprey%20Studio/out/renderer/index.html', built)).toBe(true)
    expect(isAppPage('file:///opt/Osprey Studio/out/renderer/index.html#/history', built)).toBe(true)
    for (const url of [
      'file:///home/me/Downloads/page.html',
      'file:///opt/Osprey%20Studio/out/renderer/other.html',
      'file:///opt/Osprey%20Studio/out/renderer/index.html/..',
      'https://example.com/',
      'about:blank',
      'not a url',
      undefined
    ]) {
      expect(isAppPage(url, built), String(url)).toBe(false)
    }
  })

  it('trusts the dev server by origin, not by prefix (port 51730 is not port 5173)', () => {
    expect(isAppPage('http://localhost:5173/', dev)).toBe(true)
    expect(isAppPage('http://localhost:5173/src/main.ts', dev)).toBe(true)
    expect(isAppPage('http://localhost:51730/', dev)).toBe(false)
    expect(isAppPage('http://localhost:5173.evil.example/', dev)).toBe(false)
    expect(isAppPage('file:///opt/Osprey%20Studio/out/renderer/index.html', dev)).toBe(false)
  })
})

describe('allowPermission', () => {
  const page = 'file:///opt/Osprey%20Studio/out/renderer/index.html'
  it('grants the studio its one permission (copying a fingerprint) and denies every other', () => {
    expect(allowPermission('clipboard-sanitized-write', page, built)).toBe(true)
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'display-capture',
      'openExternal',
      'fullscreen',
      'midi',
      'pointerLock',
      'hid',
      'serial',
      'usb',
      'idle-detection',
      'storage-access',
      'unknown'
    ]) {
      expect(allowPermission(permission, page, built), permission).toBe(false)
    }
  })

  it('denies even that to any other page', () => {
    expect(allowPermission('clipboard-sanitized-write', 'file:///tmp/x.html', built)).toBe(false)
    expect(allowPermission('clipboard-sanitized-write', undefined, built)).toBe(false)
  })
})

it("the renderer's CSP lets it connect only to its own origin (no ws: or wss: to any host)", () => {
  const html = readFileSync('src-renderer/index.html', 'utf8')
  const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? ''
  const connect = policy
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('connect-src'))
  expect(connect).toBe("connect-src 'self'")
})
