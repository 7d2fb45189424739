/** `osprey datasets check-labels` and `review`, as a user types them in a shell. */
import { spawnSync } from 'node:child_process'
import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeShapeDataset } from '../../../bench/colour-shapes'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let shapes: ReturnType<typeof tempDir>
const misfiled = 'star/circle-0002.jpg'

beforeAll(async () => {
  data = tempDir()
  shapes = tempDir()
  await writeShapeDataset(shapes.path, { classes: ['circle', 'triangle', 'star'], perClass: 20, seed: 41 })
  renameSync(join(shapes.path, 'circle', 'circle-0002.jpg'), join(shapes.path, misfiled))
})
afterAll(() => {
  data.cleanup()
  shapes.cleanup()
})

function osprey(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args, '--data-dir', data.path], { encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('osprey datasets check-labels and review', () => {
  it('lists the misfiled image first, and takes the path to exclude as the shell gives it', () => {
    const check = osprey('datasets', 'check-labels', shapes.path)
    expect(check.code).toBe(0)
    const lines = check.stdout.split('\n')
    const head = lines.findIndex((l) => /look(s)? mislabeled/.test(l))
    const [, n, verb] = /^(\d+) images? (looks?) mislabeled/.exec(lines[head])!
    expect(verb).toBe(n === '1' ? 'looks' : 'look') // "1 image looks", "2 images look"
    expect(lines[head + 1]).toMatch(new RegExp(`^  ${misfiled}: star → circle`))

    // An absolute path (tab completion) names the same image as the check's own path: counted once.
    expect(osprey('datasets', 'review', shapes.path, 'exclude', join(shapes.path, misfiled)).stdout).toContain('1 image: exclude. New Runs on this Dataset leave out 1 excluded image;')
    expect(osprey('datasets', 'review', shapes.path, 'exclude', misfiled).stdout).toContain('leave out 1 excluded image;')
    const typo = osprey('datasets', 'review', shapes.path, 'exclude', 'star/circle-2.jpg')
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain('star/circle-2.jpg is not an image of this Dataset: give its path inside the folder, as the check lists it')
    expect(osprey('datasets', 'review', shapes.path, 'undo', misfiled).stdout).toContain('1 image: no decision. New Runs on this Dataset leave out 0 excluded images;')
  }, 180_000)
})
