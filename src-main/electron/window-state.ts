/** Remembers the window's size and position between launches, in the data folder. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserWindow, Rectangle } from 'electron'

/** The saved bounds, and whether the window was maximized. */
export interface WindowState {
  bounds: Partial<Rectangle>
  maximized: boolean
}

const DEFAULT: WindowState = { bounds: { width: 1200, height: 800 }, maximized: false }

/** The state saved last time, or a sensible default. */
export function loadWindowState(dataDir: string): WindowState {
  try {
    const saved = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')) as WindowState
    if (saved.bounds && typeof saved.bounds.width === 'number' && typeof saved.bounds.height === 'number') return saved
  } catch {
    // first launch, or an unreadable file: start with the default
  }
  return DEFAULT
}

/** Saves `window`'s state whenever it is about to close. */
export function trackWindowState(window: BrowserWindow, dataDir: string): void {
  window.on('close', () => {
    const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
    try {
      writeFileSync(join(dataDir, 'window-state.json'), JSON.stringify(state), { mode: 0o600 })
    } catch {
      // not worth failing the close over
    }
  })
}
