/** `osprey auto`: find the best model in a time budget, as a user or a script runs it. */
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeShapeDataset } from '../../../bench/colour-shapes'
import { tempDir } from '../../helpers/images'

let data: ReturnType<typeof tempDir>
let shapes: ReturnType<typeof tempDir>

beforeAll(async () => {
  data = tempDir()
  shapes = tempDir()
  // Photo-like colour images where only the shape tells the class: chance is 1/3.
  await writeShapeDataset(shapes.path, { classes: ['circle', 'triangle', 'star'], perClass: 30, seed: 11 })
})
afterAll(() => {
  data.cleanup()
  shapes.cleanup()
})

function osprey(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args, '--data-dir', data.path], { encoding: 'utf8', timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stdout.split('\n').filter(Boolean) }
}

describe('osprey auto --minutes 1 --json', () => {
  it('searches, trains the winner on training + validation within the budget, and ends with the final Run, its test accuracy and the budget used', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', 'auto', shapes.path, '--minutes', '1', '--seed', '7', '--json', '--data-dir', data.path], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const lines: { at: number; value: Record<string, unknown> }[] = []
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    createInterface({ input: child.stdout }).on('line', (line) => lines.push({ at: Date.now(), value: JSON.parse(line) }))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const ended = Date.now()
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const plan = lines[0]
    expect(plan.value).toMatchObject({ type: 'plan', family: 'pretrained', budgetMinutes: 1, testImages: 18 })
    // The plan line comes once the folder is scanned, inside the budget; the rest must fit in the minute (+5 %).
    expect(ended - plan.at).toBeLessThan(63_000)
    expect(lines.filter((l) => l.value.type === 'trial').length).toBeGreaterThanOrEqual(2)
    const last = lines.at(-1)!.value as {
      type: string
      status: string
      run: number
      study: number
      test_accuracy: number
      test_interval: [number, number]
      test_images: number
      used_minutes: number
      budget_minutes: number
      best_trial: number
      tied_trials: number
    }
    expect(last).toMatchObject({ type: 'auto', status: 'completed', run: expect.any(Number), study: expect.any(Number), test_images: 18, budget_minutes: 1 })
    expect(last.used_minutes).toBeLessThanOrEqual(1.05)
    expect(last.used_minutes).toBeGreaterThan(0.5)
    // Well above chance (1/3) on images the search never saw, inside its own interval.
    expect(last.test_accuracy).toBeGreaterThan(0.6)
    expect(last.test_interval[0]).toBeLessThanOrEqual(last.test_accuracy)
    expect(last.test_interval[1]).toBeGreaterThanOrEqual(last.test_accuracy)
    expect(last.test_interval[1] - last.test_interval[0]).toBeGreaterThan(0.1) // 18 images cannot pin it down

    // The final Run: training + validation, no validation left, the same test images as every Trial.
    const final = JSON.parse(osprey(['runs', 'show', String(last.run), '--json']).lines.at(-1)!)
    expect(final.config).toMatchObject({ trainOn: 'train+validation', earlyStopping: 0 })
    expect(final.split).toMatchObject({ train: 72, validation: 0, test: 18 })
    expect(final.evaluation).toMatchObject({ split: 'test', accuracy: last.test_accuracy })
    // An ordinary Study: listed, shown with its Trials, each an ordinary Run on the same split with the test images set aside.
    const study = JSON.parse(osprey(['studies', 'show', String(last.study), '--json']).lines.at(-1)!)
    expect(study).toMatchObject({ id: last.study, prune: 'asha', objective: 'valLoss' })
    const trial = study.trialList.find((t: { status: string }) => t.status === 'completed')
    const trialRun = JSON.parse(osprey(['runs', 'show', String(trial.runId), '--json']).lines.at(-1)!)
    expect(trialRun.split).toMatchObject({ train: 54, validation: 18, test: 18 })
    // The winner is named as the Study shows it, counting Trials from 1; when the Trials all tie (a loss of 0 on 18 easy images), the first of them.
    const completed = study.trialList.filter((t: { status: string }) => t.status === 'completed').map((t: { number: number }) => t.number)
    const winner = study.best ? study.best.number : Math.min(...completed)
    expect(last.tied_trials).toBe(study.best ? 0 : completed.length)
    expect(last.best_trial).toBe(winner + 1)
    expect(osprey(['runs', 'list', '--tag', 'best-model']).stdout).toContain(`final (Trial ${winner + 1} on training + validation)`)
    expect(osprey(['auto', 'list']).stdout).toMatch(/completed .*Run \d+: test accuracy/)
  }, 240_000)

  it('refuses a budget outside 1 to 1440 minutes, and a folder it cannot train on, saying why', async () => {
    const zero = osprey(['auto', shapes.path, '--minutes', '0', '--json'])
    expect(zero.code).toBe(1)
    expect(JSON.parse(zero.lines.at(-1)!)).toMatchObject({ type: 'error', code: 'bad-input', message: expect.stringMatching(/--minutes must be a number from 1 to 1440/) })
    const missing = osprey(['auto', `${shapes.path}-nope`, '--json'])
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.lines.at(-1)!)).toMatchObject({ type: 'error', code: 'bad-input', message: expect.stringMatching(/Folder not found|cannot be trained/) })
  })
})
