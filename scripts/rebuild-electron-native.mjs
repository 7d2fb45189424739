#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .electron-native/, beside the Node build that the
// CLI and the tests use (one node_modules cannot hold both). The app loads it via `nativeBinding`.
// Needs the network once (Electron headers or a prebuilt binary).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const require = createRequire(import.meta.url)
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
const source = join(root, 'node_modules', 'better-sqlite3')
const target = join(root, '.electron-native', 'better-sqlite3')
const binary = join(target, 'build', 'Release', 'better_sqlite3.node')
const stamp = join(target, '.electron-version')

if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === electronVersion) process.exit(0)

console.log(`Building better-sqlite3 for Electron ${electronVersion} …`)
rmSync(target, { recursive: true, force: true })
cpSync(source, target, { recursive: true, filter: (p) => !p.includes(`${join('build', 'Release')}`) })
const run = (cmd, args) => execFileSync(cmd, args, { cwd: target, stdio: 'inherit', shell: process.platform === 'win32' })
try {
  run('npx', ['--no-install', 'prebuild-install', '--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`])
} catch {
  // npm hands its bundled node-gyp to scripts; outside npm, npx finds one.
  const gyp = process.env.npm_config_node_gyp
  const args = ['rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers']
  if (gyp) run(process.execPath, [gyp, ...args])
  else run('npx', ['node-gyp', ...args])
}
execFileSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(stamp)}, ${JSON.stringify(electronVersion)})`])
console.log(`Done: ${binary}`)
