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

/** Sends one request and reads the whole answer; rejects when the studio cannot be reached. */
export function studioRequest(url: URL, options: { method?: 'GET' | 'PUT'; headers?: Record<string, string>; body?: Buffer } = {}): Promise<StudioResponse> {
  const secure = url.protocol === 'https:'
  const send = secure ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method: options.method ?? 'GET', headers: options.headers, agent: secure ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        resolve({ status, ok: status >= 200 && status < 300, body: Buffer.concat(chunks) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}
