/**
 * The low-probability mask (docs/method.md §5, Eq. 2), in both variants of docs/method.md §7:
 * `tokenProb` (the paper) removes a token's policy-gradient term where the tip-free current policy
 * gives it probability below δ, the token still counting in every denominator and in the KL and
 * entropy terms; `sequenceMinOldLogProb` (the authors' code) removes a whole row from every term, and
 * from the denominators too unless `mask.droppedRowsCount`. Disabled ⇒ no masking. No gradient flows
 * through a mask. The three masks each rule yields: docs/porting.md, "The loss".
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'
import type { MaskRule, MaskScope } from '../../spec/config.ts'

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
  readonly scope: MaskScope
  readonly delta: number
  readonly minOldLogProb: number
  readonly droppedRowsCount: boolean
}

/**
 * The three masks the loss uses, each `[B, T]` of 0 and 1, with `pg ≤ terms ≤ denominator ≤
 * responseMask`:
 * - `denominator` — the tokens every aggregation denominator counts (the token count of
 *   `token-mean`, the rows of the `seq-mean-*` modes): the response mask, less the rows the official
 *   sequence mask drops unless `droppedRowsCount`;
 * - `terms` — the tokens whose KL and entropy terms are kept: the response mask after the official
 *   sequence mask;
 * - `pg` — the tokens whose policy-gradient term is kept: `terms` times the paper token mask (in
 *   scope).
 *
 * @since 0.1.0
 * @category model
 */
export interface LossMasks<T> {
  readonly denominator: T
  readonly terms: T
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
 * The three masks of the loss (see {@link LossMasks}) from the mask settings. Shapes `[B, T]`.
 * `tokenProb`: `denominator = terms = responseMask`, `pg = responseMask · (1 − inScope · (1 − keep))`
 * with `inScope` 1 on every row (`all`) or on off-policy rows (`offPolicy`).
 * `sequenceMinOldLogProb`: `terms = pg = responseMask · sequenceKeep`, `denominator = responseMask`
 * with `droppedRowsCount`, else `terms`. Disabled: all three equal `responseMask`.
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
 * const paper = { enabled: true, rule: 'tokenProb', scope: 'offPolicy', delta: 1e-3, minOldLogProb: -5, droppedRowsCount: true } as const
 * const m = lossMasks(N)(paper)(x)
 * assert.deepEqual(toRows(m.terms), [[1, 1], [1, 1]])
 * assert.deepEqual(toRows(m.pg), [[1, 0], [1, 1]]) // exp(−9) < 1e-3, off-policy row only
 * // the official rule on old log-probs [[−1, −1], [−1, −6]]: row 2 is dropped from the terms
 * const official = { ...paper, rule: 'sequenceMinOldLogProb' } as const
 * const o = lossMasks(N)(official)({ ...x, oldLogProbs: fromRows([[-1, -1], [-1, -6]]) })
 * assert.deepEqual(toRows(o.terms), [[1, 1], [0, 0]])
 * assert.deepEqual(toRows(o.denominator), [[1, 1], [1, 1]]) // still counted (droppedRowsCount)
 *
 * @since 0.1.0
 * @category combinators
 */
export const lossMasks =
  <T>(N: Numeric<T>) =>
  (s: MaskSettings) =>
  (x: MaskInputs<T>): LossMasks<T> => {
    if (!s.enabled) return { denominator: x.responseMask, terms: x.responseMask, pg: x.responseMask }
    if (s.rule === 'sequenceMinOldLogProb') {
      const terms = N.mul(x.responseMask, sequenceKeep(N)(s.minOldLogProb)(x.oldLogProbs, x.responseMask))
      return { denominator: s.droppedRowsCount ? x.responseMask : terms, terms, pg: terms }
    }
    const one = N.scalar(1)
    const drop = N.sub(one, tokenProbKeep(N)(s.delta)(x.tipFreeLogProbs))
    const scoped = s.scope === 'all' ? drop : N.mul(x.offPolicy, drop)
    return {
      denominator: x.responseMask,
      terms: x.responseMask,
      pg: N.mul(x.responseMask, N.sub(one, scoped))
    }
  }
