/** A worker sends a Trial's model to the studio: each file with its SHA-256, again after a network error. */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OspreyError } from '../errors'

/** A model file as the studio checks it. */
export interface SentFile {
  name: string
  sha256: string
  bytes: number
}

// The studio may be restarting: each file is tried for about a minute.
const TRIES = 12
const PAUSE_MS = 5000

/** PUTs every file of `modelDir` under `url` (…/model/<name>) with the worker key; the list of what was sent. */
export async function sendModel(modelDir: string, url: string, key: string, pauseMs = PAUSE_MS): Promise<SentFile[]> {
  const sent: SentFile[] = []
  for (const name of (await readdir(modelDir)).sort()) {
    const bytes = await readFile(join(modelDir, name))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${url}/${encodeURIComponent(name)}`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${key}`, 'x-sha256': sha256, 'content-type': 'application/octet-stream' } }).catch((e: Error) => e)
      if (!(response instanceof Error) && response.ok) break
      const why = response instanceof Error ? ((response as Error & { cause?: Error }).cause?.message ?? response.message) : `${response.status} ${(await response.text()).slice(0, 300)}`
      // 4xx: the studio refused it (the Run is not on its queue any more, a bad key): trying again would not help.
      if ((!(response instanceof Error) && response.status < 500) || attempt >= TRIES) {
        throw new OspreyError('internal', `The studio did not take the model (${name}): ${why}. The Trial is not recorded; resume the Study to train it again.`)
      }
      await new Promise((r) => setTimeout(r, pauseMs))
    }
    sent.push({ name, sha256, bytes: bytes.length })
  }
  return sent
}
