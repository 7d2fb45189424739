/** `osprey cluster`: a redis-server of the system's behind a password, and workers on it, stopped together. */
import { readFileSync, statSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/images'
import { needsRedis, noRedis, OspreyProcess } from '../../helpers/queue'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

describe.skipIf(noRedis)(needsRedis('osprey cluster'), () => {
  it('starts Redis on 127.0.0.1 behind a password and a worker on it; SIGTERM stops both', async () => {
    const cluster = new OspreyProcess(['cluster', '--workers', '1', '--data-dir', tmp.path])
    try {
      const started = await cluster.waitFor((l) => l.type === 'cluster', 30_000)
      const url = String(started.redis)
      expect(url).toMatch(/^redis:\/\/:[\w-]{20,}@127\.0\.0\.1:\d+$/)
      const file = join(tmp.path, 'cluster', 'redis-url')
      expect(readFileSync(file, 'utf8').trim()).toBe(url)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      await cluster.waitFor((l) => l.type === 'worker' && l.name === 'cluster-1', 60_000)

      const withPassword = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 })
      await withPassword.connect()
      expect(await withPassword.ping()).toBe('PONG')
      withPassword.disconnect()
      const port = new URL(url).port
      // Without the password Redis answers nothing but NOAUTH (asked raw: a client library may close on it first).
      expect(await rawReply(Number(port), 'PING\r\n')).toMatch(/^-NOAUTH/)

      await cluster.stop('SIGTERM')
      expect(cluster.child.exitCode).toBe(0)
      const after = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      after.on('error', () => {})
      await expect(after.connect()).rejects.toThrow()
    } finally {
      await cluster.stop('SIGKILL')
    }
  })
})

/** The first reply of a Redis server on 127.0.0.1:`port` to `command`, in its wire form. */
function rawReply(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(command))
    socket.once('data', (data) => {
      resolve(data.toString())
      socket.destroy()
    })
    socket.once('error', reject)
  })
}
