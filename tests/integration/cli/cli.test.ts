/** The `osprey` command line, run as a user or a script runs it. */
import { spawn, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { png, put, tempDir } from '../../helpers/images'
import { writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>

beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  put(folder.path, 'cats/1.png', await png(1))
  put(folder.path, 'cats/2.png', await png(2))
  put(folder.path, 'dogs/1.png', await png(3))
  put(folder.path, 'dogs/empty.png', '')
})
afterAll(() => {
  data.cleanup()
  folder.cleanup()
})

/** Runs `osprey args...` from the sources, as `npm run osprey --` does. */
function osprey(args: string[], env: Record<string, string> = {}, timeout = 60_000) {
  // The timeout ends a command that would serve forever instead of refusing.
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stdout.split('\n').filter(Boolean) }
}

describe('osprey datasets scan --json', () => {
  it('prints progress lines, then the report with classes, images, problems and fingerprint', () => {
    const run = osprey(['datasets', 'scan', folder.path, '--json', '--data-dir', data.path])
    expect(run.code).toBe(0)
    const objects = run.lines.map((l) => JSON.parse(l))
    expect(objects.slice(0, -1).every((o) => o.type === 'progress')).toBe(true)
    expect(objects.length).toBeGreaterThan(2)
    const last = objects.at(-1)
    expect(last).toMatchObject({
      type: 'dataset',
      classes: [
        { name: 'cats', count: 2 },
        { name: 'dogs', count: 1 }
      ],
      images: 3,
      problems: [
        { path: 'dogs/empty.png', kind: 'empty-file', message: expect.any(String) },
        { path: 'cats', kind: 'few-images', message: expect.any(String) },
        { path: 'dogs', kind: 'few-images', message: expect.any(String) }
      ],
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/)
    })
  })

  it('prints a readable report for people', () => {
    const run = osprey(['datasets', 'scan', folder.path, '--data-dir', data.path])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/3 usable images in 2 classes/)
    expect(run.stdout).toContain('The largest class has 2.0× the images of the smallest (1 image). The model may favour the larger classes.') // as the app's class card says
    expect(run.stdout).toMatch(/dogs\/empty.png: This file is empty/)
  })

  it('fails with a clear message and exit code 1 for a missing folder', () => {
    const json = osprey(['datasets', 'scan', join(folder.path, 'nope'), '--json', '--data-dir', data.path])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.lines.at(-1)!)).toMatchObject({ type: 'error', code: 'bad-input', message: expect.stringContaining('Folder not found') })
    const human = osprey(['datasets', 'scan', join(folder.path, 'nope'), '--data-dir', data.path])
    expect(human.code).toBe(1)
    expect(human.stderr).toMatch(/^osprey: Folder not found/)
  })
})

describe('osprey datasets list', () => {
  it('lists what was scanned, from OSPREY_DATA_DIR as well as --data-dir', () => {
    const list = osprey(['datasets', 'list', '--json'], { OSPREY_DATA_DIR: data.path })
    expect(list.code).toBe(0)
    expect(list.lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ type: 'dataset', path: folder.path, images: 3, classes: 2, errors: 1 })])
  })
})

it('shows usage for an unknown command, with exit code 2', () => {
  const run = osprey(['frobnicate', '--data-dir', data.path])
  expect(run.code).toBe(2)
  expect(run.stderr).toContain('Usage: osprey')
})

it('shows only the usage of a known command used the wrong way, and names a flag that is not a number', () => {
  const compare = osprey(['runs', 'compare', '1', '--data-dir', data.path])
  expect(compare.code).toBe(2)
  expect(compare.stderr).toMatch(/^Usage:\n {2}runs compare <run> <run>… {2}2 to 10 Runs side by side/)
  expect(compare.stderr).toContain('--html FILE') // its continuation line
  expect(compare.stderr).not.toContain('datasets scan')
  expect(compare.stderr).toContain('osprey --help lists every command')

  const lr = osprey(['train', folder.path, '--lr', 'abc', '--data-dir', data.path])
  expect(lr.code).toBe(1)
  expect(lr.stderr).toBe('osprey: --lr: "abc" is not a number.\n')
})

it('--help after a command shows that command alone, on stdout', () => {
  const help = osprey(['train', '--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toMatch(/^Usage:\n {2}train <folder> {11}train a classifier/)
  expect(help.stdout).toContain('--time-limit MINUTES') // its continuation lines
  expect(help.stdout).not.toContain('datasets scan')
  expect(osprey(['--help']).stdout).toContain('datasets scan')
})

it('refuses a misspelt option instead of training without it, and starts no Run', () => {
  const typo = osprey(['train', folder.path, '--epcohs=1', '--data-dir', data.path])
  expect(typo.code).toBe(1)
  expect(typo.stderr).toBe('osprey: train does not take --epcohs: did you mean --epochs?\n')
  const json = osprey(['train', folder.path, '--name', 'birds', '--json', '--data-dir', data.path])
  expect(JSON.parse(json.lines.at(-1)!)).toMatchObject({ type: 'error', code: 'bad-input', message: 'train does not take --name: it is an option of osprey tune.' })
  expect(osprey(['runs', 'list', '--json', '--data-dir', data.path]).lines).toEqual([])
})

describe('osprey tune --json', () => {
  it('runs a Study, one line per Trial event, and last the Study with its best params and value', async () => {
    const stripes = tempDir()
    await writeStripes(stripes.path, 10)
    const space = join(stripes.path, '..', `space-${process.pid}.json`)
    writeFileSync(space, JSON.stringify({ lr: { type: 'float', low: 1e-3, high: 1e-2, log: true } }))
    const run = osprey([
      'tune',
      stripes.path,
      '--space',
      space,
      '--strategy',
      'random',
      '--trials',
      '2',
      '--parallel',
      '1',
      '--epochs',
      '1',
      '--model',
      'reference-cnn',
      '--image-size',
      '16',
      '--batch-size',
      '8',
      '--backend',
      'wasm',
      '--json',
      '--data-dir',
      data.path
    ])
    stripes.cleanup()
    rmSync(space)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const objects = run.lines.map((l) => JSON.parse(l))
    expect(objects.slice(0, -1).every((o) => o.type === 'trial')).toBe(true)
    const last = objects.at(-1)
    expect(last).toMatchObject({ type: 'study', id: expect.any(Number), status: 'completed', trials: { completed: 2 } })
    const shown = osprey(['studies', 'show', String(last.id), '--data-dir', data.path])
    expect(shown.stdout).toMatch(/Trial +1 +completed .* 1 epoch  /) // one Epoch each, said in the singular
    // One Epoch on 10 images may leave both Trials at chance: then the Study says so and names no best.
    if (last.verdict) {
      expect(last).toMatchObject({ best_trial: null, best_params: null, objective: 'valAccuracy', best_value: null })
      expect(shown.stdout).toContain(last.verdict.headline)
    } else {
      expect(last).toMatchObject({ best_params: { lr: expect.any(Number) }, best_value: expect.any(Number) })
      expect(shown.stdout).toMatch(/Best: Trial [12] /)
    }
  }, 120_000)

  it('refuses a bad space file with every problem listed', () => {
    const space = join(data.path, 'bad-space.json')
    writeFileSync(space, JSON.stringify({ lr: { type: 'float', low: 0, high: 1, log: true }, optimizer: { type: 'categorical', choices: [] } }))
    const run = osprey(['tune', folder.path, '--space', space, '--json', '--data-dir', data.path])
    expect(run.code).toBe(1)
    const error = JSON.parse(run.lines.at(-1)!)
    expect(error).toMatchObject({ type: 'error', code: 'bad-input' })
    expect(error.message).toMatch(/lr: .*log/)
    expect(error.message).toMatch(/optimizer: .*empty/)
  })

  it('says what is wrong with a space file that is missing, a folder, cut short or not an object', () => {
    const file = (name: string, text: string) => (writeFileSync(join(data.path, name), text), join(data.path, name))
    const message = (space: string) => {
      const run = osprey(['tune', folder.path, '--space', space, '--data-dir', data.path])
      expect(run.code).toBe(1)
      return run.stderr
    }
    expect(message(join(data.path, 'nowhere.json'))).toMatch(/Cannot read the search space .*nowhere\.json: no such file: check the path\./)
    expect(message(data.path)).toMatch(/it is a folder: name the JSON file in it/)
    expect(message(file('cut.json', '{"lr": {'))).toMatch(/cut\.json is not valid JSON \(.*\)\. Write one JSON object, a hyperparameter per key/)
    expect(message(file('list.json', '[1, 2]'))).toMatch(/list\.json must be one JSON object, a hyperparameter per key, e\.g\. \{"lr"/)
  })
})

describe('a data folder that cannot be', () => {
  it('is refused with what is wrong and how to choose another, not as an error inside Osprey', () => {
    const file = join(data.path, 'not-a-folder')
    writeFileSync(file, 'x')
    for (const dir of [file, join(file, 'below')]) {
      const run = osprey(['runs', 'list', '--data-dir', dir])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Osprey cannot keep its data in ${dir}: it, or a folder above it, is a file. Choose another data folder (--data-dir DIR or OSPREY_DATA_DIR)`)
    }
  })
})

describe('osprey serve --host', () => {
  it('refuses an address other machines can reach unless --allow-remote says so', () => {
    const run = osprey(['serve', '--host', '0.0.0.0', '--data-dir', data.path])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/)
  })
})

it('osprey train --time-limit ends within its minutes, and its Epoch lines count to the Epochs that fit', async () => {
  const stripes = tempDir()
  const own = tempDir()
  await writeStripes(stripes.path, 10)
  const args = ['train', stripes.path, '--time-limit', '0.2', '--epochs', '500', '--early-stop', '0', '--model', 'reference-cnn', '--image-size', '16', '--batch-size', '4', '--backend', 'wasm']
  // 15 s alone; beside other files on 2 cores, starting the command and its worker once took over a minute.
  const run = osprey([...args, '--data-dir', own.path], {}, 150_000)
  stripes.cleanup()
  own.cleanup()
  expect(run.code, run.stderr).toBe(0)
  const epochs = run.lines.map((l) => l.match(/^Epoch (\d+)\/(\d+): loss/)).filter((m) => m !== null)
  const last = epochs.at(-1)!
  expect(Number(last[1])).toBeGreaterThan(2)
  expect(Number(last[1])).toBeLessThan(500)
  expect(last[2]).toBe(last[1]) // the last Epoch trained is the last of the Run
  // 20 images, a few held out: the verdict comes with its caution, as in the Run's report.
  expect(run.stdout).toMatch(/\nFew validation images of horizontal \(\d images?: its recall of \d+% could be anywhere from \d+% to \d+%\) and vertical/)
}, 180_000)

describe('osprey runs resume', () => {
  it('goes on with a Run whose command was killed, from its last checkpoint, to the end', async () => {
    const stripes = tempDir()
    const own = tempDir()
    await writeStripes(stripes.path, 10)
    const args = ['--model', 'reference-cnn', '--image-size', '16', '--batch-size', '4', '--backend', 'wasm', '--json', '--data-dir', own.path]
    // `osprey train` killed in its second Epoch (the first one's checkpoint is saved): the Run is left behind.
    const train = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', 'train', stripes.path, '--epochs', '3', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    createInterface({ input: train.stdout }).on('line', (line) => {
      const message = JSON.parse(line)
      if (message.type === 'iteration' && message.epoch === 2) train.kill('SIGKILL')
    })
    await new Promise((resolve) => train.once('exit', resolve))

    const shown = osprey(['runs', 'show', '1', ...args.slice(-3)])
    expect(JSON.parse(shown.lines.at(-1)!)).toMatchObject({ status: 'interrupted', error: expect.stringContaining('osprey runs resume 1') })
    const resumed = osprey(['runs', 'resume', '1', ...args.slice(-3)])
    stripes.cleanup()
    own.cleanup()
    expect(resumed.code).toBe(0)
    const lines = resumed.lines.map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)[0]).toBeGreaterThan(1) // Epoch 1 is not trained again
    expect(lines.at(-1)).toMatchObject({ type: 'run', id: 1, status: 'completed', epochs_done: 3 })
  }, 120_000)
})
