/**
 * The Redis connection of the job queue: the URL a user gives (`redis://`, `rediss://`
 * for TLS, a password or user:password in it), how it is shown (never with its password), and the
 * names the studio and the workers share.
 */
import { OspreyError } from '../errors'

/** The BullMQ queue of Trials; its keys start with `osprey:` so they sit apart from others in a shared Redis. */
export const QUEUE = { name: 'trials', prefix: 'osprey' } as const

/** The only kind of job a worker runs: nothing else on the queue is executed. */
export const TRIAL_JOB = 'trial'

/** ioredis options for `url`; refuses anything but redis:// and rediss:// with what to do. */
export function redisOptions(url: string): { url: string; maxRetriesPerRequest: null; tls?: object; retryStrategy: (times: number) => number; connectionName?: string } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new OspreyError('bad-input', `"${url}" is not a Redis URL. Write it as redis://host:6379, redis://:PASSWORD@host:6379, or rediss://… for TLS.`)
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new OspreyError('bad-input', `${maskUrl(url)} is not a Redis URL (it starts with ${parsed.protocol}). Write redis://host:6379, or rediss://host:6380 for TLS.`)
  }
  return {
    url,
    // BullMQ's blocking connections must wait for Redis forever rather than fail a command.
    maxRetriesPerRequest: null,
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
    // Reconnect after a Redis restart: quickly at first, then every 2 s, forever.
    retryStrategy: (times: number) => Math.min(100 * times, 2000)
  }
}

/** The URL as it may be shown or logged: the password replaced by ***. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return '(not a URL)'
  }
}

/** Redis keys of our own beside BullMQ's. */
export const keys = {
  /** A Trial's progress, as a Redis stream the worker appends to and the studio reads. */
  progress: (jobId: string) => `${QUEUE.prefix}:progress:${jobId}`,
  /** What the studio asks of a running Trial (stop, pause, resume). */
  control: (jobId: string) => `${QUEUE.prefix}:control:${jobId}`,
  /** Workers seen lately: a sorted set of names by last heartbeat. */
  workers: `${QUEUE.prefix}:workers`,
  /** One worker's heartbeat: its name, host and what it trains. */
  worker: (name: string) => `${QUEUE.prefix}:worker:${name}`,
  /** Where a studio's file server is now (it may listen elsewhere after a restart). */
  studio: (studioId: string) => `${QUEUE.prefix}:studio:${studioId}`,
  /** A Trial's model, kept in Redis when the studio could not be reached to take it. */
  model: (jobId: string) => `${QUEUE.prefix}:model:${jobId}`
}
