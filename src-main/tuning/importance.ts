/**
 * How much each hyperparameter seems to matter, from the finished Trials alone: for a numeric one,
 * how much of the objective's ranks a quadratic in its ranks explains (a rank correlation below 5
 * Trials); for a categorical one, the correlation ratio. A rank correlation alone sees only a
 * trend: a learning rate that fails both too low and too high (a bowl, the usual shape) scored
 * next to nothing. Cheap and honest for a few dozen Trials (fANOVA needs far more); shown as
 * shares summing to 1.
 */
import type { Dimension, Params } from './types'

/**
 * Importance per hyperparameter, most important first; empty below 3 Trials, when nothing correlates with the objective, and
 * when all Trials but one scored the same: the shares would then only say where that one Trial's settings sit among the others'.
 */
export function paramImportance(space: Record<string, Dimension>, trials: { params: Params; value: number }[]): { name: string; importance: number }[] {
  if (trials.length < 3) return []
  const values = trials.map((t) => t.value)
  if (Math.max(...values.map((v) => values.filter((w) => w === v).length)) >= values.length - 1) return []
  const raw = Object.entries(space).map(([name, dim]) => {
    const xs = trials.map((t) => t.params[name])
    const score = dim.type === 'categorical' ? Math.sqrt(correlationRatio(xs.map(String), values)) : rankFit(xs.map(Number), values)
    return { name, score: Number.isFinite(score) ? score : 0 }
  })
  const total = raw.reduce((sum, r) => sum + r.score, 0)
  // No hyperparameter explains any difference (e.g. every Trial scored the same): equal shares would claim they all matter.
  if (!(total > 0)) return []
  return raw.map((r) => ({ name: r.name, importance: r.score / total })).sort((a, b) => b.importance - a.importance)
}

/** Average ranks (ties share their mean rank). */
function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const out = new Array<number>(xs.length)
  for (let i = 0; i < order.length;) {
    let j = i
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2
    i = j + 1
  }
  return out
}

/** √R² of the ranks of ys on a quadratic in the ranks of xs (from 5 points; below, |Spearman|). */
function rankFit(xs: number[], ys: number[]): number {
  const rx = ranks(xs)
  const ry = ranks(ys)
  if (xs.length < 5) return Math.abs(pearson(rx, ry))
  // Centre the ranks, then make the square orthogonal to the line (Gram-Schmidt): R² of the
  // two-term fit is then the sum of the two squared correlations.
  const mean = rx.reduce((a, b) => a + b, 0) / rx.length
  const line = rx.map((r) => r - mean)
  const square = line.map((r) => r * r)
  const beta = dot(square, line) / dot(line, line)
  const curve = square.map((q, i) => q - beta * line[i])
  return Math.sqrt(Math.min(1, pearson(line, ry) ** 2 + pearson(curve, ry) ** 2))
}

function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0)
}

function pearson(xs: number[], ys: number[]): number {
  const n = xs.length
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0,
    sxx = 0,
    syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my)
    sxx += (xs[i] - mx) ** 2
    syy += (ys[i] - my) ** 2
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0
}

/** η²: the share of the objective's variance explained by the groups. */
function correlationRatio(groups: string[], ys: number[]): number {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length
  const total = ys.reduce((a, y) => a + (y - mean) ** 2, 0)
  if (total === 0) return 0
  const byGroup = new Map<string, number[]>()
  groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), ys[i]]))
  let between = 0
  for (const members of byGroup.values()) {
    const m = members.reduce((a, b) => a + b, 0) / members.length
    between += members.length * (m - mean) ** 2
  }
  return between / total
}
