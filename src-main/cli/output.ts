/** How the command line talks: a progress bar for people on a terminal, JSON lines for scripts. */
import stringWidth from 'string-width'
import type { Verdict } from '../contract'

/** Writes results and progress either for people or as one JSON object per line. */
export class Output {
  readonly json: boolean
  #tty = Boolean(process.stderr.isTTY)
  #barShown = false

  constructor(json: boolean) {
    this.json = json
  }

  /** A progress update: a JSON line, or a redrawn bar on a terminal (nothing when piped). */
  progress(label: string, done: number, total: number, data: object): void {
    if (this.json) return this.line({ type: 'progress', ...data })
    if (!this.#tty) return
    const width = 30
    const filled = total > 0 ? Math.round((done / total) * width) : 0
    const bar = total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}` : `${done}`
    process.stderr.write(`\r\x1b[2K${label} ${bar}`)
    this.#barShown = true
  }

  /** One JSON object on its own line (for `--json`). */
  line(value: object): void {
    process.stdout.write(`${JSON.stringify(value)}\n`)
  }

  /** Text for people. */
  text(value: string): void {
    this.#clearBar()
    process.stdout.write(`${value}\n`)
  }

  /** A failure: a JSON error line, or a message on stderr. */
  error(code: string, message: string): void {
    this.#clearBar()
    if (this.json) this.line({ type: 'error', code, message })
    else process.stderr.write(`osprey: ${message}\n`)
  }

  /** Something the user should know that does not stop the command: a JSON warning line, or a line on stderr. */
  warn(message: string): void {
    this.#clearBar()
    if (this.json) this.line({ type: 'warning', message })
    else process.stderr.write(`osprey: warning: ${message}\n`)
  }

  #clearBar(): void {
    if (this.#barShown) process.stderr.write('\r\x1b[2K')
    this.#barShown = false
  }
}

/** `n` and the word, plural unless one: "1 error", "3 classes". */
export const count = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('s') ? `${word}es` : `${word}s`}`

/** The columns `text` takes on a terminal: a Chinese or Japanese character or an emoji takes two (class names are the user's folder names). */
export const cells = (text: string): number => stringWidth(text)

/** `text` padded with spaces to `width` columns. */
export const padCells = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - cells(text)))

/** `text` cut to at most `width` columns, never inside a character, then padded to `width`. */
export function fitCells(text: string, width: number): string {
  let fitted = ''
  let used = 0
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    used += cells(segment)
    if (used > width) break
    fitted += segment
  }
  return padCells(fitted, width)
}

/** A verdict for a terminal: the headline and figures on one line, then what to try. */
export function verdictText(verdict: Verdict): string {
  return [`${verdict.headline}. ${verdict.detail}`, ...verdict.advice.map((a) => `  - ${a}`)].join('\n')
}
