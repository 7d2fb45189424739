/** Where Osprey keeps its data and finds its resources, the same for the app and the CLI. */
import { existsSync, realpathSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A path as a person types it into the studio: a leading `~` is the home folder of the machine
 * running Osprey, as in a shell (which expands it for the command line, where a text field does not).
 */
export function expandHome(path: string): string {
  return path === '~' || /^~[\\/]/.test(path) ? join(homedir(), path.slice(1)) : path
}

/** The product name; also the name of the per-user app-data folder. */
export const APP_NAME = 'Osprey Studio'

/**
 * The per-user data folder, the one Electron's `app.getPath('userData')` gives for our name,
 * so that the CLI and the desktop app share one history. OSPREY_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.OSPREY_DATA_DIR) return resolve(env.OSPREY_DATA_DIR)
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME)
}

let resources: string | undefined

/**
 * The `resources/` folder. Found by walking up from this module, so it works from the
 * sources (src-main/...), from the build (out/main/...) and inside a packaged app.
 */
export function resourcesDir(): string {
  if (resources) return resources
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'resources', 'migrations'))) return (resources = join(dir, 'resources'))
    dir = dirname(dir)
  }
  throw new Error('Cannot find the resources folder (resources/migrations) next to the application.')
}

/** The folder of the built renderer (index.html + assets), served by `osprey serve`. */
export function rendererDir(): string {
  return join(dirname(resourcesDir()), 'out', 'renderer')
}

/** The job worker's entry: the built worker.js beside the bundle, or the source under tsx. */
export function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, 'worker.js'), join(here, '..', 'worker.js')]) if (existsSync(candidate)) return candidate
  return join(here, 'jobs', 'worker.ts')
}

/** Whether `path` is `folder` or lies inside it, links resolved as far as the path exists. */
export function isWithin(path: string, folder: string): boolean {
  const rel = relative(real(folder), real(path))
  return !rel.startsWith('..') && !isAbsolute(rel)
}

/** `path` with its existing part's links resolved (the rest may not exist yet). */
function real(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync(absolute)
  } catch {
    const parent = dirname(absolute)
    return parent === absolute ? absolute : join(real(parent), basename(absolute))
  }
}
