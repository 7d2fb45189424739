/**
 * Who this studio is on a queue: an id (Redis keys and job ids of two studios sharing one Redis
 * never meet, though both number their Runs from 1) and the worker key that lets a worker fetch
 * a Dataset and send back a model. Kept in the data folder (600), so workers keep working across
 * restarts of the studio.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PRIVATE_FILE } from '../store/private'

/** The studio's id on the queue and its worker key. */
export interface StudioIdentity {
  id: string
  key: string
}

/** Reads the data folder's identity, creating it the first time. */
export function studioIdentity(dataDir: string): StudioIdentity {
  const file = join(dataDir, 'queue-identity.json')
  try {
    const found = JSON.parse(readFileSync(file, 'utf8')) as Partial<StudioIdentity>
    if (typeof found.id === 'string' && /^[0-9a-f]{16}$/.test(found.id) && typeof found.key === 'string' && found.key.length >= 32) return { id: found.id, key: found.key }
  } catch {
    // none yet, or unreadable: a new one (workers holding the old key get 401 and say so)
  }
  const identity = { id: randomBytes(8).toString('hex'), key: randomBytes(24).toString('base64url') }
  writeFileSync(file, JSON.stringify(identity), { mode: PRIVATE_FILE })
  return identity
}

/** True when `given` is `key`, compared in constant time. */
export function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(key)
  return a.length === b.length && timingSafeEqual(a, b)
}
