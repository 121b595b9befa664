import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Memory, MemoryEntry } from '../../src/spec/data.ts'
import { paperPreset, officialPreset } from '../../src/spec/config.ts'
import { cosine, embed } from '../../src/core/memory/embedding.ts'
import {
  emptyMemory,
  entriesForEpisode,
  entriesOf,
  entryText,
  insert,
  insertAll,
  partitionOf,
  retrieveScored,
  scoreText,
  type InsertConfig,
  type NewEntry,
  type RetrieveConfig
} from '../../src/core/memory/memory.ts'
import { property, runSeed } from '../support/property.ts'

// Small alphabets on purpose: 3 partitions, 4 tips, 3 actions make duplicates and per-partition
// overflow frequent; keys are 3-d vectors with coordinates on a coarse grid (multiples of 1/2) so that
// equal cosines (ties) occur, and the zero vector is possible.
const partition = fc.constantFrom('a', 'b', 'c')
const coord = fc.integer({ min: -2, max: 2 }).map((k) => k / 2)
const key = fc.array(coord, { minLength: 3, maxLength: 3 })
const newEntry: fc.Arbitrary<NewEntry> = fc.record({
  partition,
  key,
  tip: fc.constantFrom('t1', 't2', 't3', 't4'),
  action: fc.constantFrom(null, 'x', 'y'),
  score: fc.integer({ min: 0, max: 3 }) // few distinct scores: ties in thresholdThenScore
})
const insertCfg: fc.Arbitrary<InsertConfig> = fc.record({
  capacity: fc.integer({ min: 1, max: 6 }),
  dedup: fc.boolean(),
  entryText: fc.constantFrom('tip' as const, 'tipActionScore' as const)
})
const memory: fc.Arbitrary<Memory> = fc
  .tuple(insertCfg, fc.array(newEntry, { maxLength: 30 }))
  .map(([cfg, es]) => insertAll(cfg)(es)(emptyMemory))
const scoreTies = fc.constantFrom('cosineThenNewest' as const, 'oldestFirst' as const)
const retrieveCfg: fc.Arbitrary<RetrieveConfig> = fc.record({
  retrieval: fc.constantFrom('topK' as const, 'thresholdThenScore' as const),
  maxTips: fc.integer({ min: 0, max: 12 }),
  similarityThreshold: fc.constantFrom(-1, -0.5, 0, 0.3, 0.5, 0.9, 1),
  scoreTies
})

// lexicographic rank of a thresholdThenScore result (greater ranks first): score descending, then
// cosineThenNewest: cosine, then seq, descending; oldestFirst: seq ascending
const tsKey =
  (ties: RetrieveConfig['scoreTies']) =>
  (s: { entry: MemoryEntry; similarity: number }): readonly number[] =>
    ties === 'oldestFirst' ? [s.entry.score, -s.entry.seq] : [s.entry.score, s.similarity, s.entry.seq]

// the authors' retrieval, written the way their server does it: walk the partition's list (oldest
// first), keep cosine > threshold, stable sort by −score, take maxTips
const authorsRetrieval = <E extends { readonly key: ReadonlyArray<number>; readonly score: number }>(
  entries: ReadonlyArray<E>,
  q: ReadonlyArray<number>,
  threshold: number,
  maxTips: number
): ReadonlyArray<E> => {
  const kept: E[] = []
  for (const e of entries) if (cosine(q, e.key) > threshold) kept.push(e)
  return kept.sort((a, b) => -a.score - -b.score).slice(0, maxTips) // Array.prototype.sort is stable
}
const lexGe = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 0; i < a.length; i++)
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) > (b[i] as number)
  return true
}

property(
  'retrieval returns at most maxTips entries, all stored, all from the query’s partition, each once',
  [retrieveCfg, memory, key, partition],
  (cfg, m, q, p) => {
    const out = retrieveScored(cfg)(q, p)(m)
    assert.ok(out.length <= cfg.maxTips)
    for (const s of out) {
      assert.ok(m.entries.includes(s.entry))
      assert.equal(s.entry.partition, p)
      assert.equal(s.similarity, cosine(q, s.entry.key))
    }
    assert.equal(new Set(out.map((s) => s.entry)).size, out.length)
  }
)

property(
  'topK returns exactly min(k, |partition|) entries, by cosine descending (ties newer first), and no left-out entry beats a returned one',
  [retrieveCfg, memory, key, partition],
  (cfg0, m, q, p) => {
    const cfg = { ...cfg0, retrieval: 'topK' as const }
    const out = retrieveScored(cfg)(q, p)(m)
    const all = entriesOf(p)(m)
    assert.equal(out.length, Math.min(cfg.maxTips, all.length))
    out.slice(1).forEach((s, i) => {
      const prev = out[i] as (typeof out)[number]
      assert.ok(lexGe([prev.similarity, prev.entry.seq], [s.similarity, s.entry.seq]))
    })
    const last = out[out.length - 1]
    if (last !== undefined)
      for (const e of all)
        if (!out.some((s) => s.entry === e))
          assert.ok(lexGe([last.similarity, last.entry.seq], [cosine(q, e.key), e.seq]))
  }
)

property(
  'thresholdThenScore returns only entries above the threshold, by score descending (ties by scoreTies: cosine then newer, or oldest first), and the best ones',
  [retrieveCfg, memory, key, partition, fc.nat()],
  (cfg0, m, q, p, pick) => {
    // the generated threshold, −1 (almost every entry eligible, so score ties are frequent), and a
    // threshold exactly at the cosine of a stored entry (is `>` strict?)
    const inP = entriesOf(p)(m)
    const thresholds = [
      cfg0.similarityThreshold,
      -1,
      ...(inP.length === 0 ? [] : [cosine(q, (inP[pick % inP.length] as MemoryEntry).key)])
    ]
    for (const similarityThreshold of thresholds) {
      const cfg = { ...cfg0, retrieval: 'thresholdThenScore' as const, similarityThreshold }
      const out = retrieveScored(cfg)(q, p)(m)
      const rank = tsKey(cfg.scoreTies)
      for (const s of out) assert.ok(s.similarity > similarityThreshold)
      out.slice(1).forEach((s, i) => assert.ok(lexGe(rank(out[i] as (typeof out)[number]), rank(s))))
      const eligible = inP.filter((e) => cosine(q, e.key) > similarityThreshold)
      assert.equal(out.length, Math.min(cfg.maxTips, eligible.length))
      const last = out[out.length - 1]
      if (last !== undefined)
        for (const e of eligible)
          if (!out.some((s) => s.entry === e))
            assert.ok(lexGe(rank(last), rank({ entry: e, similarity: cosine(q, e.key) })))
    }
  }
)

property(
  'thresholdThenScore with oldestFirst is the authors’ rule: the partition’s list filtered by cosine > threshold, stably sorted by −score, first maxTips',
  [retrieveCfg, memory, key, partition],
  (cfg0, m, q, p) => {
    const cfg = { ...cfg0, retrieval: 'thresholdThenScore' as const, scoreTies: 'oldestFirst' as const }
    assert.deepEqual(
      retrieveScored(cfg)(q, p)(m).map((s) => s.entry),
      authorsRetrieval(entriesOf(p)(m), q, cfg.similarityThreshold, cfg.maxTips)
    )
  }
)

test('scoreTies orders one episode’s entries (equal score, equal key): cosineThenNewest newest first, oldestFirst oldest first; topK reads neither', () => {
  const e = (tip: string, k: number[]): NewEntry => ({ partition: 'p', key: k, tip, action: null, score: 7 })
  const m = insertAll({ capacity: 10, dedup: true })([
    e('first', [1, 0]),
    e('second', [1, 0]),
    e('closer', [1, 0.1]),
    e('third', [1, 0])
  ])(emptyMemory)
  const tips = (cfg: RetrieveConfig): ReadonlyArray<string> =>
    retrieveScored(cfg)([1, 0], 'p')(m).map((s) => s.entry.tip)
  const base = { retrieval: 'thresholdThenScore' as const, maxTips: 10, similarityThreshold: 0.5 }
  assert.deepEqual(tips({ ...base, scoreTies: 'cosineThenNewest' }), ['third', 'second', 'first', 'closer'])
  assert.deepEqual(tips({ ...base, scoreTies: 'oldestFirst' }), ['first', 'second', 'closer', 'third'])
  assert.deepEqual(tips(base), tips({ ...base, scoreTies: 'cosineThenNewest' }))
  for (const scoreTies of ['cosineThenNewest', 'oldestFirst'] as const)
    assert.deepEqual(tips({ ...base, retrieval: 'topK', scoreTies }), ['third', 'second', 'first', 'closer'])
})

// ---------------------------------------------------------------------------------------------
// model-based: capacity, de-duplication, oldest-first eviction
// ---------------------------------------------------------------------------------------------

// what de-duplication compares, written out for the model: tip and action, or the authors' whole text
// (the generated scores are integers, which Python prints with one decimal, `3.0`)
const dedupKey =
  (cfg: InsertConfig) =>
  (e: { tip: string; action: string | null; score: number }): ReadonlyArray<string | null> =>
    cfg.entryText === 'tipActionScore'
      ? [
          e.tip +
            (e.action === null ? '' : '; At that timestep, the specific action your took was ' + e.action) +
            '; Eventually you got the score ' +
            String(e.score) +
            '.0/100.'
        ]
      : [e.tip, e.action]

interface ModelEntry {
  readonly partition: string
  readonly key: ReadonlyArray<number>
  readonly tip: string
  readonly action: string | null
  readonly score: number
  readonly seq: number
}
interface Model {
  cfg: InsertConfig
  entries: ModelEntry[]
  nextSeq: number
  inserted: ModelEntry[] // every entry actually appended, in order (for "the newest are kept")
}
interface Real {
  m: Memory
}

const checkInvariants = (model: Model, real: Real): void => {
  const m = real.m
  // the real memory is the model (content, order and seq), and nextSeq agrees
  assert.deepEqual(
    m.entries.map((e) => ({
      partition: e.partition,
      key: e.key,
      tip: e.tip,
      action: e.action,
      score: e.score,
      seq: e.seq
    })),
    model.entries
  )
  assert.equal(m.nextSeq, model.nextSeq)
  for (const p of ['a', 'b', 'c']) {
    const kept = entriesOf(p)(m)
    // capacity per partition
    assert.ok(kept.length <= model.cfg.capacity)
    // the newest entries of the partition are the ones kept
    const newest = model.inserted.filter((e) => e.partition === p).slice(-model.cfg.capacity)
    assert.deepEqual(
      kept.map((e) => e.seq),
      newest.map((e) => e.seq)
    )
  }
  if (model.cfg.dedup) {
    const ids = m.entries.map((e) => JSON.stringify([e.partition, ...dedupKey(model.cfg)(e)]))
    assert.equal(new Set(ids).size, ids.length)
  }
}

const insertCommand = (entry: NewEntry): fc.Command<Model, Real> => ({
  check: () => true,
  run: (model, real) => {
    const k = JSON.stringify(dedupKey(model.cfg)(entry))
    const dup = model.entries.some(
      (e) => e.partition === entry.partition && JSON.stringify(dedupKey(model.cfg)(e)) === k
    )
    if (!(model.cfg.dedup && dup)) {
      const me = { ...entry, seq: model.nextSeq }
      model.entries.push(me)
      model.inserted.push(me)
      model.nextSeq += 1
      const inP = model.entries.filter((e) => e.partition === entry.partition)
      if (inP.length > model.cfg.capacity)
        model.entries.splice(model.entries.indexOf(inP[0] as ModelEntry), 1)
    }
    real.m = insert(model.cfg)(entry)(real.m)
    checkInvariants(model, real)
  },
  toString: () => `insert(${JSON.stringify(entry)})`
})

// retrieval against the model's list: oldestFirst by the authors' walk-filter-stable-sort, the other
// rules by sorting the model's entries with their stated keys
const retrieveCommand = ([cfg, q, p]: readonly [RetrieveConfig, ReadonlyArray<number>, string]): fc.Command<
  Model,
  Real
> => ({
  check: () => true,
  run: (model, real) => {
    const inP = model.entries.filter((e) => e.partition === p)
    const cos = (e: ModelEntry): number => cosine(q, e.key)
    const expected =
      cfg.retrieval === 'topK'
        ? [...inP].sort((a, b) => cos(b) - cos(a) || b.seq - a.seq).slice(0, cfg.maxTips)
        : cfg.scoreTies === 'oldestFirst'
          ? authorsRetrieval(inP, q, cfg.similarityThreshold, cfg.maxTips)
          : inP
              .filter((e) => cos(e) > cfg.similarityThreshold)
              .sort((a, b) => b.score - a.score || cos(b) - cos(a) || b.seq - a.seq)
              .slice(0, cfg.maxTips)
    assert.deepEqual(
      retrieveScored(cfg)(q, p)(real.m).map((s) => s.entry.seq),
      expected.map((e) => e.seq)
    )
  },
  toString: () => `retrieve(${JSON.stringify(cfg)}, ${JSON.stringify(q)}, ${p})`
})

// low thresholds, so that most of a partition is eligible and equal scores meet in the result
const modelRetrieveCfg = retrieveCfg.chain((c) =>
  fc.constantFrom(-1, -0.5, 0).map((similarityThreshold) => ({ ...c, similarityThreshold }))
)

test('memory capacity and de-duplication always hold, the newest entries are kept, and retrieval agrees with the model under both tie rules (model-based)', (t) => {
  t.diagnostic(`fast-check seed ${runSeed}`)
  fc.assert(
    fc.property(
      insertCfg,
      fc.commands(
        [newEntry.map(insertCommand), fc.tuple(modelRetrieveCfg, key, partition).map(retrieveCommand)],
        { maxCommands: 60 }
      ),
      (cfg, cmds) => {
        fc.modelRun(
          () => ({ model: { cfg, entries: [], nextSeq: 0, inserted: [] }, real: { m: emptyMemory } }),
          cmds
        )
      }
    ),
    { seed: runSeed, numRuns: 100 }
  )
})

// ---------------------------------------------------------------------------------------------
// the text an entry shows: the bare tip, or the authors' tip, action and score
// ---------------------------------------------------------------------------------------------

test('scoreText prints a score as Python prints round(x, 1) (values printed by CPython 3)', () => {
  const python: ReadonlyArray<readonly [number, string]> = [
    [0, '0.0'],
    [7, '7.0'],
    [12.34, '12.3'],
    [12.35, '12.3'], // 12.35 is 12.3499… in binary
    [12.25, '12.2'], // exact ties go to the even digit
    [12.75, '12.8'],
    [0.05, '0.1'],
    [0.15, '0.1'],
    [0.25, '0.2'],
    [2.675, '2.7'],
    [33.35, '33.4'],
    [66.65, '66.7'],
    [99.95, '100.0'],
    [-0.25, '-0.2'],
    [-0.04, '-0.0'],
    [-12.25, '-12.2'],
    [100, '100.0']
  ]
  assert.deepEqual(
    python.map(([x]) => scoreText(x)),
    python.map(([, p]) => p)
  )
  assert.equal(scoreText(-0), '-0.0')
  for (const bad of [NaN, Infinity, 1e15, -1e16])
    assert.throws(() => scoreText(bad), /memory\.scoreText: the score must be finite and below 1e15/)
})

property(
  'scoreText is the nearest one-decimal number to the score, an exact tie going to the even digit',
  [
    fc.oneof(
      fc.double({ min: -1000, max: 1000, noNaN: true }),
      fc.integer({ min: -4000, max: 4000 }).map((k) => k / 40)
    )
  ],
  (x) => {
    const s = scoreText(x)
    assert.match(s, /^-?\d+\.\d$/)
    const tenths = Math.round(Number(s) * 10) // the printed value in tenths, exactly
    const d = Math.abs(10 * x - tenths) // in tenths; 10x carries at most one rounding
    assert.ok(d <= 0.5 + 1e-12, `${x} printed ${s}`)
    if (Number.isInteger(4 * x) && (4 * x) % 2 !== 0)
      assert.ok(Math.abs(tenths) % 2 === 0, `tie ${x} printed ${s}`)
    else assert.ok(Math.abs(10 * x - tenths) < 0.5 + 1e-9)
    assert.equal(s.startsWith('-'), x < 0 || Object.is(x, -0))
  }
)

test('entryText tipActionScore is the authors’ text character for character (built here by their f-string in CPython 3, reward_scale 1)', () => {
  const tip = 'Boil water in the kitchen first.'
  const cases: ReadonlyArray<readonly [string, number, string]> = [
    [
      'go to kitchen',
      41,
      'Boil water in the kitchen first.; At that timestep, the specific action your took was go to kitchen; Eventually you got the score 41.0/100.'
    ],
    [
      'look around',
      0,
      'Boil water in the kitchen first.; At that timestep, the specific action your took was look around; Eventually you got the score 0.0/100.'
    ],
    [
      'open door to hallway',
      33.35,
      'Boil water in the kitchen first.; At that timestep, the specific action your took was open door to hallway; Eventually you got the score 33.4/100.'
    ],
    [
      'focus on pot',
      2.25,
      'Boil water in the kitchen first.; At that timestep, the specific action your took was focus on pot; Eventually you got the score 2.2/100.'
    ]
  ]
  for (const [action, score, text] of cases) {
    assert.equal(entryText({ entryText: 'tipActionScore' })({ tip, action, score }), text)
    assert.equal(entryText({ entryText: 'tip' })({ tip, action, score }), tip)
  }
  assert.equal(entryText({})({ tip, action: 'x', score: 1 }), tip)
})

property(
  'entryText: tip shows the bare tip; tipActionScore shows the tip, then the action clause (when there is an action), then the printed score over 100',
  [newEntry.map((e) => ({ ...e, tip: `${e.tip} ok.` })), fc.string({ maxLength: 12 }), fc.boolean()],
  (e, action, hasAction) => {
    const entry = { ...e, action: hasAction ? action : null }
    assert.equal(entryText({ entryText: 'tip' })(entry), entry.tip)
    const clause = hasAction ? `; At that timestep, the specific action your took was ${action}` : ''
    assert.equal(
      entryText({ entryText: 'tipActionScore' })(entry),
      `${entry.tip}${clause}; Eventually you got the score ${scoreText(entry.score)}/100.`
    )
  }
)

test('de-duplication: tip compares tip and action; tipActionScore compares the whole text, so the same tip and action with another printed score are both kept', () => {
  const e = (action: string | null, score: number): NewEntry => ({
    partition: 'p',
    key: [1],
    tip: 'go',
    action,
    score
  })
  const entries = [e('a', 40), e('a', 40), e('a', 50), e('a', 40.04), e(null, 40), e('b', 40)]
  const kept = (entryText: 'tip' | 'tipActionScore'): ReadonlyArray<readonly [string | null, number]> =>
    insertAll({ capacity: 10, dedup: true, entryText })(entries)(emptyMemory).entries.map((x) => [
      x.action,
      x.score
    ])
  assert.deepEqual(kept('tip'), [
    ['a', 40],
    [null, 40],
    ['b', 40]
  ])
  // 40.04 prints as 40.0: the same text as the first entry, so skipped
  assert.deepEqual(kept('tipActionScore'), [
    ['a', 40],
    ['a', 50],
    [null, 40],
    ['b', 40]
  ])
})

// ---------------------------------------------------------------------------------------------
// what an episode writes
// ---------------------------------------------------------------------------------------------

const episode = fc.record({
  partition,
  tip: fc.string({ maxLength: 20 }),
  finalState: fc.string({ maxLength: 20 }),
  history: fc.string({ maxLength: 40 }),
  actions: fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }),
  score: fc.integer({ min: 0, max: 100 })
})

property(
  'an episode writes one tip (action null) per episode, or one entry per step with its action and the final score, keyed by the chosen embedding',
  [
    episode,
    fc.constantFrom('perEpisode' as const, 'perStep' as const),
    fc.constantFrom('state' as const, 'history' as const)
  ],
  (ep, write, embedWhat) => {
    const out = entriesForEpisode({ write, embed: embedWhat }, embed)(ep)
    const k = embed(embedWhat === 'state' ? ep.finalState : ep.history)
    assert.deepEqual(
      out.map((e) => e.action),
      write === 'perEpisode' ? [null] : ep.actions
    )
    for (const e of out) {
      assert.deepEqual(e.key, k)
      assert.equal(e.tip, ep.tip)
      assert.equal(e.score, ep.score)
      assert.equal(e.partition, ep.partition)
    }
  },
  { numRuns: 60 }
)

property(
  'partitions: global is one partition, perTask separates tasks, perVariant separates variants',
  [fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), fc.nat(5), fc.nat(5)],
  (t1, t2, v1, v2) => {
    assert.equal(partitionOf('global', t1, v1), partitionOf('global', t2, v2))
    assert.equal(partitionOf('perTask', t1, v1) === partitionOf('perTask', t2, v2), t1 === t2)
    assert.equal(
      partitionOf('perVariant', t1, v1) === partitionOf('perVariant', t2, v2),
      t1 === t2 && v1 === v2
    )
  }
)

test('presets: paper retrieves topK per task, official thresholdThenScore per variant (equal scores oldest first), both at most 10', () => {
  assert.equal(paperPreset.memory.retrieval, 'topK')
  assert.equal(officialPreset.memory.retrieval, 'thresholdThenScore')
  assert.deepEqual(
    [paperPreset.memory.scoreTies, officialPreset.memory.scoreTies],
    ['cosineThenNewest', 'oldestFirst']
  )
  assert.deepEqual([paperPreset.memory.scope, officialPreset.memory.scope], ['perTask', 'perVariant'])
  assert.deepEqual([paperPreset.memory.maxTips, officialPreset.memory.maxTips], [10, 10])
  // official: at most 1000 entries per list, oldest dropped, exact duplicates skipped (docs/method.md §7)
  assert.deepEqual([officialPreset.memory.capacity, officialPreset.memory.dedup], [1000, true])
  const e = (tip: string, k: number[], score: number): NewEntry => ({
    partition: 'p',
    key: k,
    tip,
    action: null,
    score
  })
  const m = insertAll(officialPreset.memory)([
    e('near-low', [1, 0], 1),
    e('mid-high', [0.6, 0.8], 9),
    e('far', [0, 1], 50),
    e('near-high', [1, 0], 9)
  ])(emptyMemory)
  const tips = (cfg: RetrieveConfig) => retrieveScored(cfg)([1, 0], 'p')(m).map((s) => s.entry.tip)
  assert.deepEqual(tips(paperPreset.memory), ['near-high', 'near-low', 'mid-high', 'far'])
  assert.deepEqual(tips(officialPreset.memory), ['mid-high', 'near-high', 'near-low'])
})

property(
  'bad memory settings are rejected with an error naming the setting: capacity < 1, maxTips < 0 or not an integer, threshold outside [−1, 1], a key of another length',
  [
    fc.oneof(fc.integer({ min: -3, max: 0 }), fc.constant(1.5)),
    fc.oneof(fc.integer({ min: -3, max: -1 }), fc.constant(2.5)),
    fc.oneof(
      fc.double({ min: 1.001, max: 5, noNaN: true }),
      fc.double({ min: -5, max: -1.001, noNaN: true }),
      fc.constant(NaN)
    ),
    newEntry
  ],
  (capacity, maxTips, threshold, e) => {
    assert.throws(
      () => insert({ capacity, dedup: true })(e)(emptyMemory),
      /memory\.insert: capacity must be an integer ≥ 1/
    )
    const m = insert({ capacity: 5, dedup: true })(e)(emptyMemory)
    const cfg: RetrieveConfig = { retrieval: 'topK', maxTips: 3, similarityThreshold: 0.5 }
    assert.throws(
      () => retrieveScored({ ...cfg, maxTips })(e.key, e.partition)(m),
      /maxTips must be an integer ≥ 0/
    )
    assert.throws(
      () => retrieveScored({ ...cfg, similarityThreshold: threshold })(e.key, e.partition)(m),
      /similarityThreshold must be a cosine in \[−1, 1\]/
    )
    assert.throws(
      () => retrieveScored(cfg)([...e.key, 0], e.partition)(m),
      /the key of entry seq 0 has length 3, the query 4/
    )
  },
  { numRuns: 30 }
)
