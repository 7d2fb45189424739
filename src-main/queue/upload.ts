/**
 * A worker sends a Trial's model to the studio: each file with its SHA-256. When the studio cannot
 * be reached (restarting, or away for a while), the model waits in Redis instead, and the studio
 * takes it from there when it records the Trial: a Trial finished meanwhile is never lost.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { OspreyError } from '../errors'
import { keys } from './connection'
import { studioRequest } from './http'

/** A model file as the studio checks it. */
export interface SentFile {
  name: string
  sha256: string
  bytes: number
}

// A studio answering 5xx is tried this many times; one not answering at all, twice.
const TRIES = 3
const PAUSE_MS = 2000
const KEEP_S = 7 * 24 * 3600

/** Where a model goes: the studio's file server (`studioUrl()` is asked anew before each try) and its path there. */
type Target = { studioUrl: () => Promise<string>; path: string; key: string }

/** Sends every file of `modelDir` to the studio, or keeps them in Redis for it. */
export async function sendModel(modelDir: string, target: Target & { redis: Redis; jobId: string }): Promise<SentFile[]> {
  // Read at once: a model is a few files, and each promise of fs/promises costs more than the read.
  const files = readdirSync(modelDir)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(modelDir, name))
      return { name, bytes, sha256: createHash('sha256').update(bytes).digest('hex') }
    })
  try {
    // The files travel side by side (a Trial's result waits for the slowest, not for their sum); their first tries share one look-up of the studio.
    const first = target.studioUrl()
    await Promise.all(files.map((f) => put(f, target, first)))
  } catch (e) {
    if (e instanceof OspreyError) throw e
    // Unreachable: the model waits in Redis (a hash of file name → bytes) for the studio.
    const multi = target.redis.multi().del(keys.model(target.jobId))
    for (const f of files) multi.hset(keys.model(target.jobId), f.name, f.bytes)
    await multi.expire(keys.model(target.jobId), KEEP_S).exec()
  }
  return files.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes.length }))
}

type ModelFile = { name: string; bytes: Buffer; sha256: string }

async function put(file: ModelFile, target: Target, first: Promise<string>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const url = new URL(`${await (attempt === 1 ? first : target.studioUrl())}${target.path}/${encodeURIComponent(file.name)}`)
    const response = await studioRequest(url, {
      method: 'PUT',
      body: file.bytes,
      headers: { authorization: `Bearer ${target.key}`, 'x-sha256': file.sha256, 'content-type': 'application/octet-stream' }
    }).catch((e: Error) => e)
    if (!(response instanceof Error) && response.ok) return
    if (!(response instanceof Error) && response.status < 500) {
      // Refused (the Run is not on that studio's queue now, a wrong key): trying again would not help.
      throw new OspreyError('internal', `The studio did not take the model (${file.name}): ${response.status} ${response.body.toString('utf8', 0, 300)}`)
    }
    if (attempt >= (response instanceof Error ? 2 : TRIES)) throw new Error('unreachable')
    await new Promise((r) => setTimeout(r, PAUSE_MS))
  }
}

/** The model files of `jobId` that wait in Redis, written into `dir`; false when there are none. */
export async function takeModelFromRedis(redis: Redis, jobId: string, write: (name: string, bytes: Buffer) => Promise<void>): Promise<boolean> {
  const files = await redis.hgetallBuffer(keys.model(jobId))
  const names = Object.keys(files)
  for (const name of names) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.')) return false
    await write(name, files[name])
  }
  return names.length > 0
}
