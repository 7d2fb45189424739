/**
 * A Gaussian-process regressor over unit-cube points: zero prior mean on standardized values,
 * Matérn 5/2 ARD kernel with an additive and a quadratic part (./kernel.ts), Gaussian observation noise. Kernel hyperparameters are fitted by
 * maximising the log marginal likelihood plus weak log priors (MAP), with analytic gradients and
 * L-BFGS from a few starts — the recipe of BoTorch's and Optuna's GP samplers, written small.
 */
import type { Random } from '../../pipeline/random'
import { cholesky, choleskyInverse, choleskySolve } from './linalg'
import { type KernelParams, coordDistance2, correlation, quadraticCorrelation, quadraticFeatures, quadraticVertex } from './kernel'

const SQRT5 = Math.sqrt(5)
import { minimizeLbfgs } from './lbfgs'

/** Noise variance never goes below this (standardized units): keeps K well conditioned. */
export const MIN_NOISE = 1e-6

/** A fitted GP: predicts the latent objective (noise excluded) at new points. */
export class GaussianProcess {
  readonly n: number
  readonly #d: number
  readonly #x: Float64Array // n × d, row-major: flat arrays keep predict (the hot loop) fast
  readonly #inv2: Float64Array
  readonly #categorical: Uint8Array
  readonly #kinds: readonly boolean[] // the same, as the kernel's helpers take it
  readonly #signal: number
  readonly #additive: number
  readonly #quadratic: number
  readonly #features: Float64Array[]
  readonly #phi: Float64Array // the features of the point of the last meanAt
  readonly #l: Float64Array
  readonly #alpha: Float64Array
  readonly #kstar: Float64Array
  readonly #v: Float64Array
  readonly #diagonal: Float64Array // K_ii, noise and any jitter included
  #maxK = 0 // the largest k*_i of the last meanAt
  #maxI = 0 // its i
  #prior = 0 // the prior variance at the point of the last meanAt

  /** Conditions the GP with `params` on points `x` and standardized values `y`. */
  constructor(
    x: readonly (readonly number[])[],
    y: readonly number[],
    readonly params: KernelParams,
    categorical: readonly boolean[]
  ) {
    this.n = x.length
    this.#d = categorical.length
    this.#x = Float64Array.from(x.flat())
    this.#categorical = Uint8Array.from(categorical, (c) => (c ? 1 : 0))
    this.#kinds = categorical
    this.#inv2 = Float64Array.from(params.lengthscales, (l) => 1 / (l * l))
    this.#signal = params.signal
    this.#additive = params.additive ?? 0
    this.#quadratic = params.quadratic ?? 0
    this.#features = x.map((p) => quadraticFeatures(p, categorical))
    this.#phi = quadraticFeatures(Array(this.#d).fill(0.5), categorical)
    const k = covariance(x, this.#inv2, categorical, params.signal, params.noise, this.#additive, this.#quadratic, this.#features)
    let l = cholesky(k, this.n)
    // Repeated points with tiny noise can defeat the factorisation: add jitter until it holds.
    for (let jitter = 1e-8; !l && jitter < 1; jitter *= 10) {
      for (let i = 0; i < this.n; i++) k[i * this.n + i] += jitter * params.signal
      l = cholesky(k, this.n)
    }
    if (!l) throw new Error('the GP covariance is not positive definite')
    this.#diagonal = Float64Array.from({ length: this.n }, (_, i) => k[i * this.n + i])
    this.#l = l
    this.#alpha = choleskySolve(l, this.n, Float64Array.from(y))
    this.#kstar = new Float64Array(this.n)
    this.#v = new Float64Array(this.n)
  }

  /**
   * An upper bound of the posterior variance at the point of the last meanAt call, in O(1):
   * the variance given only the most correlated observation, s − k_i²/K_ii. Conditioning on more
   * observations never raises a GP's variance, so the true one is at most this (used to bound EI).
   */
  varianceBoundOfLastMean(): number {
    return this.#prior - (this.#maxK * this.#maxK) / this.#diagonal[this.#maxI]
  }

  /**
   * The lowest point of the mean's quadratic part, in closed form: its posterior weights are
   * (q/m)·Σ α_i φ(x_i), so each numeric coordinate's floor is a parabola's vertex
   * (kernel.ts quadraticVertex; the positive factor q/m moves no vertex). Categorical coordinates,
   * and those whose parabola does not curve up, keep `start`'s value.
   */
  quadraticFloor(start: readonly number[]): number[] {
    if (this.#quadratic === 0) return [...start] // no quadratic part: no floor to tell
    const w = new Float64Array(this.#phi.length)
    for (let i = 0; i < this.n; i++) for (let k = 0; k < w.length; k++) w[k] += this.#alpha[i] * this.#features[i][k]
    return quadraticVertex(w, start, this.#kinds)
  }

  /** Posterior mean and variance of the latent objective at `point`. */
  predict(point: readonly number[]): { mean: number; variance: number } {
    const mean = this.meanAt(point)
    return { mean, variance: this.varianceOfLastMean() }
  }

  /**
   * Posterior mean at `point` alone: O(n·d), against O(n²) for the variance. Keeps k* so that
   * varianceOfLastMean() can finish the prediction if the caller still needs it.
   */
  meanAt(point: readonly number[]): number {
    const n = this.n
    const d = this.#d
    const x = this.#x
    const inv2 = this.#inv2
    const cat = this.#categorical
    const kstar = this.#kstar
    const additive = this.#additive
    const quadratic = this.#quadratic
    const phi = quadratic > 0 ? quadraticFeatures(point, this.#kinds, this.#phi) : undefined
    this.#prior = this.#signal + (phi ? quadratic * quadraticCorrelation(phi, phi) : 0)
    let mean = 0
    let maxK = 0
    let maxI = 0
    // The kernel's correlation, inlined: this loop runs n times per candidate.
    for (let i = 0, row = 0; i < n; i++, row += d) {
      let r2 = 0
      let sum = 0
      for (let j = 0; j < d; j++) {
        const diff = point[j] - x[row + j]
        const q = (cat[j] === 1 ? (Math.abs(diff) < 1e-9 ? 0 : 1) : diff * diff) * inv2[j]
        r2 += q
        if (additive > 0) {
          const u = SQRT5 * Math.sqrt(q)
          sum += (1 + u + (u * u) / 3) * Math.exp(-u)
        }
      }
      const t = SQRT5 * Math.sqrt(r2)
      let c = this.#signal * ((1 - additive) * (1 + t + (t * t) / 3) * Math.exp(-t) + (additive * sum) / d)
      if (phi) c += quadratic * quadraticCorrelation(phi, this.#features[i])
      kstar[i] = c
      if (c > maxK) {
        maxK = c
        maxI = i
      }
      mean += c * this.#alpha[i]
    }
    this.#maxK = maxK
    this.#maxI = maxI
    return mean
  }

  /** Posterior variance at the point of the last meanAt call: signal − |L⁻¹k*|². */
  varianceOfLastMean(): number {
    const n = this.n
    const l = this.#l
    const kstar = this.#kstar
    const v = this.#v
    let explained = 0
    for (let i = 0, ri = 0; i < n; i++, ri += n) {
      let s = kstar[i]
      for (let k = 0; k < i; k++) s -= l[ri + k] * v[k]
      s /= l[ri + i]
      v[i] = s
      explained += s * s
    }
    return Math.max(1e-12 * this.#signal, this.#prior - explained)
  }
}

/** K = signal·correlation(x, x) + quadratic·φ(x)·φ(x)/m + noise·I. */
function covariance(
  x: readonly (readonly number[])[],
  inv2: ArrayLike<number>,
  categorical: readonly boolean[],
  signal: number,
  noise: number,
  additive: number,
  quadratic: number,
  features: Float64Array[]
): Float64Array {
  const n = x.length
  const k = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    k[i * n + i] = signal + noise + quadratic * quadraticCorrelation(features[i], features[i])
    for (let j = 0; j < i; j++) {
      const c = signal * correlation(x[i], x[j], inv2, categorical, additive) + quadratic * quadraticCorrelation(features[i], features[j])
      k[i * n + j] = c
      k[j * n + i] = c
    }
  }
  return k
}

// ---------------------------------------------------------------------------------------------
// Hyperparameter fit. θ = (log ℓ_1..d, log signal, log(noise − MIN_NOISE), logit additive, log quadratic).

/**
 * Weak priors, on standardized values and unit-cube inputs: ℓ near 1 (−log p = 0.1(ℓ² + ℓ⁻²)
 * keeps ℓ off both extremes without pulling hard), signal ~ Gamma(2, 1), noise ~ Gamma(1.1, 30)
 * (small noise expected, larger allowed when the data insist). The shapes follow Optuna's GP
 * sampler; they matter only when there are few Trials. The additive share's logit ~ N(0, 2²):
 * the data decide between the two parts. The quadratic part's log variance ~ N(−1, 2²): a bowl
 * must be asked for by the data.
 */
function negLogPrior(theta: number[], d: number, grad: number[]): number {
  let value = 0
  for (let j = 0; j < d; j++) {
    const l2 = Math.exp(2 * theta[j])
    value += 0.1 * (l2 + 1 / l2)
    grad[j] += 0.2 * (l2 - 1 / l2)
  }
  const s = Math.exp(theta[d])
  value += -Math.log(s) + s
  grad[d] += -1 + s
  const e = Math.exp(theta[d + 1])
  const noise = MIN_NOISE + e
  value += -0.1 * Math.log(noise) + 30 * noise
  grad[d + 1] += (-0.1 / noise + 30) * e
  value += theta[d + 2] ** 2 / 8
  grad[d + 2] += theta[d + 2] / 4
  value += (theta[d + 3] - QUADRATIC_PRIOR_MEAN) ** 2 / 8
  grad[d + 3] += (theta[d + 3] - QUADRATIC_PRIOR_MEAN) / 4
  return value
}

/** The mean of the quadratic part's log-variance prior (negLogPrior). */
const QUADRATIC_PRIOR_MEAN = -1

/** Kernel parameters from θ. */
export function paramsFromTheta(theta: readonly number[]): KernelParams {
  const d = theta.length - 4
  return {
    lengthscales: theta.slice(0, d).map(Math.exp),
    signal: Math.exp(theta[d]),
    noise: MIN_NOISE + Math.exp(theta[d + 1]),
    additive: 1 / (1 + Math.exp(-theta[d + 2])),
    quadratic: Math.exp(theta[d + 3])
  }
}

/** θ from kernel parameters. */
export function thetaFromParams(p: KernelParams): number[] {
  const a = Math.min(1 - 1e-9, Math.max(1e-9, p.additive ?? 0))
  return [...p.lengthscales.map(Math.log), Math.log(p.signal), Math.log(Math.max(1e-12, p.noise - MIN_NOISE)), Math.log(a / (1 - a)), Math.log(Math.max(1e-12, p.quadratic ?? 0))]
}

/** Pairwise squared coordinate distances, precomputed once per fit: [pair][coordinate]. */
function pairDistances(x: readonly (readonly number[])[], categorical: readonly boolean[]): Float64Array {
  const n = x.length
  const d = categorical.length
  const out = new Float64Array(((n * (n - 1)) / 2) * d)
  let p = 0
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++, p += d) for (let c = 0; c < d; c++) out[p + c] = coordDistance2(x[i][c], x[j][c], categorical[c])
  return out
}

/** The quadratic part's correlations of every pair, precomputed once per fit: n × n. */
export function quadraticGram(x: readonly (readonly number[])[], categorical: readonly boolean[]): Float64Array {
  const n = x.length
  const phi = x.map((p) => quadraticFeatures(p, categorical))
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * n + j] = out[j * n + i] = quadraticCorrelation(phi[i], phi[j])
  return out
}

/** −(log marginal likelihood + log prior) and its gradient in θ; Infinity where K is not PD. */
export function negLogPosterior(theta: readonly number[], dist2: Float64Array, quad: Float64Array, y: readonly number[], d: number, withGradient = true): { value: number; gradient: number[] } {
  const n = y.length
  const { lengthscales, signal, noise, additive = 0, quadratic = 0 } = paramsFromTheta(theta)
  const inv2 = lengthscales.map((l) => 1 / (l * l))
  const k = new Float64Array(n * n)
  // Per pair: the full part's correlation and −(1/r)·dMatérn/dr = (5/3)(1 + √5r)e^(−√5r), sharing
  // the exp; the additive part's mean correlation, and per coordinate its own −(1/r)·dMatérn/dr.
  const full = new Float64Array(n * n)
  const fullSlope = new Float64Array(n * n)
  const sum = new Float64Array(n * n)
  const slopes = new Float64Array(dist2.length)
  for (let i = 0, p = 0; i < n; i++) {
    k[i * n + i] = signal + noise + quadratic * quad[i * n + i]
    for (let j = 0; j < i; j++, p += d) {
      let r2 = 0
      let mean = 0
      for (let c = 0; c < d; c++) {
        const q = dist2[p + c] * inv2[c]
        r2 += q
        const u = SQRT5 * Math.sqrt(q)
        const e = Math.exp(-u)
        mean += (1 + u + (u * u) / 3) * e
        slopes[p + c] = (5 / 3) * (1 + u) * e
      }
      const t = SQRT5 * Math.sqrt(r2)
      const e = Math.exp(-t)
      fullSlope[i * n + j] = (5 / 3) * (1 + t) * e
      full[i * n + j] = (1 + t + (t * t) / 3) * e
      sum[i * n + j] = mean / d
      const v = signal * ((1 - additive) * full[i * n + j] + additive * sum[i * n + j]) + quadratic * quad[i * n + j]
      k[i * n + j] = v
      k[j * n + i] = v
    }
  }
  const gradient = new Array<number>(d + 4).fill(0)
  const l = cholesky(k, n)
  if (!l) return { value: Infinity, gradient }
  const alpha = choleskySolve(l, n, Float64Array.from(y))
  let value = 0.5 * n * Math.log(2 * Math.PI)
  for (let i = 0; i < n; i++) value += 0.5 * y[i] * alpha[i] + Math.log(l[i * n + i])
  value += negLogPrior(theta as number[], d, gradient)
  if (!withGradient) return { value, gradient }
  // d(−log ML)/dθ = ½ tr(W·dK/dθ), W = K⁻¹ − ααᵀ
  const inv = choleskyInverse(l, n)
  let traceW = 0
  for (let i = 0; i < n; i++) traceW += inv[i * n + i] - alpha[i] * alpha[i]
  gradient[d + 1] += 0.5 * traceW * (noise - MIN_NOISE)
  let signalTerm = 0.5 * signal * traceW // diagonal: dK_ii/dlog s = s
  let additiveTerm = 0 // diagonal: both parts are 1 there, so the share does not move K_ii
  let quadraticTerm = 0
  for (let i = 0, p = 0; i < n; i++) {
    quadraticTerm += 0.5 * (inv[i * n + i] - alpha[i] * alpha[i]) * quadratic * quad[i * n + i]
    for (let j = 0; j < i; j++, p += d) {
      const w = inv[i * n + j] - alpha[i] * alpha[j] // counted twice (ij and ji): ½·2 = 1
      signalTerm += w * (k[i * n + j] - quadratic * quad[i * n + j])
      quadraticTerm += w * quadratic * quad[i * n + j]
      additiveTerm += w * signal * additive * (1 - additive) * (sum[i * n + j] - full[i * n + j])
      const g = w * signal * (1 - additive) * fullSlope[i * n + j]
      const ga = (w * signal * additive) / d
      for (let c = 0; c < d; c++) gradient[c] += (g + ga * slopes[p + c]) * dist2[p + c] * inv2[c]
    }
  }
  gradient[d] += signalTerm
  gradient[d + 2] += additiveTerm
  gradient[d + 3] += quadraticTerm
  return { value, gradient }
}

/** Fits kernel hyperparameters to (x, standardized y): a few cheap starts, L-BFGS from the best two. */
export function fitKernel(
  x: readonly (readonly number[])[],
  y: readonly number[],
  categorical: readonly boolean[],
  rng: Random,
  { starts = 6, polished = 2, maxIterations = 60 }: { starts?: number; polished?: number; maxIterations?: number } = {}
): KernelParams {
  const d = categorical.length
  const dist2 = pairDistances(x, categorical)
  const quad = quadraticGram(x, categorical)
  const objective = (theta: number[]) => negLogPosterior(theta, dist2, quad, y, d)
  // Mostly full, mostly additive, mostly a bowl, then random mixes.
  const initial: number[][] = [
    [...Array(d).fill(Math.log(0.5)), 0, Math.log(1e-3), -3, -6],
    [...Array(d).fill(Math.log(0.5)), 0, Math.log(1e-3), 3, -6],
    [...Array(d).fill(Math.log(0.2)), 0, Math.log(1e-4), -3, -6],
    [...Array(d).fill(Math.log(0.5)), -1, Math.log(1e-3), 0, 0]
  ]
  while (initial.length < starts) {
    initial.push([
      ...Array.from({ length: d }, () => Math.log(0.05) + rng.next() * Math.log(40)),
      rng.uniform(-1, 1),
      rng.uniform(Math.log(1e-5), Math.log(1e-1)),
      rng.uniform(-4, 4),
      rng.uniform(-6, 1)
    ])
  }
  const ranked = initial
    .map((theta) => ({ theta, value: negLogPosterior(theta, dist2, quad, y, d, false).value }))
    .filter((s) => Number.isFinite(s.value))
    .sort((a, b) => a.value - b.value)
  let best = { x: initial[0], value: Infinity }
  for (const start of ranked.slice(0, polished)) {
    const result = minimizeLbfgs(objective, start.theta, { maxIterations })
    if (result.value < best.value) best = result
  }
  // Keep θ in a sane box whatever the optimiser did on a flat likelihood.
  const box = (t: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, t))
  const clamped = best.x.map((t, i) =>
    i < d ? box(t, Math.log(1e-3), Math.log(50)) : i === d ? box(t, Math.log(1e-3), Math.log(100)) : i === d + 1 ? Math.min(0, t) : i === d + 2 ? box(t, -8, 8) : box(t, -12, Math.log(100))
  )
  return paramsFromTheta(clamped)
}
