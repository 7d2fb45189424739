/** `osprey backbones list|download|remove|inspect`: the pretrained backbones on this machine. */
import type { Services } from '../services'
import type { Output } from './output'
import { followDownloads } from './training'

/** Runs `osprey backbones <sub> …`; undefined when `sub` is not one of them (the caller prints usage). */
export async function backbonesCommand(services: Services, sub: string, rest: string[], out: Output): Promise<number | undefined> {
  const { backbones } = services
  if (sub === 'list' && rest.length === 0) {
    const list = await backbones.list()
    if (out.json) for (const b of list) out.line({ type: 'backbone', ...b })
    else
      for (const b of list) {
        const state = b.installed
          ? b.source === 'included'
            ? 'included'
            : 'downloaded'
          : b.partialBytes
            ? `partly downloaded (${mb(b.partialBytes)} of about ${mb(b.bytes)})`
            : `download, about ${mb(b.bytes)}`
        out.text(`${b.id.padEnd(20)} ${b.title.padEnd(22)} ${state}\n${' '.repeat(21)}${b.description}`)
      }
    return 0
  }
  if (sub === 'download' && rest.length === 1) {
    const stop = followDownloads(services, out)
    try {
      const status = await backbones.download(rest[0])
      if (out.json) out.line({ type: 'backbone', ...status })
      else out.text(`${status.title} is ready.`)
    } finally {
      stop()
    }
    return 0
  }
  if (sub === 'remove' && rest.length === 1) {
    const status = await backbones.remove(rest[0])
    if (out.json) out.line({ type: 'backbone', ...status })
    else out.text(`Removed ${status.title}; it downloads again when a Run needs it.`)
    return 0
  }
  if (sub === 'inspect' && rest.length === 1) {
    const folder = await backbones.inspect(rest[0])
    if (out.json) out.line({ type: 'backbone-folder', ...folder })
    else
      out.text(
        `${folder.folder}: ${folder.layers.length} layers; cut by default at "${folder.defaultLayer}" (--backbone-layer NAME to choose another).\n${folder.layers.map((l) => `  ${l.name} (${l.kind})`).join('\n')}`
      )
    return 0
  }
  return undefined
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
