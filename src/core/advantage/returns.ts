/**
 * Returns: the episode return `R = Σ_t r_t` (docs/method.md §1) and the discounted returns-to-go
 * `G_t = r_t + γ G_{t+1}` of GiGPO's step level (docs/method.md §8). The per-step reward `r_t` is whatever the
 * caller passes — extrinsic, or extrinsic + coef · intrinsic (docs/method.md §6) — this module never reads the
 * configuration; {@link stepRewards} builds that array from a trajectory and an explicit coefficient.
 *
 * @since 0.1.0
 */
import type { Step } from '../train/trajectory.ts'

/**
 * What the rewards of a trajectory are read from: its steps' extrinsic and intrinsic rewards.
 *
 * @since 0.1.0
 * @category model
 */
export interface Rewarded {
  readonly steps: ReadonlyArray<Pick<Step, 'reward' | 'intrinsic'>>
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The extrinsic (environment) rewards of a trajectory, one per step: `[T]`.
 *
 * @example
 * import { extrinsicRewards } from './returns.ts'
 * const traj = { steps: [{ reward: 1, intrinsic: 0.5 }, { reward: 2, intrinsic: 0 }] }
 * assert.deepEqual(extrinsicRewards(traj), [1, 2])
 *
 * @since 0.1.0
 * @category destructors
 */
export const extrinsicRewards = (traj: Rewarded): ReadonlyArray<number> => traj.steps.map((s) => s.reward)

/**
 * The intrinsic (novelty, docs/method.md §6) rewards of a trajectory before their coefficient, one per
 * step: `[T]`.
 *
 * @example
 * import { intrinsicRewards } from './returns.ts'
 * const traj = { steps: [{ reward: 1, intrinsic: 0.5 }, { reward: 2, intrinsic: 0 }] }
 * assert.deepEqual(intrinsicRewards(traj), [0.5, 0])
 *
 * @since 0.1.0
 * @category destructors
 */
export const intrinsicRewards = (traj: Rewarded): ReadonlyArray<number> => traj.steps.map((s) => s.intrinsic)

/**
 * The per-step rewards the advantage sees, `r_t = r_t^ext + coef · r_t^int` (docs/method.md §6; the
 * caller passes `novelty.coef`, 0 to ignore the intrinsic reward as the official configuration does):
 * `[T]`.
 *
 * @example
 * import { stepRewards } from './returns.ts'
 * const traj = { steps: [{ reward: 1, intrinsic: 0.5 }, { reward: 2, intrinsic: 0 }] }
 * assert.deepEqual(stepRewards(0.1)(traj), [1.05, 2])
 * assert.deepEqual(stepRewards(0)(traj), [1, 2])
 *
 * @since 0.1.0
 * @category destructors
 */
export const stepRewards =
  (coef: number) =>
  (traj: Rewarded): ReadonlyArray<number> =>
    traj.steps.map((s) => (coef === 0 ? s.reward : s.reward + coef * s.intrinsic))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The episode return `R = Σ_t r_t` (docs/method.md §1), summed left to right: `[T] → scalar`. An empty
 * episode has return 0.
 *
 * @example
 * import { episodeReturn } from './returns.ts'
 * assert.equal(episodeReturn([1, 0, 2]), 3)
 * assert.equal(episodeReturn([]), 0)
 *
 * @since 0.1.0
 * @category combinators
 */
export const episodeReturn = (rewards: ReadonlyArray<number>): number => {
  let s = 0
  for (const r of rewards) s += r
  return s
}

/**
 * Discounted returns-to-go `G_t = r_t + γ G_{t+1}`, `G_T = 0` (docs/method.md §8, GiGPO step level), computed
 * right to left by that recursion: `[T] → [T]`. `G_0 = Σ_t γ^t r_t`; with `γ = 1`, `G_t` is the suffix
 * sum `Σ_{k ≥ t} r_k`.
 *
 * @example
 * import { discountedReturns } from './returns.ts'
 * assert.deepEqual(discountedReturns(0.5)([1, 2, 4]), [1 + 0.5 * (2 + 0.5 * 4), 2 + 0.5 * 4, 4])
 * assert.deepEqual(discountedReturns(1)([1, 2, 4]), [7, 6, 4])
 *
 * @since 0.1.0
 * @category combinators
 */
export const discountedReturns =
  (gamma: number) =>
  (rewards: ReadonlyArray<number>): ReadonlyArray<number> => {
    const out = new Array<number>(rewards.length)
    let g = 0
    for (let t = rewards.length - 1; t >= 0; t--) {
      g = (rewards[t] as number) + gamma * g
      out[t] = g
    }
    return out
  }

/**
 * The return of a trajectory with intrinsic coefficient `coef`: `episodeReturn(stepRewards(coef)(τ))`.
 *
 * @example
 * import { trajectoryReturn } from './returns.ts'
 * const traj = { steps: [{ reward: 1, intrinsic: 1 }, { reward: 2, intrinsic: 0 }] }
 * assert.equal(trajectoryReturn(0)(traj), 3)
 * assert.equal(trajectoryReturn(0.5)(traj), 3.5)
 *
 * @since 0.1.0
 * @category combinators
 */
export const trajectoryReturn =
  (coef: number) =>
  (traj: Rewarded): number =>
    episodeReturn(stepRewards(coef)(traj))
