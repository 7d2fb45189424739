/**
 * A Run with a time limit trains the Iterations that fit, with its learning-rate schedule spread
 * over them: it ends annealed, on time, rather than cut off mid-schedule or an Epoch early (as in
 * budgeted training, Li et al. 2020). The count is planned again from the pace measured so far.
 */

/** What training has cost so far: per Iteration, and at each Epoch's end (validation, checkpoint). */
export interface Pace {
  iterationMs: number
  epochEndMs: number
}

/**
 * Iterations that still fit in `leftMs`: each costs `pace.iterationMs`, each Epoch end they reach
 * (the last, partial one too) `pace.epochEndMs`. `intoEpoch`: Iterations already done in the Epoch
 * under way (0 at an Epoch's start).
 */
export function iterationsThatFit(leftMs: number, pace: Pace, perEpoch: number, intoEpoch: number): number {
  const { iterationMs, epochEndMs } = pace
  if (!(leftMs > 0) || !(iterationMs > 0)) return 0
  // The Epochs (from the one under way) that fit whole, with their ends; then, of the next, the Iterations its end leaves time for.
  const whole = Math.floor((leftMs + intoEpoch * iterationMs) / (perEpoch * iterationMs + epochEndMs))
  const upToWhole = whole * perEpoch - intoEpoch
  const partial = Math.min(upToWhole + perEpoch, Math.floor((leftMs - (whole + 1) * epochEndMs) / iterationMs))
  return Math.max(0, upToWhole, partial)
}
