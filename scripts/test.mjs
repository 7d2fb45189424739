#!/usr/bin/env node
// `npm test`: every check, in order, and one closing line that sums them all:
// formatting, lint, type checks and the build count as one check each; vitest and Playwright count their tests.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const results = 'test-results'
rmSync(results, { recursive: true, force: true })
mkdirSync(results, { recursive: true })
const total = { passed: 0, failed: 0, skipped: 0 }
const lines = []

function run(name, command, args) {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`)
  const started = Date.now()
  const { status } = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } })
  return { ok: status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) }
}

function check(name, command, args) {
  const { ok, seconds } = run(name, command, args)
  total[ok ? 'passed' : 'failed']++
  lines.push(`${name}: ${ok ? 'passed' : 'FAILED'} (${seconds} s)`)
}

function suite(name, command, args, report, count) {
  const { ok, seconds } = run(name, command, args)
  const counts = existsSync(report) ? count(JSON.parse(readFileSync(report, 'utf8'))) : null
  // A runner that crashed before reporting counts as one failure, never as silence.
  const c = counts ?? { passed: 0, failed: 1, skipped: 0 }
  if (!ok && c.failed === 0) c.failed = 1
  for (const k of Object.keys(total)) total[k] += c[k]
  lines.push(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${seconds} s)${counts ? '' : ' — no report written'}`)
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
check('format (prettier)', npx, ['prettier', '--check', '--log-level=warn', '.'])
check('lint (oxlint: correctness, no import cycles)', npx, ['oxlint', '--deny-warnings'])
check('typecheck (main, preload, tests)', npx, ['tsc', '--noEmit', '-p', 'tsconfig.node.json'])
check('typecheck (renderer)', npx, ['svelte-check', '--tsconfig', 'tsconfig.web.json', '--fail-on-warnings'])
suite(
  'unit + integration (vitest)',
  npx,
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--reporter=hanging-process', `--outputFile=${results}/vitest.json`],
  `${results}/vitest.json`,
  (r) => ({
    passed: r.numPassedTests,
    failed: r.numFailedTests + (r.success || r.numFailedTests ? 0 : 1),
    skipped: r.numPendingTests + r.numTodoTests
  })
)
check('build (electron-vite)', npx, ['electron-vite', 'build'])
suite('end-to-end (Playwright, Chromium)', npx, ['playwright', 'test'], `${results}/e2e.json`, (r) => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected + (r.errors?.length ?? 0),
  skipped: r.stats.skipped
}))

console.log(`\n${lines.join('\n')}`)
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`)
process.exit(total.failed ? 1 : 0)
