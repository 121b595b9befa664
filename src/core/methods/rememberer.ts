/**
 * REMEMBERER (docs/method.md §10): an experience memory with Q-values and no parameter update. Each
 * (observation, task) key keeps, per action tried there, a running Q-value, the mean immediate reward
 * and the visit count, and the shortest action history that reached it. After an episode every step
 * updates its key's action toward its n-step target; before every step the prompt shows the most
 * similar keys as exemplars, each with its encouraged (highest-Q) and discouraged actions.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { RemembererEviction } from '../../spec/config.ts'
import { positiveInt } from '../../spec/brands.ts'
import { strict } from '../../spec/codec.ts'
import type { AgentConfig } from '../../spec/run.ts'
import { capTip } from '../agent/agent.ts'
import { cosine, memoEmbedder, type Embedder } from '../memory/embedding.ts'
import { scoreText } from '../memory/memory.ts'
import { nStepTargets, none, qUpdate, type Context, type Episode, type MemoryMethod } from './algebra.ts'
import { memoryKind, type MemoryKind, type MethodDefinition } from './record.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One action of a key: its running Q-value, the mean of the immediate rewards that followed it, and
 * how often it was taken there.
 *
 * @since 0.1.0
 * @category model
 */
export const RemembererAction = strict(
  { action: t.string, q: t.number, meanReward: t.number, visits: t.number },
  'RemembererAction'
)
/** @since 0.1.0 @category model */
export type RemembererAction = t.TypeOf<typeof RemembererAction>

/**
 * One key of the memory: the observation and the task it was seen in, its actions in the order they
 * were first taken, and the shortest action history (from the episode's start) that reached it.
 *
 * @since 0.1.0
 * @category model
 */
export const RemembererEntry = strict(
  {
    observation: t.string,
    task: t.string,
    actions: t.readonlyArray(RemembererAction),
    bestHistory: t.readonlyArray(t.string)
  },
  'RemembererEntry'
)
/** @since 0.1.0 @category model */
export type RemembererEntry = t.TypeOf<typeof RemembererEntry>

/**
 * The memory: its keys, oldest first (a key keeps its place when updated).
 *
 * @since 0.1.0
 * @category model
 */
export const RemembererStore = strict({ entries: t.readonlyArray(RemembererEntry) }, 'RemembererStore')
/** @since 0.1.0 @category model */
export type RemembererStore = t.TypeOf<typeof RemembererStore>

/**
 * The settings the memory's functions read: the fields of the config's `rememberer` section
 * (docs/config.md).
 *
 * @since 0.1.0
 * @category model
 */
export interface RemembererSettings {
  readonly capacity: number
  readonly actionsPerEntry: number
  readonly eviction: RemembererEviction
  readonly nStep: number | null
  readonly gamma: number
  readonly learningRate: number | null
  readonly observationWeight: number
  readonly exemplars: number
  readonly discouraged: number
}

/**
 * What a similarity compares: an observation and a task name.
 *
 * @since 0.1.0
 * @category model
 */
export interface RemembererKey {
  readonly observation: string
  readonly task: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The empty memory.
 *
 * @example
 * import { emptyRemembererStore } from './rememberer.ts'
 * assert.deepEqual(emptyRemembererStore.entries, [])
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyRemembererStore: RemembererStore = { entries: [] }

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The similarity of two keys: `w · cos(e(o₁), e(o₂)) + (1 − w) · cos(e(t₁), e(t₂))` with `w` the
 * observation weight and `e` the embedder.
 *
 * @example
 * import { keySimilarity } from './rememberer.ts'
 * import { embed } from '../memory/embedding.ts'
 * const sim = keySimilarity(0.5, embed)
 * assert.equal(sim({ observation: 'a hall', task: 'collect' }, { observation: 'a hall', task: 'collect' }), 1)
 * assert.equal(sim({ observation: 'a hall', task: 'collect' }, { observation: 'a hall', task: 'xyzzy' }) < 1, true)
 *
 * @since 0.1.0
 * @category destructors
 */
export const keySimilarity =
  (observationWeight: number, embedder: Embedder) =>
  (a: RemembererKey, b: RemembererKey): number =>
    observationWeight * cosine(embedder(a.observation), embedder(b.observation)) +
    (1 - observationWeight) * cosine(embedder(a.task), embedder(b.task))

/**
 * The highest Q of a key's actions (`max_a Q(key, a)`); 0 for a key not stored.
 *
 * @example
 * import { maxQ } from './rememberer.ts'
 * const e = { observation: 'o', task: 't', actions: [{ action: 'a', q: 1, meanReward: 1, visits: 1 }, { action: 'b', q: 3, meanReward: 0, visits: 2 }], bestHistory: [] }
 * assert.equal(maxQ({ entries: [e] })({ observation: 'o', task: 't' }), 3)
 * assert.equal(maxQ({ entries: [e] })({ observation: 'o', task: 'u' }), 0)
 *
 * @since 0.1.0
 * @category destructors
 */
export const maxQ =
  (store: RemembererStore) =>
  (key: RemembererKey): number => {
    const e = store.entries.find((x) => sameKey(x, key))
    return e === undefined ? 0 : Math.max(...e.actions.map((a) => a.q))
  }

/**
 * The retrieval scores of the stored keys for a decision (`w · cos(state) + (1 − w) · cos(task)`),
 * ranked: highest first, ties the older key first. Each item is the key's index in the store and
 * its score.
 *
 * @example
 * import { retrievalScores } from './rememberer.ts'
 * import { embed } from '../memory/embedding.ts'
 * const e = (observation: string) => ({ observation, task: 'collect', actions: [{ action: 'look', q: 0, meanReward: 0, visits: 1 }], bestHistory: [] })
 * const ranked = retrievalScores(0.5, embed)({ task: 'collect', variant: 0, state: 'a red hall', history: '' })({ entries: [e('a blue kitchen'), e('a red hall')] })
 * assert.deepEqual(ranked.map((r) => r.index), [1, 0])
 * assert.equal(ranked[0]?.score, 1)
 *
 * @since 0.1.0
 * @category destructors
 */
export const retrievalScores =
  (observationWeight: number, embedder: Embedder) =>
  (ctx: Context) =>
  (store: RemembererStore): ReadonlyArray<{ readonly index: number; readonly score: number }> => {
    const sim = keySimilarity(observationWeight, embedder)
    const here = { observation: ctx.state, task: ctx.task }
    return store.entries
      .map((e, index) => ({ index, score: sim(e, here) }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
  }

/**
 * A key's encouraged action: the highest Q (ties: more visits, then the older action).
 *
 * @example
 * import { encouragedAction } from './rememberer.ts'
 * const a = (action: string, q: number, visits: number) => ({ action, q, meanReward: 0, visits })
 * assert.equal(encouragedAction({ observation: 'o', task: 't', actions: [a('x', 1, 1), a('y', 2, 1), a('z', 2, 3)], bestHistory: [] }).action, 'z')
 *
 * @since 0.1.0
 * @category destructors
 */
export const encouragedAction = (entry: RemembererEntry): RemembererAction =>
  entry.actions.reduce((best, a) => (a.q > best.q || (a.q === best.q && a.visits > best.visits) ? a : best))

/**
 * A key's discouraged actions: those whose Q is below the encouraged action's, lowest Q first (ties:
 * the older), at most `count`.
 *
 * @example
 * import { discouragedActions } from './rememberer.ts'
 * const a = (action: string, q: number) => ({ action, q, meanReward: 0, visits: 1 })
 * const e = { observation: 'o', task: 't', actions: [a('x', 1), a('y', 5), a('z', -2), a('w', 5)], bestHistory: [] }
 * assert.deepEqual(discouragedActions(2)(e).map((x) => x.action), ['z', 'x'])
 * assert.deepEqual(discouragedActions(0)(e), [])
 *
 * @since 0.1.0
 * @category destructors
 */
export const discouragedActions =
  (count: number) =>
  (entry: RemembererEntry): ReadonlyArray<RemembererAction> => {
    const top = encouragedAction(entry).q
    return entry.actions
      .map((a, i) => [a, i] as const)
      .filter(([a]) => a.q < top)
      .sort(([a, i], [b, j]) => a.q - b.q || i - j)
      .slice(0, count)
      .map(([a]) => a)
  }

/**
 * The exemplar a key shows the policy, one line: `"Encouraged: " + a + " (Q " + scoreText(Q) + ")"`,
 * then, when there are discouraged actions, `". Discouraged: "` and each `b + " (Q …)"` joined by
 * `", "`, then `". Seen in task " + task + " at: " + observation`. The actions come first so that a
 * length cap cuts the observation, not the advice. Q is printed as `scoreText` prints a score (one
 * decimal, Python's rounding).
 *
 * @example
 * import { exemplarText } from './rememberer.ts'
 * const a = (action: string, q: number) => ({ action, q, meanReward: 0, visits: 1 })
 * const e = { observation: 'a hall', task: 'collect', actions: [a('look', 0), a('go east', 40), a('wait', -5)], bestHistory: [] }
 * assert.equal(exemplarText(2)(e), 'Encouraged: go east (Q 40.0). Discouraged: wait (Q -5.0), look (Q 0.0). Seen in task collect at: a hall')
 * assert.equal(exemplarText(0)(e), 'Encouraged: go east (Q 40.0). Seen in task collect at: a hall')
 *
 * @since 0.1.0
 * @category destructors
 */
export const exemplarText =
  (discouraged: number) =>
  (entry: RemembererEntry): string => {
    const shown = (a: RemembererAction): string => `${a.action} (Q ${scoreText(a.q)})`
    const bad = discouragedActions(discouraged)(entry)
    return [
      `Encouraged: ${shown(encouragedAction(entry))}`,
      ...(bad.length === 0 ? [] : [`Discouraged: ${bad.map(shown).join(', ')}`]),
      `Seen in task ${entry.task} at: ${entry.observation}`
    ].join('. ')
  }

/**
 * The prompt block of retrieved keys: nothing without any; otherwise a header line and one
 * {@link exemplarText} per key, in retrieval order.
 *
 * @example
 * import { renderExemplars } from './rememberer.ts'
 * const e = { observation: 'a hall', task: 'collect', actions: [{ action: 'look', q: 1, meanReward: 1, visits: 1 }], bestHistory: [] }
 * assert.equal(renderExemplars(1)([]), '')
 * assert.equal(renderExemplars(1)([e]), 'Experience from similar states:\n- Encouraged: look (Q 1.0). Seen in task collect at: a hall')
 *
 * @since 0.1.0
 * @category destructors
 */
export const renderExemplars =
  (discouraged: number) =>
  (entries: ReadonlyArray<RemembererEntry>): string =>
    entries.length === 0
      ? ''
      : ['Experience from similar states:', ...entries.map((e) => `- ${exemplarText(discouraged)(e)}`)].join(
          '\n'
        )

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const sameKey = (a: RemembererKey, b: RemembererKey): boolean =>
  a.observation === b.observation && a.task === b.task

/** Update (or add) `action` of an entry toward `target`, with `reward` its immediate reward. */
const updateAction =
  (s: RemembererSettings, action: string, reward: number, target: number) =>
  (actions: ReadonlyArray<RemembererAction>): ReadonlyArray<RemembererAction> => {
    const i = actions.findIndex((a) => a.action === action)
    const old = i < 0 ? { action, q: 0, meanReward: 0, visits: 0 } : (actions[i] as RemembererAction)
    const cell = qUpdate(s.learningRate)(target)({ q: old.q, visits: old.visits })
    const next: RemembererAction = {
      action,
      q: cell.q,
      meanReward: old.meanReward + (reward - old.meanReward) / cell.visits,
      visits: cell.visits
    }
    if (i >= 0) return actions.map((a, j) => (j === i ? next : a))
    if (actions.length < s.actionsPerEntry) return [...actions, next]
    // full: the least-visited action leaves (ties: the lower Q, then the older)
    const out = actions.reduce((w, a, j) => {
      const b = actions[w] as RemembererAction
      return a.visits < b.visits || (a.visits === b.visits && a.q < b.q) ? j : w
    }, 0)
    return [...actions.filter((_, j) => j !== out), next]
  }

/** The index of the key that leaves to make room for `key`, or null when `key` is dropped instead. */
const evictionIndex =
  (s: RemembererSettings, embedder: Embedder) =>
  (entries: ReadonlyArray<RemembererEntry>, key: RemembererKey): number | null => {
    if (s.eviction === 'oldest') return 0
    const sim = keySimilarity(s.observationWeight, embedder)
    const toNew = Math.max(...entries.map((e) => sim(e, key)))
    let pair: readonly [number, number] | null = null
    let best = -Infinity
    for (let i = 0; i < entries.length; i++)
      for (let j = i + 1; j < entries.length; j++) {
        const x = sim(entries[i] as RemembererEntry, entries[j] as RemembererEntry)
        if (x > best) {
          best = x
          pair = [i, j]
        }
      }
    if (pair === null || toNew > best) return null
    const visits = (k: number): number =>
      (entries[k] as RemembererEntry).actions.reduce((n, a) => n + a.visits, 0)
    return visits(pair[1]) > visits(pair[0]) ? pair[1] : pair[0]
  }

/**
 * One step's update of the memory: the key `(observation, task)` gets `action` moved toward `target`
 * (`qUpdate`), its mean reward updated by `reward`, and `history` kept if shorter than its stored
 * one. A new key is appended; at capacity the `eviction` rule first makes room or drops it.
 *
 * @example
 * import { writeStep, emptyRemembererStore } from './rememberer.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const w = writeStep(paperPreset.rememberer, embed)
 * const s1 = w({ observation: 'a hall', task: 'collect', action: 'look', reward: 0, target: 10, history: [] })(emptyRemembererStore)
 * const s2 = w({ observation: 'a hall', task: 'collect', action: 'look', reward: 2, target: 20, history: ['wait'] })(s1)
 * assert.deepEqual(s2.entries, [{ observation: 'a hall', task: 'collect', actions: [{ action: 'look', q: 15, meanReward: 1, visits: 2 }], bestHistory: [] }])
 *
 * @since 0.1.0
 * @category combinators
 */
export const writeStep =
  (s: RemembererSettings, embedder: Embedder) =>
  (step: {
    readonly observation: string
    readonly task: string
    readonly action: string
    readonly reward: number
    readonly target: number
    readonly history: ReadonlyArray<string>
  }) =>
  (store: RemembererStore): RemembererStore => {
    const i = store.entries.findIndex((e) => sameKey(e, step))
    const upd = updateAction(s, step.action, step.reward, step.target)
    if (i >= 0)
      return {
        entries: store.entries.map((e, j) =>
          j !== i
            ? e
            : {
                ...e,
                actions: upd(e.actions),
                bestHistory: step.history.length < e.bestHistory.length ? step.history : e.bestHistory
              }
        )
      }
    const fresh: RemembererEntry = {
      observation: step.observation,
      task: step.task,
      actions: upd([]),
      bestHistory: step.history
    }
    if (store.entries.length < s.capacity) return { entries: [...store.entries, fresh] }
    const out = evictionIndex(s, embedder)(store.entries, fresh)
    return out === null ? store : { entries: [...store.entries.filter((_, j) => j !== out), fresh] }
  }

/**
 * The memory after a finished episode: the targets `nStepTargets({ gamma, n: nStep })` of its
 * rewards, bootstrapped (when `nStep` is set) from `max_a Q` of the memory as it stood before the
 * episode (0 for a key not stored), then {@link writeStep} for each step in order, the history of
 * step `t` being the actions of steps `0..t−1`. The task is the episode's task name.
 *
 * @example
 * import { writeEpisode, emptyRemembererStore } from './rememberer.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const ep = { task: 'collect', variant: 0, note: null, finalState: '', history: '', score: 50, success: false,
 *   steps: [{ observation: 'a hall', action: 'go east', reward: 0 }, { observation: 'a kitchen', action: 'take key', reward: 50 }] }
 * const s = writeEpisode(paperPreset.rememberer, embed)(ep)(emptyRemembererStore)
 * assert.deepEqual(s.entries.map((e) => [e.observation, e.actions[0]?.q, e.bestHistory]), [['a hall', 50, []], ['a kitchen', 50, ['go east']]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const writeEpisode =
  (s: RemembererSettings, embedder: Embedder) =>
  (episode: Episode) =>
  (store: RemembererStore): RemembererStore => {
    const best = maxQ(store)
    const targets = nStepTargets({ gamma: s.gamma, n: s.nStep })(
      episode.steps.map((x) => x.reward),
      episode.steps.map((x) => best({ observation: x.observation, task: episode.task }))
    )
    return episode.steps.reduce(
      (st, x, k) =>
        writeStep(
          s,
          embedder
        )({
          observation: x.observation,
          task: episode.task,
          action: x.action,
          reward: x.reward,
          target: targets[k] as number,
          history: episode.steps.slice(0, k).map((y) => y.action)
        })(st),
      store
    )
  }

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * REMEMBERER as a memory method: entries are keys with their actions; the write rule is
 * {@link writeEpisode}; retrieval is the first `exemplars` keys of {@link retrievalScores}; the render
 * is {@link renderExemplars}; no parameter update.
 *
 * @example
 * import { rememberer } from './rememberer.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const m = rememberer(paperPreset.rememberer, embed)
 * const ep = { task: 'collect', variant: 0, note: null, finalState: '', history: '', score: 10, success: false, steps: [{ observation: 'a hall', action: 'look', reward: 10 }] }
 * const s = m.write(ep)(m.empty)
 * assert.equal(m.render(m.retrieve({ task: 'collect', variant: 1, state: 'a hall', history: '' })(s)), 'Experience from similar states:\n- Encouraged: look (Q 10.0). Seen in task collect at: a hall')
 *
 * @since 0.1.0
 * @category instances
 */
export const rememberer = (
  s: RemembererSettings,
  embedder: Embedder
): MemoryMethod<RemembererEntry, Context, RemembererStore> => ({
  name: `REMEMBERER (n ${s.nStep ?? 'Monte-Carlo'}, ${s.eviction} at ${s.capacity})`,
  empty: emptyRemembererStore,
  write: writeEpisode(s, embedder),
  retrieve: (ctx) => (store) =>
    retrievalScores(
      s.observationWeight,
      embedder
    )(ctx)(store)
      .slice(0, s.exemplars)
      .map((r) => store.entries[r.index] as RemembererEntry),
  render: renderExemplars(s.discouraged),
  update: none
})

/**
 * REMEMBERER's exemplars may be longer than a tip: each shown text is capped at this many characters
 * (whatever `agent.maxTipChars` says), and the prompt shows `rememberer.exemplars` of them.
 *
 * @since 0.1.0
 * @category instances
 */
export const exemplarChars = 200

/**
 * REMEMBERER's memory (docs/method.md §10): each retrieved key's {@link exemplarText}, capped at
 * `agent.maxTipChars`; `inspect` prints the newest keys with their encouraged action.
 *
 * @example
 * import { remembererMemory } from './rememberer.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * import { embed } from '../memory/embedding.ts'
 * const kind = remembererMemory(paperPreset.rememberer, defaultAgent, embed)
 * const ep = { task: 'collect', variant: 0, note: null, finalState: '', history: '', score: 10, success: false, steps: [{ observation: 'a hall', action: 'look', reward: 10 }] }
 * const v = kind.empty.write(ep)
 * assert.deepEqual(v.shown({ task: 'collect', variant: 0, state: 'a hall', history: '' }), ['Encouraged: look (Q 10.0). Seen in task collect at: a hall'])
 * assert.deepEqual(v.recent(1), ['collect: a hall → look (Q 10.0, 1 visits)'])
 * assert.deepEqual(kind.restore(JSON.parse(JSON.stringify(v.snapshot))).snapshot, v.snapshot)
 *
 * @since 0.1.0
 * @category constructors
 */
export const remembererMemory = (s: RemembererSettings, agent: AgentConfig, embedder: Embedder): MemoryKind =>
  memoryKind<RemembererEntry, RemembererStore>({
    method: rememberer(s, embedder),
    shown: (entries) => entries.map((e) => capTip(agent.maxTipChars)(exemplarText(s.discouraged)(e))),
    unit: 'experiences',
    size: (store) => store.entries.length,
    recent: (store) => (n) =>
      store.entries
        .slice(Math.max(0, store.entries.length - n))
        .reverse()
        .map((e) => {
          const a = encouragedAction(e)
          return `${e.task}: ${e.observation} → ${a.action} (Q ${scoreText(a.q)}, ${a.visits} visits)`
        }),
    key: 'experiences',
    codec: RemembererStore
  })

/**
 * REMEMBERER (docs/method.md §10): every step shows the `rememberer.exemplars` most similar keys
 * (each capped at {@link exemplarChars}), every episode is written to the memory, and no parameter
 * changes. The policy writes no tip: the write reads the episode's steps and rewards.
 *
 * @since 0.1.0
 * @category instances
 */
export const remembererMethod: MethodDefinition = {
  configure: (c) => c,
  build: (run, embedder) => {
    const s = run.algo.rememberer
    const agent = {
      ...run.agent,
      maxTipsShown: s.exemplars,
      maxTipChars: positiveInt(exemplarChars)
    }
    const memory = remembererMemory(s, agent, memoEmbedder(embedder))
    return {
      agent,
      memory,
      trialMemory: memory,
      trainingModes: () => ({ _tag: 'Fixed', mode: 'onPolicyWithTips' }),
      writesTips: false,
      writesMemory: true,
      updateRows: () => []
    }
  }
}
