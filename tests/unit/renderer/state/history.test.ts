/** The History screen's state (HistoryState) over a fake client: a failed command is said on the screen, never thrown at the page. */
import { describe, expect, it } from 'vitest'
import { HistoryState } from '../../../../src-renderer/src/lib/history.svelte'
import { FakeClient } from '../../../helpers/fake-client'

const refused = (message: string) => () => Promise.reject(Object.assign(new Error(message), { code: 'not-found' }))

describe('the History state', () => {
  it('shows why a Run could not be opened or reported, on its message line', async () => {
    const client = new FakeClient().answer('runs.get', refused('No Run with id 7.')).answer('history.artifacts', refused('No Run with id 7.')).answer('report.run', refused('The Run 7 is gone.'))
    const history = new HistoryState(client)
    await history.open(7)
    expect(history.message).toEqual({ tone: 'error', text: 'No Run with id 7.' })
    expect(history.detail).toBeNull()
    history.dismissMessage()
    await expect(history.runReport(7)).resolves.toBeUndefined()
    expect(history.message).toEqual({ tone: 'error', text: 'The Run 7 is gone.' })
  })
})
