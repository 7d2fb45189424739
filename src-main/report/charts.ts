/**
 * Small inline-SVG charts for the HTML reports: overlaid line charts with axes and a legend, and
 * horizontal bars. Our own few lines rather than a charting library, so a report needs no script.
 * Pure: returns strings; labels are escaped here.
 */
import { colour, esc } from './html'

/** One line of a chart: its legend label and points (null y = a gap). */
export interface Series {
  label: string
  points: [number, number | null][]
  /** Draw a dot at every point (e.g. each Trial's value) instead of, or beside, the line. */
  dots?: boolean
  /** Leave the line out (dots only). */
  noLine?: boolean
  /** Colour index; the series' own position when absent. */
  colour?: number
}

/** What a line chart shows. */
export interface LineChart {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  /** Fixed y range (accuracy: [0, 1]); otherwise fitted to the data. */
  yRange?: [number, number]
  /** Whole-number x ticks (Epochs, Trials). */
  integerX?: boolean
}

const W = 640
const H = 300
const M = { top: 12, right: 16, bottom: 42, left: 58 }

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  let step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  if (integer) step = Math.max(1, Math.round(step))
  const out: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)))
  return out
}

function label(t: number): string {
  return Math.abs(t) >= 1000 ? t.toFixed(0) : String(Number(t.toPrecision(4)))
}

/** An SVG line chart in a <figure>, with axes, grid, tick labels and an HTML legend. */
export function lineChart(chart: LineChart, testid = ''): string {
  const points = chart.series.flatMap((s) => s.points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]) && Number.isFinite(p[0])))
  if (points.length === 0) return `<figure${testid ? ` data-chart="${esc(testid)}"` : ''}><figcaption>${esc(chart.title)}</figcaption><p class="muted">No data to draw.</p></figure>`
  let [x0, x1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))]
  let [y0, y1] = chart.yRange ?? [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))]
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1]
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5]
  if (!chart.yRange) {
    const pad = (y1 - y0) * 0.05
    ;[y0, y1] = [y0 - pad, y1 + pad]
  }
  const iw = W - M.left - M.right
  const ih = H - M.top - M.bottom
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * iw
  const sy = (y: number) => M.top + ih - ((y - y0) / (y1 - y0)) * ih
  const r = (n: number) => n.toFixed(1)

  const parts: string[] = []
  for (const t of ticks(y0, y1)) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r(sy(t))}" y2="${r(sy(t))}"/>`)
    parts.push(`<text x="${M.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${label(t)}</text>`)
  }
  for (const t of ticks(x0, x1, 6, chart.integerX)) {
    parts.push(`<line class="axis" x1="${r(sx(t))}" x2="${r(sx(t))}" y1="${M.top + ih}" y2="${M.top + ih + 4}"/>`)
    parts.push(`<text x="${r(sx(t))}" y="${M.top + ih + 16}" text-anchor="middle">${label(t)}</text>`)
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ih}"/>`)
  parts.push(`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ih}" y2="${M.top + ih}"/>`)
  parts.push(`<text x="${M.left + iw / 2}" y="${H - 6}" text-anchor="middle">${esc(chart.xLabel)}</text>`)
  parts.push(`<text transform="translate(14 ${M.top + ih / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`)

  chart.series.forEach((s, i) => {
    const c = colour(s.colour ?? i)
    // A null y breaks the line into runs, so a missing Epoch is not bridged.
    const runs: string[][] = [[]]
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) runs.push([])
      else runs.at(-1)!.push(`${r(sx(x))},${r(sy(y))}`)
    }
    const title = `<title>${esc(s.label)}</title>`
    if (!s.noLine)
      for (const run of runs.filter((p) => p.length > 1)) parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" stroke-linejoin="round" points="${run.join(' ')}">${title}</polyline>`)
    if (s.dots || runs.every((p) => p.length <= 1))
      for (const [x, y] of s.points) if (y !== null && Number.isFinite(y)) parts.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="3" fill="${c}">${title}</circle>`)
  })

  const legend = chart.series.map((s, i) => `<li><span class="swatch" style="background:${colour(s.colour ?? i)}"></span>${esc(s.label)}</li>`).join('')
  return `<figure${testid ? ` data-chart="${esc(testid)}"` : ''}>
<figcaption>${esc(chart.title)}</figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(chart.title)}">
${parts.join('\n')}
</svg>
<ul class="legend">${legend}</ul>
</figure>`
}

/** Horizontal bars for values in [0, 1] (e.g. parameter importance), labelled with a percentage. */
export function barChart(title: string, bars: { label: string; value: number }[], testid = ''): string {
  if (bars.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="muted">Not enough finished Trials yet.</p></figure>`
  const row = 24
  const left = 150
  const width = 640
  const height = bars.length * row + 8
  const bw = width - left - 60
  const parts = bars.map((b, i) => {
    const y = 4 + i * row
    const v = Math.max(0, Math.min(1, b.value))
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label)}</text>
<rect x="${left}" y="${y + 3}" width="${(v * bw).toFixed(1)}" height="${row - 8}" rx="2" fill="${colour(0)}"><title>${esc(b.label)}</title></rect>
<text x="${(left + v * bw + 6).toFixed(1)}" y="${y + 15}">${(b.value * 100).toFixed(0)}%</text>`
  })
  return `<figure${testid ? ` data-chart="${esc(testid)}"` : ''}>
<figcaption>${esc(title)}</figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">
${parts.join('\n')}
</svg>
</figure>`
}
