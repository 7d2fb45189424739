/**
 * `npm run build && npm run bench:kill -- [--trials N] [--seed S] [--json]`: kill -9 at random
 * moments, over N trials (default 20), of the app (`osprey serve` with a Run started over its
 * API), of the command line (`osprey train`, `osprey runs resume`), and of the training worker of
 * either. After each kill: the database passes PRAGMA integrity_check, every Run is completed or
 * (once start-up has looked) interrupted and so resumable, no file of another Run changed, and no
 * worker outlived its parent. At the end every interrupted Run is resumed and must complete.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import WebSocket from 'ws'
import { Random } from '../src-main/pipeline/random'
import { writeStripes } from '../tests/helpers/stripes'
import { CLI, startServe } from './lib/serve'

const { values } = parseArgs({
  options: { trials: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, victims: { type: 'string', default: 'app,cli,worker of app,worker of cli' }, json: { type: 'boolean' } }
})
const TRIALS = Number(values.trials)
const log = (text: string) => !values.json && console.log(text)
const rng = new Random(Number(values.seed))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const dataDir = mkdtempSync(join(tmpdir(), 'osprey-kill-data-'))
const folder = mkdtempSync(join(tmpdir(), 'osprey-kill-stripes-'))
await writeStripes(folder, 40)
const TRAIN = ['--model', 'reference-cnn', '--image-size', '16', '--batch-size', '8', '--epochs', '100', '--early-stop', '0', '--backend', 'wasm', '--seed', '1']

/** Every process whose parent is `pid`, youngest last (Linux /proc). */
function children(pid: number): number[] {
  const found: [number, number][] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid) found.push([Number(entry), Number(fields[19])])
    } catch {
      // gone meanwhile
    }
  }
  return found.sort((a, b) => a[1] - b[1]).map(([p]) => p)
}

/** What a process is and what its threads wait on, to say why it did not end. */
function describe(pid: number): string {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    const threads = readdirSync(`/proc/${pid}/task`).map((t) => {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')
      return `${readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)}:${readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8')}`
    })
    return `${command} (parent ${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]}) threads ${threads.join(' ')}`
  } catch (e) {
    return `(${(e as Error).message})`
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') // a zombie is gone
  } catch {
    return false
  }
}

/** SHA-256 of every file under runs/, by path, except the folder of Run `except`. */
function runFiles(except: number | null): Map<string, string> {
  const files = new Map<string, string>()
  const runs = join(dataDir, 'runs')
  if (!existsSync(runs)) return files
  for (const e of readdirSync(runs, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name)
    const rel = path.slice(runs.length + 1)
    if (!e.isFile() || (except !== null && rel.split('/')[0] === String(except))) continue
    files.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'))
  }
  return files
}

/** The CLI's view after start-up (which interrupts orphaned Runs): every Run's id and status. */
function runStatuses(): { id: number; status: string }[] {
  const listed = spawnSync(process.execPath, [CLI, 'runs', 'list', '--json', '--data-dir', dataDir], { encoding: 'utf8' })
  return listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === 'run')
}

function integrity(): string {
  const db = new Database(join(dataDir, 'osprey.db'))
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

/** Starts a Run (or resumes Run `resume`) in the command line; resolves with the process once it has started. */
function cliTraining(resume: number | null): ChildProcess {
  const args = resume === null ? ['train', folder, ...TRAIN] : ['runs', 'resume', String(resume)]
  return spawn(process.execPath, [CLI, ...args, '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Starts a Run (or resumes one) through a running app's API. */
async function appTraining(port: number, token: string, resume: number | null): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`)
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  const command =
    resume === null
      ? { command: 'runs.start', request: { config: { folder, model: 'reference-cnn', imageSize: 16, batchSize: 8, epochs: 100, earlyStopping: 0, backend: 'wasm', seed: 1 } } }
      : { command: 'runs.resume', request: { id: resume } }
  const reply = await new Promise<{ result: { ok: boolean; error?: { message: string } } }>((resolve) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d))
      if (m.id === 1) resolve(m)
    })
    ws.send(JSON.stringify({ id: 1, ...command }))
  })
  ws.close()
  if (!reply.result.ok) throw new Error(`the app refused to train: ${reply.result.error?.message}`)
}

/** The youngest child of `parent` (the training worker, once training has begun: it starts after the scan's); null if none came. */
async function trainingWorker(parent: number, ms = 30_000): Promise<number | null> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const kids = children(parent)
    if (kids.length) return kids.at(-1)!
    await sleep(50)
  }
  return null
}

interface Trial {
  trial: number
  victim: 'app' | 'cli' | 'worker of app' | 'worker of cli'
  resumed: number | null
  killedAfterMs: number
  integrity: string
  statuses: string
  otherRunsUnchanged: boolean
  orphanWorker: boolean
  ok: boolean
}

const load = loadavg()[0]
const started = Date.now()
const trials: Trial[] = []
const victims = values.victims.split(',') as Trial['victim'][]
for (let t = 1; t <= TRIALS; t++) {
  const victim = victims[(t - 1) % victims.length]
  const interrupted = t > 1 ? runStatuses().filter((r) => r.status === 'interrupted') : []
  // One trial in three goes on with an interrupted Run, so a kill can land in a resumed Run too.
  const resumed = interrupted.length && rng.next() < 0.34 ? interrupted[rng.int(interrupted.length)].id : null
  const before = runFiles(resumed)
  let parent: ChildProcess
  let app: Awaited<ReturnType<typeof startServe>> | null = null
  // The training worker exists once the app has answered runs.start, or the command line has printed its first line.
  let training: Promise<unknown>
  if (victim === 'app' || victim === 'worker of app') {
    app = await startServe(dataDir)
    parent = app.child
    training = appTraining(app.port, app.token, resumed)
    if (victim === 'worker of app') await training
    else training.catch(() => {}) // killed before it answered: that is the point
  } else {
    parent = cliTraining(resumed)
    const lines = createInterface({ input: parent.stdout! })
    training = new Promise((resolve) => lines.once('line', resolve))
    lines.on('line', () => {})
    parent.stderr!.resume()
  }
  const parentExited = new Promise<void>((resolve) => (parent.exitCode !== null ? resolve() : parent.once('exit', () => resolve())))
  let worker: number | null = null
  const from = Date.now()
  if (victim.startsWith('worker')) {
    await Promise.race([training, sleep(60_000)])
    worker = await trainingWorker(parent.pid!)
    await sleep(rng.uniform(0, 6000))
    if (worker && alive(worker)) process.kill(worker, 'SIGKILL')
  } else {
    await sleep(rng.uniform(0, victim === 'cli' ? 12_000 : 10_000))
    const kids = children(parent.pid!)
    worker = kids.at(-1) ?? null
    if (parent.exitCode === null) process.kill(parent.pid!, 'SIGKILL')
  }
  const killedAfterMs = Math.round(Date.now() - from)
  // A worker killed under a live parent: the parent records the Run interrupted and goes on (the
  // command line then exits); a killed parent's worker must end by itself.
  if (victim.startsWith('worker') && app) {
    await sleep(1500)
    await app.stop()
  }
  await Promise.race([parentExited, sleep(120_000)])
  let orphanWorker = false
  if (worker !== null) {
    const until = Date.now() + 15_000
    while (alive(worker) && Date.now() < until) await sleep(100)
    orphanWorker = alive(worker)
    if (orphanWorker) {
      log(`    orphan ${worker}: ${describe(worker)}`)
      process.kill(worker, 'SIGKILL')
    }
  }
  const check = integrity()
  const statuses = runStatuses()
  const unchanged = [...before].every(([path, hash]) => runFiles(resumed).get(path) === hash)
  const settled = statuses.every((r) => r.status === 'completed' || r.status === 'interrupted')
  const trial: Trial = {
    trial: t,
    victim,
    resumed,
    killedAfterMs,
    integrity: check,
    statuses: statuses.map((r) => `${r.id}:${r.status}`).join(' '),
    otherRunsUnchanged: unchanged,
    orphanWorker,
    ok: check === 'ok' && settled && unchanged && !orphanWorker
  }
  trials.push(trial)
  log(
    `${String(t).padStart(2)}  kill -9 ${victim.padEnd(13)} ${resumed === null ? 'new Run     ' : `resumed Run ${String(resumed).padEnd(3)}`} after ${String(killedAfterMs).padStart(5)} ms  integrity ${check}  others unchanged ${unchanged}  orphan worker ${orphanWorker}  → ${trial.statuses}`
  )
}

// Every Run left interrupted must go on to the end.
const leftover = runStatuses().filter((r) => r.status === 'interrupted')
const resumedAtEnd: { id: number; status: string }[] = []
for (const run of leftover) {
  const before = runFiles(run.id)
  const done = spawnSync(process.execPath, [CLI, 'runs', 'resume', String(run.id), '--json', '--data-dir', dataDir], { encoding: 'utf8' })
  const last = JSON.parse(done.stdout.trim().split('\n').at(-1) ?? '{}')
  const unchanged = [...before].every(([path, hash]) => runFiles(run.id).get(path) === hash)
  resumedAtEnd.push({ id: run.id, status: unchanged ? String(last.status) : `${last.status}, but another Run's files changed` })
}
const final = runStatuses()
const figures = {
  trials: trials.length,
  by_victim: Object.fromEntries(victims.map((v) => [v, trials.filter((t) => t.victim === v).length])),
  integrity_ok: trials.filter((t) => t.integrity === 'ok').length,
  other_runs_unchanged: trials.filter((t) => t.otherRunsUnchanged).length,
  orphan_workers: trials.filter((t) => t.orphanWorker).length,
  trials_ok: trials.filter((t) => t.ok).length,
  interrupted_resumed: resumedAtEnd.length,
  resumed_completed: resumedAtEnd.filter((r) => r.status === 'completed').length,
  runs: final.length,
  runs_completed_at_end: final.filter((r) => r.status === 'completed').length,
  final_integrity: integrity(),
  seconds: Math.round((Date.now() - started) / 1000),
  seed: Number(values.seed),
  load_average_1m_before: load
}
rmSync(dataDir, { recursive: true, force: true })
rmSync(folder, { recursive: true, force: true })
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
log(`\nkill -9 campaign (seed ${values.seed}, ${figures.seconds} s; load ${load.toFixed(2)} at start)`)
log(
  `  trials                         ${figures.trials} (${Object.entries(figures.by_victim)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')})`
)
log(`  database integrity ok          ${figures.integrity_ok} of ${figures.trials}   ${pass(figures.integrity_ok === figures.trials)}`)
log(`  every Run completed or resumable, no file of another Run changed, no orphan worker: ${figures.trials_ok} of ${figures.trials}   ${pass(figures.trials_ok === figures.trials)}`)
log(`  interrupted Runs resumed at the end: ${figures.resumed_completed} of ${figures.interrupted_resumed} completed   ${pass(figures.resumed_completed === figures.interrupted_resumed)}`)
log(
  `  Runs completed at the end      ${figures.runs_completed_at_end} of ${figures.runs}; integrity ${figures.final_integrity}   ${pass(figures.runs_completed_at_end === figures.runs && figures.final_integrity === 'ok')}`
)
if (values.json) console.log(JSON.stringify({ ...figures, details: trials, resumedAtEnd }))
process.exit(0) // pending timers (a race's losing sleep) would keep the process, and the lock, for minutes
