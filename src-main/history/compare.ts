/** What differs between Runs' configs, and which Run is best on each final metric. Pure. */
import type { ConfigDifference, HistoryRun, RunComparison, TrainingConfig } from '../contract'

type Leaf = string | number | boolean | null

/** A config as dotted keys (`augmentation.rotation`), in the config's own key order. */
export function flattenConfig(config: TrainingConfig): Map<string, Leaf> {
  const flat = new Map<string, Leaf>()
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k)
    } else flat.set(prefix, Array.isArray(value) ? JSON.stringify(value) : ((value ?? null) as Leaf))
  }
  walk(config, '')
  return flat
}

/** Every setting of these configs with each one's value; a key missing from a Run counts as null. */
export function configSettings(configs: TrainingConfig[]): ConfigDifference[] {
  const flats = configs.map(flattenConfig)
  const keys: string[] = []
  for (const flat of flats) for (const key of flat.keys()) if (!keys.includes(key)) keys.push(key)
  return keys.map((key) => ({ key, values: flats.map((f) => (f.has(key) ? f.get(key)! : null)) }))
}

/** The settings whose values are not all the same. */
export function configDifferences(configs: TrainingConfig[]): ConfigDifference[] {
  return configSettings(configs).filter((d) => new Set(d.values.map((v) => JSON.stringify(v))).size > 1)
}

/** Index of the best Run on each final metric: highest accuracy and speed, lowest loss and duration; null when none has it or two share the best. */
export function bestRuns(runs: HistoryRun[]): RunComparison['best'] {
  const pick = (value: (r: HistoryRun) => number | null, better: (a: number, b: number) => boolean): number | null => {
    let best: number | null = null
    let tied = false
    runs.forEach((r, i) => {
      const v = value(r)
      if (v === null || !Number.isFinite(v)) return
      if (best === null || better(v, value(runs[best])!)) {
        best = i
        tied = false
      } else if (v === value(runs[best])) tied = true
    })
    // A tie for the best has no winner to mark.
    return tied ? null : best
  }
  return {
    valAccuracy: pick(
      (r) => r.valAccuracy,
      (a, b) => a > b
    ),
    valLoss: pick(
      (r) => r.valLoss,
      (a, b) => a < b
    ),
    imagesPerSecond: pick(
      (r) => r.imagesPerSecond,
      (a, b) => a > b
    ),
    durationMs: pick(
      (r) => r.durationMs,
      (a, b) => a < b
    )
  }
}
