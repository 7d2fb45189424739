/** The threaded wasm backend runs its pthread workers from the app's own files, never from the shared temp folder. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { initBackend, type Backend } from '../../../src-main/engine/backend'
import { wasmPackageDir } from '../../../src-main/engine/wasm/threads'
import { tempDir } from '../../helpers/images'

let shared: ReturnType<typeof tempDir>
let backend: Backend | undefined
const savedTmp = process.env.TMPDIR

// A private stand-in for the shared temp folder ($TMPDIR), so nothing is planted where other processes look.
beforeEach(() => {
  shared = tempDir()
  process.env.TMPDIR = shared.path
})
afterEach(() => {
  backend?.dispose()
  backend = undefined
  if (savedTmp === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = savedTmp
  shared.cleanup()
})

it('never runs a worker script that another user planted in the temp folder, and writes nothing there', async () => {
  const load = createRequire(import.meta.url)
  const version: string = load(join(wasmPackageDir(), 'package.json')).version
  const { wasmWorkerContents } = load(join(wasmPackageDir(), 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'))
  const marker = join(shared.path, 'planted-code-ran')
  // Where earlier versions wrote the worker and reused whatever was there: a working worker that also leaves a mark.
  mkdirSync(join(shared.path, 'osprey-tfjs-wasm'))
  const planted = join(shared.path, 'osprey-tfjs-wasm', `tfjs-backend-wasm-threaded-simd-${version}-1.worker.cjs`)
  writeFileSync(planted, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n${(wasmWorkerContents as string).replace(/\n/g, '\\n')}`)

  backend = await initBackend('wasm', { threads: 2 })
  expect(backend.threads).toBe(2)
  expect(Array.from(backend.tf.add([1, 2], [3, 4]).dataSync())).toEqual([4, 6])
  expect(existsSync(marker)).toBe(false)
  expect(readdirSync(shared.path)).toEqual(['osprey-tfjs-wasm'])
  expect(readdirSync(join(shared.path, 'osprey-tfjs-wasm'))).toEqual([planted.split('/').at(-1)])
})
