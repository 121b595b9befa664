import fc from 'fast-check'
import { property, close } from '../support/property.ts'
import { extremeLogProb } from '../support/batch.ts'
import { klPerToken, type KlSettings } from '../../src/core/loss/kl.ts'
import { numberNumeric as N, fromRows, toRows } from '../../src/core/loss/numeric.ts'

// A categorical with 2..6 outcomes, every weight in [0.01, 1] before normalising, so every
// probability is ≥ 0.01/6 and every |log p − log ref| ≤ log 600 < 6.5: inside any clamp ≥ 6.5.
const categorical = (v: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: v, maxLength: v }).map((w) => {
    const z = w.reduce((a, b) => a + b, 0)
    return w.map((x) => x / z)
  })
const pair = fc.integer({ min: 2, max: 6 }).chain((v) => fc.tuple(categorical(v), categorical(v)))
// clamps that cannot bind on these distributions: the law is about the unclamped estimators
const wide = { beta: 1, logRatioClamp: 20, valueClamp: 1e6 }
const perToken = (
  s: KlSettings,
  lp: ReadonlyArray<number>,
  ref: ReadonlyArray<number>
): ReadonlyArray<number> =>
  toRows(klPerToken(N)(s)(fromRows([lp]), fromRows([ref])))[0] as ReadonlyArray<number>

property(
  'on an exact categorical, E_p[k1] and E_p[k3] (clamps not binding) equal KL(p‖ref) to 1e-9, and k1, k2, k3 are as defined',
  [pair],
  ([p, q]) => {
    const lp = p.map(Math.log)
    const lq = q.map(Math.log)
    const kl = p.reduce((s, pi, i) => s + pi * ((lp[i] as number) - (lq[i] as number)), 0)
    const expect = (est: 'k1' | 'k3'): number =>
      perToken({ ...wide, estimator: est }, lp, lq).reduce((s, k, i) => s + (p[i] as number) * k, 0)
    const k2 = perToken({ ...wide, estimator: 'k2' }, lp, lq)
    // 1e-9 absolute: a sum of ≤ 6 terms of magnitude ≤ 600, each exact to a few ulps
    return (
      close(expect('k1'), kl, 0, 1e-9) &&
      close(expect('k3'), kl, 0, 1e-9) &&
      k2.every((k, i) => close(k, 0.5 * ((lp[i] as number) - (lq[i] as number)) ** 2, 1e-12, 0))
    )
  }
)

const clampArb = fc.record({
  beta: fc.constant(1),
  logRatioClamp: fc.double({ min: 0.1, max: 50, noNaN: true }),
  valueClamp: fc.double({ min: 0.1, max: 50, noNaN: true })
})

property(
  'k3 is never negative and never above valueClamp, k2 is never negative, for any finite log-probs (extreme ones included)',
  [extremeLogProb, extremeLogProb, clampArb],
  (lp, ref, c) => {
    const k2 = perToken({ ...c, estimator: 'k2' }, [lp], [ref])[0] as number
    const k3 = perToken({ ...c, estimator: 'k3' }, [lp], [ref])[0] as number
    return k2 >= 0 && Number.isFinite(k2) && k3 >= 0 && k3 <= c.valueClamp
  },
  {
    regressions: [
      [
        'e^d − d − 1 rounds below 0 for |d| ≈ 5e-10',
        [-5.138425795969682e-10, 0, { beta: 1, logRatioClamp: 0.1, valueClamp: 0.1 }]
      ]
    ]
  }
)

property(
  'every estimator is exactly 0 when the policy equals the reference',
  [extremeLogProb, clampArb, fc.constantFrom<'k1' | 'k2' | 'k3'>('k1', 'k2', 'k3')],
  (lp, c, estimator) => (perToken({ ...c, estimator }, [lp], [lp])[0] as number) === 0
)
