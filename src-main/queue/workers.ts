/** Which workers are on the queue: each one beats every few seconds (its name, host, slots, Trials). */
import type { Redis } from 'ioredis'
import { keys } from './connection'

/** A worker as the studio shows it. */
export interface WorkerInfo {
  name: string
  host: string
  concurrency: number
  /** Runs (of any studio) it trains now. */
  runs: number
}

/** A worker missing this many heartbeats in a row is gone. */
export const HEARTBEAT_MS = 3000
const GONE_MS = HEARTBEAT_MS * 4

/** Records that worker `info.name` is alive. */
export async function heartbeat(redis: Redis, info: WorkerInfo): Promise<void> {
  const now = Date.now()
  await redis
    .multi()
    .zadd(keys.workers, now, info.name)
    .set(keys.worker(info.name), JSON.stringify(info), 'PX', GONE_MS)
    .zremrangebyscore(keys.workers, 0, now - GONE_MS)
    .exec()
}

/** Says worker `name` has left (Ctrl+C), so the studio stops counting it at once. */
export async function leave(redis: Redis, name: string): Promise<void> {
  await redis.multi().zrem(keys.workers, name).del(keys.worker(name)).exec()
}

/** The workers that beat lately, by name. */
export async function listWorkers(redis: Redis): Promise<WorkerInfo[]> {
  const names = await redis.zrangebyscore(keys.workers, Date.now() - GONE_MS, '+inf')
  if (names.length === 0) return []
  const found = await redis.mget(...names.map((n) => keys.worker(n)))
  return found
    .flatMap((json) => {
      try {
        const w = JSON.parse(json ?? '') as WorkerInfo
        return typeof w.name === 'string' ? [{ name: w.name, host: String(w.host), concurrency: Number(w.concurrency) || 1, runs: Number(w.runs) || 0 }] : []
      } catch {
        return []
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}
