/**
 * REMEMBERER's experience memory (docs/method.md §10) against a reference model: a Map-based Q-table
 * with its own targets, eviction and ranking, checked over random sequences of episode writes and
 * retrievals; then the eviction rule at capacity, the retrieval ranking and the exemplar text, each on
 * its own.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cosine, embed } from '../../src/core/memory/embedding.ts'
import { scoreText } from '../../src/core/memory/memory.ts'
import type { Context, Episode } from '../../src/core/methods/algebra.ts'
import {
  emptyRemembererStore,
  exemplarText,
  rememberer,
  retrievalScores,
  writeEpisode,
  writeStep,
  type RemembererEntry,
  type RemembererSettings,
  type RemembererStore
} from '../../src/core/methods/rememberer.ts'
import { property, runSeed } from '../support/property.ts'

const observation = fc.constantFrom('a hall', 'a red hall', 'a kitchen', 'the garden', 'a blue kitchen')
const task = fc.constantFrom('collect', 'boil', 'constructor')
const action = fc.constantFrom('look', 'go east', 'take key', 'open door')
const settings: fc.Arbitrary<RemembererSettings> = fc.record({
  capacity: fc.integer({ min: 1, max: 4 }),
  actionsPerEntry: fc.integer({ min: 1, max: 3 }),
  eviction: fc.constantFrom('closestPair' as const, 'oldest' as const),
  nStep: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  gamma: fc.constantFrom(1, 0.9, 0.5, 0),
  learningRate: fc.option(fc.constantFrom(1, 0.5, 0.25), { nil: null }),
  observationWeight: fc.constantFrom(0.5, 0, 1, 0.3),
  exemplars: fc.integer({ min: 0, max: 3 }),
  discouraged: fc.integer({ min: 0, max: 3 })
})
const episode: fc.Arbitrary<Episode> = fc.record({
  task,
  variant: fc.integer({ min: 0, max: 3 }),
  note: fc.constant(null),
  finalState: fc.constant(''),
  history: fc.constant(''),
  steps: fc.array(fc.record({ observation, action, reward: fc.integer({ min: -5, max: 10 }) }), {
    maxLength: 6
  }),
  score: fc.constant(0),
  success: fc.boolean()
})
const context: fc.Arbitrary<Context> = fc.record({
  task,
  variant: fc.integer({ min: 0, max: 3 }),
  state: observation,
  history: fc.constant('')
})

// ---------------------------------------------------------------------------------------------
// the reference model: a Map from "observation␀task" to the key's cells, and the keys in order
// ---------------------------------------------------------------------------------------------

interface Cell {
  q: number
  meanReward: number
  visits: number
}
interface ModelKey {
  readonly observation: string
  readonly task: string
  readonly cells: Map<string, Cell>
  bestHistory: ReadonlyArray<string>
}
interface Model {
  readonly s: RemembererSettings
  readonly table: Map<string, ModelKey>
  order: string[]
}
interface Real {
  store: RemembererStore
}

const id = (o: string, t: string): string => `${o}\u0000${t}`
const sim =
  (w: number) =>
  (a: { observation: string; task: string }, b: { observation: string; task: string }): number =>
    w * cosine(embed(a.observation), embed(b.observation)) + (1 - w) * cosine(embed(a.task), embed(b.task))
const keyVisits = (k: ModelKey): number => [...k.cells.values()].reduce((n, c) => n + c.visits, 0)

// the target of step t, straight from its definition, bootstrapped from the table before the episode
const modelTargets = (m: Model, ep: Episode): ReadonlyArray<number> => {
  const T = ep.steps.length
  const before = ep.steps.map((x) => {
    const k = m.table.get(id(x.observation, ep.task))
    return k === undefined ? 0 : Math.max(...[...k.cells.values()].map((c) => c.q))
  })
  return ep.steps.map((_, t) => {
    const n = m.s.nStep ?? T
    // γ^i as a running product (as a port would accumulate it), so the floats agree exactly
    let g = 0
    let d = 1
    for (let i = 0; i < n && t + i < T; i++, d *= m.s.gamma) g += d * (ep.steps[t + i]?.reward ?? NaN)
    return t + n < T ? g + d * (before[t + n] ?? NaN) : g
  })
}

const modelWrite = (m: Model, ep: Episode): void => {
  const targets = modelTargets(m, ep)
  ep.steps.forEach((x, t) => {
    const k = id(x.observation, ep.task)
    const history = ep.steps.slice(0, t).map((y) => y.action)
    let key = m.table.get(k)
    if (key === undefined) {
      key = { observation: x.observation, task: ep.task, cells: new Map(), bestHistory: history }
      if (m.order.length >= m.s.capacity) {
        if (m.s.eviction === 'oldest') {
          m.table.delete(m.order[0] as string)
          m.order = m.order.slice(1)
        } else {
          const keys = m.order.map((o) => m.table.get(o) as ModelKey)
          const pairs = keys.flatMap((a, i) =>
            keys.slice(i + 1).map((b, d) => [i, i + 1 + d, sim(m.s.observationWeight)(a, b)] as const)
          )
          const best = pairs.reduce<(typeof pairs)[number] | null>(
            (p, c) => (p === null || c[2] > p[2] ? c : p),
            null
          )
          const toNew = Math.max(...keys.map((a) => sim(m.s.observationWeight)(a, key as ModelKey)))
          if (best === null || toNew > best[2]) return // the new key is dropped
          const [i, j] = best
          const out = keyVisits(keys[j] as ModelKey) > keyVisits(keys[i] as ModelKey) ? j : i
          m.table.delete(m.order[out] as string)
          m.order = m.order.filter((_, z) => z !== out)
        }
      }
      m.table.set(k, key)
      m.order.push(k)
    } else if (history.length < key.bestHistory.length) key.bestHistory = history
    let cell = key.cells.get(x.action)
    if (cell === undefined) {
      if (key.cells.size >= m.s.actionsPerEntry) {
        const [out] = [...key.cells.entries()].reduce((p, c) =>
          c[1].visits < p[1].visits || (c[1].visits === p[1].visits && c[1].q < p[1].q) ? c : p
        )
        key.cells.delete(out)
      }
      cell = { q: 0, meanReward: 0, visits: 0 }
      key.cells.set(x.action, cell)
    }
    cell.visits += 1
    const alpha = m.s.learningRate ?? 1 / cell.visits
    cell.q += alpha * ((targets[t] as number) - cell.q)
    cell.meanReward += (x.reward - cell.meanReward) / cell.visits
  })
}

const modelEntries = (m: Model): ReadonlyArray<RemembererEntry> =>
  m.order.map((k) => {
    const key = m.table.get(k) as ModelKey
    return {
      observation: key.observation,
      task: key.task,
      actions: [...key.cells.entries()].map(([a, c]) => ({ action: a, ...c })),
      bestHistory: key.bestHistory
    }
  })

const writeCommand = (ep: Episode): fc.Command<Model, Real> => ({
  check: () => true,
  run: (m, r) => {
    modelWrite(m, ep)
    r.store = writeEpisode(m.s, embed)(ep)(r.store)
    assert.deepEqual(r.store.entries, modelEntries(m))
    assert.ok(r.store.entries.length <= m.s.capacity)
    for (const e of r.store.entries) assert.ok(e.actions.length <= m.s.actionsPerEntry)
  },
  toString: () => `write(${JSON.stringify(ep)})`
})

const retrieveCommand = (ctx: Context): fc.Command<Model, Real> => ({
  check: () => true,
  run: (m, r) => {
    const here = { observation: ctx.state, task: ctx.task }
    const expected = m.order
      .map((k, i) => [m.table.get(k) as ModelKey, i] as const)
      .sort(
        ([a, i], [b, j]) => sim(m.s.observationWeight)(b, here) - sim(m.s.observationWeight)(a, here) || i - j
      )
      .slice(0, m.s.exemplars)
      .map(([k]) => [k.observation, k.task])
    const got = rememberer(m.s, embed).retrieve(ctx)(r.store)
    assert.deepEqual(
      got.map((e) => [e.observation, e.task]),
      expected
    )
  },
  toString: () => `retrieve(${JSON.stringify(ctx)})`
})

test('REMEMBERER’s memory agrees with a Map-based Q-table over any sequence of episode writes and retrievals: keys, order, Q, mean reward, visits, best history, eviction and ranking (model-based)', (t) => {
  t.diagnostic(`fast-check seed ${runSeed}`)
  fc.assert(
    fc.property(
      settings,
      fc.commands([episode.map(writeCommand), context.map(retrieveCommand)], { maxCommands: 30 }),
      (s, cmds) => {
        fc.modelRun(
          () => ({ model: { s, table: new Map(), order: [] }, real: { store: emptyRemembererStore } }),
          cmds
        )
      }
    ),
    { seed: runSeed, numRuns: 200 }
  )
})

// ---------------------------------------------------------------------------------------------
// eviction at capacity
// ---------------------------------------------------------------------------------------------

const keyArb = fc.record({ observation, task })
const filled = fc
  .uniqueArray(keyArb, { minLength: 1, maxLength: 5, selector: (k) => id(k.observation, k.task) })
  .chain((keys) =>
    fc.tuple(
      fc.constant(keys),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: keys.length, maxLength: keys.length })
    )
  )
  .map(([keys, visits]): RemembererStore => ({
    entries: keys.map((k, i) => ({
      ...k,
      actions: [{ action: 'look', q: 0, meanReward: 0, visits: visits[i] as number }],
      bestHistory: []
    }))
  }))

property(
  'at capacity under closestPair a new key is dropped iff it is closer to the pool than the pool’s closest pair; otherwise the more-visited key of that pair (ties: the older) leaves and the new key is appended',
  [filled, keyArb, fc.constantFrom(0.5, 0, 1)],
  (store, key, w) => {
    fc.pre(!store.entries.some((e) => e.observation === key.observation && e.task === key.task))
    const s: RemembererSettings = {
      capacity: store.entries.length,
      actionsPerEntry: 2,
      eviction: 'closestPair',
      nStep: null,
      gamma: 1,
      learningRate: null,
      observationWeight: w,
      exemplars: 2,
      discouraged: 2
    }
    const after = writeStep(s, embed)({ ...key, action: 'look', reward: 0, target: 1, history: [] })(store)
    const es = store.entries
    const pairs = es.flatMap((a, i) => es.slice(i + 1).map((b, d) => [i, i + 1 + d, sim(w)(a, b)] as const))
    const top = Math.max(...pairs.map((p) => p[2]))
    const toNew = Math.max(...es.map((e) => sim(w)(e, key)))
    assert.equal(after.entries.length, es.length)
    if (pairs.length === 0 || toNew > top) {
      assert.deepEqual(after, store)
      return
    }
    const last = after.entries[after.entries.length - 1] as RemembererEntry
    assert.deepEqual([last.observation, last.task], [key.observation, key.task])
    const gone = es.findIndex((e) => !after.entries.includes(e))
    const [i, j] = pairs.find((p) => p[2] === top) as readonly [number, number, number]
    const v = (k: number): number => (es[k] as RemembererEntry).actions[0]?.visits ?? 0
    assert.equal(gone, v(j) > v(i) ? j : i)
  }
)

property(
  'at capacity under oldest the first-inserted key leaves and the new key is appended',
  [filled, keyArb],
  (store, key) => {
    fc.pre(!store.entries.some((e) => e.observation === key.observation && e.task === key.task))
    const s: RemembererSettings = {
      capacity: store.entries.length,
      actionsPerEntry: 2,
      eviction: 'oldest',
      nStep: null,
      gamma: 1,
      learningRate: null,
      observationWeight: 0.5,
      exemplars: 2,
      discouraged: 2
    }
    const after = writeStep(s, embed)({ ...key, action: 'look', reward: 0, target: 1, history: [] })(store)
    assert.deepEqual(after.entries.slice(0, -1), store.entries.slice(1))
    assert.deepEqual(after.entries.at(-1)?.observation, key.observation)
  }
)

// ---------------------------------------------------------------------------------------------
// retrieval ranking
// ---------------------------------------------------------------------------------------------

property(
  'retrieval ranks every key by w·cos(observation, state) + (1 − w)·cos(task, task): scores never increase along the ranking, equal scores keep store order, and the prompt shows the first `exemplars`',
  [
    fc.array(episode, { maxLength: 6 }),
    context,
    fc.constantFrom(0.5, 0, 1, 0.3),
    fc.integer({ min: 0, max: 4 })
  ],
  (eps, ctx, w, k) => {
    const s: RemembererSettings = {
      capacity: 50,
      actionsPerEntry: 4,
      eviction: 'oldest',
      nStep: null,
      gamma: 1,
      learningRate: null,
      observationWeight: w,
      exemplars: k,
      discouraged: 2
    }
    const store = eps.reduce((st, e) => writeEpisode(s, embed)(e)(st), emptyRemembererStore)
    const ranked = retrievalScores(w, embed)(ctx)(store)
    assert.deepEqual(
      [...ranked.map((r) => r.index)].sort((a, b) => a - b),
      store.entries.map((_, i) => i)
    )
    ranked.forEach((r) => {
      const e = store.entries[r.index] as RemembererEntry
      assert.equal(r.score, sim(w)(e, { observation: ctx.state, task: ctx.task }))
    })
    for (let i = 1; i < ranked.length; i++) {
      const [a, b] = [ranked[i - 1], ranked[i]] as [(typeof ranked)[number], (typeof ranked)[number]]
      assert.ok(a.score > b.score || (a.score === b.score && a.index < b.index))
    }
    assert.deepEqual(
      rememberer(s, embed).retrieve(ctx)(store),
      ranked.slice(0, k).map((r) => store.entries[r.index])
    )
  }
)

// ---------------------------------------------------------------------------------------------
// the exemplar text
// ---------------------------------------------------------------------------------------------

const entryArb: fc.Arbitrary<RemembererEntry> = fc
  .uniqueArray(action, { minLength: 1, maxLength: 4 })
  .chain((as) =>
    fc.tuple(
      fc.constant(as),
      fc.array(
        fc.integer({ min: -3, max: 3 }).map((x) => x * 2.5),
        { minLength: as.length, maxLength: as.length }
      ),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: as.length, maxLength: as.length })
    )
  )
  .chain(([as, qs, vs]) =>
    fc.record({
      observation,
      task,
      actions: fc.constant(
        as.map((a, i) => ({ action: a, q: qs[i] as number, meanReward: 0, visits: vs[i] as number }))
      ),
      bestHistory: fc.constant([])
    })
  )

property(
  'an exemplar encourages the highest-Q action (ties: more visits, then older) and discourages at most `discouraged` actions of lower Q, lowest first, each with its Q printed as a score',
  [entryArb, fc.integer({ min: 0, max: 4 })],
  (e, d) => {
    const top = Math.max(...e.actions.map((a) => a.q))
    const tied = e.actions.filter((a) => a.q === top)
    const most = Math.max(...tied.map((a) => a.visits))
    const enc = tied.find((a) => a.visits === most)
    assert.ok(enc !== undefined)
    const bad = e.actions
      .map((a, i) => [a, i] as const)
      .filter(([a]) => a.q < top)
      .sort(([a, i], [b, j]) => a.q - b.q || i - j)
      .slice(0, d)
      .map(([a]) => `${a.action} (Q ${scoreText(a.q)})`)
    const want = [
      `Encouraged: ${enc.action} (Q ${scoreText(enc.q)})`,
      ...(bad.length > 0 ? [`Discouraged: ${bad.join(', ')}`] : []),
      `Seen in task ${e.task} at: ${e.observation}`
    ].join('. ')
    assert.equal(exemplarText(d)(e), want)
  }
)
