/** The HTML reports of a comparison and a Study: what they show, and that they are safe and self-contained. Pure. */
import { describe, expect, it } from 'vitest'
import type { ComparedRun, Evaluation, HistoryRun, RunComparison, StudyDetail, TrainingConfig } from '../../../src-main/contract'
import { bestRuns, configDifferences, configSettings } from '../../../src-main/history/compare'
import { compareReport, compareReportFilename } from '../../../src-main/report/compare'
import { studyReport, studyReportFilename } from '../../../src-main/report/study'
import { defaultConfig } from '../../../src-main/runs/config'

const meta = { version: '9.8.7', generatedAt: '2026-11-27T10:11:12.000Z' }
const HOSTILE = '<script>alert("x")</script>'

function evaluation(accuracy: number, classes = ['cats', 'dogs']): Evaluation {
  const right = Math.round(accuracy * 10)
  return {
    split: 'validation',
    classes,
    confusion: [
      [right, 10 - right],
      [10 - right, right]
    ],
    perClass: classes.map((name) => ({ name, precision: accuracy, recall: accuracy, f1: accuracy, support: 10 })),
    accuracy,
    loss: 1 - accuracy,
    topLosses: []
  }
}

function compared(id: number, name: string, config: Partial<TrainingConfig>, valAccuracy: number, extra: Partial<HistoryRun> = {}, classes?: string[]): ComparedRun {
  const run: HistoryRun = {
    id,
    name,
    status: 'completed',
    datasetId: 1,
    model: 'default-cnn',
    backend: 'wasm',
    epochsDone: 3,
    epochs: 3,
    valAccuracy,
    valLoss: 1 - valAccuracy,
    imagesPerSecond: 400 + id,
    createdAt: '2026-11-27T09:00:00.000Z',
    durationMs: 3000 * id,
    error: null,
    datasetName: 'pets',
    studyId: null,
    notes: '',
    tags: [],
    seed: 7,
    verdict: null,
    ...extra
  }
  const epochs = [1, 2, 3].map((epoch) => ({
    runId: id,
    epoch,
    trainLoss: 1 - epoch / 6,
    trainAccuracy: 0.5,
    valLoss: 1.1 - epoch / 5,
    valAccuracy: (valAccuracy * epoch) / 3,
    learningRate: 1e-3,
    durationMs: 1000
  }))
  return { run, config: { ...defaultConfig('/data/pets', undefined, 7), ...config }, epochs, iterations: [], evaluation: evaluation(valAccuracy, classes) }
}

function comparison(runs: ComparedRun[]): RunComparison {
  const configs = runs.map((r) => r.config)
  return { runs, settings: configSettings(configs), differences: configDifferences(configs), best: bestRuns(runs.map((r) => r.run)) }
}

/** Every non-void element closes in order, so a browser builds the tree we meant. */
function expectBalanced(html: string): void {
  // HTML void elements never close; SVG shapes either self-close (`/>`) or close with their <title>.
  const voids = new Set(['meta', 'br', 'hr', 'img', 'input', 'link'])
  const stack: string[] = []
  for (const m of html.replaceAll(/<!doctype[^>]*>/gi, '').matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, tag, selfClosing] = m
    const name = tag.toLowerCase()
    if (selfClosing) continue
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name)
    else if (!voids.has(name)) stack.push(name)
  }
  expect(stack).toEqual([])
}

function expectSelfContained(html: string): void {
  expect(html.match(/<html[\s>]/g)).toHaveLength(1)
  expect(html).not.toMatch(/https?:\/\//)
  // No element loads anything: no src attribute on any tag (escaped user text may still say src=).
  expect(html).not.toMatch(/<[a-z][^<>]*\ssrc=/i)
  expect(html).not.toMatch(/<script/i)
  expect(html).not.toMatch(/<link\b|@import|url\(/i)
  expect(html).toMatch(/prefers-color-scheme: dark/)
  expectBalanced(html)
}

describe('compareReport', () => {
  const c = comparison([compared(3, 'slow lr', { learningRate: 0.0001 }, 0.7, { tags: ['baseline'] }), compared(7, 'fast lr', { learningRate: 0.01 }, 0.9, { notes: 'ten times faster' })])
  const html = compareReport(c, meta)

  it('names both Runs, marks the best final metric and lists the differing setting', () => {
    expect(html).toContain('slow lr')
    expect(html).toContain('fast lr')
    expect(html).toContain('ten times faster')
    expect(html).toContain('9.8.7')
    expect(html).toContain('2026-11-27 10:11:12')
    // Run 7 has the better accuracy: its cell carries the mark, Run 3's does not.
    expect(html).toMatch(/<th scope="row">Validation accuracy<\/th><td>0\.7000<\/td><td class="best">0\.9000 ★<\/td>/)
    const differences = html.slice(html.indexOf('data-table="differences"'), html.indexOf('</table>', html.indexOf('data-table="differences"')))
    expect(differences).toMatch(/<th scope="row">learningRate<\/th><td>0\.0001<\/td><td>0\.01<\/td>/)
    expect(differences).not.toContain('batchSize')
    // Every setting is still there, collapsed.
    expect(html).toMatch(/<details><summary>Every setting \(\d+\)<\/summary>[\s\S]*batchSize/)
  })

  it('draws the curves as SVG polylines with a legend, F1 per class and both confusion matrices', () => {
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2)
    expect(html).toMatch(/data-chart="val-accuracy"[\s\S]*?<polyline[\s\S]*?<polyline[\s\S]*?<ul class="legend"><li>.*3 slow lr<\/li><li>.*7 fast lr<\/li><\/ul>/)
    expect(html).toMatch(/data-chart="val-loss"/)
    expect(html).toMatch(/data-table="per-class"[\s\S]*cats[\s\S]*0\.700[\s\S]*0\.900/)
    expect(html.match(/<table class="matrix">/g)).toHaveLength(2)
  })

  it('keeps a matrix of many classes narrow: names upright, empty cells blank, the mistakes standing out', () => {
    const classes = Array.from({ length: 12 }, (_, i) => `class ${i}`)
    const e = { ...evaluation(0.8, classes), confusion: classes.map((_, t) => classes.map((_, p) => (p === t ? 4 : p === (t + 1) % 12 ? 1 : 0))) }
    const wide = compareReport(comparison([{ ...compared(1, 'many', {}, 0.8), evaluation: e }]), meta)
    const matrix = wide.slice(wide.indexOf('<table class="matrix compact">'), wide.indexOf('</table>', wide.indexOf('<table class="matrix compact">')))
    expect(matrix).not.toBe('')
    expect(matrix.match(/<td[^>]*><\/td>/g)).toHaveLength(12 * 12 - 24) // every empty cell blank
    expect(matrix.match(/<td[^>]*>1<\/td>/g)).toHaveLength(12)
    expect(matrix.match(/class="diagonal">4<\/td>/g)).toHaveLength(12)
  })

  it('is one self-contained page: no script, nothing loaded from elsewhere, well nested', () => {
    expectSelfContained(html)
    expect(compareReportFilename(c, meta.generatedAt)).toBe('osprey-compare-3-7-2026-11-27T10-11-12.html')
  })

  it('escapes user text: Run names, notes, tags and class names cannot inject markup', () => {
    const hostile = compareReport(
      comparison([compared(1, HOSTILE, {}, 0.6, { notes: `<img src=x onerror="alert(1)">`, tags: [`"><b>tag`] }, [HOSTILE, 'dogs']), compared(2, 'plain', { folder: '/data/<i>pets</i>' }, 0.8)]),
      meta
    )
    expect(hostile).not.toContain('<script>')
    expect(hostile).not.toContain('<img')
    expect(hostile).not.toContain('<b>tag')
    expect(hostile).not.toContain('<i>pets')
    expect(hostile).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expectSelfContained(hostile)
  })
})

describe('studyReport', () => {
  const study: StudyDetail = {
    id: 4,
    name: 'lr sweep',
    datasetId: 1,
    folder: '/data/pets',
    strategy: 'random',
    objective: 'valAccuracy',
    prune: 'median',
    status: 'completed',
    trials: 3,
    counts: { running: 0, completed: 2, pruned: 1, failed: 0 },
    best: { number: 1, value: 0.91, params: { lr: 0.003, optimizer: 'adam' }, runId: 12 },
    createdAt: '2026-11-27T08:00:00.000Z',
    endedAt: '2026-11-27T09:00:00.000Z',
    error: null,
    verdict: null,
    space: { lr: { type: 'float', low: 0.0001, high: 0.1, log: true }, optimizer: { type: 'choice', values: ['adam', HOSTILE] } },
    training: { epochs: 3 },
    parallel: 2,
    seed: 42,
    timeBudgetMinutes: null,
    trialList: [
      {
        studyId: 4,
        number: 0,
        runId: 11,
        params: { lr: 0.0001, optimizer: HOSTILE },
        status: 'completed',
        value: 0.62,
        intermediate: [0.4, 0.55, 0.62],
        durationMs: 3000,
        wallMs: 4200,
        error: null,
        verdict: 'learned',
        secondary: 0.9412
      },
      {
        studyId: 4,
        number: 1,
        runId: 12,
        params: { lr: 0.003, optimizer: 'adam' },
        status: 'completed',
        value: 0.91,
        intermediate: [0.7, 0.85, 0.91],
        durationMs: 3100,
        wallMs: 4300,
        error: null,
        verdict: 'learned',
        secondary: 0.2765
      },
      {
        studyId: 4,
        number: 2,
        runId: 13,
        params: { lr: 0.09, optimizer: 'adam' },
        status: 'pruned',
        value: 0.3,
        intermediate: [0.3],
        durationMs: 900,
        wallMs: 2000,
        error: null,
        verdict: null,
        secondary: null
      }
    ],
    importance: [
      { name: 'lr', importance: 0.8 },
      { name: 'optimizer', importance: 0.2 }
    ]
  }
  const html = studyReport(study, meta)

  it('shows the settings, the space, the best Trial with its params, and every Trial', () => {
    for (const text of ['lr sweep', '/data/pets', 'random', 'validation accuracy', 'median', '42', 'Best: Trial 2', '0.9100', '&quot;log&quot;: true']) expect(html).toContain(text)
    const trials = html.slice(html.indexOf('data-table="trials"'))
    expect(trials).toMatch(/<th scope="row">2 ★<\/th><td>0\.003<\/td><td>adam<\/td><td>completed<\/td><td><strong>0\.9100<\/strong><\/td><td>0\.2765<\/td><td>3<\/td>/)
    expect(trials).toMatch(/<th scope="row">3<\/th><td>0\.09<\/td><td>adam<\/td><td>pruned<\/td><td>0\.3000<\/td><td>–<\/td><td>1<\/td>/)
    expect(studyReportFilename(study, meta.generatedAt)).toBe('osprey-study-4-2026-11-27T10-11-12.html')
  })

  it('charts the best so far, the importance and each Trial per Epoch', () => {
    expect(html).toMatch(/data-chart="best-so-far"[\s\S]*?<svg /)
    expect(html).toMatch(/data-chart="importance"[\s\S]*?<rect [^>]*width="[\d.]+"[\s\S]*?80%/)
    expect(html).toMatch(/data-chart="trial-curves"[\s\S]*?<li>.*Trial 1<\/li><li>.*Trial 2<\/li><li>.*Trial 3 \(pruned\)<\/li>/)
  })

  it('is self-contained, and params and space values cannot inject markup', () => {
    expectSelfContained(html)
    expect(html).not.toContain('<script>')
  })
})
