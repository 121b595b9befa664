/**
 * The memory algebra (docs/method.md §3, §9, §10: EMPO², Reflexion, REMEMBERER). A memory-driven
 * agent method is a value of {@link MemoryMethod}: five choices —
 * 1. the entry type (the type parameter `Entry`),
 * 2. the write rule after an episode (`write`),
 * 3. the retrieval rule at decision time (`retrieve`, from a `Query` to entries),
 * 4. how retrieved entries condition the prompt (`render`, entries to text),
 * 5. whether and how parameters are updated (`update`, a tagged union).
 *
 * Given here: EMPO² as in the paper and as released ({@link empo2}), GRPO without memory
 * ({@link grpo}), Reflexion ({@link reflexion}), and REMEMBERER's Q-value update as pure functions
 * ({@link nStepTargets}, {@link qUpdate}); REMEMBERER's store, eviction, retrieval and exemplars
 * build on them in rememberer.ts.
 *
 * Not covered (honestly): Yan et al.'s
 * posterior `q ∝ p_LLM · exp(Q/α)` and its M-step (only the {@link weightedLikelihood} tag exists);
 * JERP's rule-pool operations; H²R's two-level memory; Reflexion's stopping rule (exact action repeat)
 * and its reflection prompt. The render of {@link empo2} is a plain default; the EMPO² prompt proper
 * (tip placement, token-span removal) belongs to the prompt module.
 *
 * @since 0.1.0
 */
import type { Memory, MemoryEntry } from '../../spec/data.ts'
import type { Embedder } from '../memory/embedding.ts'
import {
  emptyMemory,
  entriesForEpisode,
  entryText,
  insertAll,
  partitionOf,
  retrieve as retrieveTips,
  type MemoryConfig
} from '../memory/memory.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How (and whether) a method changes the policy's parameters:
 * - `None` — memory only (Reflexion, REMEMBERER);
 * - `PolicyGradient` — a clipped policy-gradient step on group-relative advantages (GRPO; EMPO² with
 *   `offPolicyDistillation: true`, i.e. memory rollouts may be updated with the tips removed, docs/method.md §4);
 * - `WeightedLikelihood` — fine-tune toward a weighted target distribution (Yan et al.'s prior
 *   refinement); `weighting` names the weights.
 *
 * @since 0.1.0
 * @category model
 */
export type ParameterUpdate =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'PolicyGradient'; readonly offPolicyDistillation: boolean }
  | { readonly _tag: 'WeightedLikelihood'; readonly weighting: string }

/**
 * What a write rule sees of a finished episode: task, variant, the self-written text (EMPO²'s tip,
 * Reflexion's reflection; `null` if none was written), the final state's text, the tip-free history
 * as text, the steps (`[T]`: observation, action, reward), the final score and whether the task was solved.
 *
 * @since 0.1.0
 * @category model
 */
export interface Episode {
  readonly task: string
  readonly variant: number
  readonly note: string | null
  readonly finalState: string
  readonly history: string
  readonly steps: ReadonlyArray<EpisodeStep>
  readonly score: number
  readonly success: boolean
}

/**
 * One step of a finished episode as a write rule sees it: the observation acted on, the action, and
 * the extrinsic reward that followed.
 *
 * @since 0.1.0
 * @category model
 */
export interface EpisodeStep {
  readonly observation: string
  readonly action: string
  readonly reward: number
}

/**
 * What a retrieval rule sees at decision time: the task, its variant, the current state's text and
 * the tip-free history so far.
 *
 * @since 0.1.0
 * @category model
 */
export interface Context {
  readonly task: string
  readonly variant: number
  readonly state: string
  readonly history: string
}

/**
 * A memory-driven method: its five choices, plus its name and the empty store.
 *
 * @since 0.1.0
 * @category model
 */
export interface MemoryMethod<Entry, Query, Store> {
  readonly name: string
  readonly empty: Store
  readonly write: (episode: Episode) => (store: Store) => Store
  readonly retrieve: (query: Query) => (store: Store) => ReadonlyArray<Entry>
  readonly render: (entries: ReadonlyArray<Entry>) => string
  readonly update: ParameterUpdate
}

/**
 * Reflexion's store: per task, its reflections, oldest first.
 *
 * @since 0.1.0
 * @category model
 */
export type ReflexionStore = Readonly<Record<string, ReadonlyArray<string>>>

/**
 * A REMEMBERER Q-table cell: the running estimate `Q` and the visit count `N`.
 *
 * @since 0.1.0
 * @category model
 */
export interface QValue {
  readonly q: number
  readonly visits: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * No parameter update.
 *
 * @example
 * import { none } from './algebra.ts'
 * assert.equal(none._tag, 'None')
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: ParameterUpdate = { _tag: 'None' }

/**
 * A policy-gradient update; `offPolicyDistillation` says whether memory rollouts may be updated with
 * tips removed (docs/method.md §4).
 *
 * @example
 * import { policyGradient } from './algebra.ts'
 * assert.deepEqual(policyGradient(true), { _tag: 'PolicyGradient', offPolicyDistillation: true })
 *
 * @since 0.1.0
 * @category constructors
 */
export const policyGradient = (offPolicyDistillation: boolean): ParameterUpdate => ({
  _tag: 'PolicyGradient',
  offPolicyDistillation
})

/**
 * A weighted-likelihood update with the named weighting.
 *
 * @example
 * import { weightedLikelihood } from './algebra.ts'
 * assert.equal(weightedLikelihood('posterior q').weighting === 'posterior q', true)
 *
 * @since 0.1.0
 * @category constructors
 */
export const weightedLikelihood = (weighting: string): ParameterUpdate => ({
  _tag: 'WeightedLikelihood',
  weighting
})

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Exhaustive, data-last pattern match on a {@link ParameterUpdate}.
 *
 * @example
 * import { matchUpdate, none, policyGradient } from './algebra.ts'
 * const f = matchUpdate({ None: () => 0, PolicyGradient: (d) => (d ? 2 : 1), WeightedLikelihood: () => 3 })
 * assert.deepEqual([f(none), f(policyGradient(true))], [0, 2])
 *
 * @since 0.1.0
 * @category destructors
 */
export const matchUpdate =
  <B>(cases: {
    readonly None: () => B
    readonly PolicyGradient: (offPolicyDistillation: boolean) => B
    readonly WeightedLikelihood: (weighting: string) => B
  }) =>
  (u: ParameterUpdate): B => {
    switch (u._tag) {
      case 'None':
        return cases.None()
      case 'PolicyGradient':
        return cases.PolicyGradient(u.offPolicyDistillation)
      case 'WeightedLikelihood':
        return cases.WeightedLikelihood(u.weighting)
    }
  }

/**
 * Whether a method changes its parameters.
 *
 * @example
 * import { updatesParameters, none, policyGradient } from './algebra.ts'
 * assert.deepEqual([updatesParameters(none), updatesParameters(policyGradient(false))], [false, true])
 *
 * @since 0.1.0
 * @category destructors
 */
export const updatesParameters = (u: ParameterUpdate): boolean => u._tag !== 'None'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The default rendering of EMPO² tips: nothing without tips, otherwise a header line and one tip per
 * line, in retrieval order.
 *
 * @example
 * import { renderTips } from './algebra.ts'
 * assert.equal(renderTips([]), '')
 * assert.equal(renderTips(['look in the hall']), 'Tips from your previous attempts:\n- look in the hall')
 *
 * @since 0.1.0
 * @category combinators
 */
export const renderTips = (tips: ReadonlyArray<string>): string =>
  tips.length === 0 ? '' : ['Tips from your previous attempts:', ...tips.map((x) => `- ${x}`)].join('\n')

/**
 * Reflexion's prompt block (docs/method.md §9): nothing without reflections; otherwise
 * `"Your memory for the task below:"` then `"Trial i: <reflection>"` for `i = 1, 2, …` over the
 * given reflections, one per line, oldest first (most recent last). Numbering is within the shown
 * window. (The original ALFWorld code numbers from 0 and puts each reflection on its own line after
 * `"Trial i:"`; we follow the form stated in docs/method.md §9.)
 *
 * @example
 * import { renderReflections } from './algebra.ts'
 * assert.equal(renderReflections(['a', 'b']), 'Your memory for the task below:\nTrial 1: a\nTrial 2: b')
 *
 * @since 0.1.0
 * @category combinators
 */
export const renderReflections = (reflections: ReadonlyArray<string>): string =>
  reflections.length === 0
    ? ''
    : ['Your memory for the task below:', ...reflections.map((r, i) => `Trial ${i + 1}: ${r.trim()}`)].join(
        '\n'
      )

/**
 * REMEMBERER's targets for one episode (docs/method.md §10): for step `t` (0-based, `T` steps),
 * `G_t = Σ_{i<n, t+i<T} γ^i r_{t+i} + (t+n < T ? γ^n · maxQ_{t+n} : 0)`, where `rewards[t]` is the
 * reward after the action of step `t` and `maxQ[k] = max_a' Q(key_k, a')` is the best stored value at
 * the observation of step `k`. With `n = null` it is the Monte-Carlo return (never bootstraps).
 * Shapes: `rewards` `[T]`, `maxQ` `[T]`, result `[T]`.
 *
 * @example
 * import { nStepTargets } from './algebra.ts'
 * assert.deepEqual(nStepTargets({ gamma: 1, n: null })([1, 0, 2], [0, 0, 0]), [3, 2, 2])
 * assert.deepEqual(nStepTargets({ gamma: 0.5, n: 1 })([1, 0, 2], [0, 4, 8]), [3, 4, 2])
 *
 * @since 0.1.0
 * @category combinators
 */
export const nStepTargets =
  (opts: { readonly gamma: number; readonly n: number | null }) =>
  (rewards: ReadonlyArray<number>, maxQ: ReadonlyArray<number>): ReadonlyArray<number> => {
    const T = rewards.length
    if (maxQ.length !== T)
      throw new RangeError(`nStepTargets: rewards [${T}] and maxQ [${maxQ.length}] differ`)
    if (!(opts.gamma >= 0 && opts.gamma <= 1))
      throw new RangeError(`nStepTargets: gamma must lie in [0, 1], got ${opts.gamma}`)
    if (opts.n !== null && (!Number.isInteger(opts.n) || opts.n < 1))
      throw new RangeError(`nStepTargets: n must be an integer ≥ 1 or null, got ${opts.n}`)
    const n = opts.n ?? T
    return rewards.map((_, t) => {
      let g = 0
      let discount = 1
      for (let i = 0; i < n && t + i < T; i++) {
        g += discount * (rewards[t + i] as number)
        discount *= opts.gamma
      }
      return t + n < T ? g + discount * (maxQ[t + n] as number) : g
    })
  }

/**
 * One REMEMBERER update of a Q-table cell toward `target`: `N ← N + 1`,
 * `Q ← Q + α (target − Q)` with `α = 1/N` (after the increment) when `learningRate` is `null`, else
 * the constant `learningRate`. From `{ q: 0, visits: 0 }` the `1/N` rule gives the running mean of
 * the targets.
 *
 * @example
 * import { qUpdate } from './algebra.ts'
 * const s = [2, 4, 6].reduce((c, g) => qUpdate(null)(g)(c), { q: 0, visits: 0 })
 * assert.deepEqual(s, { q: 4, visits: 3 })
 *
 * @since 0.1.0
 * @category combinators
 */
export const qUpdate =
  (learningRate: number | null) =>
  (target: number) =>
  (cell: QValue): QValue => {
    if (learningRate !== null && !(learningRate > 0 && learningRate <= 1))
      throw new RangeError(`qUpdate: learningRate must lie in (0, 1] or be null, got ${learningRate}`)
    const visits = cell.visits + 1
    const alpha = learningRate ?? 1 / visits
    return { q: cell.q + alpha * (target - cell.q), visits }
  }

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * EMPO² under a memory configuration (the paper's `paperPreset.memory` or the released
 * `officialPreset.memory`): entries are {@link MemoryEntry}; the write rule is
 * `entriesForEpisode` then `insertAll` in the episode's partition (an episode without a tip writes
 * nothing); retrieval embeds the current state or history (`cfg.embed`) and applies `cfg.retrieval`
 * in the context's partition; the render is {@link renderTips} of each entry's `entryText` (the bare
 * tip, or the authors' tip, action and score under `tipActionScore`); the update is a policy gradient
 * with off-policy distillation.
 *
 * @example
 * import { empo2 } from './algebra.ts'
 * import { embed } from '../memory/embedding.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const m = empo2(paperPreset.memory, embed)
 * const ep = { task: 'bulb', variant: 0, note: 'the bulb is in the hall', finalState: 'kitchen', history: 'kitchen', steps: [{ observation: 'kitchen', action: 'look', reward: 0 }], score: 0, success: false }
 * const store = m.write(ep)(m.empty)
 * const ctx = { task: 'bulb', variant: 1, state: 'kitchen', history: 'kitchen' }
 * assert.equal(m.render(m.retrieve(ctx)(store)), 'Tips from your previous attempts:\n- the bulb is in the hall')
 * assert.deepEqual(m.retrieve({ ...ctx, task: 'boil' })(store), [])
 *
 * @since 0.1.0
 * @category instances
 */
export const empo2 = (cfg: MemoryConfig, embedder: Embedder): MemoryMethod<MemoryEntry, Context, Memory> => ({
  name: `EMPO² (${cfg.retrieval}, ${cfg.write}, ${cfg.scope})`,
  empty: emptyMemory,
  write: (ep) => (store) =>
    ep.note === null
      ? store
      : insertAll(cfg)(
          entriesForEpisode(
            cfg,
            embedder
          )({
            partition: partitionOf(cfg.scope, ep.task, ep.variant),
            tip: ep.note,
            finalState: ep.finalState,
            history: ep.history,
            actions: ep.steps.map((s) => s.action),
            score: ep.score
          })
        )(store),
  retrieve: (ctx) =>
    retrieveTips(cfg)(
      embedder(cfg.embed === 'state' ? ctx.state : ctx.history),
      partitionOf(cfg.scope, ctx.task, ctx.variant)
    ),
  render: (entries) => renderTips(entries.map(entryText(cfg))),
  update: policyGradient(true)
})

/**
 * GRPO (docs/method.md §2): no memory — nothing is written, nothing retrieved, nothing rendered — and a
 * policy-gradient update without off-policy distillation.
 *
 * @example
 * import { grpo } from './algebra.ts'
 * assert.deepEqual(grpo.retrieve(null)(grpo.empty), [])
 * assert.equal(grpo.render([]), '')
 *
 * @since 0.1.0
 * @category instances
 */
export const grpo: MemoryMethod<never, unknown, null> = {
  name: 'GRPO',
  empty: null,
  write: () => (store) => store,
  retrieve: () => () => [],
  render: () => '',
  update: policyGradient(false)
}

/**
 * Reflexion (Shinn et al., 2023; docs/method.md §9) keeping the last `window` reflections in the prompt (3
 * in the paper): entries are reflection strings, the store is per task; after a failed episode with
 * a reflection it is appended to its task's list (successes write nothing); retrieval is the last
 * `window` reflections of the task, oldest first; no parameter update. A `window` that is not an
 * integer ≥ 0 throws a `RangeError`.
 *
 * @example
 * import { reflexion } from './algebra.ts'
 * const m = reflexion(3)
 * const fail = (note: string) => ({ task: 't', variant: 0, note, finalState: '', history: '', steps: [], score: 0, success: false })
 * const s = ['r1', 'r2', 'r3', 'r4'].reduce((st, n) => m.write(fail(n))(st), m.empty)
 * assert.equal(m.render(m.retrieve({ task: 't' })(s)), 'Your memory for the task below:\nTrial 1: r2\nTrial 2: r3\nTrial 3: r4')
 *
 * @since 0.1.0
 * @category instances
 */
export const reflexion = (
  window: number
): MemoryMethod<string, { readonly task: string }, ReflexionStore> => {
  if (!Number.isInteger(window) || window < 0)
    throw new RangeError(`reflexion: window must be an integer ≥ 0, got ${window}`)
  // own properties only: a task named "constructor" or "toString" must not read Object.prototype
  const reflectionsOf = (store: ReflexionStore, task: string): ReadonlyArray<string> =>
    Object.prototype.hasOwnProperty.call(store, task) ? (store[task] ?? []) : []
  return {
    name: `Reflexion (last ${window})`,
    empty: {},
    write: (ep) => (store) =>
      ep.success || ep.note === null
        ? store
        : { ...store, [ep.task]: [...reflectionsOf(store, ep.task), ep.note] },
    retrieve:
      ({ task }) =>
      (store) =>
        window === 0 ? [] : reflectionsOf(store, task).slice(-window),
    render: renderReflections,
    update: none
  }
}
