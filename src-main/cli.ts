/**
 * The `osprey` command line: the same services as the desktop app, for people and scripts.
 * No Electron import here.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { backbonesCommand } from './cli/backbones'
import { listCommand, scanCommand } from './cli/datasets'
import { checkLabelsCommand, reviewCommand } from './cli/labels'
import { HISTORY_OPTIONS, runsCommand } from './cli/history'
import { exportCommand, numberFlag, predictCommand, resumeCommand, TRAIN_OPTIONS, trainCommand } from './cli/training'
import { refuseUnknownOptions } from './cli/options'
import { Output } from './cli/output'
import { studiesListCommand, studiesResumeCommand, studiesShowCommand, TUNE_OPTIONS, tuneCommand } from './cli/tuning'
import { AUTO_OPTIONS, autoCommand, autoListCommand, autoResumeCommand } from './cli/auto'
import { clusterCommand, QUEUE_OPTIONS, redisUrl, studioQueue, workerCommand, workerDataDir } from './cli/queue'
import { toCommandError } from './errors'
import { nodeSpawner } from './jobs/spawn-node'
import { defaultDataDir, rendererDir, workerFile } from './paths'
import { createServices, type Services } from './services'
import { isLoopback, serve } from './transport/server'

const USAGE = `Usage: osprey <command> [options]

Commands:
  datasets scan <folder>   scan and validate a dataset folder (one sub-folder per class)
  datasets list            list the datasets scanned so far
  datasets check-labels <folder>   images that look mislabeled, and validation images that repeat
                           training ones (--seed N: the split of a Run with that seed)
  datasets review <folder> exclude|keep|undo <image>…   leave images out of new Runs (the folder
                           is never changed), mark their labels right, or undo
  train <folder>           train a classifier (--model auto|pretrained|reference-cnn|default-cnn|compact-resnet
                           --image-size S --epochs N --batch-size B --optimizer adam|sgd|rmsprop --lr X
                           --schedule constant|step|cosine|onecycle|plateau --early-stop PATIENCE
                           --normalize unit|symmetric|standardize --augment SPEC --val-split F --seed N
                           --backend auto|tensorflow-gpu|tensorflow|webgpu|wasm|cpu --units N --dropout F
                           --start-from RUN --time-limit MINUTES; pretrained: --backbone ID|FOLDER --backbone-layer NAME --views K
                           --fine-tune BLOCKS --fine-tune-epochs N --fine-tune-lr X)
  backbones list           the pretrained backbones: included, downloaded, or to download on first use
  backbones download <id>  download one now (resumes an unfinished download); backbones remove <id>
  backbones inspect <dir>  check a TF.js layers model folder of your own and list the layers to cut at
  tune <folder>            search hyperparameters (--space FILE --strategy grid|random|bayesian --trials N
                           --parallel P --prune none|median|asha --objective valAccuracy|valLoss
                           --time-budget MINUTES --yes (start a grid over 10,000 points) + training flags)
  auto <folder>            find the best model in a time budget (--minutes M, default 15): a Study chosen
                           from the dataset, then the winner trained on training + validation and tested
                           on images the search never saw (--seed N; --redis URL sends Trials to workers)
  auto list                the searches; auto resume <id> goes on with a stopped or interrupted one
  studies list             list the Studies
  studies show <id>        a Study's Trials, best result and parameter importance
                           (--html FILE writes a self-contained HTML report; --overwrite replaces FILE)
  studies resume <id>      go on with a stopped or interrupted Study
  runs list                list the Runs, newest first (--tag T --dataset D --status S[,S] --search WORDS
                           --sort createdAt|name|durationMs|valAccuracy|valLoss|imagesPerSecond[:asc|:desc] --limit N)
  runs show <run>          everything recorded about a Run
  runs compare <run> <run>…  2 to 10 Runs side by side: the settings that differ, final metrics
                           (--html FILE writes a self-contained HTML report; --overwrite replaces FILE)
  runs tag <run> <tag>     tag a Run (runs untag <run> <tag> removes it)
  runs note <run> <text>   set a Run's notes
  runs resume <run>        go on with an interrupted Run from its last checkpoint
  runs delete <run>        delete a finished Run with its files (model, checkpoints)
  runs export              every Run (filtered like list) to stdout (--format csv|json)
  predict <run> <images…>  classify images with a Run's model (a folder: every image in it)
  export <run> <folder>    copy a Run's model (model.json, weights, labels.json, metadata.json, with a
                           README.md and classify.mjs to use it) into a folder (--overwrite replaces
                           a model already there)
  serve                    serve the studio to a browser (--port N, --host 127.0.0.1; a host other
                           machines can reach needs --allow-remote)
  worker                   train Trials from a job queue (--redis URL --concurrency N --worker-name NAME
                           --studio URL when the studio is reached through a tunnel, --copy-datasets to
                           train on a fetched copy even where the studio's folder is reachable);
                           Ctrl+C finishes the current Trials, twice hands them back
  cluster                  start redis-server and workers on this machine (--workers N, default 2;
                           0: Redis only, for workers elsewhere)

Studies across machines: tune, studies resume and serve take --redis URL (or OSPREY_REDIS_URL;
redis://:PASSWORD@HOST:6379, rediss:// for TLS) to send Trials to workers on that queue; workers
fetch Datasets and send models to the studio at --studio-host/--studio-port (127.0.0.1, any free
port), told to them as --studio-url when they reach it elsewhere (a tunnel).

Options:
  --data-dir DIR   where the history is kept (also OSPREY_DATA_DIR; default: ${defaultDataDir()})
  --json           one JSON object per line, for scripts
  -h, --help       this help`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: {
    'data-dir': { type: 'string' },
    json: { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    overwrite: { type: 'boolean' },
    ...TRAIN_OPTIONS,
    ...TUNE_OPTIONS,
    ...HISTORY_OPTIONS,
    ...QUEUE_OPTIONS,
    ...AUTO_OPTIONS
  }
})
const out = new Output(Boolean(values.json))

async function main(): Promise<number> {
  const [command, sub, ...rest] = positionals
  if (values.help || !command) return usage(values.help ? 0 : 2)
  refuseUnknownOptions(command, sub, values)
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : defaultDataDir()
  // With --redis, a Study's Trials may go to workers on that queue.
  const queue = command === 'tune' || command === 'auto' || (command === 'studies' && sub === 'resume') || command === 'serve' ? await studioQueue(values) : undefined
  const open = () => {
    const services = createServices({ dataDir, spawnWorker: nodeSpawner(workerFile()), transport: 'http', queue })
    for (const notice of services.info.notices) out.warn(notice)
    return services
  }
  if (command === 'worker' && !sub) return workerCommand(values, typeof values['data-dir'] === 'string' ? values['data-dir'] : workerDataDir(defaultDataDir()), out)
  if (command === 'cluster' && !sub) return clusterCommand(values, dataDir, out)

  if (command === 'datasets' && sub === 'scan' && rest.length === 1) return withServices(open(), (s) => scanCommand(s, rest[0], out))
  if (command === 'datasets' && sub === 'list') return withServices(open(), (s) => listCommand(s, out))
  if (command === 'datasets' && sub === 'check-labels' && rest.length === 1) return withServices(open(), (s) => checkLabelsCommand(s, rest[0], numberFlag(values, 'seed'), out))
  if (command === 'datasets' && sub === 'review' && rest.length >= 3) return withServices(open(), (s) => reviewCommand(s, rest[0], rest[1], rest.slice(2), out))
  if (command === 'train' && sub && rest.length === 0) return withServices(open(), (s) => trainCommand(s, sub, values, out))
  if (command === 'tune' && sub && rest.length === 0) return withServices(open(), (s) => tuneCommand(s, sub, { ...values, ...(redisUrl(values) ? { trialsOn: 'queue' } : {}) }, out))
  if (command === 'auto' && sub === 'list' && rest.length === 0) return withServices(open(), (s) => autoListCommand(s, out))
  if (command === 'auto' && sub === 'resume' && rest.length === 1) return withServices(open(), (s) => autoResumeCommand(s, rest[0], out))
  if (command === 'auto' && sub && rest.length === 0) return withServices(open(), (s) => autoCommand(s, sub, { ...values, ...(redisUrl(values) ? { trialsOn: 'queue' } : {}) }, out))
  if (command === 'studies' && sub === 'list') return withServices(open(), (s) => studiesListCommand(s, out))
  if (command === 'studies' && sub === 'show' && rest.length === 1) return withServices(open(), (s) => studiesShowCommand(s, rest[0], out, values))
  if (command === 'studies' && sub === 'resume' && rest.length === 1) return withServices(open(), (s) => studiesResumeCommand(s, rest[0], out))
  if (command === 'runs' && sub === 'resume' && rest.length === 1) return withServices(open(), (s) => resumeCommand(s, rest[0], out))
  if (command === 'runs' && sub) return withServices(open(), (s) => runsCommand(s, sub, rest, values, out) ?? usage(2))
  if (command === 'predict' && sub && rest.length > 0) return withServices(open(), (s) => predictCommand(s, sub, rest, values, out))
  if (command === 'export' && sub && rest.length === 1) return withServices(open(), (s) => exportCommand(s, sub, rest[0], values, out))
  if (command === 'backbones' && sub) return withServices(open(), async (s) => (await backbonesCommand(s, sub, rest, out)) ?? usage(2))
  if (command === 'serve') return serveCommand(open)
  return usage(2)
}

async function withServices(services: Services, work: (s: Services) => Promise<number | void> | number | void): Promise<number> {
  try {
    return (await work(services)) ?? 0
  } finally {
    services.close()
  }
}

async function serveCommand(open: () => Services): Promise<number> {
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out.error('bad-input', `--port must be a number from 0 to 65535, not "${values.port}".`)
    return 2
  }
  const host = typeof values.host === 'string' ? values.host : undefined
  const allowRemote = values['allow-remote'] === true
  if (host && !isLoopback(host) && !allowRemote) {
    out.error(
      'bad-input',
      `--host ${host} is not a loopback address: other machines could reach the studio, and the check against DNS rebinding would be off. Use an SSH tunnel to 127.0.0.1, or add --allow-remote to serve on ${host} anyway.`
    )
    return 2
  }
  const dir = rendererDir()
  if (!existsSync(join(dir, 'index.html'))) {
    out.error('not-built', 'The studio is not built yet: run `npm run build` first, then `osprey serve` again.')
    return 1
  }
  if (host && !isLoopback(host))
    out.warn(`serving on ${host}: anyone who can reach it and holds the URL's token can use the studio and read your history, over unencrypted HTTP; the Host check is off.`)
  const services = open()
  services.queue?.ready().then(
    () => out.json || out.text(`Trials may go to the workers of ${services.queue!.url} (Tune → Trials run on).`),
    (e: Error) => out.warn(`${e.message} The Tune screen shows when it connects.`)
  )
  const server = await serve(services, { port, host, allowRemote, rendererDir: dir })
  if (out.json) out.line({ type: 'serving', url: server.url, port: server.port })
  else out.text(`Osprey Studio is served at ${server.url}\nOpen that URL in a browser (it carries the access token). Ctrl+C stops.`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  services.close()
  return 0
}

/** The usage of the command named (`osprey train --help`, or one used the wrong way), else all of it. */
function usage(code: number): number {
  const lines = usageOf(positionals.slice(0, 2))
  const text = lines ? `Usage:\n${lines}\n(osprey --help lists every command)` : USAGE
  ;(code === 0 ? process.stdout : process.stderr).write(`${text}\n`)
  return code
}

/** The usage lines of a command used the wrong way (`runs compare`, else `runs`), with their continuation lines; null for an unknown command. */
function usageOf(words: string[]): string | null {
  const lines = USAGE.split('\n')
  for (const prefix of [words.join(' '), words[0]]) {
    if (!prefix) continue
    const found: string[] = []
    lines.forEach((line, i) => {
      if (!line.startsWith(`  ${prefix} `) && line !== `  ${prefix}`) return
      found.push(line)
      for (let j = i + 1; j < lines.length && /^ {3,}\S/.test(lines[j]); j++) found.push(lines[j])
    })
    if (found.length) return found.join('\n')
  }
  return null
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const error = toCommandError(e)
    out.error(error.code, error.message)
    process.exit(error.code === 'internal' ? 70 : 1)
  }
)
