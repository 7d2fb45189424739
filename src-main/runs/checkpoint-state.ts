/**
 * What a checkpoint's state.json says without loading its model: which Epoch it holds and the
 * metrics of every Epoch trained up to it. No tfjs: a queue worker's main process reads it.
 */
import { existsSync, renameSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EpochMetrics } from '../contract'

/** A checkpoint's Epoch (0: none usable) and the Epochs' metrics it keeps (none in an older one). */
export interface CheckpointSummary {
  epoch: number
  epochs: Omit<EpochMetrics, 'runId'>[]
}

/** Where a checkpoint is written whole before it takes the name `dir`, and where the one it replaces waits to be removed. */
export const nextOf = (dir: string) => `${dir}.next`
export const oldOf = (dir: string) => `${dir}.old`

/**
 * Finishes a replacement a killed process left half done: the new checkpoint, written whole (its
 * state.json is written last), takes the name `dir` when nothing whole has it. Without this, the
 * next save would clear the only checkpoint there is before writing its own.
 */
export function settleCheckpoint(dir: string): void {
  if (!existsSync(join(dir, 'state.json')) && existsSync(join(nextOf(dir), 'state.json'))) {
    rmSync(dir, { recursive: true, force: true })
    renameSync(nextOf(dir), dir)
  }
  rmSync(oldOf(dir), { recursive: true, force: true })
}

/** True when `dir` holds a whole checkpoint to resume from (after finishing a replacement left half done). */
export function hasCheckpoint(dir: string): boolean {
  settleCheckpoint(dir)
  return existsSync(join(dir, 'state.json'))
}

/** Reads the checkpoint in `dir`; a missing or unreadable one is `{ epoch: 0, epochs: [] }`. */
export async function readCheckpointSummary(dir: string): Promise<CheckpointSummary> {
  try {
    settleCheckpoint(dir)
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { epoch?: unknown; epochs?: unknown }
    const epoch = Number.isInteger(state.epoch) && (state.epoch as number) > 0 ? (state.epoch as number) : 0
    const epochs = Array.isArray(state.epochs) ? (state.epochs as CheckpointSummary['epochs']).filter((e) => e.epoch <= epoch) : []
    return { epoch, epochs }
  } catch {
    return { epoch: 0, epochs: [] }
  }
}
