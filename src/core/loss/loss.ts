/**
 * The EMPO² loss (docs/method.md §5, Eq. 2; with the mask disabled, GRPO's Eq. 1 of §2), written
 * once against {@link Numeric}: `numberNumeric` evaluates it in the property tests and the
 * conformance vectors, and the tfjs instance differentiates the very same definition in training.
 * `loss = policyLoss − entropyCoef · entropy + β · klLoss`, to minimise, from the ratio (`ratio.ts`),
 * the clipped surrogate (`surrogate.ts`), the masks (`mask.ts`), the KL estimators (`kl.ts`) and the
 * aggregation (`aggregate.ts`). Every term, mask and output: docs/porting.md, "The loss".
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'
import type { Config, AggregationMode, KlEstimator } from '../../spec/config.ts'
import type { Mode } from '../../spec/data.ts'
import { ratio as ratioOf } from './ratio.ts'
import { clipActive, clippedSurrogate } from './surrogate.ts'
import { lossMasks, type MaskSettings } from './mask.ts'
import { klPerToken } from './kl.ts'
import { aggregate, noneOmitted, omittedOf, type OmittedRows } from './aggregate.ts'
import { numberNumeric, fromRows, toRows } from './numeric.ts'
import type { Rows } from './ratio.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Everything the loss needs, derived once from a {@link Config} by {@link lossSettings}.
 *
 * @since 0.1.0
 * @category model
 */
export interface LossSettings {
  readonly epsLow: number
  readonly epsHigh: number
  readonly dualClip: number | null
  readonly logRatioClamp: number
  readonly mask: MaskSettings
  readonly kl: {
    readonly beta: number
    readonly estimator: KlEstimator
    readonly logRatioClamp: number
    readonly valueClamp: number
  }
  readonly aggregation: AggregationMode
  readonly normLength: number
  readonly entropyCoef: number
}

/**
 * The loss's inputs. Token arrays are `[B, T]`, `offPolicy` is `[B, 1]`.
 * - `logProbs`: `log π_θ(a_t | update prompt)`, the only differentiated input (with `entropy`):
 *   on-policy rows use the rollout prompt (with tips if it had them), off-policy rows the prompt with
 *   the tips removed (see `ratio.ts`).
 * - `oldLogProbs`: `log π_θold(a_t | rollout prompt)`, recorded at sampling.
 * - `tipFreeLogProbs`: `log π_θ(a_t | s, u)` without tips, the paper mask's input (no gradient); for
 *   off-policy rows and rows without tips it equals `logProbs`.
 * - `refLogProbs`: reference policy log-probs; required when `kl.beta > 0`.
 * - `advantages`: per-token advantage (a sequence's advantage broadcast over its tokens).
 * - `responseMask`: 1 for a real action token, 0 for padding.
 * - `offPolicy`: 1 for an off-policy row.
 * - `entropy`: per-token entropy of π_θ (differentiable); required when `entropyCoef > 0`.
 * - `omitted` (optional, default none): the denominator counts of rows left out of these arrays
 *   because {@link omittable} holds for them ({@link omittedRows}); the loss and its gradient are
 *   then those of the batch with the rows in.
 *
 * @since 0.1.0
 * @category model
 */
export interface LossInputs<T> {
  readonly logProbs: T
  readonly oldLogProbs: T
  readonly tipFreeLogProbs: T
  readonly refLogProbs: T | null
  readonly advantages: T
  readonly responseMask: T
  readonly offPolicy: T
  readonly entropy: T | null
  readonly omitted?: OmittedRows
}

/**
 * The loss and its diagnostics, every field rank 0. With `R` the response mask and `D`, `K`, `P` the
 * `denominator`, `terms` and `pg` masks of `mask.ts` (`P ≤ K ≤ D ≤ R`), and `agg(X, D)` the
 * configured aggregation (`aggregate.ts`, every denominator floored at 1):
 * - `loss`: `policyLoss − entropyCoef·entropy + β·klLoss`, to minimise (the KL and entropy terms
 *   enter only when `β > 0`, `entropyCoef > 0`);
 * - `policyLoss`: `agg(l·P, D)`, `l` the per-token clipped surrogate;
 * - `klLoss`: `agg(k·K, D)`, `k` the per-token KL estimate; exactly 0 when `refLogProbs` is null;
 * - `entropy`: `agg(H·K, D)`; exactly 0 when the `entropy` input is null;
 * - `clipFraction`: `Σ(clip·P) / max(ΣD, 1)`, `clip` the indicator `clipActive` (the ratio clip on
 *   either side, or the dual clip, decides the token's loss); 0 when `ΣD = 0`;
 * - `maskedFraction`: `(ΣR − ΣP) / max(ΣR, 1)`: the real tokens whose policy-gradient term either
 *   mask rule removed, over the real tokens; 0 when there is no real token;
 * - `approxKl`: `Σ((oldLogProbs − logProbs)·K) / max(ΣK, 1)`, the token-mean over the tokens whose
 *   terms are kept (independent of `droppedRowsCount`); 0 when `ΣK = 0`;
 * - `tokenCount`: `ΣD`, the token count of `token-mean`'s denominator (before the floor at 1).
 *
 * Omitted rows (`omitted`, see {@link omittable}) add their `D` tokens to `tokenCount` and to every
 * aggregation denominator, so `loss`, `policyLoss`, `clipFraction` and `tokenCount` equal those of the
 * batch with the rows in (their `l` is `−0·ρ` and `clipActive` is 0 at `A = 0`); `maskedFraction` and
 * `approxKl` are over the rows present only, and `klLoss`, `entropy` count the omitted rows in their
 * denominators but not their (unknown) terms, which are outside the loss since `β = 0` and
 * `entropyCoef = 0`.
 *
 * @since 0.1.0
 * @category model
 */
export interface LossOutput<T> {
  readonly loss: T
  readonly policyLoss: T
  readonly klLoss: T
  readonly entropy: T
  readonly clipFraction: T
  readonly maskedFraction: T
  readonly approxKl: T
  readonly tokenCount: T
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The loss settings of a configuration: `config.clip`, `config.mask`, `config.kl` and `config.loss`,
 * flattened.
 *
 * @example
 * import { lossSettings } from './loss.ts'
 * import { officialPreset, paperPreset } from '../../spec/config.ts'
 * assert.equal(lossSettings(paperPreset).mask.rule, 'tokenProb')
 * assert.equal(lossSettings(officialPreset).dualClip, 10)
 * assert.equal(lossSettings(officialPreset).aggregation, 'seq-mean-token-mean')
 *
 * @since 0.1.0
 * @category constructors
 */
export const lossSettings = (c: Config): LossSettings => ({
  epsLow: c.clip.epsLow,
  epsHigh: c.clip.epsHigh,
  dualClip: c.clip.dualClip,
  logRatioClamp: c.clip.logRatioClamp,
  mask: {
    enabled: c.mask.enabled,
    rule: c.mask.rule,
    scope: c.mask.scope,
    delta: c.mask.delta,
    minOldLogProb: c.mask.minOldLogProb,
    droppedRowsCount: c.mask.droppedRowsCount
  },
  kl: {
    beta: c.kl.beta,
    estimator: c.kl.estimator,
    logRatioClamp: c.kl.logRatioClamp,
    valueClamp: c.kl.valueClamp
  },
  aggregation: c.loss.aggregation,
  normLength: c.loss.normLength,
  entropyCoef: c.loss.entropyCoef
})

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The EMPO² loss (Eq. 2; Eq. 1 with the mask disabled) and its diagnostics. Inputs `[B, T]` (and
 * `offPolicy` `[B, 1]`), outputs rank 0. Throws a RangeError when `kl.beta > 0` without
 * `refLogProbs`, or `entropyCoef > 0` without `entropy`.
 *
 * Worked example (token-mean, ε = 0.2, no mask hit, β = 0): two tokens with `A = 1`,
 * ratios `exp(0.1) ≈ 1.105` (inside the clip) and `exp(0.5) ≈ 1.649` (clipped to 1.2):
 * `policyLoss = (−1.105 − 1.2) / 2`.
 *
 * @example
 * import { empo2Loss, lossSettings } from './loss.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { numberNumeric as N, fromRows, toScalar } from './numeric.ts'
 * const s = { ...lossSettings(paperPreset), kl: { ...lossSettings(paperPreset).kl, beta: 0 } }
 * const out = empo2Loss(N)(s)({
 *   logProbs: fromRows([[-0.9, -0.5]]),
 *   oldLogProbs: fromRows([[-1, -1]]),
 *   tipFreeLogProbs: fromRows([[-0.9, -0.5]]),
 *   refLogProbs: null,
 *   advantages: fromRows([[1, 1]]),
 *   responseMask: fromRows([[1, 1]]),
 *   offPolicy: fromRows([[0]]),
 *   entropy: null
 * })
 * assert.ok(Math.abs(toScalar(out.policyLoss) - (-Math.exp(0.1) - 1.2) / 2) < 1e-12)
 * assert.equal(toScalar(out.loss), toScalar(out.policyLoss))
 * assert.equal(toScalar(out.clipFraction), 0.5)
 * assert.equal(toScalar(out.tokenCount), 2)
 *
 * @since 0.1.0
 * @category combinators
 */
export const empo2Loss =
  <T>(N: Numeric<T>) =>
  (s: LossSettings) =>
  (x: LossInputs<T>): LossOutput<T> => {
    if (s.kl.beta > 0 && x.refLogProbs === null)
      throw new RangeError('empo2Loss: kl.beta > 0 needs refLogProbs, got null')
    if (s.entropyCoef > 0 && x.entropy === null)
      throw new RangeError('empo2Loss: entropyCoef > 0 needs entropy, got null')
    const one = N.scalar(1)
    const omitted = x.omitted ?? noneOmitted
    const agg = (l: T, m: T): T => aggregate(N)(s)(l, m, omitted)
    const clip = { epsLow: s.epsLow, epsHigh: s.epsHigh, dualClip: s.dualClip }
    const masks = lossMasks(N)(s.mask)(x)
    const rho = ratioOf(N)(s.logRatioClamp)(x.logProbs, x.oldLogProbs)
    const perToken = clippedSurrogate(N)(clip)(x.advantages, rho)
    const policyLoss = agg(N.mul(perToken, masks.pg), masks.denominator)
    const klLoss =
      x.refLogProbs === null
        ? N.scalar(0)
        : agg(N.mul(klPerToken(N)(s.kl)(x.logProbs, x.refLogProbs), masks.terms), masks.denominator)
    const entropy = x.entropy === null ? N.scalar(0) : agg(N.mul(x.entropy, masks.terms), masks.denominator)
    const withEntropy =
      s.entropyCoef > 0 ? N.sub(policyLoss, N.mul(N.scalar(s.entropyCoef), entropy)) : policyLoss
    const loss = s.kl.beta > 0 ? N.add(withEntropy, N.mul(N.scalar(s.kl.beta), klLoss)) : withEntropy
    // diagnostics (no gradient needed)
    const tokenCount =
      omitted.tokens === 0
        ? N.sumAll(masks.denominator)
        : N.add(N.sumAll(masks.denominator), N.scalar(omitted.tokens))
    const counted = N.maximum(tokenCount, one)
    const realTokens = N.sumAll(x.responseMask)
    const clipped = N.mul(clipActive(N)(clip)(x.advantages, N.stopGradient(rho)), masks.pg)
    return {
      loss,
      policyLoss,
      klLoss,
      entropy,
      clipFraction: N.div(N.sumAll(clipped), counted),
      maskedFraction: N.div(N.sub(realTokens, N.sumAll(masks.pg)), N.maximum(realTokens, one)),
      approxKl: N.div(
        N.sumAll(N.mul(N.sub(x.oldLogProbs, N.stopGradient(x.logProbs)), masks.terms)),
        N.maximum(N.sumAll(masks.terms), one)
      ),
      tokenCount
    }
  }

/**
 * Whether an update row can be left out of the loss's evaluation (no forward pass) without changing
 * the loss or its gradient, provided it still counts in the denominators ({@link omittedRows}): its
 * advantage is exactly 0, so its policy-gradient term is `−0·ρ` with slope 0 whatever the mask, and
 * the loss has no KL term (`β = 0`) and no entropy bonus (`entropyCoef = 0`), the only other terms a
 * row adds. The masks' denominators need only the row's old log-probs and length.
 *
 * @example
 * import { omittable, lossSettings } from './loss.ts'
 * import { officialPreset, paperPreset } from '../../spec/config.ts'
 * assert.equal(omittable(lossSettings(officialPreset))(0), true) // β = 0, no entropy bonus
 * assert.equal(omittable(lossSettings(officialPreset))(0.5), false)
 * assert.equal(omittable(lossSettings(paperPreset))(0), false) // β = 0.001: the row's KL term counts
 *
 * @since 0.1.0
 * @category combinators
 */
export const omittable =
  (s: LossSettings) =>
  (advantage: number): boolean =>
    advantage === 0 && s.kl.beta === 0 && s.entropyCoef === 0

/**
 * What omitted rows add to the denominators (see {@link OmittedRows}): their `denominator` mask
 * (`mask.ts`: the response mask of their `length` real tokens, less the rows the official sequence
 * mask drops unless `droppedRowsCount`), computed from their recorded old log-probs.
 *
 * @example
 * import { omittedRows, lossSettings } from './loss.ts'
 * import { officialPreset } from '../../spec/config.ts'
 * const s = lossSettings(officialPreset)
 * const on = { ...s, mask: { ...s.mask, enabled: true, droppedRowsCount: false } }
 * const rows = [{ oldLogProbs: [-1, -2] }, { oldLogProbs: [-1, -9, -1] }]
 * assert.deepEqual(omittedRows(on)(rows), { rows: 2, rowsWithTokens: 1, tokens: 2 }) // −9 < −5: dropped
 * const counted = { ...on, mask: { ...on.mask, droppedRowsCount: true } }
 * assert.deepEqual(omittedRows(counted)(rows), { rows: 2, rowsWithTokens: 2, tokens: 5 })
 *
 * @since 0.1.0
 * @category combinators
 */
export const omittedRows =
  (s: LossSettings) =>
  (rows: ReadonlyArray<{ readonly oldLogProbs: ReadonlyArray<number> }>): OmittedRows => {
    if (rows.length === 0) return noneOmitted
    const T = Math.max(1, ...rows.map((r) => r.oldLogProbs.length))
    const pad = (f: (r: (typeof rows)[number], j: number) => number) =>
      fromRows(rows.map((r) => Array.from({ length: T }, (_, j) => f(r, j))))
    const old = pad((r, j) => r.oldLogProbs[j] ?? 0)
    const masks = lossMasks(numberNumeric)(s.mask)({
      tipFreeLogProbs: old,
      oldLogProbs: old,
      responseMask: pad((r, j) => (j < r.oldLogProbs.length ? 1 : 0)),
      offPolicy: fromRows(rows.map(() => [0]))
    })
    return omittedOf(toRows(masks.denominator))
  }

/**
 * Real tokens per mode combination (a diagnostic the trainer logs): `labels` `[B]`, response-mask
 * rows `[B, T]`. Throws a RangeError when the lengths disagree.
 *
 * @example
 * import { tokenCountsByMode } from './loss.ts'
 * const n = tokenCountsByMode(['offPolicy', 'onPolicyNoMemory', 'offPolicy'], [[1, 1], [1, 0], [1, 0]])
 * assert.deepEqual(n, { onPolicyNoMemory: 1, onPolicyWithTips: 0, offPolicy: 3 })
 *
 * @since 0.1.0
 * @category combinators
 */
export const tokenCountsByMode = (
  labels: ReadonlyArray<Mode>,
  responseMaskRows: Rows
): Readonly<Record<Mode, number>> => {
  if (labels.length !== responseMaskRows.length)
    throw new RangeError(
      `tokenCountsByMode: ${labels.length} labels but ${responseMaskRows.length} response-mask rows`
    )
  const counts: Record<Mode, number> = { onPolicyNoMemory: 0, onPolicyWithTips: 0, offPolicy: 0 }
  labels.forEach((l, i) => {
    counts[l] += (responseMaskRows[i] as ReadonlyArray<number>).reduce((a, m) => a + m, 0)
  })
  return counts
}
