import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hasCheckpoint, nextOf, oldOf, readCheckpointSummary } from '../../../src-main/runs/checkpoint-state'

let root: string
let dir: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'osprey-checkpoint-'))
  dir = join(root, 'checkpoint-last')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** A checkpoint of `epoch` in `at`; `whole: false` leaves out state.json, as a save killed before its end does. */
function write(at: string, epoch: number, whole = true): void {
  mkdirSync(join(at, 'model'), { recursive: true })
  writeFileSync(join(at, 'model', 'model.json'), `epoch ${epoch}`)
  if (whole) writeFileSync(join(at, 'state.json'), JSON.stringify({ epoch, epochs: [{ epoch }] }))
}

describe('a checkpoint left by a process killed while replacing it', () => {
  it('is found where the new one was written whole, when the old one had already been moved aside', async () => {
    write(oldOf(dir), 1)
    write(nextOf(dir), 2)
    expect(hasCheckpoint(dir)).toBe(true)
    expect((await readCheckpointSummary(dir)).epoch).toBe(2)
    expect(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).toBe('epoch 2')
    expect(existsSync(oldOf(dir))).toBe(false)
    expect(existsSync(nextOf(dir))).toBe(false)
  })

  it('keeps the old one when the new one was not written whole', async () => {
    write(dir, 1)
    write(nextOf(dir), 2, false)
    expect((await readCheckpointSummary(dir)).epoch).toBe(1)
    expect(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).toBe('epoch 1')
  })

  it('is none when the first one was killed before its end', async () => {
    write(nextOf(dir), 1, false)
    expect(hasCheckpoint(dir)).toBe(false)
    expect(await readCheckpointSummary(dir)).toEqual({ epoch: 0, epochs: [] })
  })
})
