/**
 * What a checkpoint's state.json says without loading its model: which Epoch it holds and the
 * metrics of every Epoch trained up to it. No tfjs: a queue worker's main process reads it.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EpochMetrics } from '../contract'

/** A checkpoint's Epoch (0: none usable) and the Epochs' metrics it keeps (none in an older one). */
export interface CheckpointSummary {
  epoch: number
  epochs: Omit<EpochMetrics, 'runId'>[]
}

/** Reads the checkpoint in `dir`; a missing or unreadable one is `{ epoch: 0, epochs: [] }`. */
export async function readCheckpointSummary(dir: string): Promise<CheckpointSummary> {
  try {
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { epoch?: unknown; epochs?: unknown }
    const epoch = Number.isInteger(state.epoch) && (state.epoch as number) > 0 ? (state.epoch as number) : 0
    const epochs = Array.isArray(state.epochs) ? (state.epochs as CheckpointSummary['epochs']).filter((e) => e.epoch <= epoch) : []
    return { epoch, epochs }
  } catch {
    return { epoch: 0, epochs: [] }
  }
}
