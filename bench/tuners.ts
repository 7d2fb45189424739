/**
 * Tuning strategies on test functions (no training): `npm run bench:tuners -- --strategy
 * grid|random|bayesian --trials N --seeds S [--function branin|hartmann6] [--objective FILE]
 * [--parallel P] [--json]`, or `--overhead` for the time of one Bayesian suggestion with 100 Trials in 10-D.
 *
 * Each seed runs a fresh Study of N sequential Trials; the simple regret after n Trials is the
 * best value found − the known minimum. Prints the median and quartiles over seeds at 10, 20,
 * 30, 40 … Trials (as ../shared/reference/optuna_ref.py does for Optuna) and the time per
 * suggestion; with --json the last line is one JSON object holding `median_regret`.
 * An objective file is an ES module exporting `{ name, space, minimum, evaluate(params) }`
 * (named or as default; evaluate may be async); the space is validated like a user's.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import { validateSpace } from '../src-main/tuning/space'
import { STRATEGY_NAMES, createStrategy } from '../src-main/tuning/strategies'
import type { Observation, Params, SearchSpace, Strategy } from '../src-main/tuning/types'
import { Random } from '../src-main/pipeline/random'

/** A test problem, in the module shape `--objective` loads. */
interface Objective {
  name: string
  space: SearchSpace
  minimum: number
  evaluate(params: Params): number | Promise<number>
}

interface Args {
  strategy: Strategy['name']
  trials: number
  seeds: number
  fn: string
  objective?: string
  json: boolean
  overhead: boolean
  parallel: number
}

function fail(message: string): never {
  console.error(message)
  console.error('usage: npm run bench:tuners -- --strategy grid|random|bayesian --trials N --seeds S [--function branin|hartmann6|mixed] [--objective FILE] [--parallel P] [--json] | --overhead')
  process.exit(2)
}

function parseArgs(argv: string[]): Args {
  const args: Args = { strategy: 'bayesian', trials: 40, seeds: 20, fn: 'branin', json: false, overhead: false, parallel: 1 }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2)
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`)
    const positive = () => {
      const v = value()
      const n = Number(v)
      return Number.isInteger(n) && n > 0 ? n : fail(`${flag} needs a positive integer, got ${v}`)
    }
    if (flag === '--strategy') {
      const s = value()
      if (!(STRATEGY_NAMES as readonly string[]).includes(s)) fail(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}, got ${s}`)
      args.strategy = s as Strategy['name']
    } else if (flag === '--trials') args.trials = positive()
    else if (flag === '--seeds') args.seeds = positive()
    else if (flag === '--function') args.fn = value()
    else if (flag === '--objective') args.objective = value()
    else if (flag === '--parallel') args.parallel = positive()
    else if (flag === '--json') args.json = true
    else if (flag === '--overhead') args.overhead = true
    else fail(`unknown argument ${argv[i]}`)
  }
  return args
}

/** Loads a built-in objective by name or an objective module from a file. */
async function loadObjective(args: Args): Promise<Objective> {
  const url = args.objective ? pathToFileURL(resolve(args.objective)).href : new URL(`./objectives/${args.fn}.ts`, import.meta.url).href
  let mod: Record<string, unknown>
  try {
    mod = await import(url)
  } catch (e) {
    fail(args.objective ? `cannot load ${args.objective}: ${(e as Error).message}` : `unknown --function ${args.fn} (built in: branin, hartmann6, mixed)`)
  }
  const o = (typeof (mod.default as Objective | undefined)?.evaluate === 'function' ? mod.default : mod) as Objective
  if (typeof o.evaluate !== 'function' || typeof o.minimum !== 'number') fail('the objective module must export { name, space, minimum, evaluate(params) }')
  try {
    validateSpace(o.space)
  } catch (e) {
    fail((e as Error).message)
  }
  return { ...o, name: o.name ?? args.fn }
}

/** numpy's default (linear) percentile. */
function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  const pos = (q / 100) * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

const round = (v: number, digits = 5) => Number(v.toFixed(digits))
const sig = (v: number) => Number(v.toPrecision(5))

/**
 * One Study of `trials` Trials, `parallel` at a time: each batch is suggested while the batch's
 * earlier Trials are still running, then all of it completes. Returns the best-so-far curve (in
 * Trial order) and the suggestion times.
 */
async function runStudy(strategy: Strategy, objective: Objective, trials: number, parallel: number): Promise<{ curve: number[]; times: number[] }> {
  const history: Observation[] = []
  const times: number[] = []
  for (let start = 0; start < trials; start += parallel) {
    const batch: Observation[] = []
    for (let number = start; number < Math.min(trials, start + parallel); number++) {
      const t0 = performance.now()
      const params = strategy.suggest([...history, ...batch], number)
      times.push(performance.now() - t0)
      if (!params) break // a finished grid
      batch.push({ number, params, status: 'running', value: null, intermediate: [] })
    }
    if (batch.length === 0) break
    for (const t of batch) history.push({ ...t, status: 'completed', value: await objective.evaluate(t.params) })
  }
  const curve: number[] = []
  let best = Infinity
  for (let n = 0; n < trials; n++) curve.push((best = Math.min(best, history[n]?.value ?? Infinity))) // a finished grid keeps its best
  return { curve, times }
}

/** The time of one Bayesian suggestion with 100 completed Trials in a 10-D space. */
function measureOverhead(): Record<string, number> {
  const space: SearchSpace = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { type: 'float', low: 0, high: 1 }]))
  const rng = new Random(7)
  const centre = Array.from({ length: 10 }, () => rng.next())
  const f = (p: Params) => Object.values(p).reduce((s: number, v, i) => s + (i + 1) * ((v as number) - centre[i]) ** 2, 0) + 0.1 * Math.sin(10 * (p.x0 as number))
  const history: Observation[] = Array.from({ length: 100 }, (_, number) => {
    const params = Object.fromEntries(Object.keys(space).map((k) => [k, rng.next()]))
    return { number, params, status: 'completed', value: f(params), intermediate: [] }
  })
  const strategy = createStrategy('bayesian', space, 1)
  const times: number[] = []
  const cpuTimes: number[] = []
  const first = performance.now()
  strategy.suggest(history, 99) // the first calls also compile the code (JIT): reported apart
  const firstMs = performance.now() - first
  for (let k = 0; k < 3; k++) strategy.suggest(history, 90 + k)
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    strategy.suggest(history, 100 + k)
    const c = process.cpuUsage(c0)
    times.push(performance.now() - t0)
    cpuTimes.push((c.user + c.system) / 1000) // CPU time: what the suggestion costs when it has a core to itself
  }
  return {
    first_call_ms: round(firstMs, 1),
    cpu_ms_median: round(percentile(cpuTimes, 50), 1),
    suggest_ms_median: round(percentile(times, 50), 1),
    suggest_ms_min: round(Math.min(...times), 1),
    suggest_ms_max: round(Math.max(...times), 1),
    repeats: times.length
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const load1m = round(loadavg()[0], 2)
  if (args.overhead) {
    const o = measureOverhead()
    console.log(
      `Bayesian suggestion, 100 Trials observed, 10 dimensions: CPU time median ${o.cpu_ms_median} ms; wall median ${o.suggest_ms_median} ms (min ${o.suggest_ms_min}, max ${o.suggest_ms_max}, ${o.repeats} repeats after 4 warm-up calls, the first ${o.first_call_ms} ms; target ≤ 100 ms) — load ${load1m}`
    )
    if (args.json) console.log(JSON.stringify({ bench: 'tuner-overhead', load_average_1m_before: load1m, ...o }))
    return
  }
  const objective = await loadObjective(args)
  const curves: number[][] = []
  const times: number[] = []
  const t0 = performance.now()
  for (let seed = 0; seed < args.seeds; seed++) {
    const r = await runStudy(createStrategy(args.strategy, objective.space, seed), objective, args.trials, args.parallel)
    curves.push(r.curve)
    times.push(...r.times)
  }
  const checkpoints = [...new Set([10, 20, 30, 40, 60, 80, 100].filter((c) => c <= args.trials).concat(args.trials))].sort((a, b) => a - b)
  const out = {
    bench: 'tuners',
    strategy: args.strategy,
    function: objective.name,
    seeds: args.seeds,
    trials: args.trials,
    parallel: args.parallel,
    known_minimum: objective.minimum,
    median_best: {} as Record<number, number>,
    median_regret: {} as Record<number, number>,
    iqr_regret: {} as Record<number, [number, number]>,
    suggest_ms_mean: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
    suggest_ms_max: round(Math.max(...times), 1),
    wall_s: round((performance.now() - t0) / 1000, 1),
    load_average_1m_before: load1m
  }
  console.log(
    `${args.strategy} on ${objective.name}, ${args.seeds} seeds × ${args.trials} Trials${args.parallel > 1 ? `, ${args.parallel} at a time` : ''} — simple regret (best − ${objective.minimum}):`
  )
  console.log('  trials   median      q25         q75')
  for (const c of checkpoints) {
    const best = curves.map((curve) => curve[c - 1])
    const regret = best.map((b) => b - objective.minimum)
    out.median_best[c] = sig(percentile(best, 50))
    out.median_regret[c] = sig(percentile(regret, 50))
    out.iqr_regret[c] = [sig(percentile(regret, 25)), sig(percentile(regret, 75))]
    console.log(`  ${String(c).padStart(6)}   ${out.median_regret[c].toPrecision(4).padEnd(10)}  ${out.iqr_regret[c][0].toPrecision(4).padEnd(10)}  ${out.iqr_regret[c][1].toPrecision(4)}`)
  }
  console.log(`  suggestion time: mean ${out.suggest_ms_mean} ms, max ${out.suggest_ms_max} ms; wall ${out.wall_s} s; load ${load1m}`)
  if (args.json) console.log(JSON.stringify(out))
}

await main()
