/**
 * The intrinsic reward for novelty (docs/method.md §6; the authors' rule, §7): `stateNovelty` (the
 * paper's visit counts over distinct states) or `retrievedCount` (the authors' code: `1/(count + 1)`
 * of the retrieved tips). `intrinsicReward` scores one state and `batchIntrinsicRewards` the states
 * reached together, by the rule `novelty.batchUpdate` selects; both are pure, returning the reward in
 * `(0, 1]` and the next novelty memory. Weighting the reward and adding it to the return are the
 * trainer's business. The exact rules: docs/porting.md, "Tip memory and novelty".
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { NoveltyConfig as NoveltyConfigC } from '../../spec/config.ts'
import type { Embedding, NoveltyMemory } from '../../spec/data.ts'
import * as B from '../../spec/brands.ts'
import type { IntrinsicReward } from '../../spec/brands.ts'
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

const checkThreshold = (who: string, similarityThreshold: number): void => {
  if (!(similarityThreshold >= -1 && similarityThreshold <= 1))
    throw new RangeError(
      `${who}: similarityThreshold must be a cosine in [−1, 1], got ${similarityThreshold}`
    )
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The paper's rule (docs/method.md §6) for ONE new state embedding `x` and threshold `θ`:
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
    checkThreshold('stateNovelty', similarityThreshold)
    // one state is a batch of one: the same rule, written once in stateNoveltyBatch
    const [rewards, next] = stateNoveltyBatch(similarityThreshold)([x])(memory)
    return [rewards[0] as IntrinsicReward, next]
  }

/**
 * The authors' rule (docs/method.md §7): `r = 1/(count + 1)` with `count ≥ 0` the number of retrieved tips, so 1 when
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
  return B.intrinsicReward(1 / (count + 1))
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

// element-wise equal vectors are one state ("a list keeps distinct states")
const sameVector = (a: Embedding, b: Embedding): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i])

/**
 * The paper's rule for a BATCH of states reached together, scored against the memory as it stood
 * before the batch (`novelty.batchUpdate: 'afterBatch'`). The paper keeps a list of distinct states
 * and rewards a state `1/n` by the similar states seen before it (docs/method.md §6); it does not say
 * what "before" means for states reached at the same step, and this reading makes the answer
 * independent of the episodes' order. For every `x_b` of the batch, with `S_b = { i :
 * cosine(x_b, key_i) ≥ θ }` over the stored states before the batch:
 * - `r_b = 1` if `S_b = ∅` (cosine strictly below θ to every stored state), else `r_b = 1/n_b` with
 *   `n_b = 1 + Σ_{i∈S_b} count_i` (counts before the batch);
 * - then every stored state `i` gains one per batch state similar to it (`|{ b : i ∈ S_b }|`), and the
 *   novel states (`S_b = ∅`) are appended once per distinct vector (element-wise equal vectors are one
 *   state), each with its number of occurrences in the batch as count, in order of first occurrence.
 *
 * Why this reads the sentence faithfully: "past" states are those visited before; states reached at the
 * same step by episodes played in parallel are simultaneous, so none is past of another and none
 * counts in another's `n`. Identical states of one batch therefore earn the same reward (all 1 if new),
 * and the batch's visits are all recorded for later batches. Permuting the batch permutes the rewards
 * and leaves the memory equal as a multiset of `(key, count)`; only the order of appended states
 * follows the batch. A batch of one state is {@link stateNovelty}. Unlike the sequential rule, two
 * states first seen in the same batch whose cosine is ≥ θ but which are not equal are both stored.
 *
 * @example
 * import { emptyNovelty, stateNoveltyBatch } from './novelty.ts'
 * const [r1, m1] = stateNoveltyBatch(0.9)([[1, 0], [1, 0], [0, 1]])(emptyNovelty)
 * assert.deepEqual(r1, [1, 1, 1])
 * assert.deepEqual(m1.states, [{ key: [1, 0], count: 2 }, { key: [0, 1], count: 1 }])
 * const [r2, m2] = stateNoveltyBatch(0.9)([[1, 0], [1, 0]])(m1)
 * assert.deepEqual(r2, [1 / 3, 1 / 3])
 * assert.deepEqual(m2.states.map((s) => s.count), [4, 1])
 *
 * @since 0.1.0
 * @category combinators
 */
export const stateNoveltyBatch =
  (similarityThreshold: number) =>
  (xs: ReadonlyArray<Embedding>) =>
  (memory: NoveltyMemory): readonly [ReadonlyArray<IntrinsicReward>, NoveltyMemory] => {
    checkThreshold('stateNoveltyBatch', similarityThreshold)
    const gained = memory.states.map(() => 0)
    const novel: Array<{ key: Embedding; count: number }> = []
    const rewards = xs.map((x) => {
      let n = 1
      memory.states.forEach((s, i) => {
        if (cosine(x, s.key) >= similarityThreshold) {
          n += s.count
          gained[i] = (gained[i] as number) + 1
        }
      })
      if (n > 1) return B.intrinsicReward(1 / n)
      const seen = novel.find((s) => sameVector(s.key, x))
      if (seen === undefined) novel.push({ key: x, count: 1 })
      else seen.count += 1
      return B.intrinsicReward(1)
    })
    return [
      rewards,
      {
        states: [
          ...memory.states.map((s, i) =>
            gained[i] === 0 ? s : { key: s.key, count: B.nonNegativeInt(s.count + (gained[i] as number)) }
          ),
          ...novel.map((s) => ({ key: s.key, count: B.nonNegativeInt(s.count) }))
        ]
      }
    ]
  }

/**
 * The intrinsic rewards of a batch of steps reached together (in the trainer: the states reached at one
 * step by the episodes played in parallel), and the novelty memory after them. Dispatches on
 * `cfg.rule`, then for `stateNovelty` on `cfg.batchUpdate`:
 * - `afterBatch`: {@link stateNoveltyBatch}, every state scored against the memory before the batch;
 *   independent of the order of the batch;
 * - `sequential`: {@link stateNovelty} folded over the batch in its order, each state seeing the
 *   states before it, so identical states earn `1, 1/2, 1/3, …` by their position;
 * - `retrievedCount`: {@link retrievedCountReward} per step, the memory unchanged.
 *
 * @example
 * import { batchIntrinsicRewards, emptyNovelty } from './novelty.ts'
 * const cfg = { rule: 'stateNovelty', similarityThreshold: 0.9 } as const
 * const batch = [{ state: [1, 0], retrievedCount: 0 }, { state: [1, 0], retrievedCount: 2 }]
 * assert.deepEqual(batchIntrinsicRewards({ ...cfg, batchUpdate: 'afterBatch' })(batch)(emptyNovelty)[0], [1, 1])
 * assert.deepEqual(batchIntrinsicRewards({ ...cfg, batchUpdate: 'sequential' })(batch)(emptyNovelty)[0], [1, 0.5])
 * const [r, m] = batchIntrinsicRewards({ ...cfg, rule: 'retrievedCount', batchUpdate: 'afterBatch' })(batch)(emptyNovelty)
 * assert.deepEqual(r, [1, 1 / 3])
 * assert.equal(m, emptyNovelty)
 *
 * @since 0.1.0
 * @category combinators
 */
export const batchIntrinsicRewards =
  (cfg: {
    readonly rule: NoveltyConfig['rule']
    readonly similarityThreshold: number
    readonly batchUpdate: NoveltyConfig['batchUpdate']
  }) =>
  (inputs: ReadonlyArray<NoveltyInput>) =>
  (memory: NoveltyMemory): readonly [ReadonlyArray<IntrinsicReward>, NoveltyMemory] => {
    if (cfg.rule === 'retrievedCount')
      return [inputs.map((x) => retrievedCountReward(x.retrievedCount)), memory]
    if (cfg.batchUpdate === 'afterBatch')
      return stateNoveltyBatch(cfg.similarityThreshold)(inputs.map((x) => x.state))(memory)
    const rewards: IntrinsicReward[] = []
    let m = memory
    for (const x of inputs) {
      const [r, next] = stateNovelty(cfg.similarityThreshold)(x.state)(m)
      rewards.push(r)
      m = next
    }
    return [rewards, m]
  }
