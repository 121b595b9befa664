/**
 * The intrinsic reward for novelty, both rules of empo2.md:
 * - `stateNovelty` (paper, §4.4): a list of distinct states with visit counts; a state unlike every
 *   stored one (cosine below the threshold) is stored and earns 1; a state like some stored ones
 *   earns `1/n`, `n` the visits of those similar states including this one;
 * - `retrievedCount` (official, §5): `1/(count + 1)` with `count` the number of retrieved tips.
 *
 * Both are pure: `intrinsicReward(cfg)(input)(memory)` returns the reward and the next novelty memory.
 * The reward lies in `(0, 1]`; weighting it (`novelty.coef`) and deciding when it is added to the
 * return are the trainer's business.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { NoveltyConfig as NoveltyConfigC } from '../spec/config.ts'
import type { Embedding, NoveltyMemory } from '../spec/data.ts'
import type { IntrinsicReward, NonNegativeInt } from '../spec/brands.ts'
import { cosine } from './embedding.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The novelty sub-configuration (`config.novelty`), as decoded by its codec.
 *
 * @since 0.1.0
 * @category model
 */
export type NoveltyConfig = t.TypeOf<typeof NoveltyConfigC>

/**
 * What a step offers both rules: the embedding of the new state (read by `stateNovelty`) and the
 * number of tips retrieved for it (read by `retrievedCount`; 0 for a step without memory).
 *
 * @since 0.1.0
 * @category model
 */
export interface NoveltyInput {
  readonly state: Embedding
  readonly retrievedCount: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The empty novelty memory.
 *
 * @example
 * import { emptyNovelty } from './novelty.ts'
 * assert.deepEqual(emptyNovelty, { states: [] })
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyNovelty: NoveltyMemory = { states: [] }

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The paper's rule (§4.4), for a new state embedding `x` and threshold `θ`:
 * - the similar stored states are `S = { i : cosine(x, key_i) ≥ θ }`;
 * - if `S = ∅`: `x` is appended with count 1 and `r = 1`;
 * - otherwise every `i ∈ S` has its count increased by 1 (no state is added) and `r = 1/n` with
 *   `n = 1 + Σ_{i∈S} count_i` (counts before this visit): the visits of the similar states, this one
 *   included once. Then `n ≥ 2`, so `r ∈ (0, 1/2]`.
 *
 * Repeating one state gives `1, 1/2, 1/3, …` (for `θ ≤ cosine(x, x)`). States are never removed and
 * counts never decrease. A zero vector (text without tokens) has cosine 0 with everything, so with
 * `θ > 0` it is always novel and is stored each time; with `θ = 1` a state matches itself only when
 * the computed cosine rounds to exactly 1. A threshold outside `[−1, 1]` (or `NaN`) throws a
 * `RangeError` naming it.
 *
 * @example
 * import { emptyNovelty, stateNovelty } from './novelty.ts'
 * const step = stateNovelty(0.9)
 * const [r1, m1] = step([1, 0])(emptyNovelty)
 * const [r2, m2] = step([1, 0])(m1)
 * const [r3, m3] = step([0, 1])(m2)
 * assert.deepEqual([r1, r2, r3], [1, 0.5, 1])
 * assert.deepEqual(m3.states.map((s) => s.count), [2, 1])
 *
 * @since 0.1.0
 * @category combinators
 */
export const stateNovelty =
  (similarityThreshold: number) =>
  (x: Embedding) =>
  (memory: NoveltyMemory): readonly [IntrinsicReward, NoveltyMemory] => {
    if (!(similarityThreshold >= -1 && similarityThreshold <= 1))
      throw new RangeError(
        `stateNovelty: similarityThreshold must be a cosine in [−1, 1], got ${similarityThreshold}`
      )
    const similar = memory.states.map((s) => cosine(x, s.key) >= similarityThreshold)
    if (!similar.some(Boolean))
      return [1 as IntrinsicReward, { states: [...memory.states, { key: x, count: 1 as NonNegativeInt }] }]
    const n = 1 + memory.states.reduce((acc, s, i) => (similar[i] === true ? acc + s.count : acc), 0)
    return [
      (1 / n) as IntrinsicReward,
      {
        states: memory.states.map((s, i) =>
          similar[i] === true ? { key: s.key, count: (s.count + 1) as NonNegativeInt } : s
        )
      }
    ]
  }

/**
 * The official rule (§5): `r = 1/(count + 1)` with `count ≥ 0` the number of retrieved tips, so 1 when
 * none was retrieved; non-increasing in `count`.
 *
 * @example
 * import { retrievedCountReward } from './novelty.ts'
 * assert.deepEqual([0, 1, 3].map(retrievedCountReward), [1, 0.5, 0.25])
 *
 * @since 0.1.0
 * @category combinators
 */
export const retrievedCountReward = (count: number): IntrinsicReward => {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`retrievedCountReward: count must be a non-negative integer, got ${count}`)
  return (1 / (count + 1)) as IntrinsicReward
}

/**
 * The single entry point, dispatching on `cfg.rule`: `stateNovelty` reads `input.state` and updates
 * the memory; `retrievedCount` reads `input.retrievedCount` and returns the memory unchanged.
 *
 * @example
 * import { emptyNovelty, intrinsicReward } from './novelty.ts'
 * const [r, m] = intrinsicReward({ rule: 'retrievedCount', similarityThreshold: 0.9 })({ state: [1, 0], retrievedCount: 3 })(emptyNovelty)
 * assert.equal(r, 0.25)
 * assert.equal(m, emptyNovelty)
 * const [r2, m2] = intrinsicReward({ rule: 'stateNovelty', similarityThreshold: 0.9 })({ state: [1, 0], retrievedCount: 3 })(emptyNovelty)
 * assert.equal(r2, 1)
 * assert.equal(m2.states.length, 1)
 *
 * @since 0.1.0
 * @category combinators
 */
export const intrinsicReward =
  (cfg: { readonly rule: NoveltyConfig['rule']; readonly similarityThreshold: number }) =>
  (input: NoveltyInput) =>
  (memory: NoveltyMemory): readonly [IntrinsicReward, NoveltyMemory] =>
    cfg.rule === 'stateNovelty'
      ? stateNovelty(cfg.similarityThreshold)(input.state)(memory)
      : [retrievedCountReward(input.retrievedCount), memory]
