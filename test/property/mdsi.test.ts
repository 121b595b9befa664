/**
 * Memory-driven prior refinement (docs/method.md §11): the Q-memory against a reference model (a Map
 * from (state, action) to its returns, with its own return-to-go, combine rule, eviction and
 * neighbour estimate) over random sequences of episode writes and Q queries; then the posterior, the
 * draw among candidates and the prior-refinement rows, each on its own.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cosine, embed } from '../../src/core/memory/embedding.ts'
import type { Episode } from '../../src/core/methods/algebra.ts'
import {
  emptyMdsiStore,
  posterior,
  qEstimates,
  refinementRows,
  stateText,
  writeEpisode,
  type MdsiSettings,
  type MdsiStore
} from '../../src/core/methods/mdsi.ts'
import { distinctCandidates, drawIndex } from '../../src/core/methods/record.ts'
import type { Step, Trajectory } from '../../src/core/train/trajectory.ts'
import { close, property, runSeed } from '../support/property.ts'

const observation = fc.constantFrom('a hall', 'a red hall', 'a kitchen', 'the garden')
const task = fc.constantFrom('collect', 'boil')
const action = fc.constantFrom('look', 'go east', 'go west', 'take key', 'open door', 'xyzzy')
const settings: fc.Arbitrary<MdsiSettings> = fc.record({
  capacity: fc.integer({ min: 1, max: 6 }),
  gamma: fc.constantFrom(1, 0.99, 0.5, 0),
  combine: fc.constantFrom('mean' as const, 'max' as const, 'overwrite' as const),
  neighbours: fc.integer({ min: 1, max: 4 }),
  minSimilarity: fc.constantFrom(0, 0.5, 0.6, 0.9),
  weighting: fc.constantFrom('similarity' as const, 'uniform' as const),
  stateWeight: fc.constantFrom(0.5, 0, 1, 0.3),
  candidates: fc.integer({ min: 1, max: 6 }),
  alpha: fc.constantFrom(10, 1, 0.5),
  updateWeight: fc.constantFrom('posterior' as const, 'centred' as const)
})
const episode: fc.Arbitrary<Episode> = fc.record({
  task,
  variant: fc.integer({ min: 0, max: 3 }),
  note: fc.constant(null),
  finalState: fc.constant(''),
  history: fc.constant(''),
  steps: fc.array(fc.record({ observation, action, reward: fc.integer({ min: -5, max: 40 }) }), {
    maxLength: 6
  }),
  score: fc.constant(0),
  success: fc.boolean()
})

// ---------------------------------------------------------------------------------------------
// the reference model: a Map from "state␀action" to its Q and visits, and the pairs in order
// ---------------------------------------------------------------------------------------------

interface Cell {
  q: number
  visits: number
}
interface Model {
  readonly s: MdsiSettings
  readonly table: Map<string, Cell>
  order: string[]
}
interface Real {
  store: MdsiStore
}

const id = (state: string, a: string): string => `${state}\u0000${a}`
const parts = (k: string): readonly [string, string] =>
  k.split('\u0000') as unknown as readonly [string, string]

const modelWrite = (m: Model, ep: Episode): void => {
  ep.steps.forEach((x, t) => {
    // the return-to-go from its definition, γ^i as a running product
    let g = 0
    let d = 1
    for (let i = t; i < ep.steps.length; i++, d *= m.s.gamma) g += d * (ep.steps[i]?.reward ?? NaN)
    const k = id(stateText(ep.task, x.observation), x.action)
    const cell = m.table.get(k)
    if (cell === undefined) {
      m.table.set(k, { q: g, visits: 1 })
      m.order.push(k)
      if (m.order.length > m.s.capacity) {
        m.table.delete(m.order[0] as string)
        m.order = m.order.slice(1)
      }
      return
    }
    cell.visits += 1
    if (m.s.combine === 'mean') cell.q += (g - cell.q) / cell.visits
    else if (m.s.combine === 'max') cell.q = Math.max(cell.q, g)
    else cell.q = g
  })
}

const modelQ = (m: Model, state: string, a: string): number => {
  const own = m.table.get(id(state, a))
  if (own !== undefined) return own.q
  const near = m.order
    .map((k, i) => {
      const [ks, ka] = parts(k)
      const sim =
        m.s.stateWeight * cosine(embed(ks), embed(state)) +
        (1 - m.s.stateWeight) * cosine(embed(ka), embed(a))
      return { i, sim, q: (m.table.get(k) as Cell).q }
    })
    .filter((n) => n.sim >= m.s.minSimilarity)
    .sort((x, y) => y.sim - x.sim || x.i - y.i)
    .slice(0, m.s.neighbours)
  if (near.length === 0) return 0
  const w = near.map((n) => (m.s.weighting === 'uniform' ? 1 : n.sim))
  const total = w.reduce((p, c) => p + c, 0)
  return total === 0
    ? near.reduce((p, n) => p + n.q, 0) / near.length
    : near.reduce((p, n, j) => p + (w[j] as number) * n.q, 0) / total
}

const writeCommand = (ep: Episode): fc.Command<Model, Real> => ({
  check: () => true,
  run: (m, r) => {
    modelWrite(m, ep)
    r.store = writeEpisode(m.s)(ep)(r.store)
    assert.deepEqual(
      r.store.pairs.map((p) => [id(p.state, p.action), p.visits]),
      m.order.map((k) => [k, (m.table.get(k) as Cell).visits])
    )
    r.store.pairs.forEach((p) =>
      assert.ok(close(p.q, (m.table.get(id(p.state, p.action)) as Cell).q, 1e-12, 1e-12), `Q of ${p.action}`)
    )
    assert.ok(r.store.pairs.length <= m.s.capacity)
  },
  toString: () => `write(${JSON.stringify(ep)})`
})

const queryCommand = (q: {
  readonly task: string
  readonly observation: string
  readonly actions: ReadonlyArray<string>
}): fc.Command<Model, Real> => ({
  check: () => true,
  run: (m, r) => {
    const state = stateText(q.task, q.observation)
    const got = qEstimates(m.s, embed)(r.store)(state, q.actions)
    q.actions.forEach((a, j) =>
      assert.ok(close(got[j] as number, modelQ(m, state, a), 1e-9, 1e-9), `Q(${state}, ${a}): ${got[j]}`)
    )
  },
  toString: () => `query(${JSON.stringify(q)})`
})

test('the Q-memory agrees with a Map of (state, action) returns over any sequence of episode writes and Q queries: pairs, order, visits, Q by each combine rule, eviction of the oldest, neighbour estimates (model-based)', (t) => {
  t.diagnostic(`fast-check seed ${runSeed}`)
  const query = fc.record({ task, observation, actions: fc.array(action, { minLength: 1, maxLength: 4 }) })
  fc.assert(
    fc.property(
      settings,
      fc.commands([episode.map(writeCommand), query.map(queryCommand)], { maxCommands: 30 }),
      (s, cmds) => {
        fc.modelRun(
          () => ({ model: { s, table: new Map(), order: [] }, real: { store: emptyMdsiStore } }),
          cmds
        )
      }
    ),
    { seed: runSeed, numRuns: 200 }
  )
})

// ---------------------------------------------------------------------------------------------
// the posterior and the draw
// ---------------------------------------------------------------------------------------------

const logProbs = fc.array(fc.double({ min: -30, max: 0, noNaN: true }), { minLength: 1, maxLength: 6 })
const withQs = logProbs.chain((lp) =>
  fc.tuple(
    fc.constant(lp),
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: lp.length, maxLength: lp.length })
  )
)
const alpha = fc.double({ min: 0.05, max: 100, noNaN: true })

property(
  'the posterior is a distribution whose odds are p_i·exp(Q_i/α) : p_j·exp(Q_j/α), unchanged by a constant added to every Q or every log-prob',
  [withQs, alpha, fc.double({ min: -50, max: 50, noNaN: true })],
  ([lp, qs], a, shift) => {
    const w = posterior(a)(lp, qs)
    assert.ok(
      close(
        w.reduce((x, y) => x + y, 0),
        1,
        1e-12,
        1e-12
      )
    )
    w.forEach((x) => assert.ok(x >= 0 && x <= 1))
    // log-odds against the most probable candidate, where the ratio is best conditioned
    const top = w.indexOf(Math.max(...w))
    w.forEach((x, j) => {
      if (x < 1e-250) return
      const want = (lp[j] as number) - (lp[top] as number) + ((qs[j] as number) - (qs[top] as number)) / a
      assert.ok(close(Math.log(x / (w[top] as number)), want, 1e-9, 1e-9), `log-odds ${j}`)
    })
    const moved = posterior(a)(
      lp.map((x) => x + shift),
      qs.map((q) => q + shift)
    )
    moved.forEach((x, j) => assert.ok(close(x, w[j] as number, 1e-9, 1e-12)))
  }
)

property(
  'with equal Q the posterior is the policy renormalised over the candidates',
  [logProbs, alpha, fc.double({ min: -100, max: 100, noNaN: true })],
  (lp, a, q) => {
    const w = posterior(a)(
      lp,
      lp.map(() => q)
    )
    const z = lp.reduce((s, x) => s + Math.exp(x), 0)
    lp.forEach((x, j) => assert.ok(close(w[j] as number, Math.exp(x) / z, 1e-9, 1e-12)))
  }
)

property(
  'drawIndex returns the index whose cumulative interval holds u, never one of weight 0',
  [
    fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 1, noNaN: true })), {
      minLength: 1,
      maxLength: 6
    }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
  ],
  (raw, u) => {
    fc.pre(raw.some((x) => x > 0))
    const sum = raw.reduce((a, b) => a + b, 0)
    const w = raw.map((x) => x / sum)
    const i = drawIndex(w, u)
    assert.ok((w[i] as number) > 0, `index ${i} has weight 0`)
    const below = w.slice(0, i).reduce((a, b) => a + b, 0)
    // u lies in [Σ_{j<i} w_j, Σ_{j≤i} w_j), or past the rounded total and i the last positive index
    assert.ok(u >= below, `u ${u} below the interval of ${i}`)
    assert.ok(u < below + (w[i] as number) || w.slice(i + 1).every((x) => x === 0))
  }
)

test('drawIndex refuses weights with no positive entry or a negative one, naming them', () => {
  assert.throws(
    () => drawIndex([], 0.5),
    /drawIndex: weights must be non-negative with one positive, got \[\]/
  )
  assert.throws(() => drawIndex([0, 0], 0.5), /got \[0, 0\]/)
  assert.throws(() => drawIndex([1, -0.5], 0.5), /got \[1, -0.5\]/)
  assert.throws(() => drawIndex([NaN, 1], 0.5), /got \[NaN, 1\]/)
})

property(
  'distinctCandidates keeps each text once, at its first index, in order',
  [fc.array(action, { maxLength: 8 })],
  (texts) => {
    const idx = distinctCandidates(texts)
    assert.deepEqual(
      idx.map((i) => texts[i]),
      [...new Set(texts)]
    )
    idx.forEach((i) => assert.equal(texts.indexOf(texts[i] as (typeof texts)[number]), i))
  }
)

// ---------------------------------------------------------------------------------------------
// the prior-refinement rows
// ---------------------------------------------------------------------------------------------

const stepArb: fc.Arbitrary<Step> = fc
  .array(fc.double({ min: 0.01, max: 1, noNaN: true }), { maxLength: 4 })
  .map((raw) => {
    const sum = raw.reduce((a, b) => a + b, 0)
    return {
      observation: 'o',
      prompt: [],
      tips: [],
      mode: 'onPolicyWithTips' as const,
      action: 'a',
      actionTokens: [1],
      oldLogProbs: [-1],
      reward: 0,
      intrinsic: 0,
      score: 0,
      candidates: raw.map((x, j) => ({
        action: `c${j}`,
        actionTokens: [j + 2, j + 3],
        oldLogProbs: [-x, -1],
        weight: x / sum
      }))
    }
  })
const trajectories: fc.Arbitrary<ReadonlyArray<Trajectory>> = fc.array(
  fc.array(stepArb, { maxLength: 4 }).map((steps) => ({
    task: 't',
    variant: 0,
    group: 0,
    steps,
    finalObservation: '',
    score: 0,
    tip: null,
    error: null
  })),
  { maxLength: 3 }
)

property(
  'prior refinement updates one row per candidate, with its tokens and old log-probs under the prompt it was sampled with; per step the advantages sum to 1 (posterior) or 0 (centred)',
  [trajectories],
  (eps) => {
    const steps = eps.flatMap((e) => e.steps)
    const cands = steps.flatMap((s) => s.candidates)
    for (const rule of ['posterior', 'centred'] as const) {
      const rows = refinementRows(rule)(eps)
      assert.equal(rows.length, cands.length)
      rows.forEach((r, k) => {
        assert.deepEqual(r.actionTokens, cands[k]?.actionTokens)
        assert.deepEqual(r.oldLogProbs, cands[k]?.oldLogProbs)
        assert.deepEqual(r.updatePrompt, r.rolloutPrompt)
      })
      let at = 0
      for (const s of steps) {
        const sum = rows.slice(at, at + s.candidates.length).reduce((a, r) => a + r.advantage, 0)
        if (s.candidates.length > 0) assert.ok(close(sum, rule === 'posterior' ? 1 : 0, 1e-12, 1e-12))
        at += s.candidates.length
      }
    }
  }
)
