/**
 * `npm run build && npm run bench:queue-faults -- [--kills 20] [--trials 30] [--workers 4] [--ms 3000] [--seed 1] [--json]`
 * Kills random workers (kill -9) while a Study trains on the queue. A real studio (the
 * services, SQLite, the Study loop), a real redis-server, real `TrialWorker` processes; each Trial
 * synthetic (bench/lib/synthetic-trial.mjs: a process per Trial that waits `--ms` over 3 Epochs,
 * with a checkpoint after each). Every 1–3 s a worker that is training a Trial is killed with
 * SIGKILL and a fresh one started, `--kills` times. At the end: every Trial completed once (none
 * lost), one Run per Trial with each Epoch recorded once, each job completed by exactly one worker
 * (none counted twice), and each killed Trial taken again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import type { TrialSummary } from '../src-main/contract'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { Random } from '../src-main/pipeline/random'
import { startRedisServer } from '../src-main/queue/redis-server'
import { QueueTrials } from '../src-main/queue/studio'
import { createServices } from '../src-main/services'
import { writeStripes } from '../tests/helpers/stripes'

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    trials: { type: 'string', default: '30' },
    workers: { type: 'string', default: '4' },
    ms: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean' }
  }
})
const KILLS = Number(values.kills)
const TRIALS = Number(values.trials)
const log = (line: string) => !values.json && console.log(line)
const rng = new Random(Number(values.seed))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const tmp = mkdtempSync(join(tmpdir(), 'osprey-bench-faults-'))
const folder = join(tmp, 'stripes')
await writeStripes(folder, 12)
const redis = await startRedisServer(join(tmp, 'redis'))
const built = resolve('out/main/worker.js')
const services = createServices({
  dataDir: join(tmp, 'studio'),
  spawnWorker: nodeSpawner(existsSync(built) ? built : workerFile()),
  transport: 'http',
  queue: (deps) => new QueueTrials({ url: redis.url, ...deps })
})
await services.queue!.ready()

/** Every worker's log lines, and the workers alive by name. */
const logs: { worker: string; message: string }[] = []
const alive = new Map<string, ChildProcess>()
let started = 0
async function startWorker(): Promise<void> {
  const name = `w${++started}`
  // One machine: the workers share a data folder, so a Trial taken again resumes from its checkpoint.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/synthetic-worker.ts', redis.url, join(tmp, 'machine'), name], {
    env: { ...process.env, OSPREY_SYNTHETIC_MS: values.ms, OSPREY_QUEUE_LOCK_MS: '3000' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  await new Promise<void>((ready) =>
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as { type: string; message?: string }
      if (line.type === 'worker') ready()
      if (line.type === 'log') logs.push({ worker: name, message: line.message! })
    })
  )
  alive.set(name, child)
}
for (let i = 0; i < Number(values.workers); i++) await startWorker()

const running = new Map<number, TrialSummary>()
services.events.on('studies.trial', (t) => (t.status === 'running' ? running.set(t.number, t) : running.delete(t.number)))
const space = { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } }
const study = await services.studies.start({
  folder,
  space,
  strategy: 'random',
  trials: TRIALS,
  parallel: Number(values.workers),
  seed: 1,
  training: { model: 'reference-cnn', imageSize: 16, epochs: 3, batchSize: 8 },
  trialsOn: 'queue'
})
const t0 = Date.now()
const done = services.studies.finished(study.id)
let finished = false
void done.then(() => (finished = true))

const killed: { worker: string; trial: number; runId: number }[] = []
while (killed.length < KILLS && !finished) {
  await sleep(1000 + rng.next() * 2000)
  const victims = [...running.values()].filter((t) => t.worker && alive.has(t.worker) && t.intermediate.length < 3)
  if (victims.length === 0) continue
  const victim = victims[Math.floor(rng.next() * victims.length)]
  alive.get(victim.worker!)!.kill('SIGKILL')
  alive.delete(victim.worker!)
  killed.push({ worker: victim.worker!, trial: victim.number, runId: victim.runId! })
  log(`  kill -9 ${victim.worker} during Trial ${victim.number} (Run ${victim.runId}, ${victim.intermediate.length} Epochs done)`)
  await startWorker()
}
const summary = await done
const wallS = (Date.now() - t0) / 1000

const detail = services.studies.get(study.id)
const numbers = detail.trialList.map((t) => t.number)
const lost = TRIALS - detail.trialList.filter((t) => t.status === 'completed').length
const runsOfStudy = services.db.prepare('SELECT id FROM runs WHERE study_id = ?').pluck().all(study.id) as number[]
const badCurves = runsOfStudy.filter((id) => JSON.stringify(services.training.get(id).epochMetrics.map((e) => e.epoch)) !== '[1,2,3]')
const completions = (runId: number) => logs.filter((l) => new RegExp(`^Run ${runId} .*completed; the model went`).test(l.message)).length
const doubled = runsOfStudy.filter((id) => completions(id) !== 1).length + (runsOfStudy.length - TRIALS) + (numbers.length - new Set(numbers).size)
const retaken = killed.filter((k) => logs.some((l) => new RegExp(`^Run ${k.runId} .*taken again`).test(l.message))).length
const resumed = logs.filter((l) => /resuming after Epoch/.test(l.message)).length
const result = {
  kills: killed.length,
  trials: TRIALS,
  completed: summary.counts.completed,
  lost,
  doubled,
  runs: runsOfStudy.length,
  badCurves: badCurves.length,
  retaken,
  resumedFromCheckpoint: resumed,
  wallS
}
log(
  `${killed.length} kills over ${TRIALS} Trials in ${wallS.toFixed(0)} s: ${summary.counts.completed} completed, ${lost} lost, ${doubled} counted twice; ${runsOfStudy.length} Runs, ${badCurves.length} with an Epoch missing or twice; ${retaken} of ${killed.length} killed Trials taken again (${resumed} resumed from a checkpoint).`
)
if (values.json) console.log(JSON.stringify(result))
for (const child of alive.values()) child.kill('SIGKILL')
services.close()
await redis.stop()
rmSync(tmp, { recursive: true, force: true })
process.exit(lost === 0 && doubled === 0 && badCurves.length === 0 ? 0 : 1)
