/**
 * The low-probability mask (empo2.md §4.3, Eq. 2), in both variants of empo2.md §5 row 2:
 *
 * - `tokenProb` (paper): per token, keep the policy-gradient term where the tip-free current policy
 *   gives the action token probability at least δ: `exp(tipFreeLogProbs) ≥ δ`, computed in log space
 *   as `tipFreeLogProbs ≥ log δ` (δ = 0 gives `log δ = −∞`: nothing is masked). It applies to rows in
 *   scope (`all`, or only `offPolicy` rows) and masks the policy-gradient term ONLY: the token still
 *   counts in the denominator (Eq. 2's `1/(N·T)`) and in the KL and entropy terms.
 * - `sequenceMinOldLogProb` (official): per row, if the minimum over real tokens of `oldLogProbs` is
 *   below `minOldLogProb`, the whole row leaves the response mask, hence every term (policy gradient,
 *   KL, entropy) and every denominator. It ignores `scope` (the official code applies it in all
 *   modes).
 *
 * Disabled ⇒ no masking. No gradient flows through any mask (its inputs pass `stopGradient`).
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'
import type { MaskRule } from '../spec/config.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The mask parameters (`config.mask`).
 *
 * @since 0.1.0
 * @category model
 */
export interface MaskSettings {
  readonly enabled: boolean
  readonly rule: MaskRule
  readonly scope: 'all' | 'offPolicy'
  readonly delta: number
  readonly minOldLogProb: number
}

/**
 * The two masks the loss uses, both `[B, T]` of 0 and 1:
 * `count` — the tokens that count (response mask after the official sequence mask): every
 * denominator, the KL and entropy terms; `pg` — the tokens whose policy-gradient term is kept
 * (`count` times the paper token mask). Always `pg ≤ count ≤ responseMask`.
 *
 * @since 0.1.0
 * @category model
 */
export interface LossMasks<T> {
  readonly count: T
  readonly pg: T
}

/**
 * The mask's inputs: `tipFreeLogProbs`, `oldLogProbs`, `responseMask` (`[B, T]`) and `offPolicy`
 * (`[B, 1]`).
 *
 * @since 0.1.0
 * @category model
 */
export interface MaskInputs<T> {
  readonly tipFreeLogProbs: T
  readonly oldLogProbs: T
  readonly responseMask: T
  readonly offPolicy: T
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The paper's per-token keep mask, `1[tipFreeLogProbs ≥ log δ]`, elementwise (`[B, T]`), before
 * scope. Eq. 2's `1[π_θ(a_t | s_t, u) ≥ δ]`.
 *
 * @example
 * import { tokenProbKeep } from './mask.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const keep = tokenProbKeep(N)(0.01)(fromRows([[Math.log(0.5), Math.log(0.001), Math.log(0.01)]]))
 * assert.deepEqual(toRows(keep), [[1, 0, 1]])
 * assert.deepEqual(toRows(tokenProbKeep(N)(0)(fromRows([[-1e4]]))), [[1]]) // δ = 0 masks nothing
 *
 * @since 0.1.0
 * @category combinators
 */
export const tokenProbKeep =
  <T>(N: Numeric<T>) =>
  (delta: number) =>
  (tipFreeLogProbs: T): T =>
    N.greaterEqual(N.stopGradient(tipFreeLogProbs), N.scalar(Math.log(delta)))

/**
 * The official per-row keep column `[B, 1]`: 0 where the minimum of `oldLogProbs` over the row's
 * real tokens is below `minOldLogProb`, else 1 (a row with no real token is kept; it has nothing to
 * drop).
 *
 * @example
 * import { sequenceKeep } from './mask.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const keep = sequenceKeep(N)(-5)(fromRows([[-1, -6], [-1, -9]]), fromRows([[1, 1], [1, 0]]))
 * assert.deepEqual(toRows(keep), [[0], [1]]) // row 2's −9 is padding
 *
 * @since 0.1.0
 * @category combinators
 */
export const sequenceKeep =
  <T>(N: Numeric<T>) =>
  (minOldLogProb: number) =>
  (oldLogProbs: T, responseMask: T): T => {
    const real = N.where(responseMask, N.stopGradient(oldLogProbs), N.scalar(Infinity))
    return N.expandLast(N.sub(N.scalar(1), N.less(N.minLast(real), N.scalar(minOldLogProb))))
  }

/**
 * Both masks of the loss (see {@link LossMasks}) from the mask settings. Shapes `[B, T]`.
 * `tokenProb`: `count = responseMask`, `pg = count · (1 − inScope · (1 − keep))` with `inScope` 1 on
 * every row (`all`) or on off-policy rows (`offPolicy`). `sequenceMinOldLogProb`:
 * `count = pg = responseMask · sequenceKeep`. Disabled: `count = pg = responseMask`.
 *
 * @example
 * import { lossMasks } from './mask.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const x = {
 *   tipFreeLogProbs: fromRows([[-1, -9], [-1, -9]]),
 *   oldLogProbs: fromRows([[-1, -1], [-1, -1]]),
 *   responseMask: fromRows([[1, 1], [1, 1]]),
 *   offPolicy: fromRows([[1], [0]])
 * }
 * const m = lossMasks(N)({ enabled: true, rule: 'tokenProb', scope: 'offPolicy', delta: 1e-3, minOldLogProb: -5 })(x)
 * assert.deepEqual(toRows(m.count), [[1, 1], [1, 1]])
 * assert.deepEqual(toRows(m.pg), [[1, 0], [1, 1]]) // exp(−9) < 1e-3, off-policy row only
 *
 * @since 0.1.0
 * @category combinators
 */
export const lossMasks =
  <T>(N: Numeric<T>) =>
  (s: MaskSettings) =>
  (x: MaskInputs<T>): LossMasks<T> => {
    if (!s.enabled) return { count: x.responseMask, pg: x.responseMask }
    if (s.rule === 'sequenceMinOldLogProb') {
      const count = N.mul(x.responseMask, sequenceKeep(N)(s.minOldLogProb)(x.oldLogProbs, x.responseMask))
      return { count, pg: count }
    }
    const one = N.scalar(1)
    const drop = N.sub(one, tokenProbKeep(N)(s.delta)(x.tipFreeLogProbs))
    const scoped = s.scope === 'all' ? drop : N.mul(x.offPolicy, drop)
    return { count: x.responseMask, pg: N.mul(x.responseMask, N.sub(one, scoped)) }
  }
