/**
 * The tip memory `M` of EMPO² (docs/method.md §3) and both retrieval rules: the paper's "most similar
 * tips, at most 10" (`topK`) and the authors' "cosine > 0.5, then by stored score, at most 10"
 * (`thresholdThenScore`, docs/method.md §7). Memory is a value: `insert` and `retrieve` are pure,
 * data-last and read only the fields of `MemoryConfig` (`src/spec/config.ts`) they need; the text an
 * entry shows the policy is {@link entryText}.
 *
 * Partitions scope both writing and retrieval: an entry belongs to exactly one partition (one global
 * memory `"*"`, one per task, or one per task variant — the official implementation keeps one list
 * per variant), capacity is counted per partition, and retrieval only ever looks inside the query's
 * partition.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { MemoryConfig as MemoryConfigC } from '../../spec/config.ts'
import type { Embedding, Memory, MemoryEntry } from '../../spec/data.ts'
import { nonNegativeInt } from '../../spec/brands.ts'
import { cosine, type Embedder } from './embedding.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The memory sub-configuration (`config.memory`), as decoded by its codec.
 *
 * @since 0.1.0
 * @category model
 */
export type MemoryConfig = t.TypeOf<typeof MemoryConfigC>

/**
 * The scope of a memory: one global list, one per task, or one per task variant.
 *
 * @since 0.1.0
 * @category model
 */
export type Scope = MemoryConfig['scope']

/**
 * The fields {@link insert} reads (a decoded `MemoryConfig` is one): `capacity` (≥ 1, entries per
 * partition), `dedup`, and `entryText`, which decides what "the same entry" means for `dedup` (see
 * {@link insert}; `tip` when absent).
 *
 * @since 0.1.0
 * @category model
 */
export interface InsertConfig {
  readonly capacity: number
  readonly dedup: boolean
  readonly entryText?: MemoryConfig['entryText']
}

/**
 * The fields {@link retrieve} reads (a decoded `MemoryConfig` is one): the rule, `maxTips` (≥ 0),
 * and, read by `thresholdThenScore` only, `similarityThreshold` (a cosine in `[−1, 1]`) and
 * `scoreTies` (how entries of equal score are ordered; `cosineThenNewest` when absent).
 *
 * @since 0.1.0
 * @category model
 */
export interface RetrieveConfig {
  readonly retrieval: MemoryConfig['retrieval']
  readonly maxTips: number
  readonly similarityThreshold: number
  readonly scoreTies?: MemoryConfig['scoreTies']
}

/**
 * An entry before insertion: everything but the logical insertion time `seq`, which `insert` assigns.
 *
 * @since 0.1.0
 * @category model
 */
export type NewEntry = Omit<MemoryEntry, 'seq'>

/**
 * A retrieved entry with its cosine similarity to the query.
 *
 * @since 0.1.0
 * @category model
 */
export interface Scored {
  readonly entry: MemoryEntry
  readonly similarity: number
}

/**
 * What an episode contributes to memory (the input of {@link entriesForEpisode}): its partition, the
 * tip the policy wrote at its end, the final state's text `s_T`, the whole tip-free history as text,
 * the actions taken (`[T]`, one per step) and the final score (or return) stored with the entries.
 *
 * @since 0.1.0
 * @category model
 */
export interface EpisodeRecord {
  readonly partition: string
  readonly tip: string
  readonly finalState: string
  readonly history: string
  readonly actions: ReadonlyArray<string>
  readonly score: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The empty memory: no entries, next insertion time 0.
 *
 * @example
 * import { emptyMemory } from './memory.ts'
 * assert.deepEqual(emptyMemory, { entries: [], nextSeq: 0 })
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyMemory: Memory = { entries: [], nextSeq: nonNegativeInt(0) }

/**
 * The partition of a task variant under a scope: `"*"` for `global`, the task name for `perTask`,
 * `task + "#" + variant` for `perVariant`. Injective for a fixed scope (a variant is an integer, so
 * the last `#` splits it off).
 *
 * @example
 * import { partitionOf } from './memory.ts'
 * assert.equal(partitionOf('global', 'boil', 3), '*')
 * assert.equal(partitionOf('perTask', 'boil', 3), 'boil')
 * assert.equal(partitionOf('perVariant', 'boil', 3), 'boil#3')
 *
 * @since 0.1.0
 * @category constructors
 */
export const partitionOf = (scope: Scope, task: string, variant: number): string =>
  scope === 'global' ? '*' : scope === 'perTask' ? task : `${task}#${variant}`

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The entries of one partition, oldest first.
 *
 * @example
 * import { emptyMemory, insert, entriesOf } from './memory.ts'
 * const m = insert({ capacity: 10, dedup: true })({ partition: 'a', key: [1], tip: 'x', action: null, score: 0 })(emptyMemory)
 * assert.equal(entriesOf('a')(m).length, 1)
 * assert.equal(entriesOf('b')(m).length, 0)
 *
 * @since 0.1.0
 * @category destructors
 */
export const entriesOf =
  (partition: string) =>
  (memory: Memory): ReadonlyArray<MemoryEntry> =>
    memory.entries.filter((e) => e.partition === partition)

/**
 * The highest score an episode can reach (environment scores lie in `[0, 100]`); the authors' entry
 * text shows it as the denominator, `int(100 · reward_scale)` with the `reward_scale` of 1 their
 * EMPO² environment configuration uses.
 *
 * @example
 * import { MAX_SCORE } from './memory.ts'
 * assert.equal(MAX_SCORE, 100)
 *
 * @since 0.1.0
 * @category constructors
 */
export const MAX_SCORE = 100

/**
 * A score as the authors' entry text prints it: rounded to one decimal the way Python's
 * `round(x, 1)` does (the exact binary value is rounded; an exact tie, which only a multiple of
 * 0.25 that is not a multiple of 0.5 can be, goes to the even last digit), then printed as Python
 * prints that float — always one decimal (`50.0`), a minus sign for a negative value, `-0.0` for a
 * negative value that rounds to zero. Defined for finite scores below `10^15` in magnitude (beyond
 * that Python switches to exponent notation); others throw a `RangeError`.
 *
 * @example
 * import { scoreText } from './memory.ts'
 * assert.deepEqual([50, 33.333, 0.25, 0.75, 0.35, 2.675, 99.95, -0.04].map(scoreText), ['50.0', '33.3', '0.2', '0.8', '0.3', '2.7', '100.0', '-0.0'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const scoreText = (score: number): string => {
  if (!(Math.abs(score) < 1e15))
    throw new RangeError(
      `memory.scoreText: the score must be finite and below 1e15 in magnitude, got ${score}`
    )
  if (Object.is(score, -0)) return '-0.0'
  // toFixed rounds the exact value too, but sends an exact tie up (away from zero); Python sends it
  // to the even digit. A tie is x = (n + ½)/10 exactly, i.e. 4x an odd integer.
  const q = 4 * score
  if (Number.isInteger(q) && q % 2 !== 0) {
    const lo = Math.floor(score * 10) // exact: 10x = 2.5·q
    return ((lo % 2 === 0 ? lo : lo + 1) / 10).toFixed(1)
  }
  return score.toFixed(1)
}

/**
 * The text a memory entry shows the policy (`memory.entryText`), the one rendering used by the step
 * prompt, the tip-writing prompt and the de-duplication of {@link insert}:
 * - `tip` (paper, and the default when absent): the bare tip;
 * - `tipActionScore` (official, docs/method.md §7): the tip, then
 *   `; At that timestep, the specific action your took was <action>; Eventually you got the score
 *   <score>/100.` with the score printed by {@link scoreText} and {@link MAX_SCORE} — the authors'
 *   text character for character, their "your took" included. An entry without an action (written
 *   `perEpisode`, which the authors never do) omits the action clause:
 *   `<tip>; Eventually you got the score <score>/100.`
 *
 * @example
 * import { entryText } from './memory.ts'
 * const e = { tip: 'Boil the water first.', action: 'go to kitchen', score: 42 }
 * assert.equal(entryText({ entryText: 'tip' })(e), 'Boil the water first.')
 * assert.equal(
 *   entryText({ entryText: 'tipActionScore' })(e),
 *   'Boil the water first.; At that timestep, the specific action your took was go to kitchen; Eventually you got the score 42.0/100.'
 * )
 * assert.equal(entryText({ entryText: 'tipActionScore' })({ ...e, action: null }), 'Boil the water first.; Eventually you got the score 42.0/100.')
 *
 * @since 0.1.0
 * @category destructors
 */
export const entryText =
  (cfg: { readonly entryText?: MemoryConfig['entryText'] }) =>
  (entry: Pick<MemoryEntry, 'tip' | 'action' | 'score'>): string =>
    cfg.entryText === 'tipActionScore'
      ? `${entry.tip}${entry.action === null ? '' : `; At that timestep, the specific action your took was ${entry.action}`}; Eventually you got the score ${scoreText(entry.score)}/${MAX_SCORE}.`
      : entry.tip

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const sameContent =
  (cfg: InsertConfig) =>
  (a: NewEntry, b: NewEntry): boolean =>
    a.partition === b.partition &&
    (cfg.entryText === 'tipActionScore'
      ? entryText(cfg)(a) === entryText(cfg)(b)
      : a.tip === b.tip && a.action === b.action)

/**
 * Insert one entry (docs/method.md §3; the authors keep at most 1000 entries per list, drop the
 * oldest and skip exact duplicates, docs/method.md §7):
 * - with `dedup`, an entry equal to a stored entry of its partition is skipped: the memory is
 *   returned unchanged (the stored entry keeps its key, score and age). "Equal" is: the same tip and
 *   action (`entryText: 'tip'`), or the same {@link entryText} (`tipActionScore`: the authors keep a
 *   set of the whole texts, so the printed score counts and equal tips and actions with scores
 *   printed differently are both kept);
 * - otherwise it is appended with `seq = nextSeq` and `nextSeq` increases by 1;
 * - if its partition then holds more than `capacity` entries, the oldest of that partition (least
 *   `seq`) is dropped. Other partitions are never touched.
 *
 * A `capacity` that is not an integer ≥ 1 throws a `RangeError` naming it.
 *
 * @example
 * import { emptyMemory, insert } from './memory.ts'
 * const ins = insert({ capacity: 2, dedup: true })
 * const e = (tip: string) => ({ partition: 'p', key: [1, 0], tip, action: null, score: 0 })
 * const m = ins(e('c'))(ins(e('b'))(ins(e('a'))(emptyMemory)))
 * assert.deepEqual(m.entries.map((x) => x.tip), ['b', 'c'])
 * assert.equal(ins(e('c'))(m), m)
 *
 * @since 0.1.0
 * @category combinators
 */
export const insert =
  (cfg: InsertConfig) =>
  (entry: NewEntry) =>
  (memory: Memory): Memory => {
    if (!Number.isInteger(cfg.capacity) || cfg.capacity < 1)
      throw new RangeError(`memory.insert: capacity must be an integer ≥ 1, got ${cfg.capacity}`)
    const same = sameContent(cfg)
    if (cfg.dedup && memory.entries.some((e) => same(e, entry))) return memory
    const appended: ReadonlyArray<MemoryEntry> = [...memory.entries, { ...entry, seq: memory.nextSeq }]
    const inPartition = appended.reduce((n, e) => (e.partition === entry.partition ? n + 1 : n), 0)
    // entries are kept in insertion order, so the first of the partition is its oldest
    const oldest =
      inPartition > cfg.capacity ? appended.findIndex((e) => e.partition === entry.partition) : -1
    return {
      entries: oldest < 0 ? appended : appended.filter((_, i) => i !== oldest),
      nextSeq: nonNegativeInt(memory.nextSeq + 1)
    }
  }

/**
 * Insert entries one after the other (a left fold of {@link insert}).
 *
 * @example
 * import { emptyMemory, insertAll } from './memory.ts'
 * const e = (tip: string) => ({ partition: 'p', key: [1], tip, action: null, score: 0 })
 * assert.equal(insertAll({ capacity: 5, dedup: true })([e('a'), e('a'), e('b')])(emptyMemory).entries.length, 2)
 *
 * @since 0.1.0
 * @category combinators
 */
export const insertAll =
  (cfg: InsertConfig) =>
  (entries: ReadonlyArray<NewEntry>) =>
  (memory: Memory): Memory =>
    entries.reduce((m, e) => insert(cfg)(e)(m), memory)

/**
 * Retrieval `Retr(q; M)` with each entry's cosine similarity to the query, inside `partition` only:
 * - `topK` (paper, docs/method.md §3): the `maxTips` entries with the highest cosine; ties broken by
 *   newer first (higher `seq`). Returns exactly `min(maxTips, |partition|)` entries. `scoreTies` is
 *   not read.
 * - `thresholdThenScore` (official, docs/method.md §7): keep entries with cosine
 *   `> similarityThreshold` (strict), sort by stored `score` descending, take `maxTips`. Equal scores
 *   are ordered by `scoreTies`: `cosineThenNewest` (the default) — higher cosine, then newer first;
 *   `oldestFirst` — insertion order, oldest first (lower `seq`), whatever the cosine, which is what
 *   the authors' stable sort by −score over their oldest-first list gives.
 *
 * A query of zero norm has cosine 0 with everything: `topK` then returns the newest entries,
 * `thresholdThenScore` returns nothing when the threshold is ≥ 0. A `maxTips` that is not an integer
 * ≥ 0, a threshold outside `[−1, 1]`, or a key whose length differs from the query's throws a
 * `RangeError` naming what was wrong.
 *
 * @example
 * import { emptyMemory, insertAll, retrieveScored } from './memory.ts'
 * const e = (tip: string, key: number[], score: number) => ({ partition: 'p', key, tip, action: null, score })
 * const m = insertAll({ capacity: 9, dedup: true })([e('a', [1, 0], 5), e('b', [0.6, 0.8], 9), e('c', [0, 1], 7), e('d', [1, 0], 9)])(emptyMemory)
 * const q = [1, 0]
 * const tips = (cfg: Parameters<typeof retrieveScored>[0]) => retrieveScored(cfg)(q, 'p')(m).map((s) => s.entry.tip)
 * assert.deepEqual(tips({ retrieval: 'topK', maxTips: 2, similarityThreshold: 0.5 }), ['d', 'a'])
 * assert.deepEqual(tips({ retrieval: 'thresholdThenScore', maxTips: 3, similarityThreshold: 0.5 }), ['d', 'b', 'a'])
 * assert.deepEqual(tips({ retrieval: 'thresholdThenScore', maxTips: 3, similarityThreshold: 0.5, scoreTies: 'oldestFirst' }), ['b', 'd', 'a'])
 *
 * @since 0.1.0
 * @category combinators
 */
export const retrieveScored =
  (cfg: RetrieveConfig) =>
  (query: Embedding, partition: string) =>
  (memory: Memory): ReadonlyArray<Scored> => {
    if (!Number.isInteger(cfg.maxTips) || cfg.maxTips < 0)
      throw new RangeError(`memory.retrieve: maxTips must be an integer ≥ 0, got ${cfg.maxTips}`)
    if (!(cfg.similarityThreshold >= -1 && cfg.similarityThreshold <= 1))
      throw new RangeError(
        `memory.retrieve: similarityThreshold must be a cosine in [−1, 1], got ${cfg.similarityThreshold}`
      )
    const scored = entriesOf(partition)(memory).map((entry) => {
      if (entry.key.length !== query.length)
        throw new RangeError(
          `memory.retrieve: the key of entry seq ${entry.seq} has length ${entry.key.length}, the query ${query.length} (one embedder for keys and queries)`
        )
      return { entry, similarity: cosine(query, entry.key) }
    })
    const newer = (a: Scored, b: Scored): number => b.entry.seq - a.entry.seq
    const scoreTie =
      cfg.scoreTies === 'oldestFirst'
        ? (a: Scored, b: Scored): number => a.entry.seq - b.entry.seq
        : (a: Scored, b: Scored): number => b.similarity - a.similarity || newer(a, b)
    const ranked =
      cfg.retrieval === 'topK'
        ? [...scored].sort((a, b) => b.similarity - a.similarity || newer(a, b))
        : scored
            .filter((s) => s.similarity > cfg.similarityThreshold)
            .sort((a, b) => b.entry.score - a.entry.score || scoreTie(a, b))
    return ranked.slice(0, cfg.maxTips)
  }

/**
 * Retrieval `Retr(q; M)`: the entries of {@link retrieveScored}, in the same order.
 *
 * @example
 * import { emptyMemory, insert, retrieve } from './memory.ts'
 * const m = insert({ capacity: 9, dedup: true })({ partition: 'p', key: [1, 0], tip: 'go north', action: null, score: 1 })(emptyMemory)
 * const cfg = { retrieval: 'topK', maxTips: 10, similarityThreshold: 0.5 } as const
 * assert.deepEqual(retrieve(cfg)([1, 0], 'p')(m).map((e) => e.tip), ['go north'])
 * assert.deepEqual(retrieve(cfg)([1, 0], 'q')(m), [])
 *
 * @since 0.1.0
 * @category combinators
 */
export const retrieve =
  (cfg: RetrieveConfig) =>
  (query: Embedding, partition: string) =>
  (memory: Memory): ReadonlyArray<MemoryEntry> =>
    retrieveScored(cfg)(query, partition)(memory).map((s) => s.entry)

/**
 * What one finished episode writes to memory (before insertion):
 * - `perEpisode` (paper, docs/method.md §3): one entry — the tip, `action: null`, the episode's score;
 * - `perStep` (official, docs/method.md §7): one entry per step `t` — the tip, the action of step `t`, the final
 *   score (`[T]` entries; none for an episode without steps).
 *
 * Every entry is keyed by `embed` of the final state (`embed: 'state'`) or of the whole tip-free
 * history (`embed: 'history'`). The official preset pairs `perStep` with `history`, which is exactly
 * the authors' rule; the other two pairings are offered as independent choices.
 *
 * @example
 * import { entriesForEpisode } from './memory.ts'
 * import { embed } from './embedding.ts'
 * const ep = { partition: 'p', tip: 'open the door first', finalState: 'hall', history: 'kitchen > hall', actions: ['open door', 'go hall'], score: 40 }
 * const paper = entriesForEpisode({ write: 'perEpisode', embed: 'state' }, embed)(ep)
 * assert.equal(paper.length, 1)
 * assert.equal(paper[0]?.action, null)
 * const official = entriesForEpisode({ write: 'perStep', embed: 'history' }, embed)(ep)
 * assert.deepEqual(official.map((e) => e.action), ['open door', 'go hall'])
 * assert.deepEqual(official[0]?.key, embed('kitchen > hall'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const entriesForEpisode =
  (cfg: Pick<MemoryConfig, 'write' | 'embed'>, embedder: Embedder) =>
  (episode: EpisodeRecord): ReadonlyArray<NewEntry> => {
    const key = embedder(cfg.embed === 'state' ? episode.finalState : episode.history)
    const base = { partition: episode.partition, key, tip: episode.tip, score: episode.score }
    return cfg.write === 'perEpisode'
      ? [{ ...base, action: null }]
      : episode.actions.map((action) => ({ ...base, action }))
  }
