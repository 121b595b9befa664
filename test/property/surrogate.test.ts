import fc from 'fast-check'
import { property, close } from '../support/property.ts'
import { clippedSurrogate, clipActive, type ClipSettings } from '../../src/core/loss/surrogate.ts'
import { lossGradient } from '../../src/core/loss/gradient.ts'
import { numberNumeric as N, fromRows, toRows } from '../../src/core/loss/numeric.ts'
import type { LossSettings } from '../../src/core/loss/loss.ts'

// ε_low ∈ [0, 1) (ClipConfig: UnitInterval; 1 would make the lower bound 0), ε_high ∈ [0, 2]
const clipArb: fc.Arbitrary<ClipSettings> = fc.record({
  epsLow: fc.double({ min: 0, max: 0.99, noNaN: true }),
  epsHigh: fc.double({ min: 0, max: 2, noNaN: true }),
  dualClip: fc.option(fc.double({ min: 1, max: 20, noNaN: true }), { nil: null })
})
const advArb = fc.double({ min: -10, max: 10, noNaN: true }).map((x) => x + 0)
const one = (s: ClipSettings, a: number, rho: number): number =>
  toRows(clippedSurrogate(N)(s)(fromRows([[a]]), fromRows([[rho]])))[0]?.[0] as number

property(
  'the surrogate equals the unclipped −A·ρ when ρ ∈ [1−ε_low, 1+ε_high] (dual clip off, or c ≥ 1+ε_high)',
  [clipArb, advArb, fc.double({ min: 0, max: 1, noNaN: true })],
  (s0, a, u) => {
    const s = s0.dualClip === null ? s0 : { ...s0, dualClip: Math.max(s0.dualClip, 1 + s0.epsHigh) }
    const lo = 1 - s.epsLow
    const hi = 1 + s.epsHigh
    const rho = Math.min(hi, Math.max(lo, lo + u * (hi - lo)))
    return one(s, a, rho) === -a * rho
  }
)

property(
  'the surrogate is −min(ρ·A, clip(ρ)·A) of Eq. 1 without dual clip, and its clip indicator is 1 exactly where the clipped term wins',
  [clipArb, advArb, fc.double({ min: 0, max: 5, noNaN: true })],
  (s0, a, rho) => {
    const s = { ...s0, dualClip: null }
    const clipped = Math.min(Math.max(rho, 1 - s.epsLow), 1 + s.epsHigh)
    const active = toRows(clipActive(N)(s)(fromRows([[a]]), fromRows([[rho]])))[0]?.[0]
    return one(s, a, rho) === -Math.min(rho * a, clipped * a) && active === (-a * clipped > -a * rho ? 1 : 0)
  }
)

property(
  'dual clip caps the per-token loss at −c·A for A < 0 and never changes it for A ≥ 0',
  [clipArb, advArb, fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true })],
  (s0, a, rho, c) => {
    const plain = one({ ...s0, dualClip: null }, a, rho)
    const dual = one({ ...s0, dualClip: c }, a, rho)
    return a < 0 ? dual === Math.min(plain, -c * a) && dual <= -c * a : dual === plain
  }
)

const settingsOf = (s: ClipSettings): LossSettings => ({
  ...s,
  logRatioClamp: 20,
  mask: {
    enabled: false,
    rule: 'tokenProb',
    scope: 'all',
    delta: 0,
    minOldLogProb: -5,
    droppedRowsCount: true
  },
  kl: { beta: 0, estimator: 'k3', logRatioClamp: 20, valueClamp: 10 },
  aggregation: 'token-mean',
  normLength: 1,
  entropyCoef: 0
})

property(
  'the gradient vanishes where the clip is active in the advantage’s direction (A > 0, ρ > 1+ε_high; A < 0, ρ < 1−ε_low), and the loss is flat there',
  [
    clipArb,
    fc.double({ min: 1e-3, max: 10, noNaN: true }),
    fc.boolean(),
    fc.double({ min: 1e-6, max: 3, noNaN: true })
  ],
  (s, mag, positive, beyond) => {
    const a = positive ? mag : -mag
    // log-ratio strictly beyond the clip boundary in the advantage's direction
    const r = positive ? Math.log(1 + s.epsHigh) + beyond : Math.log(1 - s.epsLow) - beyond
    const g = lossGradient(settingsOf(s))({
      logProbs: fromRows([[r - 1]]),
      oldLogProbs: fromRows([[-1]]),
      tipFreeLogProbs: fromRows([[r - 1]]),
      refLogProbs: null,
      advantages: fromRows([[a]]),
      responseMask: fromRows([[1]]),
      offPolicy: fromRows([[0]]),
      entropy: null
    })
    const rho = Math.exp(r)
    const further = positive ? rho * 1.5 : rho / 1.5
    return g.dLogProbs.data[0] === 0 && close(one(s, a, rho), one(s, a, further), 1e-12, 0)
  }
)
