/** The command line refuses an option its command does not read, instead of ignoring it. */
import { describe, expect, it } from 'vitest'
import { refuseUnknownOptions } from '../../../src-main/cli/options'

const refusal = (command: string, sub: string | undefined, given: Record<string, unknown>) => {
  try {
    refuseUnknownOptions(command, sub, given)
    return null
  } catch (e) {
    return (e as Error).message
  }
}

describe('refuseUnknownOptions', () => {
  it('takes the options each command documents', () => {
    expect(refusal('train', '/photos', { epochs: '5', 'batch-size': '16', 'time-limit': '3', json: true, 'data-dir': '/d' })).toBeNull()
    expect(refusal('tune', '/photos', { space: 's.json', trials: '9', epochs: '3', redis: 'redis://x', name: 'birds' })).toBeNull()
    expect(refusal('auto', '/photos', { minutes: '5', seed: '1' })).toBeNull()
    expect(refusal('runs', 'list', { tag: 'keep', sort: 'valAccuracy', limit: '5' })).toBeNull()
    expect(refusal('runs', 'compare', { html: 'c.html', overwrite: true })).toBeNull()
    expect(refusal('worker', undefined, { redis: 'redis://x', concurrency: '1', 'worker-name': 'w' })).toBeNull()
  })

  it('names the option meant when one is misspelt', () => {
    expect(refusal('train', '/photos', { epoch: '50' })).toBe('train does not take --epoch: did you mean --epochs?')
    expect(refusal('auto', '/photos', { minute: '5' })).toBe('auto does not take --minute: did you mean --minutes?')
    expect(refusal('runs', 'list', { limt: '5' })).toBe('runs list does not take --limt: did you mean --limit?')
  })

  it('knows the names other tools give the same options', () => {
    expect(refusal('train', '/photos', { 'validation-split': '0.2' })).toBe('train does not take --validation-split: did you mean --val-split?')
    expect(refusal('train', '/photos', { 'learning-rate': '0.01' })).toBe('train does not take --learning-rate: did you mean --lr?')
    expect(refusal('tune', '/photos', { 'early-stopping': '3' })).toBe('tune does not take --early-stopping: did you mean --early-stop?')
    expect(refusal('auto', '/photos', { budget: '5' })).toBe('auto does not take --budget: did you mean --minutes?')
    expect(refusal('train', '/photos', { budget: '5' })).toBe('train does not take --budget: did you mean --time-limit?')
    // Only what the command has: runs list has neither.
    expect(refusal('runs', 'list', { budget: '5' })).toBe('runs list does not take --budget: osprey --help lists the options.')
  })

  it('says which command an option belongs to', () => {
    expect(refusal('train', '/photos', { name: 'birds' })).toBe('train does not take --name: it is an option of osprey tune.')
    expect(refusal('runs', 'show', { html: 'r.html' })).toBe('runs show does not take --html: it is an option of osprey studies show and osprey runs compare.')
    expect(refusal('auto', 'list', { minutes: '5' })).toBe('auto list does not take --minutes: it is an option of osprey auto.')
  })

  it('points to the help for an option no command has', () => {
    expect(refusal('datasets', 'scan', { x: true })).toBe('datasets scan does not take -x: osprey --help lists the options.')
  })
})
