/**
 * The studio's job queue as the Tune screen shows it: whether the studio is connected to
 * one, where, and which workers are on it — asked again every few seconds while shown.
 */
import type { OspreyApi, QueueInfo } from '../../../src-main/contract'
import { api as defaultApi } from './api'

// Workers come and go; this is how fresh the list is.
const POLL_MS = 3000

/** The queue's state, polled while `watch` runs. */
export class QueueState {
  #api: OspreyApi
  #info = $state.raw<QueueInfo | null>(null)

  constructor(client: OspreyApi = defaultApi) {
    this.#api = client
  }

  /** What the studio last said; null until it answered. */
  get info(): QueueInfo | null {
    return this.#info
  }

  /** True when Trials can be sent to a queue. */
  get available(): boolean {
    return Boolean(this.#info?.url)
  }

  async refresh(): Promise<void> {
    try {
      this.#info = await this.#api.invoke('queue.status', {})
    } catch {
      // an older studio, or a blip: keep what was shown
    }
  }

  /** Keeps the state fresh; returns the disposer. */
  watch(): () => void {
    void this.refresh()
    const timer = setInterval(() => void this.refresh(), POLL_MS)
    return () => clearInterval(timer)
  }
}

/** The choices of where a Study's Trials run, worded from what the queue says. */
export function trialsOnChoices(info: QueueInfo | null): { value: 'local' | 'queue'; label: string; hint: string }[] {
  const workers = info?.workers ?? []
  const slots = workers.reduce((n, w) => n + w.concurrency, 0)
  const onQueue = !info?.connected
    ? `The studio cannot reach ${info?.url} right now: Trials wait until it can.`
    : workers.length === 0
      ? 'No worker is on the queue yet: Trials wait there until one starts (osprey worker --redis URL on any machine).'
      : `${workers.map((w) => w.name).join(', ')}: ${slots} Trial${slots === 1 ? '' : 's'} at a time. Each Trial's table row shows the worker that trains it.`
  return [
    { value: 'local', label: 'This machine', hint: 'Each Trial trains in a process of its own here, a few at a time.' },
    { value: 'queue', label: `Workers on the queue (${workers.length} connected)`, hint: onQueue }
  ]
}
