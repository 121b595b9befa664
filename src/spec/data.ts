/**
 * The typed data that is stored or exchanged: the mode of a step, and the memories (tips and state
 * novelty) a run directory keeps. Every static type is derived from its io-ts codec. The trajectory a
 * rollout records is a runtime value (src/core/train/trajectory.ts): it is never decoded.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { strict } from './codec.ts'
import { NonNegativeInt } from './brands.ts'

// -------------------------------------------------------------------------------------
// Mode
// -------------------------------------------------------------------------------------

/**
 * The mode of a step (docs/method.md §4), one of three: rolled out without memory and updated on
 * policy (`onPolicyNoMemory`), rolled out with tips and updated with them (`onPolicyWithTips`), or
 * rolled out with tips and updated with them removed (`offPolicy`). A rollout without memory is never
 * updated off policy, so there is no fourth case.
 *
 * @since 0.1.0
 * @category model
 */
export const Mode = t.keyof({ onPolicyNoMemory: null, onPolicyWithTips: null, offPolicy: null })
/** @since 0.1.0 @category model */
export type Mode = t.TypeOf<typeof Mode>

/**
 * The modes, in the order of docs/method.md §4.
 *
 * @since 0.1.0
 * @category model
 */
export const modes: ReadonlyArray<Mode> = ['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy']

/**
 * Exhaustive, data-last pattern match on a {@link Mode}.
 *
 * @example
 * import { matchMode } from './data.ts'
 * const f = matchMode({ onPolicyNoMemory: () => 0, onPolicyWithTips: () => 1, offPolicy: () => 2 })
 * assert.deepEqual([f('onPolicyNoMemory'), f('offPolicy')], [0, 2])
 *
 * @since 0.1.0
 * @category destructors
 */
export const matchMode =
  <B>(cases: { readonly [M in Mode]: () => B }) =>
  (m: Mode): B =>
    cases[m]()

/**
 * Whether a step of this mode is rolled out with tips in its prompt.
 *
 * @example
 * import { showsTips } from './data.ts'
 * assert.deepEqual([showsTips('onPolicyNoMemory'), showsTips('onPolicyWithTips'), showsTips('offPolicy')], [false, true, true])
 *
 * @since 0.1.0
 * @category destructors
 */
export const showsTips: (m: Mode) => boolean = matchMode({
  onPolicyNoMemory: () => false,
  onPolicyWithTips: () => true,
  offPolicy: () => true
})

/**
 * Whether a step of this mode is updated with its tips removed from the prompt.
 *
 * @example
 * import { updatedWithoutTips } from './data.ts'
 * assert.deepEqual([updatedWithoutTips('onPolicyWithTips'), updatedWithoutTips('offPolicy')], [false, true])
 *
 * @since 0.1.0
 * @category destructors
 */
export const updatedWithoutTips: (m: Mode) => boolean = matchMode({
  onPolicyNoMemory: () => false,
  onPolicyWithTips: () => false,
  offPolicy: () => true
})

/**
 * An embedding vector (L2-normalised by the default embedder).
 *
 * @since 0.1.0
 * @category model
 */
export const Embedding = t.readonlyArray(t.number)
/** @since 0.1.0 @category model */
export type Embedding = t.TypeOf<typeof Embedding>

// -------------------------------------------------------------------------------------
// Tips and memory
// -------------------------------------------------------------------------------------

/**
 * One memory entry. The paper stores one self-written tip per episode keyed by the state's
 * embedding; the authors' implementation stores one entry per step with the action taken and the
 * episode's final score, keyed by the final history's embedding (docs/method.md §7). Both fit this record:
 * `action` is `null` for a paper entry. `partition` scopes retrieval (a task variant, or `"*"` for one
 * global memory); `seq` is the logical insertion time, for oldest-first eviction (and, under
 * `memory.scoreTies: 'oldestFirst'`, for ordering equal scores). What the policy is shown of an entry
 * is its `entryText` (src/core/memory/memory.ts): the tip, or the tip with the action and score.
 *
 * @since 0.1.0
 * @category model
 */
export const MemoryEntry = strict(
  {
    partition: t.string,
    key: Embedding,
    tip: t.string,
    action: t.union([t.string, t.null]),
    score: t.number,
    seq: NonNegativeInt
  },
  'MemoryEntry'
)
/** @since 0.1.0 @category model */
export type MemoryEntry = t.TypeOf<typeof MemoryEntry>

/**
 * The tip memory `M`: entries in insertion order and the next logical insertion time.
 *
 * @since 0.1.0
 * @category model
 */
export const Memory = strict(
  {
    entries: t.readonlyArray(MemoryEntry),
    nextSeq: NonNegativeInt
  },
  'Memory'
)
/** @since 0.1.0 @category model */
export type Memory = t.TypeOf<typeof Memory>

/**
 * The novelty memory of docs/method.md §6: distinct states seen so far, each with its visit count.
 *
 * @since 0.1.0
 * @category model
 */
export const NoveltyMemory = strict(
  {
    states: t.readonlyArray(strict({ key: Embedding, count: NonNegativeInt }, 'NoveltyState'))
  },
  'NoveltyMemory'
)
/** @since 0.1.0 @category model */
export type NoveltyMemory = t.TypeOf<typeof NoveltyMemory>
