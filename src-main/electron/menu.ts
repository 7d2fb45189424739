/** The application menu: the usual entries, plus the studio's own. */
import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron'
import type { EventBus } from '../events'

/** Builds and installs the menu; actions reach the renderer as `menu.action` events. */
export function installMenu(events: EventBus, window: () => BrowserWindow | null): void {
  const mac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        {
          label: 'Open Dataset Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const win = window()
            const options = { properties: ['openDirectory' as const], title: 'Open a dataset folder (one sub-folder per class)' }
            const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
            if (!result.canceled && result.filePaths[0]) events.emit('menu.action', { action: 'open-folder', path: result.filePaths[0] })
          }
        },
        { label: 'Open Sample Dataset', click: () => events.emit('menu.action', { action: 'open-sample' }) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'About Osprey Studio', click: () => dialog.showMessageBox({ message: `Osprey Studio ${app.getVersion()}`, detail: 'Train image classifiers offline, on your own machine.' }) },
        { label: 'Open Data Folder', click: () => shell.openPath(app.getPath('userData')) }
      ]
    }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
