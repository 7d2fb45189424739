/**
 * `npm run bench:queue -- [--trials 1000] [--rounds 5] [--workers 4] [--long-ms 2000] [--per-worker 8] [--json]`
 * The cost of coordinating Trials through the queue. Every Trial is a synthetic one
 * (bench/lib/synthetic-trial.mjs: a real process per Trial, as in training, that waits instead of
 * training), so what is measured is what the queue adds: BullMQ's job, the worker taking it, its
 * progress stream, the model sent back, the studio recording the outcome. Three figures:
 *  1. overhead: N tiny Trials (no wait) through the local Trial pool and through the queue to
 *     `--workers` worker processes, the same number in flight, in `--rounds` alternating rounds:
 *     the median of the rounds' differences, per Trial of the Study (its wall time ÷ Trials: what
 *     the queue adds to a Study) and per Trial slot (× Trials in flight: how much longer each Trial
 *     takes from start to result); beside it, the CPU time the studio, the workers and Redis spend
 *     per Trial (from /proc on Linux; each Trial's own process aside);
 *  2. tiny Trials per hour with 1, 2, 4 workers (coordination-bound);
 *  3. Trials of `--long-ms` with 1, 2, 4 workers (`--per-worker` Trials each): Trials per hour and
 *     scaling efficiency (throughput with k workers / k × with 1). Target: ≥ 0.9, and ≤ 50 ms per Trial.
 * Everything runs on this machine, on loopback: a redis-server of the system's on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import type { TrainingConfig } from '../src-main/contract'
import { WorkerPool } from '../src-main/jobs/pool'
import { nodeSpawner } from '../src-main/jobs/spawn-node'
import { workerFile } from '../src-main/paths'
import { startRedisServer } from '../src-main/queue/redis-server'
import { QueueTrials } from '../src-main/queue/studio'
import { createServices } from '../src-main/services'
import { RunRepository } from '../src-main/store/runs'
import { resolveConfig } from '../src-main/runs/config'
import type { TrainJobInput } from '../src-main/runs/protocol'
import { writeStripes } from '../tests/helpers/stripes'
import { median } from './lib/stats'

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '4' },
    'long-ms': { type: 'string', default: '2000' },
    'per-worker': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean' }
  }
})
const N = Number(values.trials)
const K = Number(values.workers)
const LONG_MS = Number(values['long-ms'])
const PER_WORKER = Number(values['per-worker'])
const log = (line: string) => !values.json && console.log(line)
const SYNTHETIC = resolve('bench/lib/synthetic-trial.mjs')

const tmp = mkdtempSync(join(tmpdir(), 'osprey-bench-queue-'))
const folder = join(tmp, 'stripes')
await writeStripes(folder, 12)
const dataDir = join(tmp, 'studio')
// The built worker starts in a fraction of the time tsx needs (only the one scan uses it).
const built = resolve('out/main/worker.js')
const services = createServices({ dataDir, spawnWorker: nodeSpawner(existsSync(built) ? built : workerFile()), transport: 'http' })
const report = await services.datasets.scan(folder)
const runs = new RunRepository(services.db)
const redis = await startRedisServer(join(tmp, 'redis'))
const queue = new QueueTrials({ url: redis.url, db: services.db, dataDir })
await queue.ready()

/** `count` new Runs (recorded, as the TrainingService would) and their job inputs. */
function inputs(count: number): TrainJobInput[] {
  return Array.from({ length: count }, (_, i) => {
    const config: TrainingConfig = resolveConfig({ folder, model: 'reference-cnn', imageSize: 16, epochs: 1, batchSize: 8, backend: 'wasm', learningRate: 10 ** (-1 - (i % 7) * 0.5), seed: 1 }, report)
    const runId = runs.create({ name: `bench ${i}`, datasetId: report.id, fingerprint: report.fingerprint, config })
    return {
      runId,
      dbFile: join(dataDir, 'osprey.db'),
      datasetId: report.id,
      runDir: join(dataDir, 'runs', String(runId)),
      cacheDir: join(dataDir, 'cache', 'images'),
      config,
      resume: false,
      replicas: 1
    }
  })
}

/** Runs every input through `run`, `inFlight` at a time; the wall time in ms. */
async function timed(all: TrainJobInput[], inFlight: number, run: (input: TrainJobInput) => Promise<unknown>): Promise<number> {
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < all.length) await run(all[next++])
    })
  )
  return performance.now() - started
}

/** `count` synthetic workers (the real TrialWorker), each Trial waiting `ms`. */
async function startWorkers(count: number, ms: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/synthetic-worker.ts', redis.url, join(tmp, 'worker'), `bench-${i + 1}`], {
        env: { ...process.env, OSPREY_SYNTHETIC_MS: String(ms) },
        stdio: ['ignore', 'pipe', 'inherit']
      })
      return new Promise<ChildProcess>((done) => createInterface({ input: child.stdout! }).on('line', (line) => line.includes('"type":"worker"') && done(child)))
    })
  )
}
async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise((done) => (w.once('exit', done), w.kill('SIGKILL')))))
}

/** CPU time (ms) process `pid` has used itself; 0 where /proc is not there. */
function cpuOf(pid: number | undefined): number {
  const stat = pid && existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ') : null
  return stat ? ((Number(stat[11]) + Number(stat[12])) * 1000) / 100 : 0 // utime + stime, in clock ticks (USER_HZ, 100 on Linux)
}
const studioCpu = () => {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}
/** CPU ms per Trial, beside each Trial's own process: the studio's, the workers', Redis's. */
interface Cpu {
  studio: number
  workers: number
  redis: number
}

async function viaQueue(count: number, workers: number, ms: number, cpu?: Cpu): Promise<number> {
  const started = await startWorkers(workers, ms)
  try {
    const before = { studio: studioCpu(), workers: started.map((w) => cpuOf(w.pid)), redis: cpuOf(redis.pid) }
    const wall = await timed(inputs(count), workers, (input) => queue.run('train', input, {}))
    if (cpu) {
      cpu.studio = (studioCpu() - before.studio) / count
      cpu.workers = started.reduce((sum, w, i) => sum + cpuOf(w.pid) - before.workers[i], 0) / count
      cpu.redis = (cpuOf(redis.pid) - before.redis) / count
    }
    return wall
  } finally {
    await stopWorkers(started)
  }
}

async function viaPool(count: number, inFlight: number, ms: number, cpu?: Cpu): Promise<number> {
  process.env.OSPREY_SYNTHETIC_MS = String(ms) // each Trial's process inherits it
  const pool = new WorkerPool(nodeSpawner(SYNTHETIC), inFlight)
  const before = studioCpu()
  const wall = await timed(inputs(count), inFlight, (input) => pool.run('train', input, {}))
  if (cpu) Object.assign(cpu, { studio: (studioCpu() - before) / count, workers: 0, redis: 0 })
  return wall
}

const perHour = (count: number, ms: number) => Math.round((count / ms) * 3_600_000)
log(`Coordination of ${N} tiny Trials over ${K} in flight (${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`)
// Local pool and queue take turns, round after round, so that the machine's drifting load weighs
// on both alike; the figure is the median of the rounds' differences.
const ROUNDS = Number(values.rounds)
const perRound = Math.round(N / ROUNDS)
const slot = (ms: number) => (ms * K) / perRound // ms a Trial slot spends per Trial
const rounds: { local: number; queue: number; localCpu: Cpu; queueCpu: Cpu }[] = []
const cpuLine = (c: Cpu) => `${(c.studio + c.workers + c.redis).toFixed(1)} (studio ${c.studio.toFixed(1)}, workers ${c.workers.toFixed(1)}, Redis ${c.redis.toFixed(1)})`
for (let r = 1; r <= ROUNDS; r++) {
  const localCpu: Cpu = { studio: 0, workers: 0, redis: 0 }
  const queueCpu: Cpu = { studio: 0, workers: 0, redis: 0 }
  const round = { local: slot(await viaPool(perRound, K, 0, localCpu)), queue: slot(await viaQueue(perRound, K, 0, queueCpu)), localCpu, queueCpu }
  rounds.push(round)
  log(`  round ${r}: ${perRound} Trials, local pool ${round.local.toFixed(1)} ms, queue ${round.queue.toFixed(1)} ms per Trial slot (load ${loadavg()[0].toFixed(1)})`)
  log(`    CPU ms per Trial besides its own process: local ${cpuLine(localCpu)}; queue ${cpuLine(queueCpu)}`)
}
const local = median(rounds.map((r) => r.local))
const onQueue = median(rounds.map((r) => r.queue))
const differences = rounds.map((r) => r.queue - r.local)
const overhead = median(differences)
log(`  local Trial pool ${local.toFixed(1)} ms, queue with ${K} workers ${onQueue.toFixed(1)} ms per Trial slot (medians)`)
log(`  the queue adds ${(overhead / K).toFixed(1)} ms per Trial of the Study (its wall time ÷ ${perRound} Trials; target ≤ 50)`)
log(
  `  and ${overhead.toFixed(1)} ms per Trial slot (median of ${ROUNDS} rounds; ${Math.min(...differences).toFixed(1)} to ${Math.max(...differences).toFixed(1)}): each Trial's start to result, ${K} in flight`
)
const medianCpu = (side: 'localCpu' | 'queueCpu'): Cpu => ({
  studio: median(rounds.map((r) => r[side].studio)),
  workers: median(rounds.map((r) => r[side].workers)),
  redis: median(rounds.map((r) => r[side].redis))
})
log(`  CPU ms per Trial besides its own process (medians): local ${cpuLine(medianCpu('localCpu'))}; queue ${cpuLine(medianCpu('queueCpu'))}`)

const tiny: Record<number, number> = {}
const long: Record<number, number> = {}
for (const k of [1, 2, 4]) {
  const count = Math.min(N, 50 * k)
  tiny[k] = perHour(count, await viaQueue(count, k, 0))
  const longCount = PER_WORKER * k
  long[k] = perHour(longCount, await viaQueue(longCount, k, LONG_MS))
  log(`  ${k} worker(s): tiny Trials ${tiny[k]}/hour; Trials of ${LONG_MS} ms ${long[k]}/hour (ideal ${Math.round((3_600_000 / LONG_MS) * k)}), efficiency ${(long[k] / (k * long[1])).toFixed(3)}`)
}

const result = {
  trials: N,
  inFlight: K,
  rounds,
  localMsPerTrial: local,
  queueMsPerTrial: onQueue,
  overheadMsPerTrial: overhead / K,
  overheadMsPerSlot: overhead,
  cpuMsPerTrial: { local: medianCpu('localCpu'), queue: medianCpu('queueCpu') },
  tinyPerHour: tiny,
  longMs: LONG_MS,
  longPerHour: long,
  efficiency: Object.fromEntries([1, 2, 4].map((k) => [k, long[k] / (k * long[1])])),
  cores: cpus().length
}
if (values.json) console.log(JSON.stringify(result))
await queue.close()
services.close()
await redis.stop()
rmSync(tmp, { recursive: true, force: true })
process.exit(0)
