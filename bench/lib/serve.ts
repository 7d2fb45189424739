/** `osprey serve` as a child process, for benchmarks: the built CLI (npm run build) on a data folder. */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

/** The built command line. */
export const CLI = resolve('out/main/cli.js')

/** A running `osprey serve`. */
export interface Served {
  url: string
  token: string
  port: number
  child: ChildProcess
  /** Everything it wrote to stderr so far. */
  stderr(): string
  /** SIGTERM, then SIGKILL after 5 s; resolves with how it ended. */
  stop(): Promise<string>
}

/** Starts `osprey serve --port 0 --json --data-dir dataDir` and waits for its "serving" line. */
export async function startServe(dataDir: string): Promise<Served> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first.`)
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const line = await new Promise<{ url: string; port: number }>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`osprey serve did not start within 30 s: ${stderr}`)), 30_000)
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (text) => {
      const message = JSON.parse(text) as { type: string; url: string; port: number }
      if (message.type !== 'serving') return
      clearTimeout(timer)
      lines.close()
      resolveLine(message)
    })
    child.once('exit', (code) => reject(new Error(`osprey serve exited (${code}) before serving: ${stderr}`)))
  })
  child.stdout!.resume()
  const ended = new Promise<string>((done) => child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`)))
  return {
    url: line.url,
    port: line.port,
    token: new URL(line.url).hash.replace('#token=', ''),
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      const how = await ended
      clearTimeout(timer)
      return how
    }
  }
}
