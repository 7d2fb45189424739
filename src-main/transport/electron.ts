/**
 * The Electron transport: the contract over IPC. Only our own window's frames may call, and
 * events go to every window. Returns the disposer.
 */
import { ipcMain, webContents, type IpcMainInvokeEvent } from 'electron'
import type { Services } from '../services'

/** Serves `services` to renderers whose URL `isTrusted` accepts. */
export function exposeOverIpc(services: Services, isTrusted: (url: string) => boolean): () => void {
  ipcMain.handle('osprey:invoke', (event: IpcMainInvokeEvent, command: unknown, request: unknown) => {
    if (!event.senderFrame || !isTrusted(event.senderFrame.url)) {
      return { ok: false, error: { code: 'unsupported', message: 'This page may not use Osprey.' } }
    }
    return services.dispatch(command, request)
  })
  const unsubscribe = services.events.subscribe((name, payload) => {
    for (const contents of webContents.getAllWebContents()) if (isTrusted(contents.getURL())) contents.send('osprey:event', name, payload)
  })
  return () => {
    ipcMain.removeHandler('osprey:invoke')
    unsubscribe()
  }
}
