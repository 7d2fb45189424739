/** The desktop app's entry: lifecycle, window, menu; wires the services to the IPC transport. */
import { app, BrowserWindow, dialog, nativeTheme, shell } from 'electron'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installMenu } from './electron/menu'
import { appPage, isAppPage } from './electron/policy'
import { secureWebContents } from './electron/security'
import { loadWindowState, trackWindowState } from './electron/window-state'
import { electronSpawner } from './jobs/spawn-electron'
import { defaultDataDir, resourcesDir, workerFile } from './paths'
import { createServices, type Services } from './services'
import { exposeOverIpc } from './transport/electron'

const here = dirname(fileURLToPath(import.meta.url))
const dataDir = defaultDataDir()
app.setPath('userData', dataDir) // the CLI uses the same folder: one shared history
nativeTheme.themeSource = 'system'

let window: BrowserWindow | null = null
let services: Services

/** better-sqlite3 built for Electron's ABI (`npm run rebuild:electron`), when present. */
function electronBinding(): string | undefined {
  const file = join(dirname(resourcesDir()), '.electron-native', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}

const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = join(here, '../renderer/index.html')
// Only the studio's own page: not any file:// page, not another port of the dev server's host.
const page = appPage(rendererFile, rendererUrl)
const isTrusted = (url: string) => isAppPage(url, page)

function createWindow(): void {
  const state = loadWindowState(dataDir)
  window = new BrowserWindow({
    ...state.bounds,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Osprey Studio',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1f22' : '#ffffff',
    webPreferences: { preload: join(here, '../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false }
  })
  if (state.maximized) window.maximize()
  trackWindowState(window, dataDir)
  window.once('ready-to-show', () => window?.show())
  window.on('closed', () => (window = null))
  // The studio never navigates away or opens windows; links go to the system browser.
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https:')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  if (rendererUrl) void window.loadURL(rendererUrl)
  else void window.loadFile(rendererFile)
}

// With OSPREY_REDIS_URL, Studies may send their Trials to the workers of that queue.
const redisUrl = process.env.OSPREY_REDIS_URL
const queueModule = redisUrl ? import('./queue/studio') : null

app.whenReady().then(async () => {
  secureWebContents(page)
  try {
    const QueueTrials = (await queueModule)?.QueueTrials
    services = createServices({
      dataDir,
      spawnWorker: electronSpawner(workerFile()),
      transport: 'electron',
      nativeBinding: electronBinding(),
      queue: QueueTrials && redisUrl ? (deps) => new QueueTrials({ url: redisUrl, ...deps }) : undefined,
      hostHandlers: {
        'dialog.openFolder': async () => {
          const options = { properties: ['openDirectory' as const], title: 'Open a dataset folder (one sub-folder per class)' }
          const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
          return { path: result.canceled ? null : (result.filePaths[0] ?? null) }
        },
        'labels.showImage': ({ id, path }) => {
          // Only an image the Dataset holds, never any path a page names.
          const file = services.labels.imageFile(id, path)
          shell.showItemInFolder(file)
          return { shown: true }
        }
      }
    })
  } catch (e) {
    dialog.showErrorBox('Osprey Studio cannot start', `${(e as Error).message}\n\nIf this mentions NODE_MODULE_VERSION, run \`npm run rebuild:electron\`.`)
    app.exit(1)
    return
  }
  exposeOverIpc(services, isTrusted)
  installMenu(services.events, () => window)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('will-quit', () => services?.close())
