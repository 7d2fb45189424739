/**
 * `npm run build && npm run bench:fuzz-serve -- [--cases N] [--seed S] [--workers W] [--json]`:
 * a bounded fuzz campaign against a running `osprey serve` on loopback while a Run trains. Cases
 * (bench/lib/fuzz-cases.ts): raw HTTP requests with and without the token (request lines,
 * headers, bodies, upgrades), raw WebSocket frames on an open API socket, and JSON commands.
 * Every case must be answered — a success for a valid request, or a clear error: an HTTP 4xx, a
 * WebSocket close code, or `{ ok: false, error: { code, message } }` — within 5 s (10 s for a
 * command). Targets: ≥ 20,000 cases, 0 crashes, 0 hangs, 0 unclear replies, the Run completes.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { Random } from '../src-main/pipeline/random'
import { writeStripes } from '../tests/helpers/stripes'
import { commandCase, frame, frameCase, httpCase, type Target } from './lib/fuzz-cases'
import { startServe } from './lib/serve'

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' }, workers: { type: 'string', default: '4' }, json: { type: 'boolean' } } })
const CASES = Number(values.cases)
const log = (text: string) => !values.json && console.log(text)
const CODES = new Set(['invalid-request', 'unknown-command', 'bad-input', 'not-found', 'cancelled', 'unsupported', 'internal'])

/** How one case ended. `clear`: a success or a clear error; `unclear`: an answer no one can act on. */
type Outcome = { family: string; verdict: 'clear' | 'unclear' | 'hang'; detail: string; input?: string }

const dataDir = mkdtempSync(join(tmpdir(), 'osprey-fuzz-data-'))
const folder = mkdtempSync(join(tmpdir(), 'osprey-fuzz-stripes-'))
const scratch = mkdtempSync(join(tmpdir(), 'osprey-fuzz-scratch-'))
await writeStripes(folder, 40)
const load = loadavg()[0]
const served = await startServe(dataDir)
let crashed: string | null = null
let stopping = false
served.child.once('exit', (code, signal) => {
  if (!stopping) crashed = signal ? `killed by ${signal}` : `exit code ${code}`
})
const target: Target = { port: served.port, token: served.token, folder, scratch }

/** A socket to /api with the token, for the campaign's own commands. */
function apiSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api?token=${served.token}`)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Sends `text` and waits for the reply carrying `id` (a number, or null for a message without one). */
function exchange(
  ws: WebSocket,
  text: string,
  id: number | string | null,
  ms: number
): Promise<{ reply?: { id: unknown; result?: { ok: boolean; error?: { code?: unknown; message?: unknown } } }; closed?: number; timedOut?: boolean }> {
  return new Promise((resolve) => {
    const done = (value: Parameters<typeof resolve>[0]) => {
      clearTimeout(timer)
      ws.off('message', onMessage)
      ws.off('close', onClose)
      resolve(value)
    }
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data))
      if (!('event' in message) && message.id === id) done({ reply: message })
    }
    const onClose = (code: number) => done({ closed: code })
    const timer = setTimeout(() => done({ timedOut: true }), ms)
    ws.on('message', onMessage)
    ws.on('close', onClose)
    ws.send(text)
  })
}

/**
 * Raw bytes to the port; resolves once `answered` says the reply is enough, or the server closed,
 * or `ms` passed. If nothing came back after `quietMs`, the input is ended (a FIN): the server may
 * have been waiting for more of an incomplete request, and must now answer or close.
 */
function rawExchange(bytes: string | Buffer, answered: (reply: Buffer) => boolean, ms = 5000, quietMs = 1500): Promise<{ reply: Buffer; closed: boolean; ended: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let ended = false
    const socket = connect(served.port, '127.0.0.1', () => socket.write(bytes))
    const done = (closed: boolean) => {
      clearTimeout(timer)
      clearTimeout(quiet)
      socket.destroy()
      resolve({ reply: Buffer.concat(chunks), closed, ended })
    }
    const timer = setTimeout(() => done(false), ms)
    const quiet = setTimeout(() => {
      ended = true
      socket.end()
    }, quietMs)
    socket.on('data', (d) => {
      chunks.push(d)
      if (answered(Buffer.concat(chunks))) done(false)
    })
    socket.on('close', () => done(true))
    socket.on('error', () => {})
  })
}

async function httpRun(rng: Random): Promise<Outcome> {
  const withToken = rng.next() < 0.5
  const family = `http ${withToken ? 'with' : 'without'} token`
  const input = httpCase(rng, target, withToken)
  const { reply, closed, ended } = await rawExchange(input, (r) => r.includes('\r\n\r\n'))
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(reply.toString('latin1'))?.[1]
  if (!status && !closed) return { family, verdict: 'hang', detail: 'no reply within 5 s', input }
  if (!status) return { family, verdict: 'unclear', detail: reply.length ? 'not an HTTP reply' : `closed without a reply${ended ? ' (after the input ended)' : ''}`, input }
  return { family, verdict: status.startsWith('5') ? 'unclear' : 'clear', detail: `HTTP ${status}` }
}

/** Reads server frames from `data` (unmasked); returns the close code, answered ids and whether data ran out mid-frame. */
function serverFrames(data: Buffer): { close?: number; ids: unknown[] } {
  const ids: unknown[] = []
  let at = 0
  while (at + 2 <= data.length) {
    const opcode = data[at] & 0x0f
    let length = data[at + 1] & 0x7f
    let head = 2
    if (length === 126) [length, head] = [data.readUInt16BE(at + 2), 4]
    else if (length === 127) [length, head] = [Number(data.readBigUInt64BE(at + 2)), 10]
    if (at + head + length > data.length) break
    const payload = data.subarray(at + head, at + head + length)
    if (opcode === 8) return { close: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, ids }
    if (opcode === 1) {
      const message = JSON.parse(payload.toString('utf8'))
      if (!('event' in message)) ids.push(message.id)
    }
    at += head + length
  }
  return { ids }
}

async function frameRun(rng: Random): Promise<Outcome> {
  const family = 'websocket frames'
  const { bytes, complete } = frameCase(rng)
  const handshake = `GET /api?token=${served.token} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  // The probe: if the connection is still open after the fuzzed frames, it must be answered.
  const probe = frame(1, Buffer.from('{"id":424242,"command":"app.info"}'))
  const settled = (r: Buffer) => {
    const text = r.toString('latin1')
    if (!text.includes('\r\n\r\n')) return false
    const found = serverFrames(r.subarray(text.indexOf('\r\n\r\n') + 4))
    return found.close !== undefined || found.ids.includes(424242)
  }
  const { reply, closed } = await rawExchange(Buffer.concat([Buffer.from(handshake), bytes, probe]), settled, 5000, complete ? 4000 : 1500)
  const text = reply.toString('latin1')
  if (!text.startsWith('HTTP/1.1 101')) return { family, verdict: 'unclear', detail: 'the handshake was refused' }
  const frames = serverFrames(reply.subarray(text.indexOf('\r\n\r\n') + 4))
  // 1000–1015: the protocol's codes; 3000–4999: an application's, echoed when the client closed with one.
  if (frames.close !== undefined)
    return {
      family,
      verdict: (frames.close >= 1000 && frames.close < 1016) || (frames.close >= 3000 && frames.close < 5000) ? 'clear' : 'unclear',
      detail: `closed ${frames.close < 3000 ? frames.close : '3000–4999 (echoed)'}`
    }
  if (frames.ids.includes(424242)) return { family, verdict: 'clear', detail: 'answered' }
  if (!complete && closed) return { family, verdict: 'clear', detail: 'waited for the rest of a frame until the input ended' }
  return { family, verdict: closed ? 'unclear' : 'hang', detail: closed ? 'closed without a close frame' : 'no answer within 5 s' }
}

async function commandRun(rng: Random, state: { ws: WebSocket | null; id: number }): Promise<Outcome> {
  const family = 'json commands'
  state.ws ??= await apiSocket()
  const { text, expectsId } = commandCase(rng, target, ++state.id)
  const { reply, closed, timedOut } = await exchange(state.ws, text, expectsId, 10_000)
  if (timedOut) return { family, verdict: 'hang', detail: 'no reply within 10 s', input: text }
  if (closed !== undefined) {
    state.ws = null
    return { family, verdict: closed === 1009 && text.length > 1024 * 1024 ? 'clear' : 'unclear', detail: `closed ${closed}` }
  }
  const result = reply!.result
  if (result?.ok === true) return { family, verdict: 'clear', detail: 'ok' }
  const error = result?.error
  const clear = result?.ok === false && typeof error?.code === 'string' && CODES.has(error.code) && typeof error.message === 'string' && error.message.length > 10
  return { family, verdict: clear && error?.code !== 'internal' ? 'clear' : 'unclear', detail: `${String(error?.code)}: ${String(error?.message).slice(0, 120)}` }
}

// The Run that trains through the campaign (another starts if it ends before the last case).
const control = await apiSocket()
let controlId = 0
async function command(name: string, request: unknown): Promise<{ ok: boolean; value?: any; error?: any }> {
  const { reply } = await exchange(control, JSON.stringify({ id: ++controlId, command: name, request }), controlId, 120_000)
  return reply!.result as never
}
const runConfig = { folder, model: 'reference-cnn', imageSize: 16, batchSize: 8, epochs: 100, earlyStopping: 0, backend: 'wasm', seed: 1 }
const runs: number[] = []
const startRun = async () => {
  const started = await command('runs.start', { config: runConfig })
  if (!started.ok) throw new Error(`the campaign's Run did not start: ${started.error.message}`)
  runs.push(started.value.id)
}
const runStatus = async (id: number) => (await command('runs.get', { id })).value.status as string
const runSeconds = async (id: number) => Math.round(((await command('runs.get', { id })).value.durationMs ?? 0) / 1000)
await startRun()

const outcomes: Outcome[] = []
const unclear: Outcome[] = []
const started = Date.now()
let next = 0
async function worker(index: number): Promise<void> {
  const rng = new Random(Number(values.seed) * 1000 + index)
  const state = { ws: null as WebSocket | null, id: index * 10_000_000 }
  while (!crashed && next < CASES) {
    next++
    const roll = rng.next()
    let outcome: Outcome
    try {
      outcome = roll < 0.45 ? await httpRun(rng) : roll < 0.65 ? await frameRun(rng) : await commandRun(rng, state)
    } catch (e) {
      outcome = { family: 'harness', verdict: 'unclear', detail: (e as Error).message }
      state.ws = null
    }
    outcomes.push(outcome)
    if (outcome.verdict !== 'clear' && unclear.length < 20) unclear.push(outcome)
    if (outcomes.length % 2000 === 0) log(`  ${outcomes.length} cases in ${Math.round((Date.now() - started) / 1000)} s, Run ${runs.at(-1)} ${await runStatus(runs.at(-1)!)}`)
  }
  state.ws?.close()
}
// A Run trains while the cases run (another starts if it ends first); the last one is awaited.
const fuzzing = Promise.all(Array.from({ length: Number(values.workers) }, (_, i) => worker(i)))
const watching = (async () => {
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000))
    if (crashed) return
    const status = await runStatus(runs.at(-1)!)
    if (['completed', 'failed', 'stopped', 'interrupted'].includes(status)) {
      if (next >= CASES) return
      await startRun()
    }
  }
})()
await fuzzing
await watching
const seconds = (Date.now() - started) / 1000
const finals = crashed ? [] : await Promise.all(runs.map(runStatus))
const durations = crashed ? [] : await Promise.all(runs.map(runSeconds))
control.close()
stopping = !crashed
const exit = crashed ?? (await served.stop())
rmSync(dataDir, { recursive: true, force: true })
for (const dir of [folder, scratch]) rmSync(dir, { recursive: true, force: true })

const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length
const families = [...new Set(outcomes.map((o) => o.family))].sort()
const details = new Map<string, number>()
for (const o of outcomes) {
  const key = `${o.family} → ${o.detail.replace(/:[\s\S]*/, '')}`
  details.set(key, (details.get(key) ?? 0) + 1)
}
const figures = {
  cases: outcomes.length,
  by_family: Object.fromEntries(families.map((f) => [f, count((o) => o.family === f)])),
  crashes: crashed ? 1 : 0,
  hangs: count((o) => o.verdict === 'hang'),
  unclear: count((o) => o.verdict === 'unclear'),
  runs: runs.length,
  runs_completed: finals.filter((s) => s === 'completed').length,
  run_seconds: durations,
  server_exit: exit,
  server_stderr_bytes: served.stderr().length,
  seconds: Math.round(seconds),
  cases_per_second: Math.round(outcomes.length / seconds),
  seed: Number(values.seed),
  load_average_1m_before: load
}
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
log(`\nFuzz campaign against osprey serve (seed ${values.seed}, ${values.workers} workers, ${figures.seconds} s, ${figures.cases_per_second} cases/s; load ${load.toFixed(2)} at start)`)
for (const [key, n] of [...details].sort()) log(`  ${String(n).padStart(6)}  ${key}`)
log(`  cases                ${figures.cases}   target ≥ 20,000: ${pass(figures.cases >= 20_000)}`)
log(`  crashes              ${figures.crashes}   (server ended: ${exit})   ${pass(!crashed && exit === 'exit code 0')}`)
log(`  hangs                ${figures.hangs}   ${pass(figures.hangs === 0)}`)
log(`  unclear replies      ${figures.unclear}   ${pass(figures.unclear === 0)}`)
log(`  Runs completed       ${figures.runs_completed} of ${figures.runs} (${durations.join(', ')} s of training)   ${pass(figures.runs > 0 && figures.runs_completed === figures.runs)}`)
for (const o of unclear) log(`    ! ${o.family}: ${o.verdict}, ${o.detail}${o.input ? ` ← ${JSON.stringify(o.input.slice(0, 300))}` : ''}`)
if (values.json) console.log(JSON.stringify(figures))
process.exit(0)
