import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Embedding, NoveltyMemory } from '../../src/spec/data.ts'
import { cosine } from '../../src/core/memory/embedding.ts'
import {
  batchIntrinsicRewards,
  emptyNovelty,
  intrinsicReward,
  retrievedCountReward,
  stateNovelty,
  stateNoveltyBatch
} from '../../src/core/memory/novelty.ts'
import { property, runSeed } from '../support/property.ts'

// States are 3-d vectors on a coarse grid (multiples of 1/2): repeats and near-repeats are common, and
// the zero vector (a text without tokens) occurs. Thresholds cover the whole cosine range [−1, 1].
const coord = fc.integer({ min: -2, max: 2 }).map((k) => k / 2)
const state: fc.Arbitrary<Embedding> = fc.array(coord, { minLength: 3, maxLength: 3 })
const threshold = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(-1, 0, 0.5, 0.9, 1))
const visits = fc.array(state, { maxLength: 25 })

const run = (theta: number, xs: ReadonlyArray<Embedding>): { rewards: number[]; memory: NoveltyMemory } => {
  let memory = emptyNovelty
  const rewards: number[] = []
  for (const x of xs) {
    const [r, next] = stateNovelty(theta)(x)(memory)
    rewards.push(r)
    memory = next
  }
  return { rewards, memory }
}

property('stateNovelty: every intrinsic reward lies in (0, 1]', [threshold, visits], (theta, xs) => {
  for (const r of run(theta, xs).rewards) assert.ok(r > 0 && r <= 1, `r = ${r}`)
})

property(
  'stateNovelty: the rewards a given state earns never increase over its visits, whatever is visited in between',
  [threshold, fc.array(state, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(3), { maxLength: 30 })],
  (theta, pool, picks) => {
    const xs = picks.map((i) => pool[i % pool.length] as Embedding)
    const { rewards } = run(theta, xs)
    const byState = new Map<string, number[]>()
    xs.forEach((x, i) => {
      const k = JSON.stringify(x)
      byState.set(k, [...(byState.get(k) ?? []), rewards[i] as number])
    })
    for (const rs of byState.values()) rs.slice(1).forEach((r, i) => assert.ok(r <= (rs[i] as number)))
  }
)

property(
  'stateNovelty: repeating one non-zero state k times gives 1, 1/2, …, 1/k (θ ≤ 0.99)',
  [state, fc.double({ min: -1, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 12 })],
  (x, theta, k) => {
    fc.pre(x.some((v) => v !== 0))
    const { rewards, memory } = run(
      theta,
      Array.from({ length: k }, () => x)
    )
    assert.deepEqual(
      rewards,
      Array.from({ length: k }, (_, i) => 1 / (i + 1))
    )
    assert.deepEqual(memory.states, [{ key: x, count: k }])
  }
)

property(
  'stateNovelty: a state below the threshold to every stored state earns 1 and is stored with count 1; otherwise it earns < 1 and nothing is added',
  [threshold, visits, state, fc.double({ min: 0, max: 1, noNaN: true })],
  (theta0, xs, x, u) => {
    const { memory } = run(theta0, xs)
    const maxCos = Math.max(-1, ...memory.states.map((s) => cosine(x, s.key)))
    // a threshold above every cosine (novel) or, with u < 1/2, at or below the largest one
    const theta = u >= 0.5 ? maxCos + (1 - maxCos) * (2 * u - 1) : -1 + (maxCos + 1) * 2 * u
    const novel = memory.states.every((s) => cosine(x, s.key) < theta)
    const [r, next] = stateNovelty(theta)(x)(memory)
    if (novel) {
      assert.equal(r, 1)
      assert.deepEqual(next.states, [...memory.states, { key: x, count: 1 }])
    } else {
      assert.ok(r < 1)
      assert.equal(next.states.length, memory.states.length)
    }
  }
)

property(
  'retrievedCount: r = 1/(count + 1) lies in (0, 1], is 1 with no tips, and never increases with count',
  [fc.nat(1000), fc.nat(1000)],
  (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    const [rLo, rHi] = [retrievedCountReward(lo), retrievedCountReward(hi)]
    assert.ok(rHi > 0 && rLo <= 1 && rHi <= rLo)
    assert.equal(retrievedCountReward(0), 1)
    assert.equal(rLo, 1 / (lo + 1))
  }
)

property(
  'intrinsicReward dispatches on the rule: retrievedCount leaves the memory unchanged, stateNovelty is the paper rule',
  [threshold, visits, state, fc.nat(20)],
  (theta, xs, x, count) => {
    const { memory } = run(theta, xs)
    const input = { state: x, retrievedCount: count }
    const [r1, m1] = intrinsicReward({ rule: 'retrievedCount', similarityThreshold: theta })(input)(memory)
    assert.equal(r1, 1 / (count + 1))
    assert.equal(m1, memory)
    assert.deepEqual(
      intrinsicReward({ rule: 'stateNovelty', similarityThreshold: theta })(input)(memory),
      stateNovelty(theta)(x)(memory)
    )
  }
)

property(
  'bad novelty input is rejected with an error naming it: a threshold outside [−1, 1] or NaN, a count that is not a non-negative integer',
  [
    fc.oneof(
      fc.double({ min: 1.001, max: 9, noNaN: true }),
      fc.double({ min: -9, max: -1.001, noNaN: true }),
      fc.constant(NaN)
    ),
    fc.oneof(fc.integer({ min: -9, max: -1 }), fc.constant(0.5), fc.constant(NaN)),
    state
  ],
  (theta, count, x) => {
    assert.throws(
      () => stateNovelty(theta)(x)(emptyNovelty),
      /stateNovelty: similarityThreshold must be a cosine in \[−1, 1\]/
    )
    assert.throws(
      () => stateNoveltyBatch(theta)([x])(emptyNovelty),
      /stateNoveltyBatch: similarityThreshold must be a cosine in \[−1, 1\]/
    )
    assert.throws(
      () => retrievedCountReward(count),
      /retrievedCountReward: count must be a non-negative integer/
    )
  },
  { numRuns: 30 }
)

// ---------------------------------------------------------------------------------------------
// batches: novelty.batchUpdate
// ---------------------------------------------------------------------------------------------

// The memory as a multiset of (key, count): the order of appended states may follow the batch.
const asSet = (m: NoveltyMemory): ReadonlyArray<string> =>
  m.states.map((s) => JSON.stringify([s.key, s.count])).sort()

// A permutation of 0..n−1 from random keys (a stable sort of indices by key).
const permutationOf = (keys: ReadonlyArray<number>): ReadonlyArray<number> =>
  keys
    .map((k, i) => [k, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i)

// A threshold that is, half the time, exactly a cosine between two of the given states (so `≥` vs `>`
// matters), else anywhere in [−1, 1].
const thresholdAmong = (xs: ReadonlyArray<Embedding>, u: number, free: number): number => {
  const cosines = xs.flatMap((a) => xs.map((b) => cosine(a, b)))
  return u < 0.5 && cosines.length > 0 ? (cosines[Math.floor(u * 2 * cosines.length)] as number) : free
}

// Episodes played in lockstep, as the trainer plays them: at step t the batch is the states at index t
// of the episodes that are that long. Returns each episode's rewards and the memory after.
const lockstep = (
  batchUpdate: 'afterBatch' | 'sequential',
  theta: number,
  episodes: ReadonlyArray<ReadonlyArray<Embedding>>,
  memory0: NoveltyMemory
): { rewards: number[][]; memory: NoveltyMemory } => {
  const cfg = { rule: 'stateNovelty' as const, similarityThreshold: theta, batchUpdate }
  const rewards = episodes.map(() => [] as number[])
  let memory = memory0
  const T = Math.max(0, ...episodes.map((e) => e.length))
  for (let t = 0; t < T; t++) {
    const active = episodes.flatMap((e, i) => (t < e.length ? [i] : []))
    const [rs, next] = batchIntrinsicRewards(cfg)(
      active.map((i) => ({
        state: (episodes[i] as ReadonlyArray<Embedding>)[t] as Embedding,
        retrievedCount: 0
      }))
    )(memory)
    active.forEach((i, k) => (rewards[i] as number[]).push(rs[k] as number))
    memory = next
  }
  return { rewards, memory }
}

const episodes = fc.array(fc.array(state, { maxLength: 6 }), { minLength: 1, maxLength: 6 })

property(
  'afterBatch: permuting the episodes played in lockstep permutes their intrinsic rewards and leaves the novelty memory equal as a set',
  [
    threshold,
    visits,
    episodes,
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
    fc.double({ min: 0, max: 1, noNaN: true })
  ],
  (theta0, prefix, eps, keys, u) => {
    const theta = thresholdAmong([...prefix, ...eps.flat()], u, theta0)
    const { memory: m0 } = run(theta, prefix)
    const perm = permutationOf(keys.slice(0, eps.length))
    const a = lockstep('afterBatch', theta, eps, m0)
    const b = lockstep(
      'afterBatch',
      theta,
      perm.map((i) => eps[i] as ReadonlyArray<Embedding>),
      m0
    )
    assert.deepEqual(
      b.rewards,
      perm.map((i) => a.rewards[i])
    )
    assert.deepEqual(asSet(b.memory), asSet(a.memory))
  }
)

property(
  'afterBatch: each state of a batch earns what stateNovelty gives it on the memory before the batch, and the memory after records every visit once per similar stored state',
  [threshold, visits, fc.array(state, { maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true })],
  (theta0, prefix, batch, u) => {
    const theta = thresholdAmong([...prefix, ...batch], u, theta0)
    const { memory } = run(theta, prefix)
    const [rs, next] = stateNoveltyBatch(theta)(batch)(memory)
    assert.deepEqual(
      rs,
      batch.map((x) => stateNovelty(theta)(x)(memory)[0])
    )
    // stored states keep their place and gain one per similar batch state
    memory.states.forEach((s, i) =>
      assert.deepEqual(next.states[i], {
        key: s.key,
        count: s.count + batch.filter((x) => cosine(x, s.key) >= theta).length
      })
    )
    // the novel states follow, once per distinct vector, with their multiplicity
    const novel = batch.filter((x) => memory.states.every((s) => cosine(x, s.key) < theta))
    const distinct = novel.filter(
      (x, i) => novel.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i
    )
    assert.deepEqual(
      next.states.slice(memory.states.length),
      distinct.map((x) => ({
        key: x,
        count: novel.filter((y) => JSON.stringify(y) === JSON.stringify(x)).length
      }))
    )
  }
)

property(
  'afterBatch: identical states reached together earn the same reward (1 when new), and batches of one state are the sequential rule',
  [threshold, visits, state, fc.integer({ min: 1, max: 8 }), fc.array(state, { maxLength: 12 })],
  (theta, prefix, x, k, xs) => {
    const { memory } = run(theta, prefix)
    const [rs] = stateNoveltyBatch(theta)(Array.from({ length: k }, () => x))(memory)
    assert.deepEqual(
      rs,
      Array.from({ length: k }, () => rs[0])
    )
    if (memory.states.every((s) => cosine(x, s.key) < theta)) assert.equal(rs[0], 1)
    const singles = lockstep('afterBatch', theta, [xs], memory)
    const seq = lockstep('sequential', theta, [xs], memory)
    assert.deepEqual(singles, seq)
  }
)

test('sequential depends on the order of the episodes: two identical states reached together earn 1 and 1/2 by their index, and three states with a non-transitive similarity leave different memories', () => {
  const cfg = { rule: 'stateNovelty', similarityThreshold: 0.9, batchUpdate: 'sequential' } as const
  const x = [1, 0, 0]
  // swapping the two episodes should swap their rewards; it does not, so the rule is order-dependent
  assert.deepEqual(lockstep('sequential', 0.9, [[x], [x]], emptyNovelty).rewards, [[1], [0.5]])
  const [rs] = batchIntrinsicRewards(cfg)([
    { state: x, retrievedCount: 0 },
    { state: x, retrievedCount: 0 }
  ])(emptyNovelty)
  assert.deepEqual(rs, [1, 0.5])
  // cos(A, B) = cos(B, C) = 1/√2 ≥ 0.7 > cos(A, C) = 0
  const [A, B, C] = [
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0]
  ]
  const abc = lockstep('sequential', 0.7, [[A], [B], [C]], emptyNovelty)
  const bac = lockstep('sequential', 0.7, [[B], [A], [C]], emptyNovelty)
  assert.deepEqual(abc.rewards, [[1], [0.5], [1]])
  assert.deepEqual(bac.rewards, [[1], [0.5], [1 / 3]])
  assert.notDeepEqual(asSet(abc.memory), asSet(bac.memory))
  // afterBatch on the same witnesses: equal rewards, equal memories
  assert.deepEqual(lockstep('afterBatch', 0.9, [[x], [x]], emptyNovelty).rewards, [[1], [1]])
  const abc2 = lockstep('afterBatch', 0.7, [[A], [B], [C]], emptyNovelty)
  const bac2 = lockstep('afterBatch', 0.7, [[B], [A], [C]], emptyNovelty)
  assert.deepEqual(
    [abc2.rewards, bac2.rewards],
    [
      [[1], [1], [1]],
      [[1], [1], [1]]
    ]
  )
  assert.deepEqual(asSet(abc2.memory), asSet(bac2.memory))
})

property(
  'batchIntrinsicRewards dispatches: afterBatch is stateNoveltyBatch, sequential folds stateNovelty in batch order, retrievedCount scores each count and leaves the memory unchanged',
  [threshold, visits, fc.array(fc.tuple(state, fc.nat(10)), { maxLength: 10 })],
  (theta, prefix, batch) => {
    const { memory } = run(theta, prefix)
    const inputs = batch.map(([x, c]) => ({ state: x, retrievedCount: c }))
    const xs = batch.map(([x]) => x)
    const cfg = { rule: 'stateNovelty' as const, similarityThreshold: theta }
    assert.deepEqual(
      batchIntrinsicRewards({ ...cfg, batchUpdate: 'afterBatch' })(inputs)(memory),
      stateNoveltyBatch(theta)(xs)(memory)
    )
    let m = memory
    const seq = xs.map((x) => {
      const [r, next] = stateNovelty(theta)(x)(m)
      m = next
      return r
    })
    assert.deepEqual(batchIntrinsicRewards({ ...cfg, batchUpdate: 'sequential' })(inputs)(memory), [seq, m])
    for (const batchUpdate of ['afterBatch', 'sequential'] as const) {
      const [rs, same] = batchIntrinsicRewards({ ...cfg, rule: 'retrievedCount', batchUpdate })(inputs)(
        memory
      )
      assert.deepEqual(
        rs,
        batch.map(([, c]) => 1 / (c + 1))
      )
      assert.equal(same, memory)
    }
  }
)

// ---------------------------------------------------------------------------------------------
// model-based: a visit log as the model
// ---------------------------------------------------------------------------------------------

// The model keeps the list of every visit with the index of the representative state it created (a
// novel visit) or the representatives it matched (a repeat). It never stores counts: a
// representative's count is the number of visits that created or matched it, recomputed from the log.
interface Visit {
  readonly x: Embedding
  readonly created: boolean
  readonly matched: ReadonlyArray<number> // representative indices (the new one's own index when created)
}
interface Model {
  readonly theta: number
  readonly log: Visit[]
}
interface Real {
  m: NoveltyMemory
}

const reps = (model: Model): ReadonlyArray<Embedding> => model.log.filter((v) => v.created).map((v) => v.x)
const countOf = (model: Model, i: number): number => model.log.filter((v) => v.matched.includes(i)).length

const visitCommand = (x: Embedding): fc.Command<Model, Real> => ({
  check: () => true,
  run: (model, real) => {
    const rs = reps(model)
    const matched = rs.flatMap((k, i) => (cosine(x, k) >= model.theta ? [i] : []))
    // the paper: a state unlike every stored one earns 1; otherwise 1/n, n the similar visits incl. this one
    const expected = matched.length === 0 ? 1 : 1 / (1 + matched.reduce((a, i) => a + countOf(model, i), 0))
    model.log.push(
      matched.length === 0 ? { x, created: true, matched: [rs.length] } : { x, created: false, matched }
    )
    const before = real.m
    const [r, after] = stateNovelty(model.theta)(x)(before)
    real.m = after
    // the real memory is the model: the representatives in order, each with its count from the log
    assert.equal(r, expected)
    assert.deepEqual(
      after.states,
      reps(model).map((key, i) => ({ key, count: countOf(model, i) }))
    )
    // and the invariants that follow: states are only appended, counts grow by at most 1 per visit,
    // every visit is counted at least once, and r lies in (0, 1]
    before.states.forEach((st, i) => {
      const now = after.states[i]
      assert.ok(now !== undefined && now.key === st.key && now.count - st.count <= 1 && now.count >= st.count)
    })
    assert.ok(after.states.reduce((a, st) => a + st.count, 0) >= model.log.length)
    assert.ok(r > 0 && r <= 1)
  },
  toString: () => `visit(${JSON.stringify(x)})`
})

test('novelty memory behaves like its visit-log model: same states, counts and rewards after every visit (model-based)', (t) => {
  t.diagnostic(`fast-check seed ${runSeed}`)
  fc.assert(
    fc.property(threshold, fc.commands([state.map(visitCommand)], { maxCommands: 40 }), (theta, cmds) => {
      fc.modelRun(() => ({ model: { theta, log: [] }, real: { m: emptyNovelty } }), cmds)
    }),
    { seed: runSeed, numRuns: 100 }
  )
})
