/**
 * Differential tests: the EMPO² loss of src/core evaluated on tfjs tensors (float32, tfjs autograd)
 * against the same definition on float64 numbers and against the pure analytic gradient
 * (src/core/loss/gradient.ts), on random batches with padded, masked and clipped tokens.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import { tensorNumeric as TN, fromNDArray } from '../../../src/effects/tensor/numeric.ts'
import {
  empo2Loss,
  type LossInputs,
  type LossOutput,
  type LossSettings
} from '../../../src/core/loss/loss.ts'
import { lossGradient } from '../../../src/core/loss/gradient.ts'
import { numberNumeric as N, toScalar, type NDArray } from '../../../src/core/loss/numeric.ts'
import { close, property } from '../../support/property.ts'
import {
  arbBatch,
  arbSettings,
  lossOutputKeys,
  toInputs,
  type Batch,
  type Rows
} from '../../support/batch.ts'

await selectBackend({ log: () => undefined })

// float32 rounding; wasm (SIMD) flushes float32 subnormals to zero, so they are flushed here too
const f32 = (x: number): number => {
  const y = Math.fround(x)
  return Math.abs(y) < 1.1754943508222875e-38 ? 0 : y
}
const MARGIN = 1e-3 // distance kept from every threshold and kink, ≫ float32 rounding (≈ 6e-8 · |x|)

// Settings whose clamps are out of reach of the generated values (|log-ratio| ≤ 2 + margin, |d| ≤ 2)
// or, for the log-ratio clamp, sometimes inside the range (then values are pushed off ±clamp), with
// every constant rounded to float32 so both paths use the same thresholds.
const settingsArb: fc.Arbitrary<LossSettings> = fc
  .record({
    s: arbSettings,
    c: fc.oneof(
      fc.double({ min: 3.5, max: 30, noNaN: true }),
      fc.double({ min: 0.05, max: 1.5, noNaN: true })
    ),
    klc: fc.double({ min: 3, max: 30, noNaN: true }),
    vc: fc.double({ min: 5, max: 20, noNaN: true }),
    beta: fc.double({ min: 0, max: 2, noNaN: true }),
    ent: fc.double({ min: 0, max: 2, noNaN: true }),
    epsHigh: fc.double({ min: 0, max: 2, noNaN: true }),
    delta: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
    minOld: fc.double({ min: -8, max: -0.5, noNaN: true })
  })
  .map(({ s, c, klc, vc, beta, ent, epsHigh, delta, minOld }) => ({
    ...s,
    epsLow: f32(s.epsLow),
    epsHigh: f32(epsHigh),
    dualClip: s.dualClip === null ? null : f32(Math.min(s.dualClip, 50)),
    logRatioClamp: f32(c),
    mask: { ...s.mask, delta: f32(delta), minOldLogProb: f32(minOld) },
    kl: { ...s.kl, beta: f32(beta), logRatioClamp: f32(klc), valueClamp: f32(vc) },
    entropyCoef: f32(ent)
  }))

const awayFrom = (points: ReadonlyArray<number>, x0: number): number => {
  let x = x0
  for (let n = 0; n < 8; n++) {
    const p = points.find((k) => Math.abs(x - k) < MARGIN)
    if (p === undefined) return x
    x = p + (x >= p ? 2 : -2) * MARGIN
  }
  return x
}

// a batch whose values sit away from every threshold of `s`, rounded to float32
const caseArb = fc.record({ s: settingsArb, b: arbBatch({ maxRows: 6, maxTokens: 8 }) }).map(({ s, b }) => {
  const kinks = [1 - s.epsLow, 1 + s.epsHigh, s.dualClip ?? 0].filter((x) => x > 0).map(Math.log)
  const rPoints = [...kinks, s.logRatioClamp, -s.logRatioClamp]
  const lp = b.logProbs.map((r) => r.map(f32))
  const old = b.oldLogProbs.map((r, i) =>
    r.map((x, j) => {
      const l = lp[i]?.[j] as number
      return f32(awayFrom([s.mask.minOldLogProb], l - awayFrom(rPoints, l - x)))
    })
  )
  const logDelta = Math.log(s.mask.delta)
  const batch: Batch = {
    ...b,
    logProbs: lp,
    oldLogProbs: old,
    tipFreeLogProbs: b.tipFreeLogProbs.map((r, i) =>
      r.map((x, j) =>
        f32(b.labels[i] === 'onPolicyWithTips' ? awayFrom([logDelta], x) : (lp[i]?.[j] as number))
      )
    ),
    refLogProbs: b.refLogProbs.map((r) => r.map(f32)),
    // |A| < 1e-30 → 0: products of A with ratios and aggregation weights would be float32
    // subnormals, which wasm flushes to zero (flipping the sign tests of the clip indicator)
    advantages: b.advantages.map((r) => r.map((a) => (Math.abs(a) < 1e-30 ? 0 : f32(a)))),
    entropy: b.entropy.map((r) => r.map(f32))
  }
  // lp itself must also stay off log(δ) where it is the mask's input
  const fixed: Batch = {
    ...batch,
    logProbs: batch.logProbs.map((r, i) =>
      b.labels[i] === 'onPolicyWithTips' ? r : r.map((x) => f32(awayFrom([logDelta], x)))
    )
  }
  const final: Batch = {
    ...fixed,
    tipFreeLogProbs: fixed.tipFreeLogProbs.map((r, i) =>
      b.labels[i] === 'onPolicyWithTips' ? r : (fixed.logProbs[i] as Rows[number])
    )
  }
  return { s, batch: final }
})

// Once failing: a clip range [1 − 0, 1 + 1.1e-16] is [1, 1] in float32, where wasm's XNNPACK clamp
// silently returned its input (fixed in tensorNumeric.clamp).
// fast-check seed 135002448, shrunk: logp_ref − logp = −9.2e-9, so e^d = 1 in float32
const k3CancelCase = {
  s: {
    epsLow: 0,
    epsHigh: 0,
    dualClip: 0,
    logRatioClamp: 3.5,
    mask: {
      enabled: false,
      rule: 'tokenProb',
      scope: 'all',
      delta: 0.00009999999747378752,
      minOldLogProb: -0.5
    },
    kl: { beta: 1.0824154615402222, estimator: 'k3', logRatioClamp: 3, valueClamp: 5 },
    aggregation: 'token-mean',
    normLength: 1,
    entropyCoef: 0
  },
  batch: {
    labels: ['onPolicyNoMemory'],
    logProbs: [[0]],
    oldLogProbs: [[-0.0020000000949949026]],
    tipFreeLogProbs: [[0]],
    refLogProbs: [[-9.23952114817439e-9]],
    advantages: [[0]],
    responseMask: [[1]],
    entropy: [[0]]
  }
}

// fast-check seed 1116122188, shrunk to one token: d = logp_ref − logp = 2.0e-4, where float32
// rounds k3 = e^d − d − 1 (≈ 2e-8) to ≤ 0 and the clamp at 0 stops the gradient β·(1 − e^d)
const k3RoundsNegativeCase = {
  s: { ...k3CancelCase.s, kl: { ...k3CancelCase.s.kl, beta: 0.00034740110277198255 } },
  batch: { ...k3CancelCase.batch, refLogProbs: [[0.0002031648182310164]] }
}

const xnnClampCase = {
  s: {
    epsLow: 0,
    epsHigh: 1.1102231569740545e-16,
    dualClip: null,
    logRatioClamp: 3.5,
    mask: {
      enabled: false,
      rule: 'tokenProb',
      scope: 'all',
      delta: 9.999999747378752e-5,
      minOldLogProb: -0.5
    },
    kl: { beta: 0, estimator: 'k1', logRatioClamp: 3, valueClamp: 5 },
    aggregation: 'token-mean',
    normLength: 1,
    entropyCoef: 0
  },
  batch: {
    labels: [
      'onPolicyNoMemory',
      'onPolicyNoMemory',
      'onPolicyNoMemory',
      'onPolicyNoMemory',
      'onPolicyNoMemory',
      'onPolicyNoMemory'
    ],
    logProbs: [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ],
    oldLogProbs: [
      [
        -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ],
      [
        0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ],
      [
        -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ],
      [
        -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ],
      [
        -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ],
      [
        -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026, -0.0020000000949949026,
        -0.0020000000949949026
      ]
    ],
    tipFreeLogProbs: [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ],
    refLogProbs: [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ],
    advantages: [
      [0, 0, 0, 0, 0],
      [
        -1.0000000031710769e-30, -1.0000000031710769e-30, -1.0000000031710769e-30, -1.0000000031710769e-30,
        -1.0000000031710769e-30
      ],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ],
    responseMask: [
      [0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ],
    entropy: [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0]
    ]
  }
} as const

const tensorInputs = (x: LossInputs<NDArray>): LossInputs<tf.Tensor> => ({
  logProbs: fromNDArray(x.logProbs),
  oldLogProbs: fromNDArray(x.oldLogProbs),
  tipFreeLogProbs: fromNDArray(x.tipFreeLogProbs),
  refLogProbs: x.refLogProbs === null ? null : fromNDArray(x.refLogProbs),
  advantages: fromNDArray(x.advantages),
  responseMask: fromNDArray(x.responseMask),
  offPolicy: fromNDArray(x.offPolicy),
  entropy: x.entropy === null ? null : fromNDArray(x.entropy)
})

const fields = lossOutputKeys

// Tolerance. Inputs and constants are float32 on both sides, so the only difference is float32
// arithmetic: ≤ 2^-24 relative per operation, a few dozen operations per token, exp of arguments
// |x| ≤ 2.5 (amplifying an argument's absolute error by ≤ e^2.5 ≈ 12), sums of ≤ 48 terms. The
// per-token terms are O(|A|·ρ) ≤ 3·e^2.5 ≈ 37 and the aggregation divides by the token count, so the
// absolute error is ≤ 1e-6 · max(1, Σ|term|/count); we allow 1e-5 relative to that scale.
const scaleOf = (pure: LossOutput<NDArray>, s: LossSettings): number =>
  Math.max(
    1,
    Math.abs(toScalar(pure.policyLoss)),
    s.kl.beta * Math.abs(toScalar(pure.klLoss)),
    s.entropyCoef * Math.abs(toScalar(pure.entropy))
  )

property(
  'the loss and its diagnostics on float32 tensors equal the float64 loss (relative error ≤ 1e-5)',
  [caseArb],
  ({ s, batch }) => {
    const x = toInputs(batch)
    const pure = empo2Loss(N)(s)(x)
    const got = tf.tidy(() => {
      const out = empo2Loss(TN)(s)(tensorInputs(x))
      return fields.map((f) => out[f].dataSync()[0] as number)
    })
    const scale = scaleOf(pure, s)
    fields.forEach((f, i) => {
      const want = toScalar(pure[f])
      assert.ok(
        close(got[i] as number, want, 1e-5, 1e-5 * scale),
        `${f}: tensor ${got[i]} vs pure ${want} (scale ${scale})`
      )
    })
  },
  {
    numRuns: 150,
    regressions: [
      [
        'XNNPACK clamp with lo = hi in float32',
        [xnnClampCase as unknown as { s: LossSettings; batch: Batch }]
      ]
    ]
  }
)

property(
  'tfjs autograd of the tensor loss equals the pure analytic gradient (∂loss/∂logProbs, ∂loss/∂entropy)',
  [caseArb],
  ({ s, batch }) => {
    const x = toInputs(batch)
    const want = lossGradient(s)(x)
    const [B, T] = x.logProbs.shape as [number, number]
    const [dLp, dEnt] = tf.tidy(() => {
      const ti = tensorInputs(x)
      // `+ 0·Σ entropy` keeps entropy on the tape when entropyCoef = 0 (tfjs refuses a gradient
      // with respect to an input the result does not depend on)
      const g = tf.grads((lp: tf.Tensor, ent: tf.Tensor) =>
        tf.add<tf.Scalar>(
          empo2Loss(TN)(s)({ ...ti, logProbs: lp, entropy: ent }).loss,
          tf.mul(0, tf.sum(ent))
        )
      )
      return g([ti.logProbs, ti.entropy as tf.Tensor]).map((t) => Array.from(t.dataSync()))
    }) as [number[], number[]]
    // same float32 analysis as the loss, per token: the gradient entries are O(|A|·ρ / count). The
    // k3 KL term's entry is β·w·(1 − e^d) (w ≤ 1 the token's weight), and float32 loses it where
    // k3 = e^d − d − 1 ≈ d²/2 is below the rounding of e^d (≈ 2⁻²⁴): for |d| < 2⁻¹⁰ k3 may round
    // to ≤ 0, where the clamp at 0 stops its gradient (float64 does the same below |d| ≈ 2⁻²⁶), and
    // for |d| < 2⁻²³ 1 − e^d is 0 outright. There, allow the whole term, β·|e^d − 1|.
    const gmax = Math.max(1e-3, ...Array.from(want.dLogProbs.data).map(Math.abs))
    const klLost = (k: number): number => {
      if (s.kl.estimator !== 'k3') return 0
      if (x.refLogProbs === null) return 0
      const d = (x.refLogProbs.data[k] as number) - (x.logProbs.data[k] as number)
      return Math.abs(d) < 2 ** -10 ? s.kl.beta * Math.abs(Math.expm1(d)) * (1 + 1e-6) : 0
    }
    for (let k = 0; k < B * T; k++) {
      const w = want.dLogProbs.data[k] as number
      const abs = 1e-5 * gmax + klLost(k)
      assert.ok(close(dLp[k] as number, w, 1e-4, abs), `dLogProbs[${k}]: tfjs ${dLp[k]} vs pure ${w}`)
      const we = want.dEntropy === null ? 0 : (want.dEntropy.data[k] as number)
      assert.ok(close(dEnt[k] as number, we, 1e-4, 1e-6), `dEntropy[${k}]: tfjs ${dEnt[k]} vs pure ${we}`)
    }
  },
  {
    numRuns: 150,
    regressions: [
      [
        'k3 KL gradient with |logp_ref − logp| below float32 resolution (seed 135002448)',
        [k3CancelCase as unknown as { s: LossSettings; batch: Batch }]
      ],
      [
        'k3 value rounding to ≤ 0 in float32 for |d| < 2⁻¹⁰ (seeds 1116122188, 1116119889)',
        [k3RoundsNegativeCase as unknown as { s: LossSettings; batch: Batch }]
      ]
    ]
  }
)
