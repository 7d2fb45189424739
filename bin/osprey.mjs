#!/usr/bin/env node
// The installed `osprey` command: runs the built CLI (npm run build makes out/main/cli.js).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  console.error('osprey: the command line is not built yet. Run `npm run build` in the Osprey Studio folder.')
  process.exit(1)
}
await import(cli)
