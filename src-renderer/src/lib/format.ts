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

/** "850 ms", "2.4 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
}

// One formatter for every call: toLocaleString with options builds a new one each time (slow in long lists).
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date and time in the user's locale, e.g. "12 May 2025, 14:03". */
export function dateTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return dateTimeFormat.format(date)
}
