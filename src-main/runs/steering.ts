/** Steering a Run from its worker: pause, resume and stop as the trainer asks for them, and time spent training. */
import type { RunControl } from '../engine/trainer'
import type { ControlListener } from '../jobs/protocol'
import { OspreyError } from '../errors'
import type { TrainProgress } from './protocol'

/** A Run's controls as its worker holds them; `stopped` aborts when Stop is pressed (for work before the first Iteration). */
export type Steering = RunControl & { stop(): void; pausedMs(): number; stopped: AbortSignal }

/** Pause, resume and stop, as the trainer asks for them. */
export function steering(onControl: (l: ControlListener) => void, progress: (p: TrainProgress) => void): Steering {
  let stopped = false
  let paused: { since: number; release: () => void; gate: Promise<void> } | null = null
  let pausedTotal = 0
  const stopping = new AbortController()
  const unpause = () => {
    if (!paused) return
    pausedTotal += Date.now() - paused.since
    paused.release()
    paused = null
  }
  const control = {
    waitWhilePaused: () => paused?.gate ?? Promise.resolve(),
    stopRequested: () => stopped,
    stopped: stopping.signal,
    stop() {
      stopped = true
      stopping.abort()
      unpause()
    },
    pausedMs: () => pausedTotal + (paused ? Date.now() - paused.since : 0)
  }
  onControl((action) => {
    if (action === 'stop') control.stop()
    else if (action === 'pause' && !paused && !stopped) {
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      paused = { since: Date.now(), release, gate }
      progress({ kind: 'paused' })
    } else if (action === 'resume' && paused) {
      unpause()
      progress({ kind: 'resumed' })
    }
  })
  return control
}

/** Passes batches through while adding up the time spent training on them (pauses excluded). */
export async function* timed<T extends { y: Int32Array }>(batches: AsyncIterable<T>, timing: { ms: number; images: number }, control: { pausedMs(): number }): AsyncIterable<T> {
  let start = Date.now()
  let pausedAtStart = control.pausedMs()
  for await (const batch of batches) {
    yield batch
    const now = Date.now()
    timing.ms += now - start - (control.pausedMs() - pausedAtStart)
    timing.images += batch.y.length
    start = now
    pausedAtStart = control.pausedMs()
  }
}

/** Runs `work` (preparing data) so that Stop pressed meanwhile ends the Run plainly: nothing was trained yet. */
export async function beforeTraining<T>(control: Steering, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (e) {
    if (control.stopRequested()) throw new OspreyError('cancelled', 'Stopped while preparing, before the first Iteration: nothing was learned. What was prepared so far is kept for the next Run.')
    throw e
  }
}
