/** Small formatters so every screen writes numbers, sizes and times the same way. */
import type { ImageSize } from '../../../src-main/contract'

/** A count with thousands separators, in the user's locale. */
export function count(n: number): string {
  return n.toLocaleString()
}

/** "1 image", "3 images": a count followed by the right form of a word. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`
}

/** "640 × 480". */
export function size(s: ImageSize): string {
  return `${s.width} × ${s.height}`
}

/** "850 ms", "2.4 s", "3 min 5 s", "2 h 10 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) {
    const minutes = Math.floor(ms / 60_000)
    return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
  }
  const hours = Math.floor(ms / 3_600_000)
  return `${hours} h ${Math.round((ms % 3_600_000) / 60_000)} min`
}

/** A rough time for an estimate: "about 20 s", "about 4 min", "about 2 h 10 min". */
export function roughly(ms: number): string {
  if (ms < 60_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`
  if (ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min`
  return `about ${duration(Math.round(ms / 60_000) * 60_000)}`
}

// One formatter for every call: toLocaleString with options builds a new one each time (slow in long lists).
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date and time in the user's locale, e.g. "12 May 2025, 14:03". */
export function dateTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return dateTimeFormat.format(date)
}
