/**
 * Group-relative advantages: GRPO (docs/method.md §2, Eq. 1), its Dr. GRPO variant, and GiGPO's
 * episode- and step-level advantage (docs/method.md §8). All functions are data-last and take the
 * relevant fields of `AdvantageConfig` (`src/spec/config.ts`), so `grpoAdvantages(config.advantage)(groups)`
 * reads like the paper. The conventions (verl's unbiased σ + ε, groups of one, exact zeros for equal
 * returns): docs/method.md §2 and docs/porting.md.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { AdvantageConfig as AdvantageConfigC } from '../../spec/config.ts'
import type { Step } from '../train/trajectory.ts'
import { discountedReturns, episodeReturn, stepRewards } from './returns.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The advantage sub-configuration (`config.advantage`), as decoded by its codec.
 *
 * @since 0.1.0
 * @category model
 */
export type AdvantageConfig = t.TypeOf<typeof AdvantageConfigC>

/**
 * The fields GRPO reads: `normalizeByStd` (false: Dr. GRPO) and `stdEpsilon` (ε added to σ, ≥ 0).
 * Plain numbers, so both `config.advantage` (branded) and literals are accepted.
 *
 * @since 0.1.0
 * @category model
 */
export interface GrpoConfig {
  readonly normalizeByStd: boolean
  readonly stdEpsilon: number
}

/**
 * The fields GiGPO reads: GRPO's, plus `gamma` (γ of the returns-to-go, in [0, 1]), `stepWeight` (ω ≥ 0),
 * `stepNormalizeByStd` (divide step-level advantages by their cluster's σ + ε) and `gigpoEpisodeStats`
 * (the rows the episode level's mean and σ are taken over; absent means `perTrajectory`).
 *
 * @since 0.1.0
 * @category model
 */
export interface GigpoConfig extends GrpoConfig {
  readonly gamma: number
  readonly stepWeight: number
  readonly stepNormalizeByStd: boolean
  readonly gigpoEpisodeStats?: AdvantageConfig['gigpoEpisodeStats']
}

/**
 * Everything {@link stepAdvantages} reads: GiGPO's fields and the estimator.
 *
 * @since 0.1.0
 * @category model
 */
export interface EstimatorConfig extends GigpoConfig {
  readonly estimator: AdvantageConfig['estimator']
}

/**
 * One step as GiGPO sees it: its anchor observation (steps of a task's group whose anchors are equal
 * strings form a cluster) and its reward `r_t`.
 *
 * @since 0.1.0
 * @category model
 */
export interface GigpoStep {
  readonly anchor: string
  readonly reward: number
}

// -------------------------------------------------------------------------------------
// internal statistics
// -------------------------------------------------------------------------------------

const checkFinite = (what: string, xs: ReadonlyArray<number>): void => {
  xs.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`${what}: value at index ${i} is not finite (${x})`)
  })
}

// mean shifted by the first value: exact when all values are equal
const shiftedMean = (xs: ReadonlyArray<number>): number => {
  const x0 = xs[0] as number
  let s = 0
  for (const x of xs) s += x - x0
  return x0 + s / xs.length
}

// unbiased standard deviation around `mean` (N ≥ 2)
const unbiasedStd = (xs: ReadonlyArray<number>, mean: number): number => {
  let s = 0
  for (const x of xs) s += (x - mean) * (x - mean)
  return Math.sqrt(s / (xs.length - 1))
}

// (x − mean) / (std + eps), or x − mean; 0 everywhere when the denominator is 0
const normalise = (
  xs: ReadonlyArray<number>,
  mean: number,
  std: number,
  eps: number,
  byStd: boolean
): ReadonlyArray<number> => {
  if (!byStd) return xs.map((x) => x - mean)
  const d = std + eps
  return d === 0 ? xs.map(() => 0) : xs.map((x) => (x - mean) / d)
}

// -------------------------------------------------------------------------------------
// GRPO
// -------------------------------------------------------------------------------------

/**
 * GRPO advantages of ONE group (docs/method.md §2, Eq. 1): `A_i = (R_i − mean) / (σ + ε)` with σ unbiased, or
 * `R_i − mean` when `normalizeByStd` is false; a group of size 1 uses mean 0 and σ 1 (so
 * `A = R / (1 + ε)`). Shape `[N] → [N]`. Throws a RangeError on a non-finite return.
 *
 * @example
 * import { groupAdvantages } from './advantage.ts'
 * const cfg = { normalizeByStd: true, stdEpsilon: 0 }
 * // mean 2, unbiased σ = √2
 * assert.deepEqual(groupAdvantages(cfg)([1, 3]), [-1 / Math.SQRT2, 1 / Math.SQRT2])
 * assert.deepEqual(groupAdvantages(cfg)([2, 2, 2]), [0, 0, 0])
 * assert.deepEqual(groupAdvantages({ normalizeByStd: true, stdEpsilon: 1e-6 })([5]), [5 / (1 + 1e-6)])
 * assert.deepEqual(groupAdvantages({ normalizeByStd: false, stdEpsilon: 1e-6 })([1, 3]), [-1, 1])
 *
 * @since 0.1.0
 * @category combinators
 */
export const groupAdvantages =
  (cfg: GrpoConfig) =>
  (returns: ReadonlyArray<number>): ReadonlyArray<number> => {
    checkFinite('groupAdvantages', returns)
    if (returns.length === 0) return []
    if (returns.length === 1) return normalise(returns, 0, 1, cfg.stdEpsilon, cfg.normalizeByStd)
    const mean = shiftedMean(returns)
    return normalise(returns, mean, unbiasedStd(returns, mean), cfg.stdEpsilon, cfg.normalizeByStd)
  }

/**
 * GRPO advantages of a batch grouped by task: `[G][N] → [G][N]`, each group normalised on its own
 * ({@link groupAdvantages}); groups may have different sizes.
 *
 * @example
 * import { grpoAdvantages } from './advantage.ts'
 * const a = grpoAdvantages({ normalizeByStd: false, stdEpsilon: 1e-6 })([[0, 2], [5, 5, 5]])
 * assert.deepEqual(a, [[-1, 1], [0, 0, 0]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const grpoAdvantages =
  (cfg: GrpoConfig) =>
  (groups: ReadonlyArray<ReadonlyArray<number>>): ReadonlyArray<ReadonlyArray<number>> =>
    groups.map(groupAdvantages(cfg))

/**
 * GRPO advantages of a flat batch with a group id per rollout (verl's `index`/`uid` layout):
 * `([B], [B]) → [B]`. Rollouts with equal ids form a group; the result is in the input order and equals
 * {@link grpoAdvantages} applied to the groups. Throws if the two arrays differ in length.
 *
 * @example
 * import { grpoAdvantagesById } from './advantage.ts'
 * const a = grpoAdvantagesById({ normalizeByStd: false, stdEpsilon: 1e-6 })([0, 7, 2, 7], ['u', 'v', 'u', 'v'])
 * assert.deepEqual(a, [-1, 0, 1, 0])
 *
 * @since 0.1.0
 * @category combinators
 */
export const grpoAdvantagesById =
  (cfg: GrpoConfig) =>
  (returns: ReadonlyArray<number>, groupIds: ReadonlyArray<string | number>): ReadonlyArray<number> => {
    if (returns.length !== groupIds.length)
      throw new RangeError(
        `grpoAdvantagesById: ${returns.length} returns but ${groupIds.length} group ids (must be equal)`
      )
    const members = new Map<string | number, number[]>()
    groupIds.forEach((id, i) => {
      const m = members.get(id)
      if (m === undefined) members.set(id, [i])
      else m.push(i)
    })
    const out = new Array<number>(returns.length).fill(0)
    for (const idx of members.values()) {
      const a = groupAdvantages(cfg)(idx.map((i) => returns[i] as number))
      idx.forEach((i, k) => (out[i] = a[k] as number))
    }
    return out
  }

// -------------------------------------------------------------------------------------
// GiGPO
// -------------------------------------------------------------------------------------

/**
 * The GiGPO input of a trajectory: each step's observation as its anchor and its reward
 * `r_t^ext + coef · r_t^int` (see `stepRewards` in returns.ts): `[T]`.
 *
 * @example
 * import { gigpoEpisode } from './advantage.ts'
 * import type { Step } from '../train/trajectory.ts'
 * const traj = { steps: [{ observation: 'room', reward: 1, intrinsic: 1 }] }
 * assert.deepEqual(gigpoEpisode(0)(traj), [{ anchor: 'room', reward: 1 }])
 *
 * @since 0.1.0
 * @category constructors
 */
export const gigpoEpisode =
  (coef: number) =>
  (traj: {
    readonly steps: ReadonlyArray<Pick<Step, 'observation' | 'reward' | 'intrinsic'>>
  }): ReadonlyArray<GigpoStep> => {
    const r = stepRewards(coef)(traj)
    return traj.steps.map((s, i) => ({ anchor: s.observation, reward: r[i] as number }))
  }

/**
 * GiGPO's step-level advantages of ONE task's group (docs/method.md §8): every step's discounted
 * return-to-go `G_t = r_t + γ G_{t+1}` is centred on the mean of its cluster — the steps of the group
 * (any rollout, any time) whose anchors are equal strings — and, with `stepNormalizeByStd`, divided by
 * the cluster's unbiased σ + ε. A cluster of one step has step advantage 0 (it is centred on itself,
 * σ taken as 1), as in verl-agent's `step_norm_reward` (its first release used mean 0 there).
 * Shape `[N][T_i] → [N][T_i]`.
 *
 * @example
 * import { gigpoStepAdvantages } from './advantage.ts'
 * const cfg = { normalizeByStd: true, stdEpsilon: 1e-6, gamma: 1, stepWeight: 1, stepNormalizeByStd: false }
 * const a = gigpoStepAdvantages(cfg)([
 *   [{ anchor: 's', reward: 0 }, { anchor: 'x', reward: 1 }],
 *   [{ anchor: 's', reward: 0 }]
 * ])
 * // 's' cluster: G = 1 and G = 0, mean 1/2; 'x' is alone
 * assert.deepEqual(a, [[0.5, 0], [-0.5]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const gigpoStepAdvantages =
  (cfg: GigpoConfig) =>
  (group: ReadonlyArray<ReadonlyArray<GigpoStep>>): ReadonlyArray<ReadonlyArray<number>> => {
    const G = group.map((ep) => {
      const r = ep.map((s) => s.reward)
      checkFinite('gigpoStepAdvantages', r)
      return discountedReturns(cfg.gamma)(r)
    })
    const clusters = new Map<string, Array<readonly [number, number]>>()
    group.forEach((ep, i) =>
      ep.forEach((s, t) => {
        const c = clusters.get(s.anchor)
        if (c === undefined) clusters.set(s.anchor, [[i, t]])
        else c.push([i, t])
      })
    )
    const out = G.map((g) => g.map(() => 0))
    for (const members of clusters.values()) {
      const xs = members.map(([i, t]) => (G[i] as ReadonlyArray<number>)[t] as number)
      const mean = shiftedMean(xs)
      const std = xs.length >= 2 ? unbiasedStd(xs, mean) : 1
      const a = normalise(xs, mean, std, cfg.stdEpsilon, cfg.stepNormalizeByStd)
      members.forEach(([i, t], k) => ((out[i] as number[])[t] = a[k] as number))
    }
    return out
  }

/**
 * GiGPO's episode-level advantages of ONE task's group, one per trajectory, from its return
 * `R_i = Σ_t r_t` (undiscounted), by `gigpoEpisodeStats`:
 * - `perTrajectory` (absent too): {@link groupAdvantages} over the `N` returns, one per trajectory;
 * - `allStepRows` (verl-agent's `episode_norm_reward` with its default
 *   `compute_mean_std_cross_all_data = True`): every step is a row carrying its trajectory's return, and
 *   the mean and unbiased σ are taken over all `Σ_i T_i` rows ({@link groupAdvantages} on the rows, read
 *   back at each trajectory's first row), so a trajectory weighs by its length; a group with a single
 *   row uses mean 0 and σ 1, a trajectory without steps gets 0 (it has no row to carry it).
 *
 * @example
 * import { gigpoEpisodeAdvantages } from './advantage.ts'
 * const cfg = { normalizeByStd: false, stdEpsilon: 1e-6, gamma: 1, stepWeight: 1, stepNormalizeByStd: false }
 * const group = [[{ anchor: 'a', reward: 0 }, { anchor: 'b', reward: 3 }], [{ anchor: 'a', reward: 0 }]]
 * // returns [3, 0]: one per trajectory, mean 1.5; per step row [3, 3, 0], mean 2
 * assert.deepEqual(gigpoEpisodeAdvantages(cfg)(group), [1.5, -1.5])
 * assert.deepEqual(gigpoEpisodeAdvantages({ ...cfg, gigpoEpisodeStats: 'allStepRows' })(group), [1, -2])
 *
 * @since 0.1.0
 * @category combinators
 */
export const gigpoEpisodeAdvantages =
  (cfg: GigpoConfig) =>
  (group: ReadonlyArray<ReadonlyArray<GigpoStep>>): ReadonlyArray<number> => {
    const returns = group.map((ep) => episodeReturn(ep.map((s) => s.reward)))
    if (cfg.gigpoEpisodeStats !== 'allStepRows') return groupAdvantages(cfg)(returns)
    const rows = group.flatMap((ep, i) => ep.map(() => returns[i] as number))
    const perRow = groupAdvantages(cfg)(rows)
    let first = 0
    return group.map((ep) => {
      const a = ep.length === 0 ? 0 : (perRow[first] as number)
      first += ep.length
      return a
    })
  }

/**
 * GiGPO advantages (docs/method.md §8): per step, the episode-level advantage of its rollout
 * ({@link gigpoEpisodeAdvantages}) plus `ω · ` its step-level advantage ({@link gigpoStepAdvantages}),
 * `ω = stepWeight`. Shape `[G][N][T_i] → [G][N][T_i]`; with `ω = 0` every step carries its rollout's
 * episode-level advantage.
 *
 * verl-agent (`compute_gigpo_outcome_advantage` in `gigpo/core_gigpo.py`) is this with
 * `gigpoEpisodeStats: 'allStepRows'` and `normalizeByStd = stepNormalizeByStd` (its single `mode`:
 * `mean_norm`, its default, both false; `mean_std_norm` both true), in float32, ε = 1e-6; the project's
 * own default is `perTrajectory` with σ at the episode level only.
 *
 * @example
 * import { gigpoAdvantages } from './advantage.ts'
 * const cfg = { normalizeByStd: false, stdEpsilon: 1e-6, gamma: 1, stepWeight: 1, stepNormalizeByStd: false }
 * const a = gigpoAdvantages(cfg)([[
 *   [{ anchor: 's', reward: 0 }, { anchor: 'x', reward: 1 }],
 *   [{ anchor: 's', reward: 0 }]
 * ]])
 * // episode level: R = [1, 0] → [0.5, −0.5]; step level: [[0.5, 0], [−0.5]]
 * assert.deepEqual(a, [[[1, 0.5], [-1]]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const gigpoAdvantages =
  (cfg: GigpoConfig) =>
  (
    groups: ReadonlyArray<ReadonlyArray<ReadonlyArray<GigpoStep>>>
  ): ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> =>
    groups.map((group) => {
      const episode = gigpoEpisodeAdvantages(cfg)(group)
      const step = gigpoStepAdvantages(cfg)(group)
      return step.map((row, i) =>
        row.map((a) =>
          cfg.stepWeight === 0 ? (episode[i] as number) : (episode[i] as number) + cfg.stepWeight * a
        )
      )
    })

/**
 * Per-step advantages for the configured estimator (`config.advantage.estimator`): `grpo` gives every
 * step its rollout's episode-level advantage ({@link grpoAdvantages} over `R = Σ_t r_t`, the anchors
 * ignored); `gigpo` is {@link gigpoAdvantages}. Shape `[G][N][T_i] → [G][N][T_i]`.
 *
 * @example
 * import { stepAdvantages } from './advantage.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const a = stepAdvantages({ ...paperPreset.advantage, normalizeByStd: false })([[
 *   [{ anchor: 's', reward: 0 }, { anchor: 'x', reward: 1 }],
 *   [{ anchor: 's', reward: 0 }]
 * ]])
 * assert.deepEqual(a, [[[0.5, 0.5], [-0.5]]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const stepAdvantages =
  (cfg: EstimatorConfig) =>
  (
    groups: ReadonlyArray<ReadonlyArray<ReadonlyArray<GigpoStep>>>
  ): ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> => {
    if (cfg.estimator === 'gigpo') return gigpoAdvantages(cfg)(groups)
    return groups.map((group) => {
      const a = groupAdvantages(cfg)(group.map((ep) => episodeReturn(ep.map((s) => s.reward))))
      return group.map((ep, i) => ep.map(() => a[i] as number))
    })
  }
