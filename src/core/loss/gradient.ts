/**
 * The analytic gradient of `empo2Loss(…).loss` (`loss.ts`) with respect to every token's `logProbs`
 * and, when `entropyCoef > 0`, every token's `entropy`, in float64 numbers. It is derived by hand,
 * independently of any autograd, so that the tensor layer's automatic differentiation of the same
 * definition can be cross-checked against it. At the kinks of the piecewise formulas it follows
 * tfjs's conventions, so the cross-check agrees even on a boundary. The derivation and the kink
 * conventions: docs/porting.md, "The loss" ("Gradient").
 *
 * @since 0.1.0
 */
import { ndarray, numberNumeric as N, type NDArray } from './numeric.ts'
import type { LossInputs, LossSettings } from './loss.ts'
import { lossMasks } from './mask.ts'
import { aggregationWeights } from './aggregate.ts'
import type { Rows } from './ratio.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The gradient of the loss: `dLogProbs` `[B, T]`, and `dEntropy` `[B, T]` when `entropyCoef > 0`
 * (else null).
 *
 * @since 0.1.0
 * @category model
 */
export interface LossGradient {
  readonly dLogProbs: NDArray
  readonly dEntropy: NDArray | null
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const rowsOf = (a: NDArray, b: number, t: number): Rows => {
  // broadcast `a` to [b, t] (values exactly, via a where on a ones mask)
  const full = N.where(ndarray([b, t], new Float64Array(b * t).fill(1)), a, a)
  return Array.from({ length: b }, (_, i) => Array.from(full.data.subarray(i * t, (i + 1) * t)))
}

// ∂l/∂ρ of the clipped surrogate with dual clip, tfjs kink conventions
const surrogateSlope = (s: LossSettings, A: number, rho: number): number => {
  const l1 = -A * rho
  const l2 = -A * Math.min(Math.max(rho, 1 - s.epsLow), 1 + s.epsHigh)
  const toL1 = l1 >= l2 // maximum(l1, l2): gradient to l1 where l1 ≥ l2
  const clampPasses = rho >= 1 - s.epsLow && rho <= 1 + s.epsHigh
  const dl = toL1 ? -A : clampPasses ? -A : 0
  if (s.dualClip !== null && A < 0) {
    const l = Math.max(l1, l2)
    // minimum(l, −c·A): gradient to l where l ≤ −c·A
    return l <= -s.dualClip * A ? dl : 0
  }
  return dl
}

// ∂k/∂logp of the KL estimator
const klSlope = (s: LossSettings, logp: number, ref: number): number => {
  switch (s.kl.estimator) {
    case 'k1':
      return 1
    case 'k2':
      return logp - ref
    case 'k3': {
      const raw = ref - logp
      const L = s.kl.logRatioClamp
      const d = Math.min(Math.max(raw, -L), L)
      const k3 = Math.exp(d) - d - 1
      const passes = raw >= -L && raw <= L && k3 >= 0 && k3 <= s.kl.valueClamp
      return passes ? -(Math.exp(d) - 1) : 0
    }
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The analytic gradient of `empo2Loss(numberNumeric)(s)(x).loss` (see the module comment for the
 * formulas and the kink conventions). Inputs as `LossInputs` (`[B, T]`, `offPolicy` `[B, 1]`), outputs
 * `[B, T]`. Throws like `empo2Loss` on a missing `refLogProbs` or `entropy`.
 *
 * @example
 * import { lossGradient } from './gradient.ts'
 * import { lossSettings } from './loss.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { fromRows, toRows } from './numeric.ts'
 * const s = { ...lossSettings(paperPreset), kl: { ...lossSettings(paperPreset).kl, beta: 0 } }
 * const g = lossGradient(s)({
 *   logProbs: fromRows([[-0.9, -0.5]]),
 *   oldLogProbs: fromRows([[-1, -1]]),
 *   tipFreeLogProbs: fromRows([[-0.9, -0.5]]),
 *   refLogProbs: null,
 *   advantages: fromRows([[1, 1]]),
 *   responseMask: fromRows([[1, 1]]),
 *   offPolicy: fromRows([[0]]),
 *   entropy: null
 * })
 * // token 1: −A·ρ/2 with ρ = e^0.1; token 2 is clipped (ρ = e^0.5 > 1.2, A > 0): no gradient
 * assert.deepEqual(toRows(g.dLogProbs), [[-Math.exp(0.1) / 2, 0]])
 * assert.equal(g.dEntropy, null)
 *
 * @since 0.1.0
 * @category combinators
 */
export const lossGradient =
  (s: LossSettings) =>
  (x: LossInputs<NDArray>): LossGradient => {
    if (s.kl.beta > 0 && x.refLogProbs === null)
      throw new RangeError('lossGradient: kl.beta > 0 needs refLogProbs, got null')
    if (s.entropyCoef > 0 && x.entropy === null)
      throw new RangeError('lossGradient: entropyCoef > 0 needs entropy, got null')
    if (x.logProbs.shape.length !== 2)
      throw new RangeError(`lossGradient: logProbs must be [B, T], got [${x.logProbs.shape.join(', ')}]`)
    const [B, T] = x.logProbs.shape as [number, number]
    const rows = (a: NDArray): Rows => rowsOf(a, B, T)
    const masks = lossMasks(N)(s.mask)(x)
    const pg = rows(masks.pg)
    const terms = rows(masks.terms)
    const w = aggregationWeights(s)(rows(masks.denominator), x.omitted)
    const logp = rows(x.logProbs)
    const old = rows(x.oldLogProbs)
    const adv = rows(x.advantages)
    const ref = x.refLogProbs === null ? null : rows(x.refLogProbs)
    const c = s.logRatioClamp
    const d = new Float64Array(B * T)
    const dH = new Float64Array(B * T)
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const wbt = (w[b] as ReadonlyArray<number>)[t] as number
        const lp = (logp[b] as ReadonlyArray<number>)[t] as number
        const r = lp - ((old[b] as ReadonlyArray<number>)[t] as number)
        const rho = Math.exp(Math.min(Math.max(r, -c), c))
        const dRho = r >= -c && r <= c ? rho : 0
        const A = (adv[b] as ReadonlyArray<number>)[t] as number
        const pgbt = (pg[b] as ReadonlyArray<number>)[t] as number
        const kbt = (terms[b] as ReadonlyArray<number>)[t] as number
        // a masked token (pg = 0) contributes exactly 0, whatever the slope
        let g = pgbt === 0 || wbt === 0 ? 0 : wbt * pgbt * surrogateSlope(s, A, rho) * dRho
        if (s.kl.beta > 0 && ref !== null && wbt !== 0 && kbt !== 0)
          g += s.kl.beta * wbt * kbt * klSlope(s, lp, (ref[b] as ReadonlyArray<number>)[t] as number)
        d[b * T + t] = g
        dH[b * T + t] = -s.entropyCoef * wbt * kbt
      }
    return { dLogProbs: ndarray([B, T], d), dEntropy: s.entropyCoef > 0 ? ndarray([B, T], dH) : null }
  }
