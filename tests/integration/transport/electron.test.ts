/**
 * The desktop transport and the preload, without Electron: an in-memory pair stands in for
 * ipcMain and ipcRenderer (as VS Code tests its channels), so the real `exposeOverIpc` serves the
 * real services to the real preload's `window.osprey`, frame checks and events included.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { OspreyApi } from '../../../src-main/contract'
import { nodeSpawner } from '../../../src-main/jobs/spawn-node'
import { workerFile } from '../../../src-main/paths'
import { createServices, type Services } from '../../../src-main/services'
import { tempDir } from '../../helpers/images'

/** The in-memory Electron: one main side, one renderer, and the page URL each frame reports. */
const electron = vi.hoisted(() => {
  type Handler = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown
  type Listener = (event: object, ...args: unknown[]) => void
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, Set<Listener>>()
  const page = { url: 'app://osprey/index.html', exposed: {} as Record<string, unknown> }
  // Other windows the main side would send events to: their URLs and what they received.
  const others: { url: string; received: unknown[][] }[] = []
  const renderer = {
    getURL: () => page.url,
    send: (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l({}, ...structuredClone(args)))
  }
  return {
    page,
    others,
    handlers,
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
        handlers.set(channel, handler)
      },
      removeHandler: (channel: string) => handlers.delete(channel)
    },
    webContents: { getAllWebContents: () => [renderer, ...others.map((o) => ({ getURL: () => o.url, send: (...args: unknown[]) => o.received.push(args) }))] },
    ipcRenderer: {
      // Like Electron: arguments and answers are copied (structured clone), never shared.
      invoke: async (channel: string, ...args: unknown[]) => {
        const handler = handlers.get(channel)
        if (!handler) throw new Error(`No handler registered for '${channel}'`)
        return structuredClone(await handler({ senderFrame: page.url ? { url: page.url } : null }, ...structuredClone(args)))
      },
      on: (channel: string, listener: Listener) => void listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
      off: (channel: string, listener: Listener) => void listeners.get(channel)?.delete(listener)
    },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (page.exposed[key] = api) },
    webUtils: { getPathForFile: () => '/dropped/folder' }
  }
})
vi.mock('electron', () => electron)

const { exposeOverIpc } = await import('../../../src-main/transport/electron')
await import('../../../src-preload/index')
const osprey = electron.page.exposed.osprey as OspreyApi & { pathForFile(file: unknown): string }

let data: ReturnType<typeof tempDir>
let services: Services
let dispose: () => void

beforeAll(() => {
  data = tempDir()
  services = createServices({ dataDir: data.path, spawnWorker: nodeSpawner(workerFile()), transport: 'electron' })
  dispose = exposeOverIpc(services, (url) => url === 'app://osprey/index.html')
})
afterAll(() => {
  dispose()
  services.close()
  data.cleanup()
})

describe('the desktop transport and preload', () => {
  it('carry a command to the services and back, and its refusal as an error with its code', async () => {
    expect(await osprey.invoke('datasets.list', {})).toEqual([])
    expect((await osprey.invoke('app.info', {})).dataDir).toBe(data.path)
    await expect(osprey.invoke('datasets.get', { id: 404 })).rejects.toMatchObject({ code: 'not-found' })
    await expect(osprey.invoke('datasets.get', { id: 'seven' } as never)).rejects.toMatchObject({ code: 'invalid-request' })
    await expect(osprey.invoke('datasets.scan', { path: join(data.path, 'no-such-folder') })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('no-such-folder') })
  })

  it('refuse a command outside the contract in main (its dispatch knows every command), and an event outside it in the preload', async () => {
    await expect(osprey.invoke('fs.readFile' as never, {} as never)).rejects.toMatchObject({ code: 'unknown-command', message: 'Unknown command: fs.readFile.' })
    await expect(osprey.invoke('__proto__' as never, {} as never)).rejects.toMatchObject({ code: 'unknown-command' })
    expect(() => osprey.on('secrets' as never, () => {})).toThrow('Unknown event: secrets')
  })

  it('answer a page that is not the studio with a refusal, not the services', async () => {
    electron.page.url = 'https://example.com/'
    try {
      await expect(osprey.invoke('datasets.list', {})).rejects.toMatchObject({ code: 'unsupported', message: 'This page may not use Osprey.' })
    } finally {
      electron.page.url = 'app://osprey/index.html'
    }
  })

  it("send events to the studio's windows only, until the listener is disposed", () => {
    electron.others.push({ url: 'https://example.com/', received: [] })
    const heard: unknown[] = []
    const off = osprey.on('menu.action', (payload) => heard.push(payload))
    services.events.emit('menu.action', { action: 'open-folder', path: '/photos/birds' })
    services.events.emit('backbones.progress', { id: 'mobilenet-v2-0.35', received: 1, total: 2 } as never)
    off()
    services.events.emit('menu.action', { action: 'open-sample' })
    expect(heard).toEqual([{ action: 'open-folder', path: '/photos/birds' }])
    expect(electron.others[0].received).toEqual([])
    expect(osprey.pathForFile({})).toBe('/dropped/folder')
  })

  it('stop answering once the transport is disposed, and can be exposed again', async () => {
    dispose()
    await expect(osprey.invoke('datasets.list', {})).rejects.toThrow(/No handler registered/)
    dispose = exposeOverIpc(services, (url) => url === 'app://osprey/index.html')
    expect(await osprey.invoke('datasets.list', {})).toEqual([])
  })
})
