import fc from 'fast-check'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { property, close } from '../support/property.ts'
import {
  arbBatch,
  arbSettings,
  extremeLogProb,
  lossOutputKeys,
  toInputs,
  type Batch
} from '../support/batch.ts'
import {
  empo2Loss,
  lossSettings,
  omittable,
  omittedRows,
  tokenCountsByMode,
  type LossOutput,
  type LossSettings
} from '../../src/core/loss/loss.ts'
import { lossGradient } from '../../src/core/loss/gradient.ts'
import { numberNumeric as N, toRows, toScalar, type NDArray } from '../../src/core/loss/numeric.ts'
import { officialPreset, paperPreset } from '../../src/spec/config.ts'
import type { Mode } from '../../src/spec/data.ts'

const out = (s: LossSettings, b: Batch): LossOutput<NDArray> => empo2Loss(N)(s)(toInputs(b))
const keys = lossOutputKeys
const sameOutputs = (a: LossOutput<NDArray>, b: LossOutput<NDArray>): boolean =>
  keys.every((k) => Object.is(toScalar(a[k]), toScalar(b[k])))

property(
  'the loss, every diagnostic and the gradient are finite for any finite log-probs, extreme ones included',
  [
    // exp(clip.logRatioClamp) must be finite: float64 overflows at 709.78, float32 (tfjs) at 88.72,
    // so the claim is for clamps ≤ 80 (the config codec does not bound it yet; reported)
    arbSettings.map((s) => ({
      ...s,
      logRatioClamp: Math.min(s.logRatioClamp, 80),
      kl: { ...s.kl, beta: Math.min(s.kl.beta, 1e3) }
    })),
    arbBatch({
      logProb: extremeLogProb,
      independentOld: true,
      advantage: fc.double({ min: -1e6, max: 1e6, noNaN: true })
    })
  ],
  (s, b) => {
    const o = out(s, b)
    const g = lossGradient(s)(toInputs(b))
    return (
      keys.every((k) => Number.isFinite(toScalar(o[k]))) &&
      g.dLogProbs.data.every(Number.isFinite) &&
      (g.dEntropy?.data.every(Number.isFinite) ?? true)
    )
  }
)

property(
  'with no memory rows (p = 0) the EMPO² loss (paper mask enabled, scope offPolicy) is identical to the GRPO loss (mask disabled)',
  [arbSettings, arbBatch({ labels: fc.constant<Mode>('onPolicyNoMemory') })],
  (s, b) => {
    const empo2 = {
      ...s,
      mask: { ...s.mask, enabled: true, rule: 'tokenProb' as const, scope: 'offPolicy' as const }
    }
    const grpo = { ...s, mask: { ...s.mask, enabled: false } }
    return sameOutputs(out(empo2, b), out(grpo, b))
  }
)

// Off-policy with an empty tip set: the tip-free prompt is the rollout prompt, so logProbs,
// tipFreeLogProbs and (recorded) oldLogProbs are those of the on-policy update of the same rows.
// Claim: the outputs are identical whether the rows are flagged off-policy or on-policy without
// memory, for the paper mask with scope offPolicy and a δ that masks nothing — including the
// boundary: a token with tip-free log-prob exactly log δ is kept.
property(
  'off-policy with an empty tip set equals on-policy: flipping the off-policy flag changes nothing when δ masks no token (boundary token at exactly log δ included)',
  [
    arbSettings,
    arbBatch({ labels: fc.constantFrom<Mode>('offPolicy', 'onPolicyNoMemory') }),
    fc.double({ min: 1e-4, max: 0.5, noNaN: true })
  ],
  (s, b0, delta) => {
    const logDelta = Math.log(delta)
    // every log-prob ≥ log δ, and the first token of row 0 exactly at log δ
    const logProbs = b0.logProbs.map((r, i) =>
      r.map((x, j) => (i === 0 && j === 0 ? logDelta : Math.max(x, logDelta)))
    )
    const b = {
      ...b0,
      logProbs,
      tipFreeLogProbs: logProbs,
      responseMask: b0.responseMask.map((r, i) => (i === 0 ? r.map((m, j) => (j === 0 ? 1 : m)) : r))
    }
    const settings = {
      ...s,
      mask: { ...s.mask, enabled: true, rule: 'tokenProb' as const, scope: 'offPolicy' as const, delta }
    }
    const off = { ...b, labels: b.labels.map((): Mode => 'offPolicy') }
    const on = { ...b, labels: b.labels.map((): Mode => 'onPolicyNoMemory') }
    return (
      sameOutputs(out(settings, off), out(settings, on)) && toScalar(out(settings, off).maskedFraction) === 0
    )
  }
)

// dual clip in [1, 5] (or off) so that it binds on the generated ratios (up to e²) often enough
const noPenalty = fc
  .tuple(arbSettings, fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: null }))
  .map(([s, dualClip]) => ({ ...s, dualClip, entropyCoef: 0, kl: { ...s.kl, beta: 0 } }))
property(
  'multiplying every advantage by k > 0 multiplies the policy loss (= the loss, β = 0, entropyCoef = 0) by k',
  [noPenalty, arbBatch(), fc.double({ min: 1e-3, max: 1e3, noNaN: true })],
  (s, b, k) => {
    const scaled = { ...b, advantages: b.advantages.map((r) => r.map((a) => k * a)) }
    const l = toScalar(out(s, b).loss)
    // 1e-12 relative: each per-token loss is scaled exactly up to one rounding; the sum adds a few ulps
    return close(toScalar(out(s, scaled).loss), k * l, 1e-12, 1e-12 * Math.max(1, Math.abs(k * l)))
  }
)

const moderate = arbSettings.map((s) => ({ ...s, kl: { ...s.kl, beta: Math.min(s.kl.beta, 100) } }))
property(
  'the loss with β > 0 equals the loss with β = 0 plus β·klLoss, and with ref = logp the KL term is exactly 0',
  [moderate, arbBatch(), fc.double({ min: 1e-6, max: 100, noNaN: true })],
  (s, b, beta) => {
    const o = out({ ...s, kl: { ...s.kl, beta } }, b)
    const o0 = out({ ...s, kl: { ...s.kl, beta: 0 } }, b)
    const same = { ...b, refLogProbs: b.logProbs }
    const lhs = toScalar(o.loss)
    const rhs = toScalar(o0.loss) + beta * toScalar(o0.klLoss)
    // 1e-12 relative to the largest term: one addition and one product of float64 values
    const scale = Math.max(1, Math.abs(toScalar(o0.loss)), Math.abs(beta * toScalar(o0.klLoss)))
    return (
      close(lhs, rhs, 0, 1e-12 * scale) &&
      toScalar(out({ ...s, kl: { ...s.kl, beta } }, same).klLoss) === 0 &&
      toScalar(out({ ...s, kl: { ...s.kl, beta } }, same).loss) ===
        toScalar(out({ ...s, kl: { ...s.kl, beta: 0 } }, same).loss)
    )
  }
)

property(
  'the loss is policyLoss − entropyCoef·entropy + β·klLoss, fractions lie in [0, 1] and tokenCount ≤ the real tokens',
  [moderate, arbBatch()],
  (s, b) => {
    const o = out(s, b)
    const v = (k: (typeof keys)[number]): number => toScalar(o[k])
    const expected = v('policyLoss') - s.entropyCoef * v('entropy') + s.kl.beta * v('klLoss')
    const real = b.responseMask.flat().reduce((a, m) => a + m, 0)
    const scale = Math.max(
      1,
      Math.abs(v('policyLoss')),
      Math.abs(s.entropyCoef * v('entropy')),
      Math.abs(s.kl.beta * v('klLoss'))
    )
    return (
      close(v('loss'), expected, 0, 1e-12 * scale) &&
      [v('clipFraction'), v('maskedFraction')].every((f) => f >= 0 && f <= 1) &&
      v('tokenCount') <= real
    )
  }
)

property(
  'tokenCountsByMode counts each row’s real tokens under its label, and the counts sum to all real tokens',
  [arbBatch()],
  (b) => {
    const n = tokenCountsByMode(b.labels, b.responseMask)
    const byHand = (l: Mode): number =>
      b.responseMask.reduce((a, r, i) => a + (b.labels[i] === l ? r.reduce((x, y) => x + y, 0) : 0), 0)
    return (['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy'] as const).every((l) => n[l] === byHand(l))
  }
)

property(
  'lossSettings copies every loss field of the configuration (both presets)',
  [fc.constantFrom(paperPreset, officialPreset)],
  (c) => {
    const s = lossSettings(c)
    return (
      s.epsLow === c.clip.epsLow &&
      s.epsHigh === c.clip.epsHigh &&
      s.dualClip === c.clip.dualClip &&
      s.logRatioClamp === c.clip.logRatioClamp &&
      JSON.stringify(s.mask) === JSON.stringify(c.mask) &&
      JSON.stringify(s.kl) === JSON.stringify(c.kl) &&
      s.aggregation === c.loss.aggregation &&
      s.normLength === c.loss.normLength &&
      s.entropyCoef === c.loss.entropyCoef
    )
  }
)

// The loss vectors' sequence-mask example (official settings, min old log-prob −9, β = 0.1 with k1,
// entropy bonus 0.01), read with the official aggregation (seq-mean-token-mean): rows 2 and 3 are
// dropped (old log-probs −9.19 and −10.04), row 1 keeps one token whose surrogate is −0.719.
const sequenceMaskExample: Batch = {
  labels: ['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy'],
  logProbs: [
    [-4.042789379414079, -0.7202549107411276, -7.479309590402088, -2.5892503716957247, -0.5295237997922619],
    [-4.878026843354748, -7.74759202323367, -3.900248892193275, -2.8465452429710822, -4.499794892988794],
    [-4.253032828847846, -2.133598065304989, -8.761271455605536, -1.013947853065651, -7.707649077093096]
  ],
  oldLogProbs: [
    [-3.8724164620142565, 0, -6.7209902316305214, -1.2203994898699242, -1.6103218645816009],
    [-3.9730576095370385, -9.191447246368073, -2.467293522804078, -2.6445926395961883, -5.472515551759479],
    [-3.7024241843597023, -2.479263520008298, -10.040095739778707, -2.1726957730851657, -8.876969503878689]
  ],
  tipFreeLogProbs: [
    [-4.042789379414079, -0.7202549107411276, -7.479309590402088, -2.5892503716957247, -0.5295237997922619],
    [-10.448050504302628, -11.798178389159064, -8.247010760108163, -9.050507098394107, -10.037716828990456],
    [-4.253032828847846, -2.133598065304989, -8.761271455605536, -1.013947853065651, -7.707649077093096]
  ],
  refLogProbs: [
    [-3.9874427540927213, 0, -8.212105721159842, -2.698367547155361, -1.0039070698052601],
    [-5.280598089553742, -8.230852510890312, -4.2737334300535, -2.215694967365634, -3.9573170589813023],
    [-4.363501818726622, -2.984570941574095, -8.804465423657103, -1.4509540893204318, -7.443520063645307]
  ],
  advantages: [0.8525550740861352, 0.7735039741091851, -1.4794489208012638].map((a) =>
    new Array<number>(5).fill(a)
  ),
  responseMask: [
    [1, 0, 0, 0, 0],
    [1, 1, 0, 0, 0],
    [1, 1, 1, 0, 0]
  ],
  entropy: [
    [2.4433352895036036, 0.6872931481189627, 1.886202253360014, 1.920217472464227, 2.497199535980722],
    [2.439025524464849, 1.936153776943405, 2.030513283735401, 2.6973491409117116, 2.572249295140198],
    [1.751178077157853, 1.0427771209979717, 0.9350649928868456, 2.6590062094124574, 2.1447314431960707]
  ]
}

test('on the sequence-mask example read with seq-mean-token-mean, the policy loss is −0.240 with droppedRowsCount (the authors’ code) and −0.719 without', () => {
  const s = lossSettings(officialPreset)
  const settings = (droppedRowsCount: boolean): LossSettings => ({
    ...s,
    mask: { ...s.mask, enabled: true, minOldLogProb: -9, droppedRowsCount },
    kl: { ...s.kl, beta: 0.1, estimator: 'k1' },
    entropyCoef: 0.01,
    aggregation: 'seq-mean-token-mean'
  })
  const authors = toScalar(out(settings(true), sequenceMaskExample).policyLoss)
  const without = toScalar(out(settings(false), sequenceMaskExample).policyLoss)
  // the one kept token: A = 0.8526, ρ = exp(−4.0428 + 3.8724) = 0.843 inside [0.8, 1.3]: l = −A·ρ
  const l = -0.8525550740861352 * Math.exp(-4.042789379414079 + 3.8724164620142565)
  assert.ok(close(without, l, 0, 1e-15), `${without} vs ${l}`)
  assert.ok(close(authors, l / 3, 0, 1e-15), `${authors} vs ${l / 3}`)
  assert.equal(authors.toFixed(3), '-0.240')
  assert.equal(without.toFixed(3), '-0.719')
})

// verl 0.5.0's actor as the authors run it (one row per micro-batch, loss_agg_mode token-mean,
// gradient accumulation over the mini-batch): the authors' mask zeroes a dropped row's response
// mask; each micro-batch's loss is masked_mean(pg) − coef·masked_mean(H) + β·masked_mean(kl) with
// masked_mean(x, m) = Σx·m / (Σm + 1e-8); the mini-batch loss is their sum divided by the number of
// micro-batches. Written here from verl's formulas (compute_policy_loss, kl_penalty, agg_loss), not
// from the project's modules. Every row has at least one real token (verl has no empty response).
const verlOneRowMicroBatches = (s: LossSettings, b: Batch): number => {
  const rows = b.logProbs.map((lp, i) => {
    const resp = b.responseMask[i] as number[]
    const old = b.oldLogProbs[i] as number[]
    const minOld = Math.min(...old.map((o, j) => (resp[j] === 1 ? o : 1e9)))
    const m = resp.map((x) => (s.mask.enabled && minOld < s.mask.minOldLogProb ? 0 : x))
    const maskedMean = (xs: number[]): number =>
      xs.reduce((a, x, j) => a + x * (m[j] as number), 0) / (m.reduce((a, x) => a + x, 0) + 1e-8)
    const pg = lp.map((logp, j) => {
      const A = b.advantages[i]?.[j] as number
      const ratio = Math.exp(Math.min(Math.max(logp - (old[j] as number), -20), 20))
      const l1 = -A * ratio
      const l2 = -A * Math.min(Math.max(ratio, 1 - s.epsLow), 1 + s.epsHigh)
      const c1 = Math.max(l1, l2)
      return A < 0 && s.dualClip !== null ? Math.min(-A * s.dualClip, c1) : c1
    })
    const kl = lp.map((logp, j) => {
      const ref = b.refLogProbs[i]?.[j] as number
      if (s.kl.estimator === 'k1') return logp - ref
      const d = Math.min(Math.max(ref - logp, -20), 20)
      return Math.min(Math.max(Math.exp(d) - d - 1, -10), 10)
    })
    return maskedMean(pg) - s.entropyCoef * maskedMean(b.entropy[i] as number[]) + s.kl.beta * maskedMean(kl)
  })
  return rows.reduce((a, x) => a + x, 0) / rows.length
}

property(
  'the official preset with the sequence mask and droppedRowsCount equals verl 0.5.0’s actor with one row per micro-batch (to its 1e-8 in masked_mean)',
  [
    fc.record({
      beta: fc.double({ min: 0, max: 1, noNaN: true }),
      entropyCoef: fc.double({ min: 0, max: 0.1, noNaN: true }),
      estimator: fc.constantFrom<'k1' | 'k3'>('k1', 'k3'),
      minOldLogProb: fc.double({ min: -8, max: -1, noNaN: true })
    }),
    arbBatch().map((b) => ({ ...b, responseMask: b.responseMask.map((r) => [1, ...r.slice(1)]) }))
  ],
  (r, b) => {
    const o = lossSettings(officialPreset)
    const s: LossSettings = {
      ...o,
      mask: { ...o.mask, enabled: true, minOldLogProb: r.minOldLogProb },
      kl: { ...o.kl, beta: r.beta, estimator: r.estimator },
      entropyCoef: r.entropyCoef
    }
    const got = toScalar(out(s, b).loss)
    const want = verlOneRowMicroBatches(s, b)
    // masked_mean's 1e-8 scales each row's terms by n/(n + 1e-8): relative 1e-8 at n = 1
    return close(got, want, 0, 2e-8 * Math.max(1, Math.abs(want)) + 1e-12 * 50)
  }
)

// Zero-advantage rows left out (a random subset of them), with β = 0 and entropyCoef = 0; in half the
// runs the official sequence mask with a threshold inside the generated old log-probs, so rows are
// dropped and droppedRowsCount (drawn) decides whether they count.
const omissionCase = fc
  .record({
    s: arbSettings,
    b: arbBatch({ maxRows: 6 }),
    leave: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    sequence: fc.option(fc.double({ min: -10, max: -1, noNaN: true }), { nil: null })
  })
  .map(({ s, b, leave, sequence }) => {
    const settings: LossSettings = {
      ...s,
      mask:
        sequence === null
          ? s.mask
          : { ...s.mask, enabled: true, rule: 'sequenceMinOldLogProb', minOldLogProb: sequence },
      kl: { ...s.kl, beta: 0 },
      entropyCoef: 0
    }
    const left = b.labels.map(
      (_, i) => leave[i] === true && omittable(settings)(b.advantages[i]?.[0] as number)
    )
    // keep at least one row (keeping a row is always allowed)
    if (left.every((x) => x)) left[0] = false
    const pick = <A>(xs: ReadonlyArray<A>, keep: boolean): A[] => xs.filter((_, i) => left[i] !== keep)
    const kept: Batch = {
      labels: pick(b.labels, true),
      logProbs: pick(b.logProbs, true),
      oldLogProbs: pick(b.oldLogProbs, true),
      tipFreeLogProbs: pick(b.tipFreeLogProbs, true),
      refLogProbs: pick(b.refLogProbs, true),
      advantages: pick(b.advantages, true),
      responseMask: pick(b.responseMask, true),
      entropy: pick(b.entropy, true)
    }
    const omitted = pick(
      b.oldLogProbs.map((r, i) => ({ oldLogProbs: r.filter((_, j) => b.responseMask[i]?.[j] === 1) })),
      false
    )
    return { settings, full: b, kept, omitted, left }
  })

property(
  'leaving zero-advantage rows out of the evaluation (β = 0, no entropy bonus) and counting them through omittedRows gives exactly the loss, policy loss, clip fraction, token count and gradient of the batch with them in, for every aggregation mode',
  [omissionCase],
  ({ settings, full, kept, omitted, left }) =>
    (['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const).every(
      (aggregation) => {
        const s = { ...settings, aggregation }
        const a = out(s, full)
        const x = { ...toInputs(kept), omitted: omittedRows(s)(omitted) }
        const o = empo2Loss(N)(s)(x)
        const same = (['loss', 'policyLoss', 'clipFraction', 'tokenCount'] as const).every(
          (k) => toScalar(a[k]) === toScalar(o[k])
        )
        const gFull = toRows(lossGradient(s)(toInputs(full)).dLogProbs)
        const gKept = toRows(lossGradient(s)(x).dLogProbs)
        const rowsKept = gFull.filter((_, i) => !left[i])
        return (
          same &&
          JSON.stringify(rowsKept) === JSON.stringify(gKept) &&
          gFull.every((r, i) => !left[i] || r.every((g) => g === 0))
        )
      }
    ),
  { numRuns: 150 }
)

property(
  'a row can be left out only when its advantage is 0 and the loss has no KL term and no entropy bonus',
  [
    arbSettings,
    fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })),
    fc.constantFrom(0, 1e-3, 1),
    fc.constantFrom(0, 1e-2)
  ],
  (s0, a, beta, entropyCoef) => {
    const s = { ...s0, kl: { ...s0.kl, beta }, entropyCoef }
    return omittable(s)(a) === (a === 0 && beta === 0 && entropyCoef === 0)
  }
)
