/**
 * Test fixtures: `osprey serve` as a child process on a throwaway data folder, and scratch
 * folders for datasets. Every server a test starts is stopped, and every folder removed, after it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { test as base } from '@playwright/test'

/** The built command line; `npm run build` makes it. */
export const cliFile = resolve('out/main/cli.js')

/** A running `osprey serve`. */
export interface OspreyServer {
  /** The URL with the access token, as the command printed it. */
  url: string
  /** The same origin without the token. */
  origin: string
  port: number
  dataDir: string
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>
}

/** Starts `osprey serve --port 0 --json` on `dataDir` (plus `args`) and waits for its "serving" line. */
export async function startServer(dataDir: string, args: string[] = []): Promise<OspreyServer> {
  if (!existsSync(cliFile)) throw new Error(`${cliFile} is missing: run npm run build first.`)
  const child = spawn(process.execPath, [cliFile, 'serve', '--port', '0', '--json', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OSPREY_DATA_DIR: dataDir }
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const stop = () => stopChild(child)

  const serving = await new Promise<{ url: string; port: number }>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! })
    let settled = false
    const settle = (error: Error | null, value?: { url: string; port: number }) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      lines.close()
      if (error) {
        void stop()
        reject(error)
      } else resolveLine(value!)
    }
    const timer = setTimeout(() => settle(new Error(`osprey serve printed no "serving" line within 20 s.\nstderr: ${stderr}`)), 20_000)
    lines.on('line', (line) => {
      let message: { type?: string; url?: string; port?: number; message?: string }
      try {
        message = JSON.parse(line)
      } catch {
        return settle(new Error(`osprey serve printed a line that is not JSON: ${line}`))
      }
      if (message.type === 'serving' && message.url && message.port) settle(null, { url: message.url, port: message.port })
      else if (message.type === 'error') settle(new Error(`osprey serve failed: ${message.message}`))
    })
    // Its stdout ends when it exits; give stderr a moment to arrive for the message.
    lines.once('close', () => setTimeout(() => settle(new Error(`osprey serve exited before serving.\nstderr: ${stderr}`)), 200))
  })
  // Drain stdout so a chatty server can never block on a full pipe.
  child.stdout!.resume()
  return { ...serving, origin: new URL(serving.url).origin, dataDir, stop }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/**
 * Removes a test's folder. A stopped server's workers exit when they hear it has gone, a moment
 * later, and one may still write a file meanwhile (CI once saw ENOTEMPTY): rm retries then.
 */
function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
}

/** A fresh empty folder under the OS temp folder. */
export function scratchDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `osprey-e2e-${prefix}-`))
}

interface Fixtures {
  /** A scratch folder for this test (datasets to scan); removed afterwards. */
  workDir: string
  /** The server's data folder (the SQLite history); removed afterwards. */
  dataDir: string
  /** Starts another server, e.g. a restart on the same data folder, with more arguments if given; stopped after the test. */
  startServer: (dataDir?: string, args?: string[]) => Promise<OspreyServer>
  /** A server started on `dataDir`. */
  server: OspreyServer
}

/** `test` with the fixtures above. */
export const test = base.extend<Fixtures>({
  // Playwright's fixture functions take their dependencies as a destructured first argument.
  workDir: async ({}, use) => {
    const dir = await scratchDir('work')
    await use(dir)
    await removeDir(dir)
  },
  dataDir: async ({}, use) => {
    const dir = await scratchDir('data')
    await use(dir)
    await removeDir(dir)
  },
  startServer: async ({ dataDir }, use) => {
    const started: OspreyServer[] = []
    await use(async (dir = dataDir, args: string[] = []) => {
      const server = await startServer(dir, args)
      started.push(server)
      return server
    })
    await Promise.all(started.map((s) => s.stop()))
  },
  server: async ({ startServer }, use) => {
    await use(await startServer())
  }
})

export { expect } from '@playwright/test'
