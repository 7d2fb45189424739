/** `osprey worker`, `osprey cluster`, and `--redis` for the studio's commands. */
import { join } from 'node:path'
import { OspreyError } from '../errors'
import { nodeSpawner } from '../jobs/spawn-node'
import { workerFile } from '../paths'
import type { QueueHandle, ServiceOptions } from '../services'
import { isLoopback } from '../transport/server'
import type { Output } from './output'
import type { TrainFlags } from './training'

/** Options of the queue commands, and of the studio's commands that send Trials to a queue. */
export const QUEUE_OPTIONS = {
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  'worker-name': { type: 'string' },
  studio: { type: 'string' },
  'studio-host': { type: 'string' },
  'studio-port': { type: 'string' },
  'studio-url': { type: 'string' },
  workers: { type: 'string' },
  'copy-datasets': { type: 'boolean' }
} as const

/** The Redis URL the flags or the environment give, if any. */
export function redisUrl(flags: TrainFlags): string | undefined {
  const url = typeof flags.redis === 'string' ? flags.redis : process.env.OSPREY_REDIS_URL
  return url || undefined
}

/** The studio's queue from `--redis` (or OSPREY_REDIS_URL), connected lazily; undefined without one. */
export async function studioQueue(flags: TrainFlags): Promise<ServiceOptions['queue']> {
  const url = redisUrl(flags)
  if (!url) return undefined
  const host = typeof flags['studio-host'] === 'string' ? flags['studio-host'] : undefined
  if (host && !isLoopback(host) && flags['allow-remote'] !== true) {
    throw new OspreyError(
      'bad-input',
      `--studio-host ${host} is not a loopback address: workers would fetch Datasets from it over plain HTTP (behind the worker key). Prefer an SSH tunnel (see the README), or add --allow-remote.`
    )
  }
  const port = flags['studio-port'] === undefined ? undefined : Number(flags['studio-port'])
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new OspreyError('bad-input', `--studio-port must be a number from 0 to 65535, not "${flags['studio-port']}".`)
  const { QueueTrials } = await import('../queue/studio') // BullMQ loads only when a queue is used
  return ({ db, dataDir }) =>
    new QueueTrials({ url, db, dataDir, filesHost: host, filesPort: port, filesUrl: typeof flags['studio-url'] === 'string' ? flags['studio-url'] : undefined }) as QueueHandle
}

/** `osprey worker --redis URL`: trains Trials from the queue until Ctrl+C (once: finish them; twice or SIGTERM: hand them back). */
export async function workerCommand(flags: TrainFlags, dataDir: string, out: Output): Promise<number> {
  const url = redisUrl(flags)
  if (!url) throw new OspreyError('bad-input', 'Name the queue: osprey worker --redis redis://HOST:6379 (the address the studio uses; redis://:PASSWORD@HOST:6379 with a password).')
  const { TrialWorker, defaultConcurrency } = await import('../queue/trial-worker')
  const { maskUrl } = await import('../queue/connection')
  const concurrency = flags.concurrency === undefined ? defaultConcurrency() : Number(flags.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new OspreyError('bad-input', `--concurrency is the number of Trials trained at once, 1 to 64, not "${flags.concurrency}".`)
  const lockMs = Number(process.env.OSPREY_QUEUE_LOCK_MS) || undefined // tests shorten the time a lost worker's Trial waits
  const worker = await TrialWorker.start({
    url,
    dataDir,
    concurrency,
    spawnWorker: nodeSpawner(workerFile()),
    name: typeof flags['worker-name'] === 'string' ? flags['worker-name'] : undefined,
    studioUrl: typeof flags.studio === 'string' ? flags.studio : undefined,
    lockMs,
    copyDatasets: flags['copy-datasets'] === true,
    log: (line) => (out.json ? out.line({ type: 'log', message: line }) : out.text(line))
  })
  if (out.json) out.line({ type: 'worker', name: worker.name, redis: maskUrl(url), concurrency, dataDir })
  else out.text(`Worker ${worker.name} takes Trials from ${maskUrl(url)}, ${concurrency} at a time (data folder ${dataDir}). Ctrl+C finishes the current Trials; twice hands them back at once.`)
  await new Promise<void>((resolve) => {
    let stopping = false
    const handBack = () => void worker.handBack().then(resolve)
    process.once('SIGTERM', handBack)
    process.on('SIGINT', () => {
      if (stopping) return handBack()
      stopping = true
      if (!out.json) out.text(worker.running ? `Finishing ${worker.running} Trial(s), taking no new one (Ctrl+C again hands them back now).` : 'Stopping.')
      void worker.finish().then(resolve)
    })
  })
  return 0
}

/** The data folder a worker uses by default: its own, beside the studio's (it keeps no history). */
export function workerDataDir(studioDataDir: string): string {
  return join(studioDataDir, 'worker')
}

/** `osprey cluster --workers N`: a redis-server of the system's and N workers on this machine, until Ctrl+C. */
export async function clusterCommand(flags: TrainFlags, dataDir: string, out: Output): Promise<number> {
  const count = flags.workers === undefined ? 2 : Number(flags.workers)
  if (!Number.isInteger(count) || count < 0 || count > 64) throw new OspreyError('bad-input', `--workers is how many workers to start here, 0 (Redis only) to 64, not "${flags.workers}".`)
  const port = flags.port === undefined ? undefined : Number(flags.port)
  const { startRedisServer } = await import('../queue/redis-server')
  const { maskUrl } = await import('../queue/connection')
  const { spawn } = await import('node:child_process')
  const { writeFileSync } = await import('node:fs')
  const redis = await startRedisServer(join(dataDir, 'cluster', 'redis'), { port })
  writeFileSync(join(dataDir, 'cluster', 'redis-url'), `${redis.url}\n`, { mode: 0o600 })
  // Each worker trains one Trial at a time; they share one data folder, so one may resume another's checkpoint.
  const children = Array.from({ length: count }, (_, i) =>
    spawn(
      process.execPath,
      [...process.execArgv, process.argv[1], 'worker', '--concurrency', '1', '--data-dir', workerDataDir(dataDir), '--worker-name', `cluster-${i + 1}`, ...(out.json ? ['--json'] : [])],
      {
        // The URL holds the password: in the environment, not on a command line that `ps` shows.
        env: { ...process.env, OSPREY_REDIS_URL: redis.url },
        stdio: 'inherit'
      }
    )
  )
  if (out.json) out.line({ type: 'cluster', redis: redis.url, workers: count })
  else {
    out.text(`Redis is at ${maskUrl(redis.url)} with ${count} workers (the full URL, with its password, is in ${join(dataDir, 'cluster', 'redis-url')}).`)
    out.text(
      `Send a Study's Trials to them: osprey tune FOLDER --space space.json --redis "$(cat '${join(dataDir, 'cluster', 'redis-url')}')" — or osprey serve --redis … and choose "workers" in the Tune screen. Ctrl+C stops the workers, then Redis.`
    )
  }
  // Ctrl+C reaches the workers from the terminal (once: they finish their Trials; twice: hand them
  // back); this process waits for them. SIGTERM is passed on (they hand their Trials back).
  process.on('SIGINT', () => {})
  process.once('SIGTERM', () => children.forEach((child) => child.kill('SIGTERM')))
  if (count === 0) await new Promise((done) => (process.once('SIGINT', done), process.once('SIGTERM', done)))
  await Promise.all(children.map((child) => new Promise((done) => child.once('exit', done))))
  await redis.stop()
  return 0
}
