/**
 * A redis-server of the system's (Debian's `redis-server` package) started for `osprey cluster`,
 * the tests and the benchmarks: on 127.0.0.1, a free port, a password, its data (append-only
 * file, so a restart keeps the queue) in a private folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { OspreyError } from '../errors'

/** A running redis-server. */
export interface RedisServer {
  url: string
  port: number
  password: string
  /** Its process id while it runs (benchmarks read its CPU time). */
  readonly pid: number | undefined
  /** Stops it (SIGTERM: it writes its data first); `kill` stops it at once. */
  stop(): Promise<void>
  kill(): Promise<void>
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>
}

/** The redis-server binary, or null when it is not installed. */
export function redisServerBinary(): string | null {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return found.status === 0 ? 'redis-server' : null
}

/** Starts redis-server with its data in `dir`; resolves once it accepts connections. */
export async function startRedisServer(dir: string, options: { port?: number; password?: string } = {}): Promise<RedisServer> {
  if (!redisServerBinary())
    throw new OspreyError('unsupported', 'redis-server is not installed. On Debian or Ubuntu: sudo apt-get install redis-server (only the binary is needed; osprey cluster starts it).')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const port = options.port ?? (await freePort())
  const password = options.password ?? randomBytes(18).toString('base64url')
  let child: ChildProcess | null = null
  const launch = async () => {
    // The password is given on stdin as a config line, not on the command line where `ps` shows it.
    const config = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'protected-mode yes',
      `requirepass ${password}`,
      'maxmemory-policy noeviction',
      'loglevel warning'
    ].join('\n')
    child = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'inherit'] })
    child.stdin!.end(`${config}\n`)
    await waitForPort(port, child)
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    const running = child
    child = null
    if (!running || running.exitCode !== null) return
    await new Promise<void>((done) => {
      running.once('exit', () => done())
      running.kill(signal)
    })
  }
  await launch()
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    password,
    get pid() {
      return child?.pid
    },
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: async () => {
      await stopWith('SIGTERM')
      await launch()
    }
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new OspreyError('internal', `redis-server stopped at once (exit code ${child.exitCode}); is port ${port} taken?`)
    const open = await new Promise<boolean>((done) => {
      const socket = new Socket()
      socket.once('connect', () => (socket.destroy(), done(true)))
      socket.once('error', () => done(false))
      socket.connect(port, '127.0.0.1')
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new OspreyError('internal', `redis-server did not start listening on 127.0.0.1:${port} within 10 s.`)
}
