import { describe, expect, it } from 'vitest'
import { GaussianProcess, fitKernel, negLogPosterior, paramsFromTheta, quadraticGram, thetaFromParams } from '../../../src-main/tuning/gp/gp'
import { expectedImprovement, logExpectedImprovement, logH, normalCdf } from '../../../src-main/tuning/gp/acquisition'
import { cholesky, choleskyInverse, choleskySolve } from '../../../src-main/tuning/gp/linalg'
import { coordDistance2, matern52 } from '../../../src-main/tuning/gp/kernel'
import { minimizeLbfgs } from '../../../src-main/tuning/gp/lbfgs'
import { Random } from '../../../src-main/pipeline/random'
import { lowestMean } from '../../../src-main/tuning/strategies/acquire'

const points1d = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95].map((v) => [v])
const f1d = (x: number) => Math.sin(6 * x) + 0.5 * x

describe('the linear algebra', () => {
  it('factors, solves and inverts a known SPD matrix', () => {
    const a = Float64Array.from([4, 2, 2, 3])
    const l = cholesky(a, 2)!
    expect(Array.from(l)).toEqual([2, 0, 1, Math.sqrt(2)])
    const x = choleskySolve(l, 2, [2, 1])
    expect(4 * x[0] + 2 * x[1]).toBeCloseTo(2, 12)
    expect(2 * x[0] + 3 * x[1]).toBeCloseTo(1, 12)
    const inv = Array.from(choleskyInverse(l, 2))
    ;[0.375, -0.25, -0.25, 0.5].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 12))
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull()
  })

  it('L-BFGS finds the minimum of the Rosenbrock valley', () => {
    const rosen = ([x, y]: number[]) => ({
      value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
    })
    const r = minimizeLbfgs(rosen, [-1.2, 1], { maxIterations: 200, gradientTolerance: 1e-8 })
    expect(r.x[0]).toBeCloseTo(1, 3)
    expect(r.x[1]).toBeCloseTo(1, 3)
  })
})

describe('the Gaussian process', () => {
  const kernel = { lengthscales: [0.2], signal: 1, noise: 1e-6 }
  const gp = new GaussianProcess(
    points1d,
    points1d.map(([x]) => f1d(x)),
    kernel,
    [false]
  )

  it('interpolates noiseless data, with almost no variance at the observed points', () => {
    for (const [x] of points1d) {
      const p = gp.predict([x])
      expect(p.mean).toBeCloseTo(f1d(x), 4)
      expect(p.variance).toBeLessThan(1e-4)
    }
  })

  it('is unsure between and beyond the data, and falls back to the prior far away', () => {
    expect(gp.predict([0.275]).variance).toBeGreaterThan(1e-3)
    const far = new GaussianProcess([[0]], [2], kernel, [false]).predict([1])
    expect(far.mean).toBeCloseTo(0, 2)
    expect(far.variance).toBeCloseTo(1, 3)
  })

  it('compares categorical coordinates by equality, not by distance', () => {
    expect(coordDistance2(0.25, 0.75, true)).toBe(1)
    expect(coordDistance2(0.25, 0.25, true)).toBe(0)
    const cat = new GaussianProcess([[1 / 6], [5 / 6]], [1, -1], { lengthscales: [1], signal: 1, noise: 1e-6 }, [true])
    // The middle choice is as far from both ends: its mean sits halfway, whatever its index.
    expect(cat.predict([0.5]).mean).toBeCloseTo(0, 9)
    expect(cat.predict([1 / 6]).mean).toBeCloseTo(1, 4)
  })
})

describe('the kernel fit', () => {
  it('has gradients that match finite differences', () => {
    const rng = new Random(5)
    const x = Array.from({ length: 12 }, () => [rng.next(), rng.next(), (rng.int(3) + 0.5) / 3])
    const y = x.map((p) => Math.sin(5 * p[0]) + p[1] - (p[2] > 0.5 ? 0.5 : 0))
    const categorical = [false, false, true]
    const dist2 = new Float64Array(((12 * 11) / 2) * 3)
    for (let i = 0, p = 0; i < 12; i++) for (let j = 0; j < i; j++, p += 3) for (let c = 0; c < 3; c++) dist2[p + c] = coordDistance2(x[i][c], x[j][c], categorical[c])
    const quad = quadraticGram(x, categorical)
    // The full kernel alone, then with 40 % of the signal additive, then with a bowl too.
    for (const [additive, quadratic] of [
      [0, 0],
      [0.4, 0],
      [0.4, 0.7]
    ]) {
      const theta = thetaFromParams({ lengthscales: [0.3, 0.8, 1.5], signal: 1.3, noise: 0.01, additive, quadratic })
      const { gradient } = negLogPosterior(theta, dist2, quad, y, 3)
      theta.forEach((_, k) => {
        const h = 1e-5
        const up = theta.map((t, i) => (i === k ? t + h : t))
        const down = theta.map((t, i) => (i === k ? t - h : t))
        const numeric = (negLogPosterior(up, dist2, quad, y, 3, false).value - negLogPosterior(down, dist2, quad, y, 3, false).value) / (2 * h)
        expect(gradient[k]).toBeCloseTo(numeric, 4)
      })
      expect(paramsFromTheta(theta).noise).toBeCloseTo(0.01, 12)
      expect(paramsFromTheta(theta).additive).toBeCloseTo(additive, 6)
    }
  })

  it('in 8 dimensions from 30 points, weighs the additive part by the data: an additive function is predicted from its one-coordinate trends', () => {
    const rng = new Random(3)
    const d = 8
    const points = (n: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.next()))
    const fit = (f: (x: number[]) => number) => {
      const x = points(30)
      const raw = x.map(f)
      const mean = raw.reduce((a, b) => a + b) / raw.length
      const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length)
      const kernel = fitKernel(
        x,
        raw.map((v) => (v - mean) / sd),
        Array(d).fill(false),
        new Random(1)
      )
      const test = points(200)
      /** Root-mean-square error of the posterior mean at 200 new points, in standard deviations of the data. */
      const error = (k: typeof kernel) => {
        const gp = new GaussianProcess(
          x,
          raw.map((v) => (v - mean) / sd),
          k,
          Array(d).fill(false)
        )
        return Math.sqrt(test.reduce((s, t) => s + (gp.predict(t).mean - (f(t) - mean) / sd) ** 2, 0) / test.length)
      }
      return { share: kernel.additive ?? 0, error: error(kernel), fullAlone: error({ ...kernel, additive: 0, quadratic: 0 }) }
    }
    const additive = fit((x) => x.reduce((s, v, j) => s + Math.sin(3 * v + j), 0))
    expect(additive.share).toBeGreaterThan(0.9)
    expect(additive.error).toBeLessThan(0.2)
    expect(additive.fullAlone).toBeGreaterThan(0.4) // the full kernel alone sees every point as far from the others
    // A ridge along the diagonal is not a sum of one-coordinate trends: the full kernel keeps most of the signal.
    const ridge = fit((x) => Math.sin((4 * x.reduce((s, v) => s + v, 0)) / Math.sqrt(d)))
    expect(ridge.share).toBeLessThan(0.5)
  })

  it("in 8 dimensions from 30 points far from a bowl's floor, finds the floor with the quadratic part, and not without it", () => {
    // A bowl whose floor (0.5 … 0.8 per coordinate) no point is near: the Trials of a search still
    // far from the best learning rate. The stationary parts revert to the mean away from the points;
    // the quadratic part extrapolates the bowl.
    const d = 8
    const floor = Array.from({ length: d }, (_, j) => 0.5 + (0.3 * j) / (d - 1))
    const f = (x: readonly number[]) => x.reduce((s, v, j) => s + (v - floor[j]) ** 2, 0)
    const rng = new Random(4)
    const x = Array.from({ length: 30 }, () => Array.from({ length: d }, () => 0.5 * rng.next())) // all in [0, 0.5)^8
    const raw = x.map(f)
    const mean = raw.reduce((a, b) => a + b) / raw.length
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length)
    const y = raw.map((v) => (v - mean) / sd)
    const categorical = Array(d).fill(false)
    const kernel = fitKernel(x, y, categorical, new Random(1))
    expect(kernel.quadratic).toBeGreaterThan(0.1)
    const best = x[raw.indexOf(Math.min(...raw))]
    const cube = { lo: Array(d).fill(0), hi: Array(d).fill(1) }
    const ctx = { rng: new Random(2), snap: (u: number[]) => u, categorical, choices: Array(d).fill(0), candidates: 0, perturbations: 0, localStarts: 0, localSteps: 0 }
    /** The model's lowest point, searched from the best Trial, and how far it is from the true floor. */
    const miss = (k: typeof kernel) => Math.sqrt(f(lowestMean(new GaussianProcess(x, y, k, categorical), best, cube, ctx)) / d)
    expect(miss(kernel)).toBeLessThan(0.03)
    expect(miss({ ...kernel, quadratic: 0 })).toBeGreaterThan(0.1)
    expect(Math.sqrt(f(best) / d)).toBeGreaterThan(0.25) // the best Trial itself is far from it
  })

  it("finds a rippled bowl's floor in closed form, better than every Trial, and never climbs a coordinate that only slopes", () => {
    // A bowl with ripples seen from one corner (Ackley's shape from afar); the last coordinate only
    // slopes upward, where a line says nothing of a floor. Three draws of 30 points.
    const d = 6
    const floor = [0.55, 0.6, 0.65, 0.7, 0.75]
    const f = (x: readonly number[]) => floor.reduce((s, c, j) => s + (x[j] - c) ** 2 + 0.02 * (1 - Math.cos(16 * Math.PI * (x[j] - c))), 0) + 0.3 * x[5]
    const miss = (u: readonly number[]) => Math.sqrt(floor.reduce((s, c, j) => s + (u[j] - c) ** 2, 0) / floor.length)
    const categorical = Array(d).fill(false)
    for (const seed of [5, 6, 7]) {
      const rng = new Random(seed)
      const x = Array.from({ length: 30 }, () => Array.from({ length: d }, () => 0.5 * rng.next()))
      const raw = x.map(f)
      const mean = raw.reduce((a, b) => a + b) / raw.length
      const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length)
      const y = raw.map((v) => (v - mean) / sd)
      const gp = new GaussianProcess(x, y, fitKernel(x, y, categorical, new Random(1)), categorical)
      const best = x[raw.indexOf(Math.min(...raw))]
      const closed = gp.quadraticFloor(best)
      expect(miss(best)).toBeGreaterThan(0.2)
      expect(miss(closed)).toBeLessThan(0.11)
      expect(f(closed)).toBeLessThan(f(best))
      expect(closed[5]).toBeLessThanOrEqual(best[5])
    }
  })

  it('recovers the lengthscale of a function drawn from a known GP, and sees an irrelevant dimension', () => {
    // y is a draw from a GP with ℓ = 0.2 along x0 and no dependence on x1.
    const rng = new Random(11)
    const n = 60
    const x = Array.from({ length: n }, () => [rng.next(), rng.next()])
    const truth = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) truth[i * n + j] = matern52(Math.abs(x[i][0] - x[j][0]) / 0.2) + (i === j ? 1e-8 : 0)
    const l = cholesky(truth, n)!
    const z = Array.from({ length: n }, () => rng.normal())
    const y = Array.from({ length: n }, (_, i) => z.reduce((s, zk, k) => s + (k <= i ? l[i * n + k] * zk : 0), 0))
    const k = fitKernel(x, y, [false, false], new Random(1))
    expect(k.lengthscales[0]).toBeGreaterThan(0.1)
    expect(k.lengthscales[0]).toBeLessThan(0.4)
    expect(k.lengthscales[1]).toBeGreaterThan(5 * k.lengthscales[0])
    expect(k.noise).toBeLessThan(0.01) // the data are noiseless
  })

  it('estimates the noise of noisy data', () => {
    const rng = new Random(2)
    const x = Array.from({ length: 60 }, () => [rng.next()])
    const y = x.map(([a]) => a + 0.3 * rng.normal())
    const k = fitKernel(x, y, [false], new Random(1))
    expect(k.noise).toBeGreaterThan(0.03)
    expect(k.noise).toBeLessThan(0.3)
  })
})

describe('Expected Improvement', () => {
  it('matches its closed form and its limits', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7)
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4)
    // At the incumbent, EI = σ·φ(0) = σ/√(2π).
    expect(expectedImprovement(1, 4, 1)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 7)
    // Certain improvement: EI is the improvement itself; no chance: EI ~ 0.
    expect(expectedImprovement(0, 1e-12, 1)).toBeCloseTo(1, 5)
    expect(expectedImprovement(10, 1, 0)).toBeLessThan(1e-20)
  })

  it('prefers lower means at equal variance and more variance at equal mean', () => {
    expect(expectedImprovement(0.5, 1, 1)).toBeGreaterThan(expectedImprovement(1.5, 1, 1))
    expect(expectedImprovement(1.5, 2, 1)).toBeGreaterThan(expectedImprovement(1.5, 1, 1))
  })

  it('log EI agrees with log(EI) and stays finite and ordered where EI underflows', () => {
    for (const [m, v] of [
      [0, 1],
      [1, 1],
      [3, 1],
      [2.9, 0.25]
    ])
      expect(logExpectedImprovement(m, v, 0)).toBeCloseTo(Math.log(expectedImprovement(m, v, 0)), 5)
    // Both sides of the switch from the closed form to the continued fraction agree.
    expect(logH(-3 + 1e-9)).toBeCloseTo(logH(-3 - 1e-9), 6)
    expect(expectedImprovement(40, 1, 0)).toBe(0)
    const far = logExpectedImprovement(40, 1, 0)
    const farther = logExpectedImprovement(45, 1, 0)
    expect(Number.isFinite(far)).toBe(true)
    expect(far).toBeGreaterThan(farther)
    expect(far).toBeCloseTo(-800 - Math.log(40 ** 2) - 0.5 * Math.log(2 * Math.PI), 1) // asymptote φ(z)/z²
  })
})

describe('the cheap variance bound', () => {
  it('is never below the posterior variance, and is tight next to an observation', () => {
    const rng = new Random(8)
    const x = Array.from({ length: 30 }, () => [rng.next(), rng.next()])
    const gp = new GaussianProcess(
      x,
      x.map(([a, b]) => Math.sin(4 * a) + b),
      { lengthscales: [0.3, 0.5], signal: 1.2, noise: 1e-4 },
      [false, false]
    )
    for (let i = 0; i < 500; i++) {
      const p = [rng.next(), rng.next()]
      gp.meanAt(p)
      const bound = gp.varianceBoundOfLastMean()
      expect(bound).toBeGreaterThanOrEqual(gp.predict(p).variance - 1e-12)
    }
    gp.meanAt([x[0][0] + 1e-4, x[0][1]])
    expect(gp.varianceBoundOfLastMean()).toBeLessThan(1e-3)
  })
})
