/**
 * Per-token entropy of the policy's next-token distribution, `H = −Σ_v p_v · log p_v` with
 * `p_v = exp(lp_v)`, from log-probabilities over the vocabulary on the last axis:
 * `[B, T, V] → [B, T]` (any `[…, V] → […]`). Written against `Numeric` so the tensor layer computes
 * the entropy bonus with this very definition (docs/method.md §2, "an entropy bonus").
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The log-probability floor used inside the entropy: `p · log p` is evaluated as
 * `p · max(log p, floor)` so that an impossible outcome (`log p = −∞`, `p = 0`) contributes `0`
 * instead of `0 · −∞ = NaN`. `−1e30` is representable in float32 and far below any real log-prob.
 *
 * @example
 * import { entropyLogFloor } from './entropy.ts'
 * assert.ok(entropyLogFloor < -1e29)
 *
 * @since 0.1.0
 * @category utils
 */
export const entropyLogFloor = -1e30

/**
 * The entropy over the last axis of log-probabilities, `H = Σ_v exp(lp_v)·(−lp_v)`: `[B, T, V] → [B, T]`.
 *
 * @example
 * import { entropy } from './entropy.ts'
 * import { numberNumeric as N, ndarray } from './numeric.ts'
 * const lp = ndarray([1, 2, 2], [Math.log(0.5), Math.log(0.5), 0, -Infinity])
 * const h = entropy(N)(lp)
 * assert.deepEqual(h.shape, [1, 2])
 * assert.ok(Math.abs((h.data[0] ?? NaN) - Math.log(2)) < 1e-15) // uniform over 2
 * assert.equal(h.data[1], 0) // a certain outcome
 *
 * @since 0.1.0
 * @category combinators
 */
export const entropy =
  <T>(N: Numeric<T>) =>
  (logProbs: T): T =>
    N.sumLast(N.mul(N.exp(logProbs), N.neg(N.maximum(logProbs, N.scalar(entropyLogFloor)))))
