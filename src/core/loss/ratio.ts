/**
 * The importance ratio of a token, `ρ = π_θ(a_t | ·) / π_θold(a_t | ·)` (docs/method.md §2), computed
 * as `exp(clamp(logp − logp_old, −c, c))` with `c = clip.logRatioClamp` (20 in the reference code), so
 * that a single extreme token cannot overflow `exp`. Which log-probabilities form the ratio depends on
 * the row's mode combination (the table of docs/method.md §4): an off-policy row is scored now without
 * its tips against the old log-probabilities recorded with them. {@link selectLogProbs} builds both
 * arrays, and the tip-free ones the paper mask reads, from the two scorings of a batch.
 *
 * @since 0.1.0
 */
import type { Mode } from '../../spec/data.ts'
import type { Numeric } from './numeric.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Per-token values of a batch as plain rows, `[B, T]`.
 *
 * @since 0.1.0
 * @category model
 */
export type Rows = ReadonlyArray<ReadonlyArray<number>>

/**
 * The two scorings of a batch under the current policy: every row scored with the prompt it was
 * rolled out with (`withTips`; for rows rolled out without memory that prompt has no tips) and with
 * the tips removed (`withoutTips`). Both `[B, T]`.
 *
 * @since 0.1.0
 * @category model
 */
export interface ScoredLogProbs {
  readonly withTips: Rows
  readonly withoutTips: Rows
}

/**
 * The two log-probability inputs of the loss, `[B, T]` each (see `LossInputs` in `loss.ts`).
 *
 * @since 0.1.0
 * @category model
 */
export interface SelectedLogProbs {
  readonly logProbs: Rows
  readonly tipFreeLogProbs: Rows
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The clamped log-ratio `clamp(logp − logp_old, −c, c)`, elementwise, any shape (`[B, T]` in the
 * loss). `c` is `clip.logRatioClamp`. docs/method.md §2.
 *
 * @example
 * import { logRatio } from './ratio.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const r = logRatio(N)(20)(fromRows([[-1, 0, -50]]), fromRows([[-2, -100, 0]]))
 * assert.deepEqual(toRows(r), [[1, 20, -20]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const logRatio =
  <T>(N: Numeric<T>) =>
  (clamp: number) =>
  (logProbs: T, oldLogProbs: T): T =>
    N.clamp(N.sub(logProbs, oldLogProbs), -clamp, clamp)

/**
 * The importance ratio `ρ = exp(clamp(logp − logp_old, −c, c))`, elementwise. docs/method.md §2, §4.
 *
 * @example
 * import { ratio } from './ratio.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const rho = toRows(ratio(N)(20)(fromRows([[Math.log(0.3), 0]]), fromRows([[Math.log(0.6), -1e4]])))
 * assert.ok(Math.abs((rho[0]?.[0] ?? NaN) - 0.5) < 1e-12) // 0.3 / 0.6
 * assert.equal(rho[0]?.[1], Math.exp(20)) // clamped, not exp(1e4) = Infinity
 *
 * @since 0.1.0
 * @category combinators
 */
export const ratio =
  <T>(N: Numeric<T>) =>
  (clamp: number) =>
  (logProbs: T, oldLogProbs: T): T =>
    N.exp(logRatio(N)(clamp)(logProbs, oldLogProbs))

/**
 * Select, per row, the loss's `logProbs` and `tipFreeLogProbs` from the two scorings of a batch
 * according to the row's mode combination (docs/method.md §4):
 * `onPolicyNoMemory` → both from `withoutTips` (its rollout prompt had no tips);
 * `onPolicyWithTips` → `logProbs` from `withTips`, `tipFreeLogProbs` from `withoutTips`;
 * `offPolicy` → both from `withoutTips` (the update prompt has the tips removed).
 * Shapes: `labels` `[B]`, rows `[B, T]`. Throws a RangeError when the lengths disagree.
 *
 * @example
 * import { selectLogProbs } from './ratio.ts'
 * const s = selectLogProbs(['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy'], {
 *   withTips: [[-1], [-2], [-3]],
 *   withoutTips: [[-1], [-5], [-6]]
 * })
 * assert.deepEqual(s.logProbs, [[-1], [-2], [-6]])
 * assert.deepEqual(s.tipFreeLogProbs, [[-1], [-5], [-6]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const selectLogProbs = (labels: ReadonlyArray<Mode>, scored: ScoredLogProbs): SelectedLogProbs => {
  if (labels.length !== scored.withTips.length || labels.length !== scored.withoutTips.length)
    throw new RangeError(
      `selectLogProbs: ${labels.length} labels, ${scored.withTips.length} rows with tips, ${scored.withoutTips.length} rows without tips`
    )
  const without = (i: number): ReadonlyArray<number> => scored.withoutTips[i] as ReadonlyArray<number>
  return {
    logProbs: labels.map((l, i) =>
      l === 'onPolicyWithTips' ? (scored.withTips[i] as ReadonlyArray<number>) : without(i)
    ),
    tipFreeLogProbs: labels.map((_, i) => without(i))
  }
}

/**
 * The loss's `offPolicy` column `[B, 1]` from per-row mode combinations: 1 for `offPolicy`, else 0.
 *
 * @example
 * import { offPolicyColumn } from './ratio.ts'
 * assert.deepEqual(offPolicyColumn(['offPolicy', 'onPolicyWithTips']), [[1], [0]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const offPolicyColumn = (labels: ReadonlyArray<Mode>): Rows =>
  labels.map((l) => [l === 'offPolicy' ? 1 : 0])
