/**
 * Building blocks of a self-contained HTML report: escaping, the page shell with its inline CSS,
 * tables and number formats. Pure: no Electron, no tfjs, no DOM. Every piece of user text (Run
 * names, notes, tags, class names, params) goes through `esc` before it reaches the page.
 */

/** Text made safe for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** A number with `digits` decimals, or an en dash when there is none. */
export function fixed(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits)
}

/** A duration in milliseconds as "1 h 02 min", "3 min 05 s" or "4.2 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`
}

/** A setting's or param's value as text (null as an en dash, small floats with 4 significant digits). */
export function value(v: unknown): string {
  if (v === null || v === undefined) return '–'
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(4)))
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/** Ten colours that stay apart on light and dark backgrounds, one per Run or Trial (then repeated). */
export const PALETTE = ['#2f6fed', '#e0692a', '#1f9d55', '#a259e6', '#d64545', '#1596ad', '#c7961a', '#e0509a', '#6f9a1f', '#7a8699']

/** The colour of series `i`. */
export function colour(i: number): string {
  return PALETTE[i % PALETTE.length]
}

/** A table cell: already-escaped HTML, optionally with a class (e.g. `best`). */
export type Cell = string | { html: string; className: string }

/** Something wider than the page, in a box that scrolls sideways: named, and reachable by keyboard (Tab, then the arrows). */
export function scrolling(label: string, inner: string): string {
  return `<div class="scroll" role="region" aria-label="${esc(label)}" tabindex="0">${inner}</div>`
}

/** A table named `label`, from already-escaped header and body cells; each row's first cell is its header. */
export function table(label: string, head: string[], rows: Cell[][], attrs = ''): string {
  const th = head.map((h) => `<th scope="col">${h}</th>`).join('')
  const td = (c: Cell, tag: 'th' | 'td') => (typeof c === 'string' ? `<${tag}${tag === 'th' ? ' scope="row"' : ''}>${c}</${tag}>` : `<${tag} class="${c.className}">${c.html}</${tag}>`)
  const body = rows.map((r) => `<tr>${r.map((c, i) => td(c, i === 0 ? 'th' : 'td')).join('')}</tr>`).join('\n')
  return scrolling(label, `<table${attrs ? ` ${attrs}` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`)
}

/** A colour swatch before a name in a table header or legend. */
export function swatch(i: number): string {
  return `<span class="swatch" style="background:${colour(i)}"></span>`
}

// Light and dark through prefers-color-scheme; charts draw with currentColor so they follow.
const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5d6670; --line: #d9dde3; --card: #f6f7f9; --best: #167a41; --cell: 47, 111, 237; }
@media (prefers-color-scheme: dark) { :root { --bg: #15181c; --fg: #e6e9ed; --muted: #9aa4ae; --line: #333a42; --card: #1d2126; --best: #4cc47e; --cell: 96, 150, 255; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; }
.muted, figcaption, .meta { color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.25rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: var(--card); }
td.best { color: var(--best); font-weight: 600; }
.verdict { border-left: 4px solid var(--best); padding: 0.3rem 0.6rem; margin: 0 0 0.5rem; }
.verdict.warning { border-color: #c77c02; } .verdict.error { border-color: #d64545; }
.verdict p { margin: 0; } .verdict ul { margin: 0.25rem 0 0; padding-left: 1.2rem; }
tr.differs th { font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 0.75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.8rem; }
.card h3 { margin: 0 0 0.3rem; font-size: 1rem; word-break: break-word; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0.1rem 0.6rem; margin: 0; }
.card dt { color: var(--muted); } .card dd { margin: 0; word-break: break-word; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.35em; vertical-align: -0.05em; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
figure { margin: 0; } svg { display: block; width: 100%; height: auto; color: var(--fg); }
svg text { fill: currentColor; font-size: 12px; } svg .grid { stroke: var(--line); } svg .axis { stroke: currentColor; }
.legend { list-style: none; padding: 0; margin: 0.25rem 0 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.matrices { display: flex; flex-wrap: wrap; gap: 1rem; }
.matrix td { text-align: right; min-width: 2.2em; }
.matrix.compact th { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 12rem; }
.matrix.compact thead th + th { writing-mode: vertical-rl; transform: rotate(180deg); max-width: none; max-height: 9rem; font-size: 0.8em; line-height: 1.15; padding: 0.4rem 0.1rem; text-align: left; }
.matrix.compact td { min-width: 0; padding: 0.1rem 0.15rem; font-size: 0.8em; text-align: center; }
pre { background: var(--card); border: 1px solid var(--line); padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; }
details summary { cursor: pointer; margin: 0.5rem 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.85em; }
@media print { .charts { grid-template-columns: 1fr; } }
`

/** Who made a report, and when. */
export interface ReportMeta {
  /** The app's version, e.g. 0.4.0. */
  version: string
  /** When the report was made (ISO); injected so tests are exact. */
  generatedAt: string
}

/** The whole page: one <html> with inline CSS, no scripts and nothing loaded from elsewhere. */
export function page(title: string, subtitle: string, meta: ReportMeta, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Osprey Studio ${esc(meta.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${esc(subtitle)} · made ${esc(meta.generatedAt.slice(0, 19).replace('T', ' '))} UTC by Osprey Studio ${esc(meta.version)}</p>
</header>
<main>
${body}
</main>
<footer>A self-contained report: everything it shows is in this one file.</footer>
</body>
</html>
`
}
