/**
 * Backbones on the main side: which are on this machine, downloading one (once at a time, with
 * progress events), and turning a Run's `backbone` setting into the files a worker loads — a
 * catalog entry (downloaded first if needed) or a model folder of the user's, checked and pinned
 * by checksum so the worker loads exactly what was checked.
 */
import { createHash } from 'node:crypto'
import { rm, stat, readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { BackboneFolder, BackboneStatus } from '../contract'
import { OspreyError } from '../errors'
import type { EventBus } from '../events'
import { expandHome } from '../paths'
import { BACKBONES, findBackbone, isCustomBackbone, type BackboneInfo } from './catalog'
import { downloadBackbone } from './download'
import { catalogFolder, defaultCutLayer, readModelFolder, readSums, sha256File, SUMS_FILE, type BackboneSource } from './files'

/** What the service needs from the composition root. */
export interface BackboneServiceDeps {
  dataDir: string
  events: EventBus
  /** The catalog (tests give one that points at a loopback server). */
  catalog?: readonly BackboneInfo[]
}

/** Backbones: list, download, remove, inspect a folder, resolve a Run's setting. */
export class BackboneService {
  #deps: BackboneServiceDeps
  #downloads = new Map<string, Promise<BackboneStatus>>()

  constructor(deps: BackboneServiceDeps) {
    this.#deps = deps
  }

  #catalog(): readonly BackboneInfo[] {
    return this.#deps.catalog ?? BACKBONES
  }

  #info(id: string): BackboneInfo {
    const info = this.#deps.catalog ? this.#deps.catalog.find((b) => b.id === id) : findBackbone(id)
    if (!info)
      throw new OspreyError(
        'not-found',
        `No backbone "${id}". Choose one of ${this.#catalog()
          .map((b) => b.id)
          .join(', ')}.`
      )
    return info
  }

  /** Every catalog backbone and whether it is here. */
  async list(): Promise<BackboneStatus[]> {
    return Promise.all(this.#catalog().map((info) => this.#status(info)))
  }

  async #status(info: BackboneInfo): Promise<BackboneStatus> {
    const dir = catalogFolder(info, this.#deps.dataDir)
    const installed = info.source === 'included' ? Boolean(await stat(join(dir, 'model.json')).catch(() => null)) : Boolean(await stat(join(dir, SUMS_FILE)).catch(() => null))
    const partialBytes = installed ? 0 : await folderBytes(`${dir}.partial`)
    return { id: info.id, title: info.title, description: info.description, source: info.source, bytes: info.bytes, installed, partialBytes, licence: info.licence }
  }

  /** Downloads catalog backbone `id` unless it is here; a second call while one runs waits for the same download. */
  download(id: string): Promise<BackboneStatus> {
    const info = this.#info(id)
    const running = this.#downloads.get(id)
    if (running) return running
    const task = this.#download(info).finally(() => this.#downloads.delete(id))
    this.#downloads.set(id, task)
    return task
  }

  async #download(info: BackboneInfo): Promise<BackboneStatus> {
    const status = await this.#status(info)
    if (status.installed) return status
    const emit = (p: { received: number; total: number | null }, done = false, error?: string) => this.#deps.events.emit('backbones.progress', { id: info.id, ...p, done, ...(error ? { error } : {}) })
    let last = { received: 0, total: null as number | null }
    try {
      await downloadBackbone(info, catalogFolder(info, this.#deps.dataDir), { onProgress: (p) => emit((last = p)) })
    } catch (e) {
      emit(last, true, (e as Error).message)
      throw e
    }
    emit(last, true)
    return this.#status(info)
  }

  /** Removes a downloaded backbone (and any unfinished download of it). */
  async remove(id: string): Promise<BackboneStatus> {
    const info = this.#info(id)
    if (info.source === 'included') throw new OspreyError('bad-input', `${info.title} comes with the app and cannot be removed.`)
    if (this.#downloads.has(id)) throw new OspreyError('bad-input', `${info.title} is downloading; wait for it to finish before removing it.`)
    const dir = catalogFolder(info, this.#deps.dataDir)
    await rm(dir, { recursive: true, force: true })
    await rm(`${dir}.partial`, { recursive: true, force: true })
    return this.#status(info)
  }

  /** Checks a model folder of the user's and lists its layers. */
  async inspect(folder: string): Promise<BackboneFolder> {
    const dir = resolve(expandHome(folder))
    const model = await readModelFolder(dir)
    return { folder: dir, layers: model.layers, defaultLayer: defaultCutLayer(model.layers) }
  }

  /** What a worker needs to load `backbone` (a catalog id or a folder), cut at `layer` for a folder; downloads a catalog backbone first if needed. */
  async source(backbone: string, layer?: string): Promise<BackboneSource> {
    if (isCustomBackbone(backbone)) return this.#folderSource(backbone, layer)
    const info = this.#info(backbone)
    const dir = catalogFolder(info, this.#deps.dataDir)
    let sha256 = info.sha256 ?? {}
    if (info.source === 'download') {
      await this.download(info.id)
      sha256 = await readSums(dir)
    }
    return {
      id: info.id,
      title: info.title,
      dir,
      embeddingLayer: info.embeddingLayer,
      blocks: info.blocks,
      sha256,
      key: keyOf(sha256, info.embeddingLayer),
      remedy: info.source === 'included' ? 'Reinstall Osprey Studio to restore it.' : `Remove it (Backbones → Remove, or osprey backbones remove ${info.id}) and download it again.`
    }
  }

  async #folderSource(folder: string, layer?: string): Promise<BackboneSource> {
    const { folder: dir, layers, defaultLayer } = await this.inspect(folder)
    const cut = layer ?? defaultLayer
    const at = layers.findIndex((l) => l.name === cut)
    if (at < 1)
      throw new OspreyError(
        'bad-input',
        `${dir} has no layer named "${cut}" to cut at. Its last layers: ${layers
          .slice(-8)
          .map((l) => l.name)
          .join(', ')}.`
      )
    const model = await readModelFolder(dir)
    const sha256: Record<string, string> = {}
    for (const name of ['model.json', ...model.weightFiles]) sha256[name] = await sha256File(join(dir, name))
    return {
      id: dir,
      title: basename(dir),
      dir,
      embeddingLayer: cut,
      // Without named blocks, each layer up to the cut is one: fine-tuning N unfreezes the last N.
      blocks: layers.slice(1, at + 1).map((l) => `^${l.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      sha256,
      key: keyOf(sha256, cut),
      remedy: 'The model folder changed since the Run started: start the Run again.'
    }
  }
}

/** The embedding cache's name for a backbone's weights and cut. */
function keyOf(sha256: Record<string, string>, layer: string): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(sha256).sort()) + '|' + layer)
    .digest('hex')
    .slice(0, 24)
}

/** Bytes of the files in `dir` (0 if it does not exist). */
async function folderBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[])
  let bytes = 0
  for (const name of names) bytes += (await stat(join(dir, name)).catch(() => null))?.size ?? 0
  return bytes
}
