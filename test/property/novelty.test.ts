import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Embedding, NoveltyMemory } from '../../src/spec/data.ts'
import { cosine } from '../../src/core/embedding.ts'
import { emptyNovelty, intrinsicReward, retrievedCountReward, stateNovelty } from '../../src/core/novelty.ts'
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
      () => retrievedCountReward(count),
      /retrievedCountReward: count must be a non-negative integer/
    )
  },
  { numRuns: 30 }
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
