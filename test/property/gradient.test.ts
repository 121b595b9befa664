import fc from 'fast-check'
import { property } from '../support/property.ts'
import { arbBatch, arbSettings, toInputs, type Batch } from '../support/batch.ts'
import { empo2Loss, type LossSettings } from '../../src/core/loss/loss.ts'
import { lossGradient } from '../../src/core/loss/gradient.ts'
import { numberNumeric as N, toScalar, type NDArray } from '../../src/core/loss/numeric.ts'

// Settings whose clamps sit far from the generated values (so no clamp is within reach of a
// finite-difference step): log-ratio clamp ≥ 3.5 > |log-ratio| ≤ 3; KL clamp ≥ 3 > |ref − logp| ≤ 2;
// KL value clamp ≥ 5 > e² − 3 ≈ 4.39 ≥ k3. β, entropyCoef ≤ 2 keep the loss O(10), so rounding
// noise in the differences stays ~1e-9.
const fdSettings: fc.Arbitrary<LossSettings> = fc
  .record({
    s: arbSettings,
    c: fc.double({ min: 3.5, max: 30, noNaN: true }),
    klc: fc.double({ min: 3, max: 30, noNaN: true }),
    vc: fc.double({ min: 5, max: 20, noNaN: true }),
    // β > 0 always, so the KL term's gradient is exercised on every run (β = 0 is covered by the
    // other properties); entropyCoef is 0 in about a third of the runs (dEntropy null)
    beta: fc.double({ min: 0.1, max: 2, noNaN: true }),
    ent: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 2, noNaN: true })),
    epsHigh: fc.double({ min: 0, max: 2, noNaN: true }),
    // in half the runs the official sequence mask with a threshold inside the generated old
    // log-probs ([−13, 3]), so rows are dropped and droppedRowsCount (drawn) decides their count
    sequence: fc.option(fc.double({ min: -10, max: -1, noNaN: true }), { nil: null })
  })
  .map(({ s, c, klc, vc, beta, ent, epsHigh, sequence }) => ({
    ...s,
    ...(sequence === null
      ? {}
      : {
          mask: { ...s.mask, enabled: true, rule: 'sequenceMinOldLogProb' as const, minOldLogProb: sequence }
        }),
    epsHigh,
    logRatioClamp: c,
    kl: { ...s.kl, beta, logRatioClamp: klc, valueClamp: vc },
    entropyCoef: ent
  }))

const MARGIN = 1e-3 // distance in log-ratio kept from every kink
const H = 1e-6 // finite-difference step; H·e³ ≪ MARGIN so a step never crosses a kink

// the log-ratio values where the surrogate has a kink
const kinks = (s: LossSettings): number[] =>
  [1 - s.epsLow, 1 + s.epsHigh, s.dualClip ?? 0].filter((x) => x > 0).map(Math.log)
const awayFromKinks = (s: LossSettings, r: number): number => {
  let x = r
  for (let n = 0; n < 8; n++) {
    const k = kinks(s).find((k) => Math.abs(x - k) < MARGIN)
    if (k === undefined) return x
    x = k + (x >= k ? 2 : -2) * MARGIN
  }
  return x
}

const fdCase = fc
  .record({
    s: fdSettings,
    b: arbBatch(),
    r: fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 }), {
      minLength: 4,
      maxLength: 4
    }),
    d: fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 5, maxLength: 5 }), {
      minLength: 4,
      maxLength: 4
    })
  })
  .map(({ s, b, r, d }) => {
    const batch: Batch = {
      ...b,
      oldLogProbs: b.logProbs.map((row, i) => row.map((x, j) => x - awayFromKinks(s, r[i]?.[j] as number))),
      refLogProbs: b.logProbs.map((row, i) => row.map((x, j) => x + (d[i]?.[j] as number)))
    }
    return { s, batch }
  })

const lossAt = (
  s: LossSettings,
  b: Batch,
  field: 'logProbs' | 'entropy',
  i: number,
  j: number,
  h: number
): number => {
  const moved = {
    ...b,
    [field]: b[field].map((row, a) => row.map((x, c) => (a === i && c === j ? x + h : x)))
  }
  return toScalar(empo2Loss(N)(s)(toInputs(moved)).loss)
}
const at = (a: NDArray, i: number, j: number): number => a.data[i * (a.shape[1] as number) + j] as number

property(
  'the analytic gradient (w.r.t. logProbs and entropy) matches central finite differences away from every kink',
  [fdCase],
  ({ s, batch }) => {
    const g = lossGradient(s)(toInputs(batch))
    // tolerance: truncation O(H²·|f'''|) ≲ 1e-10, rounding O(ε·|f|/H) ≲ 1e-8 for |f| ≲ 50
    const ok = (fd: number, an: number): boolean => Math.abs(fd - an) <= 1e-6 + 1e-6 * Math.abs(an)
    return batch.logProbs.every((row, i) =>
      row.every((_, j) => {
        const fd = (lossAt(s, batch, 'logProbs', i, j, H) - lossAt(s, batch, 'logProbs', i, j, -H)) / (2 * H)
        const fdH = (lossAt(s, batch, 'entropy', i, j, H) - lossAt(s, batch, 'entropy', i, j, -H)) / (2 * H)
        const dH = g.dEntropy === null ? 0 : at(g.dEntropy, i, j)
        return ok(fd, at(g.dLogProbs, i, j)) && ok(fdH, dH) && (g.dEntropy === null) === (s.entropyCoef === 0)
      })
    )
  },
  { numRuns: 80 }
)

property(
  'padding tokens have zero gradient',
  [arbSettings.map((s) => ({ ...s, kl: { ...s.kl, beta: Math.min(s.kl.beta, 10) } })), arbBatch()],
  (s, b) => {
    const g = lossGradient(s)(toInputs(b))
    return b.responseMask.every((row, i) =>
      row.every(
        (m, j) =>
          m === 1 || (at(g.dLogProbs, i, j) === 0 && (g.dEntropy === null || at(g.dEntropy, i, j) === 0))
      )
    )
  }
)
