import fc from 'fast-check'
import { property, close } from '../support/property.ts'
import { extremeLogProb } from '../support/batch.ts'
import { logRatio, offPolicyColumn, ratio, selectLogProbs } from '../../src/core/loss/ratio.ts'
import { numberNumeric as N, fromRows, toRows } from '../../src/core/loss/numeric.ts'
import type { Mode } from '../../src/spec/data.ts'

const clampArb = fc.double({ min: 0.5, max: 50, noNaN: true }) // positive, as ClipConfig.logRatioClamp

property(
  'the log-ratio is logp − old clamped into [−c, c], and the ratio is its exp (finite for any finite log-probs)',
  [extremeLogProb, extremeLogProb, clampArb],
  (lp, old, c) => {
    const r = toRows(logRatio(N)(c)(fromRows([[lp]]), fromRows([[old]])))[0]?.[0] as number
    const rho = toRows(ratio(N)(c)(fromRows([[lp]]), fromRows([[old]])))[0]?.[0] as number
    const d = lp - old
    const expected = d < -c ? -c : d > c ? c : d
    return r === expected && rho === Math.exp(expected) && Number.isFinite(rho) && rho > 0
  }
)

const labelArb = fc.constantFrom<Mode>('onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy')

property(
  'selectLogProbs takes logProbs from the tipped scoring only on onPolicyWithTips rows, and tipFreeLogProbs always from the tip-free scoring',
  [fc.array(fc.tuple(labelArb, fc.double({ noNaN: true }), fc.double({ noNaN: true })), { maxLength: 6 })],
  (rows) => {
    const labels = rows.map((r) => r[0])
    const s = selectLogProbs(labels, {
      withTips: rows.map((r) => [r[1]]),
      withoutTips: rows.map((r) => [r[2]])
    })
    const col = offPolicyColumn(labels)
    return rows.every(
      ([l, w, wo], i) =>
        Object.is(s.logProbs[i]?.[0], l === 'onPolicyWithTips' ? w : wo) &&
        Object.is(s.tipFreeLogProbs[i]?.[0], wo) &&
        col[i]?.[0] === (l === 'offPolicy' ? 1 : 0)
    )
  }
)

property(
  'the ratio of a token to itself is exactly 1 and the ratio is monotone in logp',
  [fc.double({ min: -1e4, max: 0, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), clampArb],
  (lp, up, c) => {
    const at = (x: number): number => toRows(ratio(N)(c)(fromRows([[x]]), fromRows([[lp]])))[0]?.[0] as number
    return (
      at(lp) === 1 && at(lp + up) >= at(lp) && close(Math.log(at(lp + up)), Math.min(up, c), 1e-12, 1e-12)
    )
  }
)
