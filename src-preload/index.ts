/**
 * The preload bridge: `window.osprey` = { invoke, on, pathForFile } over the contract, nothing else.
 * Requests are validated again in main; here we only refuse names outside the contract.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { CommandName, CommandResult, EventName, Events, OspreyApi } from '../src-main/contract'
import { commandNames, eventNames } from '../src-main/names'

const commands = new Set<string>(commandNames)
const events = new Set<string>(eventNames)

const api: OspreyApi & { pathForFile(file: File): string } = {
  async invoke(command, request) {
    if (!commands.has(command)) throw new Error(`Unknown command: ${command}`)
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
