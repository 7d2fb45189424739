/**
 * The studio reads the progress streams of its Trials in flight (one Redis stream per Trial,
 * appended by the worker that trains it) in one blocking XREAD loop on a connection of its own.
 * A stream outlives a restart of the studio: a Trial followed again is read from the start, and
 * the store takes Epochs and Iterations again without doubling them (they replace by number).
 */
import type { Redis } from 'ioredis'

/** One entry: the attempt that wrote it and its batch of messages (JSON). */
export interface ProgressEntry {
  id: string
  attempt: number
  messages: unknown[]
}

interface Follower {
  key: string
  cursor: string
  onEntry: (entry: ProgressEntry) => void
}

// How long one XREAD waits; a Trial followed meanwhile is read from the next round on.
const BLOCK_MS = 250

/** Follows progress streams by key. */
export class ProgressReader {
  #blocking: Redis
  #plain: Redis
  #followers = new Map<string, Follower>()
  #running = true
  #wake: (() => void) | null = null
  #loop: Promise<void>

  /** `blocking` is a connection of the reader's own (XREAD BLOCK holds it); `plain` serves `drain`. */
  constructor(blocking: Redis, plain: Redis) {
    this.#blocking = blocking
    this.#plain = plain
    this.#loop = this.#run()
  }

  /** Follows `key` from its start; `onEntry` gets each entry once, in order. */
  follow(key: string, onEntry: (entry: ProgressEntry) => void): void {
    this.#followers.set(key, { key, cursor: '0', onEntry })
    this.#wake?.()
  }

  unfollow(key: string): void {
    this.#followers.delete(key)
  }

  /** Reads what `key` holds beyond what was delivered, now (before a Trial's result is recorded). */
  async drain(key: string): Promise<void> {
    const follower = this.#followers.get(key)
    if (!follower) return
    for (;;) {
      const rows = await this.#plain.xrange(key, follower.cursor === '0' ? '-' : `(${follower.cursor}`, '+', 'COUNT', 1000)
      if (rows.length === 0) return
      this.#deliver(follower, rows)
    }
  }

  async close(): Promise<void> {
    this.#running = false
    this.#wake?.()
    this.#blocking.disconnect()
    await this.#loop
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const followers = [...this.#followers.values()]
      if (followers.length === 0) {
        await new Promise<void>((wake) => (this.#wake = wake))
        this.#wake = null
        continue
      }
      try {
        const result = (await this.#blocking.xread('COUNT', 500, 'BLOCK', BLOCK_MS, 'STREAMS', ...followers.map((f) => f.key), ...followers.map((f) => f.cursor))) as
          [string, [string, string[]][]][] | null
        for (const [key, rows] of result ?? []) {
          const follower = this.#followers.get(key)
          if (follower) this.#deliver(follower, rows)
        }
      } catch {
        // Redis restarting or the connection closing: ioredis reconnects; try again shortly.
        if (this.#running) await new Promise((r) => setTimeout(r, 500))
      }
    }
  }

  #deliver(follower: Follower, rows: [string, string[]][]): void {
    for (const [id, fields] of rows) {
      if (compareIds(id, follower.cursor) <= 0) continue // already delivered (drain and the loop both read it)
      follower.cursor = id
      const field = (name: string) => fieldOf(fields, name)
      let messages: unknown[] = []
      try {
        const parsed = JSON.parse(field('m') ?? '[]') as unknown
        messages = Array.isArray(parsed) ? parsed : []
      } catch {
        // a malformed entry is skipped, never written
      }
      follower.onEntry({ id, attempt: Number(field('a')) || 0, messages })
    }
  }
}

/** The value of field `name` in a stream entry's [name, value, …] list. */
function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]
  return undefined
}

/** Orders Redis stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt)
  const [bm, bs] = b.split('-').map(BigInt)
  return am === bm ? Number((as ?? 0n) - (bs ?? 0n)) : am < bm ? -1 : 1
}
