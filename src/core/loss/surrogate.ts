/**
 * The per-token clipped surrogate LOSS of PPO/GRPO (docs/method.md §2, Eq. 1, to MINIMISE, the verl
 * convention): `l1 = −A·ρ`, `l2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high)`, `l = max(l1, l2)`, which is
 * `−min(ρ·A, clip(ρ)·A)` of Eq. 1. With dual clip `c` (not null), for `A < 0` the loss is further
 * capped: `l = min(l, −c·A)`. The symmetric clip of the paper is `ε_low = ε_high = ε`.
 *
 * @since 0.1.0
 */
import type { Numeric } from './numeric.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The clip parameters: `ε_low`, `ε_high` and the dual-clip constant `c` (null disables it).
 *
 * @since 0.1.0
 * @category model
 */
export interface ClipSettings {
  readonly epsLow: number
  readonly epsHigh: number
  readonly dualClip: number | null
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

// the two terms of Eq. 1 as losses: l1 = −A·ρ, l2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high)
const terms =
  <T>(N: Numeric<T>) =>
  (s: ClipSettings, advantage: T, ratio: T): { readonly negA: T; readonly l1: T; readonly l2: T } => {
    const negA = N.neg(advantage)
    return { negA, l1: N.mul(negA, ratio), l2: N.mul(negA, N.clamp(ratio, 1 - s.epsLow, 1 + s.epsHigh)) }
  }

/**
 * The per-token clipped surrogate loss `l = max(−A·ρ, −A·clip(ρ, 1−ε_low, 1+ε_high))`, then for
 * `A < 0` with dual clip `c`: `min(l, −c·A)`. Elementwise over broadcast `advantage` and `ratio`
 * (`[B, T]` in the loss). docs/method.md §2, Eq. 1.
 *
 * @example
 * import { clippedSurrogate } from './surrogate.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const l = clippedSurrogate(N)({ epsLow: 0.2, epsHigh: 0.2, dualClip: 3 })
 * // A = 1:  ρ = 1.1 inside → −1.1; ρ = 2 clipped → −1.2
 * // A = −1: ρ = 0.5 clipped → 0.8; ρ = 5 → 5, capped by the dual clip at 3
 * assert.deepEqual(toRows(l(fromRows([[1, 1, -1, -1]]), fromRows([[1.1, 2, 0.5, 5]]))), [[-1.1, -1.2, 0.8, 3]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const clippedSurrogate =
  <T>(N: Numeric<T>) =>
  (s: ClipSettings) =>
  (advantage: T, ratio: T): T => {
    const { negA, l1, l2 } = terms(N)(s, advantage, ratio)
    const l = N.maximum(l1, l2)
    if (s.dualClip === null) return l
    const capped = N.minimum(l, N.mul(N.scalar(s.dualClip), negA))
    return N.where(N.less(advantage, N.scalar(0)), capped, l)
  }

/**
 * 1 where a clip decides the per-token loss, else 0: the ratio clip (`l2 > l1`, i.e. the clipped
 * term is the larger loss) or, for `A < 0`, the dual clip (`max(l1, l2) > −c·A`). Elementwise, no
 * gradient. Summed over the tokens whose policy-gradient term is kept and divided by the loss's denominator
 * tokens, it is the `clipFraction` diagnostic (loss.ts).
 *
 * @example
 * import { clipActive } from './surrogate.ts'
 * import { numberNumeric as N, fromRows, toRows } from './numeric.ts'
 * const c = clipActive(N)({ epsLow: 0.2, epsHigh: 0.2, dualClip: 3 })
 * assert.deepEqual(toRows(c(fromRows([[1, 1, -1, -1, -1]]), fromRows([[1.1, 2, 0.5, 5, 2]]))), [[0, 1, 1, 1, 0]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const clipActive =
  <T>(N: Numeric<T>) =>
  (s: ClipSettings) =>
  (advantage: T, ratio: T): T => {
    const { negA, l1, l2 } = terms(N)(s, advantage, ratio)
    const ratioClip = N.less(l1, l2)
    if (s.dualClip === null) return ratioClip
    const dual = N.mul(
      N.less(advantage, N.scalar(0)),
      N.less(N.mul(N.scalar(s.dualClip), negA), N.maximum(l1, l2))
    )
    return N.maximum(ratioClip, dual)
  }
