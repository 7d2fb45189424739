/** A job worker whose parent dies ends quietly: no wall of minified tfjs source on the terminal. */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tempDir } from '../../helpers/images'
import { writeStripes } from '../../helpers/stripes'

let data: ReturnType<typeof tempDir>
let folder: ReturnType<typeof tempDir>
beforeAll(async () => {
  data = tempDir()
  folder = tempDir()
  await writeStripes(folder.path, 20)
})
afterAll(() => {
  data.cleanup()
  folder.cleanup()
})

it('ends quietly when the command that started it is killed mid-Run', async () => {
  const cli = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src-main/cli.ts',
      'train',
      folder.path,
      '--epochs',
      '200',
      '--model',
      'reference-cnn',
      '--image-size',
      '16',
      '--batch-size',
      '4',
      '--backend',
      'wasm',
      '--json',
      '--data-dir',
      data.path
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  // The worker shares the command's stderr, so the pipe ends only when the worker has exited too.
  let stderr = ''
  cli.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const ended = new Promise<void>((resolve) => cli.stderr.on('end', resolve))
  // Killed while the worker is mid-Epoch: its next report finds no one listening.
  cli.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (d.includes('"type":"iteration"')) cli.kill('SIGKILL')
  })
  await ended
  expect(stderr).not.toContain('WasmBackendModule')
  expect(stderr.length).toBeLessThan(500)
}, 60_000)
