/**
 * Loss aggregation: how a per-token loss `L` `[B, T]` and a 0/1 mask `M` `[B, T]` reduce to one number
 * (docs/method.md §2, "Aggregation"; verl's `agg_loss`). Eq. 1's `1/(N·T) Σ_i Σ_t` is `token-mean`.
 * Every denominator is guarded with `max(·, 1)`; all four modes are linear in `L` with weights that
 * depend on `M` only ({@link aggregationWeights}), and {@link OmittedRows} adds the counts of rows
 * left out of the evaluation. Each mode's formula and edge cases: docs/porting.md, "The loss".
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'
import type { AggregationMode } from '../../spec/config.ts'
import type { Rows } from './ratio.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The aggregation parameters: the mode and the fixed length of `seq-mean-token-sum-norm`.
 *
 * @since 0.1.0
 * @category model
 */
export interface AggregationSettings {
  readonly aggregation: AggregationMode
  readonly normLength: number
}

/**
 * What rows left out of an aggregation add to its denominators: their number (`rows`), the number of
 * them with at least one token in the mask (`rowsWithTokens`), and their tokens in the mask
 * (`tokens`).
 *
 * @since 0.1.0
 * @category model
 */
export interface OmittedRows {
  readonly rows: number
  readonly rowsWithTokens: number
  readonly tokens: number
}

/**
 * No omitted row.
 *
 * @example
 * import { noneOmitted, omittedOf } from './aggregate.ts'
 * assert.deepEqual(noneOmitted, omittedOf([]))
 *
 * @since 0.1.0
 * @category constructors
 */
export const noneOmitted: OmittedRows = { rows: 0, rowsWithTokens: 0, tokens: 0 }

/**
 * The {@link OmittedRows} of mask rows `[B', T']` (numbers).
 *
 * @example
 * import { omittedOf } from './aggregate.ts'
 * assert.deepEqual(omittedOf([[1, 1, 0], [0, 0, 0]]), { rows: 2, rowsWithTokens: 1, tokens: 2 })
 *
 * @since 0.1.0
 * @category constructors
 */
export const omittedOf = (mask: Rows): OmittedRows => {
  const perRow = mask.map((r) => r.reduce((a, m) => a + m, 0))
  return {
    rows: mask.length,
    rowsWithTokens: perRow.filter((n) => n > 0).length,
    tokens: perRow.reduce((a, n) => a + n, 0)
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The number of rows `B` of a `[B, T]` array, as a rank-0 value, from the interface's operations only
 * (`Σ_b 1[s_b ≥ s_b]` with `s = sumLast(M)`, true for every finite row sum).
 *
 * @example
 * import { rowCount } from './aggregate.ts'
 * import { numberNumeric as N, fromRows, toScalar } from './numeric.ts'
 * assert.equal(toScalar(rowCount(N)(fromRows([[1, 0], [0, 0], [1, 1]]))), 3)
 *
 * @since 0.1.0
 * @category utils
 */
export const rowCount =
  <T>(N: Numeric<T>) =>
  (mask: T): T => {
    const s = N.sumLast(mask)
    return N.sumAll(N.greaterEqual(s, s))
  }

/**
 * Aggregate a per-token loss `L` `[B, T]` under mask `M` `[B, T]` to a rank-0 value (see the module's
 * table), with `omitted` rows (default none) counted in the denominators.
 *
 * @example
 * import { aggregate } from './aggregate.ts'
 * import { numberNumeric as N, fromRows, toScalar } from './numeric.ts'
 * const L = fromRows([[1, 2, 3], [4, 0, 0]])
 * const M = fromRows([[1, 1, 1], [1, 0, 0]])
 * const agg = (aggregation: Parameters<typeof aggregate>[1]['aggregation']) =>
 *   toScalar(aggregate(N)({ aggregation, normLength: 5 })(L, M))
 * assert.equal(agg('token-mean'), 10 / 4)
 * assert.equal(agg('seq-mean-token-sum'), (6 + 4) / 2)
 * assert.equal(agg('seq-mean-token-mean'), (2 + 4) / 2)
 * assert.equal(agg('seq-mean-token-sum-norm'), 10 / 5)
 * // one omitted row with 2 tokens: as if the batch had a third row of zero losses
 * const o = { rows: 1, rowsWithTokens: 1, tokens: 2 }
 * assert.equal(toScalar(aggregate(N)({ aggregation: 'token-mean', normLength: 5 })(L, M, o)), 10 / 6)
 * assert.equal(toScalar(aggregate(N)({ aggregation: 'seq-mean-token-mean', normLength: 5 })(L, M, o)), (2 + 4) / 3)
 *
 * @since 0.1.0
 * @category combinators
 */
export const aggregate =
  <T>(N: Numeric<T>) =>
  (s: AggregationSettings) =>
  (loss: T, mask: T, omitted: OmittedRows = noneOmitted): T => {
    const one = N.scalar(1)
    const masked = N.mul(loss, mask)
    const plus = (x: T, n: number): T => (n === 0 ? x : N.add(x, N.scalar(n)))
    switch (s.aggregation) {
      case 'token-mean':
        return N.div(N.sumAll(masked), N.maximum(plus(N.sumAll(mask), omitted.tokens), one))
      case 'seq-mean-token-sum':
        return N.div(N.sumAll(masked), N.maximum(plus(rowCount(N)(mask), omitted.rows), one))
      case 'seq-mean-token-mean': {
        const tokens = N.sumLast(mask) // [B]
        const hasToken = N.less(N.scalar(0), tokens) // [B]
        const rowMeans = N.div(N.sumLast(masked), N.maximum(tokens, one))
        return N.div(
          N.sumAll(N.mul(rowMeans, hasToken)),
          N.maximum(plus(N.sumAll(hasToken), omitted.rowsWithTokens), one)
        )
      }
      case 'seq-mean-token-sum-norm':
        return N.div(N.sumAll(masked), N.scalar(s.normLength))
    }
  }

/**
 * The weights `w` `[B, T]` with `aggregate(L, M, omitted) = Σ_{b,t} w_{bt}·L_{bt}` for every `L`
 * (numbers only): the derivative of the aggregate with respect to each per-token loss, used by the
 * analytic gradient. `token-mean`: `M/max(ΣM + o.tokens, 1)`; `seq-mean-token-sum`:
 * `M/max(B + o.rows, 1)`; `seq-mean-token-mean`:
 * `M_bt / (max(Σ_t M_b, 1) · max(#rows with a token + o.rowsWithTokens, 1))`;
 * `seq-mean-token-sum-norm`: `M/normLength`.
 *
 * @example
 * import { aggregationWeights } from './aggregate.ts'
 * const w = aggregationWeights({ aggregation: 'seq-mean-token-mean', normLength: 1 })([[1, 1], [1, 0], [0, 0]])
 * assert.deepEqual(w, [[0.25, 0.25], [0.5, 0], [0, 0]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const aggregationWeights =
  (s: AggregationSettings) =>
  (mask: Rows, omitted: OmittedRows = noneOmitted): Rows => {
    const rowTokens = mask.map((r) => r.reduce((a, m) => a + m, 0))
    const total = rowTokens.reduce((a, n) => a + n, 0) + omitted.tokens
    switch (s.aggregation) {
      case 'token-mean':
        return mask.map((r) => r.map((m) => m / Math.max(total, 1)))
      case 'seq-mean-token-sum':
        return mask.map((r) => r.map((m) => m / Math.max(mask.length + omitted.rows, 1)))
      case 'seq-mean-token-mean': {
        const rows = Math.max(rowTokens.filter((n) => n > 0).length + omitted.rowsWithTokens, 1)
        return mask.map((r, b) => r.map((m) => m / (Math.max(rowTokens[b] as number, 1) * rows)))
      }
      case 'seq-mean-token-sum-norm':
        return mask.map((r) => r.map((m) => m / s.normLength))
    }
  }
