/** Worker processes inside the desktop app: Electron's utilityProcess. */
import { utilityProcess } from 'electron'
import type { FromWorker, SpawnWorker, ToWorker } from './protocol'

/** A SpawnWorker that starts `workerFile` as an Electron utility process. */
export function electronSpawner(workerFile: string): SpawnWorker {
  return () => {
    const child = utilityProcess.fork(workerFile, [], { serviceName: 'Osprey job', stdio: 'inherit' })
    let exited = false
    child.on('exit', () => (exited = true))
    return {
      send: (message: ToWorker) => {
        if (!exited) child.postMessage(message)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as FromWorker)),
      onExit: (listener) => child.on('exit', (code) => listener(`exit code ${code}`)),
      kill: () => {
        if (!exited) child.kill()
      }
    }
  }
}
