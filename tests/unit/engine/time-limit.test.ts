/** How many Iterations a Run with a time limit still has time for. */
import { expect, it } from 'vitest'
import { iterationsThatFit } from '../../../src-main/engine/time-limit'

it('fits the Iterations and the Epoch ends they reach, the last Epoch partial', () => {
  // 10 Iterations per Epoch, 100 ms each, 500 ms at each Epoch end: 2.5 s hold one Epoch (1.5 s) and 5 Iterations of the next plus its end (1 s).
  expect(iterationsThatFit(2_500, { iterationMs: 100, epochEndMs: 500 }, 10, 0)).toBe(15)
  // Midway through an Epoch, its own end is still to come: 4 Iterations left in it (0.4 s) and its end (0.5 s).
  expect(iterationsThatFit(900, { iterationMs: 100, epochEndMs: 500 }, 10, 6)).toBe(4)
  // Without costly Epoch ends, time over pace.
  expect(iterationsThatFit(1_050, { iterationMs: 100, epochEndMs: 0 }, 10, 3)).toBe(10)
})

it('fits nothing when the time is up, or before any pace is known', () => {
  expect(iterationsThatFit(0, { iterationMs: 100, epochEndMs: 0 }, 10, 0)).toBe(0)
  expect(iterationsThatFit(-5_000, { iterationMs: 100, epochEndMs: 0 }, 10, 0)).toBe(0)
  // Not even one Iteration and the Epoch end after it.
  expect(iterationsThatFit(550, { iterationMs: 100, epochEndMs: 500 }, 10, 0)).toBe(0)
  expect(iterationsThatFit(1_000, { iterationMs: 0, epochEndMs: 0 }, 10, 0)).toBe(0)
})

it('is the most Iterations whose cost fits, for any pace (against counting them one by one)', () => {
  let seed = 7
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647
  for (let trial = 0; trial < 500; trial++) {
    const perEpoch = 1 + Math.floor(random() * 12)
    const intoEpoch = Math.floor(random() * perEpoch)
    const pace = { iterationMs: 1 + random() * 50, epochEndMs: random() < 0.2 ? 0 : random() * 300 }
    const left = random() * 3_000
    const cost = (n: number) => n * pace.iterationMs + (n > 0 ? Math.ceil((intoEpoch + n) / perEpoch) : 0) * pace.epochEndMs
    let most = 0
    for (let n = 1; cost(n) <= left; n++) most = n
    expect(iterationsThatFit(left, pace, perEpoch, intoEpoch)).toBe(most)
  }
})
