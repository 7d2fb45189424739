/** Real parts for queue tests: a redis-server on a free loopback port and `osprey worker` processes. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { redisServerBinary } from '../../src-main/queue/redis-server'

/** Why queue tests cannot run here, or null when they can. */
export const noRedis = redisServerBinary() ? null : 'redis-server is not installed (apt-get install redis-server): the queue tests need a real one'

/** A describe title that says why it is skipped when Redis is missing (vitest's skipIf shows no reason). */
export const needsRedis = (title: string) => (noRedis ? `${title} — skipped: ${noRedis}` : title)

/** The environment of workers in tests: a lost worker's Trial is taken again after ~3 s, not 30. */
export const FAST_LOCK = { OSPREY_QUEUE_LOCK_MS: '3000' }

/** An `osprey <args>` process from the sources, its JSON lines collected. */
export class OspreyProcess {
  readonly child: ChildProcess
  readonly lines: Record<string, unknown>[] = []
  readonly exited: Promise<number | null>
  #waiters: { test: (line: Record<string, unknown>) => boolean; done: (line: Record<string, unknown>) => void }[] = []

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args, '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)))
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        return
      }
      this.lines.push(line)
      this.#waiters = this.#waiters.filter((w) => (w.test(line) ? (w.done(line), false) : true))
    })
  }

  /** Resolves with the first line (past or future) that passes `test`; rejects after `ms`. */
  waitFor(test: (line: Record<string, unknown>) => boolean, ms = 120_000): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such line within ${ms} ms; got: ${JSON.stringify(this.lines.slice(-5))}`)), ms)
      this.#waiters.push({ test, done: (line) => (clearTimeout(timer), resolve(line)) })
    })
  }

  /** The log lines (a worker's) that match `pattern`. */
  logs(pattern: RegExp): string[] {
    return this.lines.filter((l) => l.type === 'log' && pattern.test(String(l.message))).map((l) => String(l.message))
  }

  /** Sends `signal` and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    await this.exited
  }
}

/** Starts `osprey worker` on `url`; resolves once it takes Trials. */
export async function startWorker(url: string, dataDir: string, name: string, extra: string[] = []): Promise<OspreyProcess> {
  const worker = new OspreyProcess(['worker', '--redis', url, '--data-dir', dataDir, '--worker-name', name, '--concurrency', '1', ...extra], FAST_LOCK)
  await worker.waitFor((l) => l.type === 'worker', 60_000)
  return worker
}
