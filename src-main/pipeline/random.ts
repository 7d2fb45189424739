/**
 * Seeded randomness for the pipeline. Every random choice of a Run comes from one seed, so a Run
 * can be repeated exactly and tests can assert exact outputs. Streams are derived, never shared:
 * the augmentation of sample i in epoch e draws from its own stream, whatever the batch order,
 * the prefetch timing or the thread that computes it.
 */

/** Mixes 32-bit words into one well-spread 32-bit word (murmur3's finaliser over a running hash). */
export function mix(...words: number[]): number {
  let h = 0x9e3779b9
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A 32-bit hash of a string (FNV-1a), to fork streams by name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A seeded pseudo-random stream (mulberry32: tiny, fast, good enough for augmentation and shuffles). */
export class Random {
  /** The seed this stream started from; forks derive from it, not from the current state. */
  readonly seed: number
  #state: number
  #spare: number | null = null

  constructor(seed: number) {
    this.seed = seed >>> 0
    this.#state = this.seed
  }

  /** A uniform number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next()
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spare !== null) {
      const spare = this.#spare
      this.#spare = null
      return spare
    }
    const u = 1 - this.next() // (0, 1]: log(0) is never taken
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.#spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<A extends { length: number; [i: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = array[i]
      array[i] = array[j]
      array[j] = t
    }
    return array
  }

  /** An independent stream named by `key`; the same seed and key always give the same stream. */
  fork(key: number | string): Random {
    return new Random(mix(this.seed, typeof key === 'number' ? key : hashString(key)))
  }
}

/** The stream of one sample's augmentation in one epoch of a Run. */
export function rngFor(seed: number, epoch: number, sampleIndex: number): Random {
  return new Random(mix(seed, 0x5a5a, epoch, sampleIndex))
}
