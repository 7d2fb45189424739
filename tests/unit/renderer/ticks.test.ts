import { describe, expect, it } from 'vitest'
import { tickLabels, valueLabel } from '../../../src-renderer/src/lib/ticks'

describe('axis ticks', () => {
  it('never repeat a label, even over a tiny range (a constant learning rate)', () => {
    const labels = tickLabels([0.00099, 0.000995, 0.001, 0.001005, 0.00101], 0.000005)
    expect(new Set(labels).size).toBe(5)
    expect(labels).toEqual(['9.9e-4', '9.95e-4', '1e-3', '1.005e-3', '1.01e-3'])
  })

  it('stay short for a loss that exploded, and plain for everyday values', () => {
    expect(tickLabels([0, 1e11, 2e11, 3e11], 1e11)).toEqual(['0', '1e11', '2e11', '3e11'])
    expect(tickLabels([0, 0.25, 0.5, 0.75, 1], 0.25)).toEqual(['0', '0.25', '0.50', '0.75', '1.00'])
    expect(tickLabels([0, 0.2, 0.4], 0.2)).toEqual(['0', '0.2', '0.4'])
    expect(tickLabels([0, 2, 4], 2)).toEqual(['0', '2', '4'])
    expect(tickLabels([null, 1], 1)).toEqual(['', '1'])
    for (const label of tickLabels([-3.5e11, 0, 3.5e11], 5e10)) expect(label.length).toBeLessThanOrEqual(7)
  })

  it('show legend values to three significant digits', () => {
    expect([valueLabel(0.123456), valueLabel(0.00012345), valueLabel(3.4e11), valueLabel(0)]).toEqual(['0.123', '1.23e-4', '3.4e11', '0'])
  })
})
