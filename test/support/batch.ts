/**
 * Random loss batches for the property tests of the loss modules (`src/core/{ratio,surrogate,mask,
 * kl,entropy,aggregate,loss,gradient}.ts`). A batch is plain rows; `toInputs` turns it into
 * `LossInputs<NDArray>`. Settings derive from the config codecs (`arbitraryOf`), so every generated
 * setting is one a user could configure.
 *
 * Bounds, and why:
 * - B ∈ [1, 4] rows, T ∈ [1, 5] tokens: enough for padding, several rows and several modes, while a
 *   property with finite differences (2·B·T loss evaluations) stays cheap;
 * - ordinary log-probs in [−10, 0] (probabilities down to 4.5e-5, below the paper's δ = 1e-3, so the
 *   mask is exercised); old log-probs within ±2 of the current ones (ratios from e^−2 to e^2, both
 *   sides of every clip);
 * - advantages in [−3, 3] with 0 included (normalised GRPO advantages of small groups lie there);
 * - extreme log-probs (`extremeLogProb`): [−1e4, 0] plus −745 (exp underflows to 0), −744.44
 *   (smallest normal exp), 0, −5e-324 and −1e-300 (tiny differences).
 */
import fc from 'fast-check'
import { arbitraryOf } from './arbitrary.ts'
import { ClipConfig, KlConfig, LossConfig, MaskConfig } from '../../src/spec/config.ts'
import type { Mode } from '../../src/spec/data.ts'
import type { LossInputs, LossSettings } from '../../src/core/loss/loss.ts'
import { fromRows, type NDArray } from '../../src/core/loss/numeric.ts'

export type Row = number[]
export type Rows = number[][]

/** A loss batch as rows: every token array `[B, T]`, `labels` `[B]`. */
export interface Batch {
  readonly labels: ReadonlyArray<Mode>
  readonly logProbs: Rows
  readonly oldLogProbs: Rows
  readonly tipFreeLogProbs: Rows
  readonly refLogProbs: Rows
  readonly advantages: Rows
  readonly responseMask: Rows
  readonly entropy: Rows
}

/** Settings from the four config codecs. */
export const arbSettings: fc.Arbitrary<LossSettings> = fc
  .record({
    clip: arbitraryOf(ClipConfig),
    mask: arbitraryOf(MaskConfig),
    kl: arbitraryOf(KlConfig),
    loss: arbitraryOf(LossConfig)
  })
  .map(({ clip, mask, kl, loss }) => ({
    epsLow: clip.epsLow,
    epsHigh: clip.epsHigh,
    dualClip: clip.dualClip,
    logRatioClamp: clip.logRatioClamp,
    mask: { ...mask },
    kl: { ...kl },
    aggregation: loss.aggregation,
    normLength: loss.normLength,
    entropyCoef: loss.entropyCoef
  }))

/** A log-prob in the ordinary range [−10, 0]. */
export const ordinaryLogProb: fc.Arbitrary<number> = fc
  .double({ min: -10, max: 0, noNaN: true })
  .map((x) => x + 0)

/** A log-prob drawn from the whole finite range a policy can report, with the numerically nasty values. */
export const extremeLogProb: fc.Arbitrary<number> = fc.oneof(
  fc.double({ min: -1e4, max: 0, noNaN: true }).map((x) => x + 0),
  fc.constantFrom(-1e4, -745, -744.4400719213812, 0, -5e-324, -1e-300, -20, -20.000000000000004)
)

export interface BatchOptions {
  readonly maxRows?: number
  readonly maxTokens?: number
  /** log-probs of the current policy (and tip-free, ref, old when `independentOld`) */
  readonly logProb?: fc.Arbitrary<number>
  /** draw old and ref log-probs independently from `logProb` rather than within ±2 of logProbs */
  readonly independentOld?: boolean
  readonly advantage?: fc.Arbitrary<number>
  readonly labels?: fc.Arbitrary<Mode>
}

const matrix = <A>(b: number, t: number, a: fc.Arbitrary<A>): fc.Arbitrary<A[][]> =>
  fc.array(fc.array(a, { minLength: t, maxLength: t }), { minLength: b, maxLength: b })

/**
 * A random batch. Rows are right-padded (`responseMask` is a prefix of ones of length 0..T); padded
 * positions hold arbitrary values, as a real batch might. `tipFreeLogProbs` equals `logProbs` on
 * `offPolicy` and `onPolicyNoMemory` rows (as the loss's contract requires) and is independent on
 * `onPolicyWithTips` rows.
 */
export const arbBatch = (o: BatchOptions = {}): fc.Arbitrary<Batch> => {
  const lp = o.logProb ?? ordinaryLogProb
  const adv =
    o.advantage ??
    fc.oneof(
      fc.double({ min: -3, max: 3, noNaN: true }).map((x) => x + 0),
      fc.constant(0)
    )
  const lab = o.labels ?? fc.constantFrom<Mode>('onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy')
  const near = fc.double({ min: -2, max: 2, noNaN: true })
  return fc
    .record({
      b: fc.integer({ min: 1, max: o.maxRows ?? 4 }),
      t: fc.integer({ min: 1, max: o.maxTokens ?? 5 })
    })
    .chain(({ b, t }) =>
      fc.record({
        labels: fc.array(lab, { minLength: b, maxLength: b }),
        logProbs: matrix(b, t, lp),
        oldNoise: matrix(b, t, o.independentOld === true ? lp : near),
        refNoise: matrix(b, t, o.independentOld === true ? lp : near),
        tipFree: matrix(b, t, lp),
        adv: fc.array(adv, { minLength: b, maxLength: b }),
        lengths: fc.array(fc.integer({ min: 0, max: t }), { minLength: b, maxLength: b }),
        entropy: matrix(b, t, fc.double({ min: 0, max: 5, noNaN: true }))
      })
    )
    .map((r) => {
      const shift = (noise: Rows): Rows =>
        o.independentOld === true
          ? noise
          : r.logProbs.map((row, i) => row.map((x, j) => x + (noise[i]?.[j] ?? 0)))
      return {
        labels: r.labels,
        logProbs: r.logProbs,
        oldLogProbs: shift(r.oldNoise),
        tipFreeLogProbs: r.labels.map((l, i) =>
          l === 'onPolicyWithTips' ? (r.tipFree[i] as Row) : (r.logProbs[i] as Row)
        ),
        refLogProbs: shift(r.refNoise),
        advantages: r.logProbs.map((row, i) => row.map(() => r.adv[i] as number)),
        responseMask: r.logProbs.map((row, i) => row.map((_, j) => (j < (r.lengths[i] as number) ? 1 : 0))),
        entropy: r.entropy
      }
    })
}

/** The loss inputs of a batch (refs and entropy always supplied). */
export const toInputs = (b: Batch): LossInputs<NDArray> => ({
  logProbs: fromRows(b.logProbs),
  oldLogProbs: fromRows(b.oldLogProbs),
  tipFreeLogProbs: fromRows(b.tipFreeLogProbs),
  refLogProbs: fromRows(b.refLogProbs),
  advantages: fromRows(b.advantages),
  responseMask: fromRows(b.responseMask),
  offPolicy: fromRows(b.labels.map((l) => [l === 'offPolicy' ? 1 : 0])),
  entropy: fromRows(b.entropy)
})

/** Replace one entry of rows (a copy). */
export const setAt = (rows: Rows, i: number, j: number, v: number): Rows =>
  rows.map((r, a) => (a === i ? r.map((x, c) => (c === j ? v : x)) : r))

/** Every scalar output of the loss (`LossOutput`), in one order, for tests that compare them all. */
export const lossOutputKeys = [
  'loss',
  'policyLoss',
  'klLoss',
  'entropy',
  'clipFraction',
  'maskedFraction',
  'approxKl',
  'tokenCount'
] as const
