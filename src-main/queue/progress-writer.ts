/**
 * A worker's side of a Trial's progress stream: messages are batched (one XADD for all the
 * Iterations of a quarter second; at once for an Epoch, a start or the worker's hello), and each
 * flush also reads what the studio asks (stop, pause, resume) — one round trip for both.
 */
import type { Redis } from 'ioredis'
import type { ControlAction } from '../jobs/protocol'
import { keys } from './connection'

// Iterations wait at most this long to be sent; at 100 workers that is 400 writes a second to Redis.
export const FLUSH_MS = 250
// With nothing to send (a paused Trial), the studio's requests are still read this often.
const POLL_MS = 1000
// A stream keeps at most about this many entries (a very long Trial: the oldest Iterations go).
const MAX_ENTRIES = 100_000
const KEEP_S = 7 * 24 * 3600

/** Batches one attempt's progress into the Trial's stream and hands on the studio's requests. */
export class ProgressWriter {
  #redis: Redis
  #key: string
  #control: string
  #attempt: number
  #batch: unknown[] = []
  #timer: NodeJS.Timeout | null = null
  #soon = false
  #flushing: Promise<void> = Promise.resolve()
  #asked: string | null = null
  #lastSent = Date.now()
  #poll: NodeJS.Timeout
  onControl: (action: ControlAction) => void = () => {}

  constructor(redis: Redis, jobId: string, attempt: number) {
    this.#redis = redis
    this.#key = keys.progress(jobId)
    this.#control = keys.control(jobId)
    this.#attempt = attempt
    this.#poll = setInterval(() => Date.now() - this.#lastSent >= POLL_MS && void this.flush(), POLL_MS)
  }

  /** Sends what waits and stops reading the studio's requests. */
  async close(): Promise<void> {
    clearInterval(this.#poll)
    // Nothing left to send: no round trip just to read requests that no longer matter.
    await (this.#batch.length ? this.flush() : this.#flushing)
  }

  /** Sends what waits and resolves with what the studio asks now (read once, before training starts). */
  async asked(): Promise<string | null> {
    await this.flush()
    return this.#asked
  }

  /** What the studio asked at the last read (null: nothing yet). */
  get lastAsked(): string | null {
    return this.#asked
  }

  /** Queues `message`; `now` sends it (and what waits) at once: with whatever else comes in this turn of the event loop. */
  push(message: unknown, now = false): void {
    this.#batch.push(message)
    if (!now) this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS)
    else if (!this.#soon) {
      this.#soon = true
      setImmediate(() => ((this.#soon = false), this.#batch.length && void this.flush()))
    }
  }

  /** Sends what waits, in order; resolves when Redis has it. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const batch = this.#batch
    this.#batch = []
    this.#flushing = this.#flushing.then(() => this.#send(batch))
    return this.#flushing
  }

  async #send(batch: unknown[]): Promise<void> {
    this.#lastSent = Date.now()
    try {
      const multi = this.#redis.multi()
      if (batch.length) multi.xadd(this.#key, 'MAXLEN', '~', MAX_ENTRIES, '*', 'a', String(this.#attempt), 'm', JSON.stringify(batch)).expire(this.#key, KEEP_S)
      const results = await multi.get(this.#control).exec()
      const asked = results?.at(-1)?.[1] as string | null | undefined
      if (asked && asked !== this.#asked && isAction(asked)) this.onControl(asked)
      this.#asked = asked ?? this.#asked
    } catch {
      // Redis away (restarting): keep the batch and try again in a second.
      this.#batch.unshift(...batch)
      this.#timer ??= setTimeout(() => void this.flush(), 1000)
    }
  }
}

function isAction(value: string): value is ControlAction {
  return value === 'stop' || value === 'pause' || value === 'resume'
}
