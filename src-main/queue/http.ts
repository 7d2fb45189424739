/**
 * A worker's requests to the studio's file server: node:http(s) on kept-alive connections.
 * Not fetch: per request, its web streams cost a worker several times the CPU of these few calls,
 * and a worker makes one per image it copies and one per model file it sends.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

/** A whole answer: its status and body. */
export interface StudioResponse {
  status: number
  ok: boolean
  body: Buffer
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }
// A studio that stops answering mid-request (as fetch's own limits, 5 minutes).
const IDLE_MS = 300_000

type Options = { method?: 'GET' | 'PUT'; headers?: Record<string, string>; body?: Buffer }

/** Sends one request and reads the whole answer; rejects when the studio cannot be reached. */
export function studioRequest(url: URL, options: Options = {}): Promise<StudioResponse> {
  // A kept-alive connection the studio closed just as it was reused: once more on a new one (both requests are idempotent).
  return send(url, options).catch((e: NodeJS.ErrnoException & { reused?: boolean }) => (e.reused && e.code === 'ECONNRESET' ? send(url, options) : Promise.reject(e)))
}

function send(url: URL, options: Options): Promise<StudioResponse> {
  const secure = url.protocol === 'https:'
  const request = secure ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: secure ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        resolve({ status, ok: status >= 200 && status < 300, body: Buffer.concat(chunks) })
      })
      res.on('error', reject)
    })
    req.setTimeout(IDLE_MS, () => req.destroy(new Error(`no answer in ${IDLE_MS / 60_000} minutes`)))
    req.on('error', (e) => reject(Object.assign(e, { reused: req.reusedSocket })))
    req.end(options.body)
  })
}
