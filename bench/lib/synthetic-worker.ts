/** `osprey worker` for the queue benchmarks: the real TrialWorker, its Trials synthetic (bench/lib/synthetic-trial.mjs). */
import { fileURLToPath } from 'node:url'
import { nodeSpawner } from '../../src-main/jobs/spawn-node'
import { TrialWorker } from '../../src-main/queue/trial-worker'

const [url, dataDir, name] = process.argv.slice(2)
const worker = await TrialWorker.start({
  url,
  dataDir,
  name,
  concurrency: 1,
  spawnWorker: nodeSpawner(fileURLToPath(new URL('./synthetic-trial.mjs', import.meta.url))),
  lockMs: Number(process.env.OSPREY_QUEUE_LOCK_MS) || undefined,
  log: (line) => process.stdout.write(`${JSON.stringify({ type: 'log', message: line })}\n`)
})
process.stdout.write(`${JSON.stringify({ type: 'worker', name: worker.name })}\n`)
process.once('SIGTERM', () => void worker.handBack().then(() => process.exit(0)))
