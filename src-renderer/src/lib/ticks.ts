/**
 * Numbers on chart axes: as short as they can be while no two ticks read the same (a constant
 * learning rate of 0.001 spans 0.00099…0.00101: one significant digit would print "1.0e-3" three
 * times), and never wider than the y axis (a diverged loss of 3e11 prints "3e11").
 */

/** Labels for the ticks at `splits`, `increment` apart; empty where a scale has no data yet. */
export function tickLabels(splits: (number | null)[], increment: number | null | undefined): string[] {
  const step = increment && Number.isFinite(increment) && increment > 0 ? increment : null
  return splits.map((v) => (v === null || !Number.isFinite(v) ? '' : tick(v, step)))
}

/** One tick: fixed decimals enough for the step, or exponent notation for the very small and very large. */
function tick(v: number, step: number | null): string {
  if (v === 0 || (step !== null && Math.abs(v) < step / 2)) return '0'
  const abs = Math.abs(v)
  if (abs >= 1e4 || abs < 1e-2) {
    // Significant digits: from the value's magnitude down to the step's last digit.
    const digits = step === null ? 1 : Math.min(4, Math.max(0, Math.floor(Math.log10(abs)) - Math.floor(Math.log10(step) + 1e-9) + decimals(step / 10 ** Math.floor(Math.log10(step) + 1e-9))))
    return exponent(v, digits)
  }
  return v.toFixed(step === null ? 2 : Math.min(6, decimals(step)))
}

/** Decimals in the shortest writing of `x` (0.25 → 2, 5 → 0), ignoring float noise. */
function decimals(x: number): number {
  const text = String(Number(x.toPrecision(6)))
  if (text.includes('e-')) return Number(text.split('e-')[1]) + (text.split('e')[0].split('.')[1]?.length ?? 0)
  return text.split('.')[1]?.length ?? 0
}

/** A value in a legend or tooltip: three significant digits, exponent notation when very small or large. */
export function valueLabel(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const abs = Math.abs(v)
  return abs < 0.01 || abs >= 1e5 ? exponent(v, 2) : String(Number(v.toPrecision(3)))
}

/** "3e11", "1.25e-3": exponent notation without the "+" and without trailing zeros. */
function exponent(v: number, digits: number): string {
  const [mantissa, power] = v.toExponential(digits).split('e')
  return `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${Number(power)}`
}
