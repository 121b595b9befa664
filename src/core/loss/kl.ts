/**
 * Per-token estimators of `KL(π_θ ‖ π_ref)` from the log-probabilities of the sampled token
 * (docs/method.md §2; Schulman's k1/k2/k3): `k1 = logp − ref`, `k2 = ½(logp − ref)²`, and
 * `k3 = clamp(exp(d) − d − 1, 0, V)` with `d = clamp(ref − logp, −L, L)`, `L = kl.logRatioClamp`
 * (20) and `V = kl.valueClamp` (10), as in verl's `kl_penalty` except that verl's lower bound is
 * `−V`: in exact arithmetic `exp(d) − d − 1 ≥ 0`, so the two agree, but in floating point the
 * difference rounds to about `−1e-17` for `|d| ≈ 1e-9`, and the lower bound 0 keeps k3 non-negative. Under `a ~ π_θ`, k1 and (unclamped)
 * k3 are unbiased for the KL; k3 is non-negative; k2 is non-negative and biased.
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'
import type { KlEstimator } from '../../spec/config.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The KL parameters (`config.kl`).
 *
 * @since 0.1.0
 * @category model
 */
export interface KlSettings {
  readonly beta: number
  readonly estimator: KlEstimator
  readonly logRatioClamp: number
  readonly valueClamp: number
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The per-token KL estimate of the chosen estimator, elementwise (`[B, T]` in the loss).
 * `beta` is not applied here.
 *
 * @example
 * import { klPerToken } from './kl.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const s = { beta: 0.1, logRatioClamp: 20, valueClamp: 10 }
 * const logp = fromRows([[-1, -2]])
 * const ref = fromRows([[-2, -2]])
 * assert.deepEqual(toRows(klPerToken(N)({ ...s, estimator: 'k1' })(logp, ref)), [[1, 0]])
 * assert.deepEqual(toRows(klPerToken(N)({ ...s, estimator: 'k2' })(logp, ref)), [[0.5, 0]])
 * // k3 with d = −1: e^(−1) + 1 − 1
 * assert.deepEqual(toRows(klPerToken(N)({ ...s, estimator: 'k3' })(logp, ref)), [[Math.exp(-1), 0]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const klPerToken =
  <T>(N: Numeric<T>) =>
  (s: KlSettings) =>
  (logProbs: T, refLogProbs: T): T => {
    switch (s.estimator) {
      case 'k1':
        return N.sub(logProbs, refLogProbs)
      case 'k2':
        return N.mul(N.scalar(0.5), N.square(N.sub(logProbs, refLogProbs)))
      case 'k3': {
        const d = N.clamp(N.sub(refLogProbs, logProbs), -s.logRatioClamp, s.logRatioClamp)
        const k3 = N.sub(N.sub(N.exp(d), d), N.scalar(1))
        return N.clamp(k3, 0, s.valueClamp)
      }
    }
  }
