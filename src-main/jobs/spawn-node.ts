/** Worker processes under plain Node (CLI, `osprey serve`, tests): child_process.fork. */
import { fork } from 'node:child_process'
import type { FromWorker, SpawnWorker, ToWorker } from './protocol'

/** A SpawnWorker that forks `workerFile`; a .ts file runs through tsx, as in development. */
export function nodeSpawner(workerFile: string): SpawnWorker {
  return () => {
    const child = fork(workerFile, [], {
      execArgv: workerFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    return {
      send: (message: ToWorker) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as FromWorker)),
      onExit: (listener) => child.on('exit', (code, signal) => listener(signal ? `killed by ${signal}` : `exit code ${code}`)),
      kill: () => child.kill()
    }
  }
}
