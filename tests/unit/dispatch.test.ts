/** The boundary: every request is validated, and every failure comes back as a clear error. */
import { describe, expect, it } from 'vitest'
import { createDispatch, type Handlers } from '../../src-main/dispatch'
import { OspreyError } from '../../src-main/errors'

const calls: unknown[] = []
const handlers = new Proxy({} as Handlers, {
  get: (_, name) => (request: unknown) => {
    calls.push([name, request])
    if (name === 'datasets.get') throw new OspreyError('not-found', 'No dataset with id 7.')
    if (name === 'datasets.forget') throw new Error('disk on fire')
    return { ok: name }
  }
})
const dispatch = createDispatch(handlers)

describe('dispatch', () => {
  it('passes a valid request to its handler', async () => {
    expect(await dispatch('datasets.scan', { path: '/photos' })).toEqual({ ok: true, value: { ok: 'datasets.scan' } })
    expect(calls.at(-1)).toEqual(['datasets.scan', { path: '/photos' }])
  })

  it.each([
    ['a missing field', 'datasets.scan', {}, 'path:'],
    ['a wrongly typed field', 'datasets.get', { id: '7' }, 'id:'],
    ['a negative id', 'datasets.get', { id: -1 }, 'id:'],
    ['an unknown field', 'datasets.list', { extra: 1 }, 'extra'],
    ['an empty path', 'datasets.scan', { path: '   ' }, 'a folder path is required'],
    ['a thumbnail size out of range', 'datasets.thumbnails', { id: 1, size: 5000 }, 'size:'],
    ['no request at all', 'datasets.cancelScan', null, 'path:']
  ])('refuses %s with an invalid-request error naming the field', async (_, command, request, mention) => {
    const before = calls.length
    const result = await dispatch(command, request)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('invalid-request')
    expect(result.error.message).toContain(mention)
    expect(result.error.issues?.length).toBeGreaterThan(0)
    expect(calls.length).toBe(before) // the handler never ran
  })

  it('refuses an unknown command, including names from Object.prototype', async () => {
    for (const command of ['datasets.delete', 'toString', '__proto__', 42, undefined]) {
      expect(await dispatch(command, {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } })
    }
  })

  it("keeps a handler's error code and message", async () => {
    expect(await dispatch('datasets.get', { id: 7 })).toEqual({ ok: false, error: { code: 'not-found', message: 'No dataset with id 7.' } })
  })

  it('turns an unexpected exception into an internal error instead of crashing', async () => {
    expect(await dispatch('datasets.forget', { id: 7 })).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('disk on fire') } })
  })
})
