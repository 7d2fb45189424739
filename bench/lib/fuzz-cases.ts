/**
 * Generators of hostile input for `osprey serve`, seeded so a campaign can be replayed: raw HTTP
 * requests (request lines, headers, bodies), raw WebSocket frames, and JSON commands. Commands
 * that would stop, delete or start heavy work are aimed at ids and folders that do not exist, so
 * the campaign's own Run can complete; everything else is fair game.
 */
import { Random } from '../../src-main/pipeline/random'
import { requestSchemas } from '../../src-main/schemas'

/** Where the cases aim, and the secret they may or may not carry. */
export interface Target {
  port: number
  token: string
  /** The dataset folder of the Run in training (re-scanning it is fair). */
  folder: string
  /** A scratch folder a fuzzed export may write into. */
  scratch: string
}

const pick = <T>(rng: Random, items: readonly T[]): T => items[rng.int(items.length)]

/** A string of `length` characters from an unfriendly alphabet. */
export function junk(rng: Random, length: number): string {
  const alphabets = ['abc/%.', '\u0000\u0001\r\n\t "\'<>{}[]\\', '%E0%A4%A%%2e%2f%5c%00', 'é漢😀\uD800\uFFFF', '0123456789-+=@']
  const alphabet = pick(rng, alphabets)
  let text = ''
  for (let i = 0; i < length; i++) text += alphabet[rng.int(alphabet.length)]
  return text
}

const PATHS = [
  '/',
  '/index.html',
  '/assets/index.js',
  '/api',
  '/api/',
  '/API',
  '//[',
  '//',
  '/%',
  '/%E0%A4%A',
  '/%00',
  '/..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/assets/..%5c..%5cosprey.db',
  '*',
  'http://127.0.0.1/',
  'http://evil.example/api',
  '/?token=',
  '/#x',
  '/\u00e9',
  '/a?b=%zz'
]
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'PRI', 'get', 'G ET', '']
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'http/1.1', '']

/**
 * One raw HTTP request (a page, an asset or an API upgrade), with the token or without: a valid
 * request with a few mutations each, so that most reach past the parser into the server's own
 * checks, and some are broken everywhere.
 */
export function httpCase(rng: Random, t: Target, withToken: boolean): string {
  const maybe = (p: number) => rng.next() < p
  const upgrade = maybe(0.4)
  let method = maybe(0.8) ? 'GET' : pick(rng, METHODS)
  let path = upgrade ? '/api' : pick(rng, ['/', '/index.html', '/assets/', '/api', '/nope.js'])
  if (maybe(0.25)) path = maybe(0.7) ? pick(rng, PATHS) : `/${junk(rng, rng.int(maybe(0.05) ? 20_000 : 60))}`
  if (withToken && (upgrade || maybe(0.3))) path += `${path.includes('?') ? '&' : '?'}token=${t.token}`
  let version = maybe(0.9) ? 'HTTP/1.1' : pick(rng, VERSIONS)
  const headers: string[] = []
  if (maybe(0.95))
    headers.push(
      `Host: ${maybe(0.8) ? pick(rng, [`127.0.0.1:${t.port}`, `localhost:${t.port}`, `[::1]:${t.port}`]) : pick(rng, ['evil.example', '', junk(rng, 10), `127.0.0.1:${t.port}, evil.example`])}`
    )
  if (upgrade) {
    headers.push(`Upgrade: ${maybe(0.9) ? 'websocket' : junk(rng, 6)}`, `Connection: ${maybe(0.9) ? 'Upgrade' : pick(rng, ['upgrade, keep-alive', 'close'])}`)
    if (maybe(0.95)) headers.push(`Sec-WebSocket-Key: ${maybe(0.9) ? 'dGhlIHNhbXBsZSBub25jZQ==' : pick(rng, ['', 'short', junk(rng, 24)])}`)
    if (maybe(0.95)) headers.push(`Sec-WebSocket-Version: ${maybe(0.9) ? '13' : pick(rng, ['8', '99', 'x'])}`)
  }
  if (withToken && maybe(0.3)) headers.push(`Authorization: Bearer ${t.token}`)
  if (!withToken && maybe(0.3)) headers.push(`Authorization: ${pick(rng, ['Bearer ', 'Bearer wrong', `Bearer ${t.token.slice(1)}`, 'Basic x', junk(rng, 30)])}`)
  if (maybe(0.4)) headers.push(`Origin: ${pick(rng, ['null', 'http://evil.example', `http://127.0.0.1:${t.port}`, `http://localhost:${t.port}`, '://', 'file://', junk(rng, 12)])}`)
  if (maybe(0.2)) headers.push(`Cookie: osprey_token=${withToken ? t.token : junk(rng, 20)}`)
  if (maybe(0.05)) headers.push(`${junk(rng, 8)}: ${junk(rng, 16)}`)
  if (maybe(0.02)) headers.push(`X-Big: ${'x'.repeat(20_000)}`)
  let body = ''
  if (maybe(0.15)) {
    body = junk(rng, rng.int(200))
    headers.push(maybe(0.3) ? 'Transfer-Encoding: chunked' : `Content-Length: ${pick(rng, [String(Buffer.byteLength(body)), '0', '-1', '99999', 'abc'])}`)
  }
  if (maybe(0.05)) method = junk(rng, 6)
  if (maybe(0.03)) version = junk(rng, 8)
  const end = maybe(0.95) ? '\r\n' : pick(rng, ['\n', '\r'])
  const line = maybe(0.02) ? junk(rng, 40) : `${method} ${path} ${version}`
  return `${line}${end}${headers.join(end)}${headers.length ? end : ''}${end}${body}`
}

/** A WebSocket frame as a client would send it (masked unless `unmasked`). */
export function frame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; unmasked?: boolean; declaredLength?: number } = {}): Buffer {
  const length = options.declaredLength ?? payload.length
  const head = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f)]
  const mask = options.unmasked ? 0 : 0x80
  if (length < 126) head.push(mask | length)
  else if (length < 65536) head.push(mask | 126, length >> 8, length & 0xff)
  else {
    head.push(mask | 127)
    for (let i = 7; i >= 0; i--) head.push(Math.floor(length / 2 ** (8 * i)) & 0xff)
  }
  if (options.unmasked) return Buffer.concat([Buffer.from(head), payload])
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78])
  return Buffer.concat([Buffer.from(head), key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))])
}

/** Bytes of one to three hostile frames for an open API socket; `complete` is false when they may
 *  end mid-frame (random bytes), so the server may rightly wait for more until the input ends. */
export function frameCase(rng: Random): { bytes: Buffer; complete: boolean } {
  const text = (s: string) => Buffer.from(s)
  const kinds = [
    () => frame(pick(rng, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), text(junk(rng, 10))), // reserved opcodes
    () => frame(1, text('{"id":1,"command":"app.info"}'), { rsv: 1 + rng.int(7) }), // RSV bits without an extension
    () => frame(1, text('{"id":1,"command":"app.info"}'), { unmasked: true }), // clients must mask
    () => frame(1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1])), // invalid UTF-8 text
    () => frame(2, Buffer.from(Array.from({ length: 64 }, () => rng.int(256)))), // binary
    () => frame(1, Buffer.alloc(0), { declaredLength: pick(rng, [2 ** 20 + 1, 2 ** 31, 2 ** 53 - 1]) }), // huge declared length
    () => Buffer.concat([frame(1, text('{"id":'), { fin: false }), frame(0, text('1,"command":"app.info"}'))]), // a fragmented message
    () => Buffer.concat([frame(1, text('{"id":'), { fin: false }), frame(1, text('2}'))]), // new message mid-fragment
    () => frame(0, text('orphan continuation')),
    () => frame(9, text(junk(rng, 10))), // ping
    () => frame(9, Buffer.alloc(200)), // control frame over 125 bytes
    () => frame(9, text('x'), { fin: false }), // fragmented control frame
    () => frame(10, text('unsolicited pong')),
    () => frame(8, Buffer.from([0x03, 0xe8, ...text('bye')])), // a clean close
    () => frame(8, Buffer.from([rng.int(256), rng.int(256)])), // close with any code
    () => frame(8, Buffer.from([7])), // close with a 1-byte body
    () => Buffer.from(Array.from({ length: 1 + rng.int(40) }, () => rng.int(256))) // not a frame at all
  ]
  const chosen = Array.from({ length: 1 + rng.int(rng.next() < 0.8 ? 1 : 3) }, () => rng.int(kinds.length))
  return { bytes: Buffer.concat(chosen.map((k) => kinds[k]())), complete: !chosen.includes(kinds.length - 1) }
}

/** A random JSON value, `depth` levels deep at most. */
function jsonValue(rng: Random, depth: number): unknown {
  const kind = rng.int(depth > 0 ? 9 : 6)
  if (kind === 0) return null
  if (kind === 1) return rng.next() < 0.5
  if (kind === 2) return pick(rng, [0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 2, -0, 1e308, 999_999])
  if (kind === 3) return junk(rng, rng.int(30))
  if (kind === 4) return pick(rng, ['', ' ', '/', '../..', 'csv', 'json', 'wasm', 'auto', 'adam', '__proto__'])
  if (kind === 5) return rng.next() < 0.02 ? 'x'.repeat(200_000) : pick(rng, ['constructor', 'toString', 'hasOwnProperty'])
  if (kind === 6) return Array.from({ length: rng.int(5) }, () => jsonValue(rng, depth - 1))
  const object: Record<string, unknown> = {}
  for (let i = rng.int(5); i > 0; i--)
    object[pick(rng, ['id', 'ids', 'path', 'folder', 'config', 'query', 'name', 'tag', 'notes', 'format', 'space', 'study', '__proto__', 'constructor', junk(rng, 6)])] = jsonValue(rng, depth - 1)
  return object
}

// Commands that would end or remove the campaign's Run or dataset, or start heavy work: aimed at
// ids and folders that do not exist (their validation and lookups are what gets fuzzed).
const GUARDED = new Set([
  'runs.pause',
  'runs.stop',
  'runs.resume',
  'history.delete',
  'datasets.forget',
  'datasets.cancelScan',
  'studies.stop',
  'studies.resume',
  'studies.useBest',
  'runs.start',
  'runs.findLearningRate',
  'studies.start',
  'datasets.scan',
  'runs.augmentPreview',
  'runs.predict',
  'runs.exportModel'
])

/** A request for `command`: near the valid shape, mutated, or anything at all. */
function request(rng: Random, t: Target, command: string): unknown {
  const id = () => (GUARDED.has(command) ? 1_000_000 + rng.int(1000) : pick(rng, [1, 2, 3, 0, -1, 1.5, 999_999, '1']))
  const folder = () => (GUARDED.has(command) ? pick(rng, ['/nonexistent-osprey-fuzz', `${t.folder}/../nonexistent`, '', 'relative/path']) : pick(rng, [t.folder, '/nonexistent', '']))
  const nearly: Record<string, () => unknown> = {
    id: () => ({ id: id() }),
    folder: () => ({ path: command === 'datasets.scan' && rng.next() < 0.3 ? t.folder : folder(), folder: folder() }),
    config: () => ({ config: { folder: folder(), epochs: pick(rng, [1, 0, -1, 1e9, 'x']), batchSize: pick(rng, [8, 0, 1e9]), model: pick(rng, ['reference-cnn', 'nope', 7]) } }),
    history: () => ({
      search: junk(rng, 20),
      sort: { by: pick(rng, ['name', 'valLoss', '__proto__']), direction: pick(rng, ['asc', 'up']) },
      limit: pick(rng, [1, 1000, 1001, -5]),
      from: junk(rng, 10)
    }),
    ids: () => ({ ids: Array.from({ length: rng.int(12) }, () => pick(rng, [1, 2, 3, 0, -1, 1e6])) }),
    export: () => ({ id: 1_000_000, folder: `${t.scratch}/${junk(rng, 8)}`, overwrite: rng.next() < 0.5 }),
    text: () => ({ id: pick(rng, [1, 2]), name: junk(rng, rng.int(300)), notes: junk(rng, rng.int(300)), tag: junk(rng, rng.int(80)) }),
    space: () => ({ space: { lr: { type: pick(rng, ['float', 'int', 'categorical', 'x']), low: jsonValue(rng, 0), high: jsonValue(rng, 0), log: true, choices: jsonValue(rng, 1) } } })
  }
  const shape =
    command.endsWith('.start') || command === 'runs.findLearningRate'
      ? 'config'
      : command === 'history.query'
        ? 'history'
        : command.includes('compare')
          ? 'ids'
          : command === 'runs.exportModel'
            ? 'export'
            : command === 'studies.checkSpace'
              ? 'space'
              : /rename|note|tag/.test(command)
                ? 'text'
                : /scan|defaults|augment|cancelScan/.test(command)
                  ? 'folder'
                  : 'id'
  const roll = rng.next()
  if (roll < 0.6) return nearly[shape]()
  if (roll < 0.8) return { ...(nearly[shape]() as object), [junk(rng, 5)]: jsonValue(rng, 2) }
  // Anything at all, but never a valid request for a guarded command.
  const any = jsonValue(rng, 3)
  return GUARDED.has(command)
    ? { ...(typeof any === 'object' && any !== null ? any : {}), id: 1_000_000, path: '/nonexistent-osprey-fuzz', folder: '/nonexistent-osprey-fuzz', config: 'not a config', paths: 7 }
    : any
}

/** One message for the API socket: JSON text (usually a command envelope), or something that is not. */
export function commandCase(rng: Random, t: Target, id: number): { text: string; expectsId: number | string | null } {
  const roll = rng.next()
  if (roll < 0.005) return { text: JSON.stringify({ id, command: 'app.info', request: { pad: 'x'.repeat(1024 * 1024) } }), expectsId: id } // over the size limit
  if (roll < 0.06) return { text: pick(rng, ['', '{', 'null', '[]', '7', '"x"', '{"id":', junk(rng, 40), '\u0000']), expectsId: null }
  if (roll < 0.1) {
    // Any JSON at all; the server echoes an id it finds there (a number or a string), else null.
    const value = jsonValue(rng, 4)
    const found = value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined
    return { text: JSON.stringify(value), expectsId: typeof found === 'number' || typeof found === 'string' ? found : null }
  }
  const command = rng.next() < 0.9 ? pick(rng, Object.keys(requestSchemas)) : pick(rng, ['nope', '', '__proto__', 'constructor', 'app.info ', 'APP.INFO', junk(rng, 12)])
  const envelope: Record<string, unknown> = { id, command, request: request(rng, t, command) }
  if (rng.next() < 0.05) delete envelope.request
  if (rng.next() < 0.03) envelope.command = jsonValue(rng, 1)
  if (rng.next() < 0.03) envelope.extra = jsonValue(rng, 2)
  // Guarded commands must stay aimed at nothing, even with the envelope mutated.
  if (typeof envelope.command === 'string' && GUARDED.has(envelope.command) && typeof envelope.request !== 'object') envelope.request = { id: 1_000_000 }
  return { text: JSON.stringify(envelope), expectsId: id }
}
