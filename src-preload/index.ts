/**
 * The preload bridge: `window.osprey` = { invoke, on, pathForFile } over the contract, nothing else.
 * Main validates every command (name and request); here we only refuse events outside the contract.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { CommandName, CommandResult, EventName, Events, OspreyApi } from '../src-main/contract'
import { eventNames } from '../src-main/names'

const events = new Set<string>(eventNames)

const api: OspreyApi & { pathForFile(file: File): string } = {
  async invoke(command, request) {
    const result = (await ipcRenderer.invoke('osprey:invoke', command, request)) as CommandResult<CommandName>
    if (result.ok) return result.value as never
    throw Object.assign(new Error(result.error.message), result.error)
  },
  on(event, listener) {
    if (!events.has(event)) throw new Error(`Unknown event: ${event}`)
    const handler = (_: IpcRendererEvent, name: EventName, payload: Events[EventName]) => {
      if (name === event) listener(payload as never)
    }
    ipcRenderer.on('osprey:event', handler)
    return () => ipcRenderer.off('osprey:event', handler)
  },
  // A dropped folder's path is only readable here (File.path was removed from Electron).
  pathForFile: (file) => webUtils.getPathForFile(file)
}

contextBridge.exposeInMainWorld('osprey', api)
