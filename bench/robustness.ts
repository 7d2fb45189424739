/**
 * The Bayesian strategy against Optuna's TPE on classic test functions in 2–10 dimensions:
 * `npm run bench:robustness -- [--seeds 11] [--trials 40] [--only NAME,…] [--set tuning|held-out]
 * [--no-tpe] [--json]`. NAME is function-d (e.g. styblinski-tang-4).
 *
 * Each seed runs a fresh Study of sequential Trials; the simple regret after n Trials is the best
 * value found − the known minimum. TPE runs in the same process tree at the same time
 * (reference/optuna_classic.py, Optuna's TPESampler defaults, seeds 0…S−1). Prints, per problem,
 * the median regret at the last Trial of both, the ratio ours/TPE and PASS/FAIL against ≤ 0.5.
 * Held-out problems were never used to tune the strategy: they say whether a change generalises.
 */
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import { createStrategy } from '../src-main/tuning/strategies'
import type { Observation } from '../src-main/tuning/types'
import { classicObjective, type ClassicObjective } from './objectives/classic'
import { median } from './lib/stats'

/** Function-dimensions measured, and whether the strategy's design may look at them. */
export const PROBLEMS: { name: string; heldOut: boolean }[] = [
  ...['styblinski-tang', 'ackley', 'rosenbrock'].flatMap((f) => [2, 4, 10].map((d) => ({ name: `${f}-${d}`, heldOut: false }))),
  ...[2, 4, 10].map((d) => ({ name: `levy-${d}`, heldOut: true })),
  ...[2, 5, 10].map((d) => ({ name: `michalewicz-${d}`, heldOut: true }))
]
const TARGET = 0.5

function parseArgs(argv: string[]) {
  const args = { seeds: 11, trials: 40, only: [] as string[], set: '', tpe: true, json: false }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2)
    const value = () => inline ?? argv[++i] ?? ''
    if (flag === '--seeds') args.seeds = Number(value())
    else if (flag === '--trials') args.trials = Number(value())
    else if (flag === '--only') args.only = value().split(',')
    else if (flag === '--set') args.set = value()
    else if (flag === '--no-tpe') args.tpe = false
    else if (flag === '--json') args.json = true
    else throw new Error(`unknown argument ${argv[i]}`)
  }
  return args
}

/** Regret after each checkpoint of one sequential Study, and the mean suggestion time. */
function runStudy(o: ClassicObjective, seed: number, trials: number, checkpoints: number[]): { regret: number[]; ms: number } {
  const strategy = createStrategy('bayesian', o.space, seed)
  const history: Observation[] = []
  let best = Infinity
  const bests: number[] = []
  const t0 = performance.now()
  for (let n = 0; n < trials; n++) {
    const params = strategy.suggest(history, n)!
    const value = o.evaluate(params)
    history.push({ number: n, params, status: 'completed', value, intermediate: [] })
    bests.push((best = Math.min(best, value)))
  }
  return { regret: checkpoints.map((c) => bests[c - 1] - o.minimum), ms: (performance.now() - t0) / trials }
}

/** Runs the Optuna anchor on `names`; resolves to name → median regret per checkpoint. */
function runTpe(names: string[], seeds: number, trials: number): Promise<Map<string, Record<string, number>>> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [new URL('./reference/optuna_classic.py', import.meta.url).pathname, '--sampler', 'tpe', '--seeds', String(seeds), '--trials', String(trials), ...names])
    let out = ''
    child.stdout.on('data', (b) => (out += b))
    child.stderr.on('data', (b) => process.stderr.write(b))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`optuna_classic.py exited with ${code}`))
      resolve(
        new Map(
          out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
            .map((r) => [r.function, r.median_regret])
        )
      )
    })
  })
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2))

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const problems = PROBLEMS.filter((p) => (args.only.length === 0 || args.only.includes(p.name)) && (args.set === '' || (args.set === 'held-out') === p.heldOut))
  const checkpoints = [10, 20, 30, 40].filter((c) => c < args.trials).concat(args.trials)
  const load = loadavg()[0].toFixed(2)
  const t0 = performance.now()
  const tpe = args.tpe
    ? runTpe(
        problems.map((p) => p.name),
        args.seeds,
        args.trials
      )
    : Promise.resolve(new Map())
  const rows: Record<string, unknown>[] = []
  for (const p of problems) {
    const [fn, d] = p.name.split(/-(?=\d+$)/)
    const o = classicObjective(fn, Number(d))
    const runs = Array.from({ length: args.seeds }, (_, seed) => runStudy(o, seed, args.trials, checkpoints))
    const ours = Object.fromEntries(checkpoints.map((c, k) => [c, median(runs.map((r) => r.regret[k]))]))
    rows.push({ problem: p.name, held_out: p.heldOut, bayesian: ours, suggest_ms: median(runs.map((r) => r.ms)) })
    await new Promise((r) => setImmediate(r)) // let the anchor's output in
  }
  const anchor = await tpe
  console.log(`Bayesian vs Optuna TPE, ${args.seeds} seeds × ${args.trials} Trials, median simple regret (load ${load} before, ${((performance.now() - t0) / 1000).toFixed(0)} s)`)
  console.log(`| function | d | held out | Bayesian @${args.trials} | TPE @${args.trials} | ratio | ≤ ${TARGET}× TPE | ms/suggestion |`)
  console.log('|---|---:|---|---:|---:|---:|---|---:|')
  let pass = 0
  for (const row of rows) {
    const ours = (row.bayesian as Record<number, number>)[args.trials]
    const theirs = anchor.get(row.problem as string)?.[String(args.trials)]
    const ratio = theirs === undefined ? NaN : ours / theirs
    row.tpe = anchor.get(row.problem as string) ?? null
    row.ratio = ratio
    if (ratio <= TARGET) pass++
    const [fn, d] = (row.problem as string).split(/-(?=\d+$)/)
    console.log(
      `| ${fn} | ${d} | ${row.held_out ? 'yes' : ''} | ${fmt(ours)} | ${theirs === undefined ? '—' : fmt(theirs)} | ${Number.isNaN(ratio) ? '—' : ratio.toFixed(2)} | ${Number.isNaN(ratio) ? '—' : ratio <= TARGET ? 'PASS' : 'FAIL'} | ${(row.suggest_ms as number).toFixed(0)} |`
    )
  }
  const logRatios = rows.map((r) => Math.log(r.ratio as number)).filter(Number.isFinite)
  if (logRatios.length) console.log(`${pass} of ${rows.length} PASS; geometric mean ratio ${Math.exp(logRatios.reduce((a, b) => a + b, 0) / logRatios.length).toFixed(3)}`)
  if (args.json) console.log(JSON.stringify({ bench: 'robustness', seeds: args.seeds, trials: args.trials, load_average_1m_before: Number(load), rows }))
}

await main()
