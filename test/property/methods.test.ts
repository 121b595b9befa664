import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { paperPreset, officialPreset } from '../../src/spec/config.ts'
import { embed } from '../../src/core/memory/embedding.ts'
import { partitionOf, retrieve } from '../../src/core/memory/memory.ts'
import {
  empo2,
  grpo,
  matchUpdate,
  nStepTargets,
  qUpdate,
  reflexion,
  updatesParameters,
  type Episode
} from '../../src/core/methods/algebra.ts'
import { close, property } from '../support/property.ts'

// Targets, Q-values: bounded to ±1e3 so sums of a few dozen stay exact to ~1e-10 relative.
const real = fc.double({ min: -1e3, max: 1e3, noNaN: true })

// ---------------------------------------------------------------------------------------------
// REMEMBERER
// ---------------------------------------------------------------------------------------------

property(
  'REMEMBERER 1/N update: with a constant target, |Q − target| shrinks as N₀/(N₀ + k) and Q converges to it',
  [real, fc.nat(20), real, fc.integer({ min: 1, max: 200 })],
  (q0, n0, target, k) => {
    let cell = { q: q0, visits: n0 }
    let prevErr = Math.abs(q0 - target)
    for (let i = 0; i < k; i++) {
      cell = qUpdate(null)(target)(cell)
      const err = Math.abs(cell.q - target)
      assert.ok(err <= prevErr + 1e-9)
      prevErr = err
    }
    assert.equal(cell.visits, n0 + k)
    // tolerance: k sequential updates, each with rounding ≤ 2⁻⁵² relative to magnitudes ≤ 1e3
    assert.ok(close(Math.abs(cell.q - target), (Math.abs(q0 - target) * n0) / (n0 + k), 1e-9, 1e-9))
  }
)

property(
  'REMEMBERER constant-rate update: with a constant target, |Q − target| = (1 − α)^k |Q₀ − target|',
  [real, real, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.integer({ min: 1, max: 50 })],
  (q0, target, alpha, k) => {
    let cell = { q: q0, visits: 0 }
    for (let i = 0; i < k; i++) cell = qUpdate(alpha)(target)(cell)
    assert.ok(close(Math.abs(cell.q - target), Math.abs(q0 - target) * (1 - alpha) ** k, 1e-9, 1e-9))
  }
)

property(
  'REMEMBERER: from an unvisited cell, N updates by the 1/N rule give the running mean of the targets',
  [fc.array(real, { minLength: 1, maxLength: 40 })],
  (targets) => {
    const cell = targets.reduce((c, g) => qUpdate(null)(g)(c), { q: 0, visits: 0 })
    const mean = targets.reduce((a, b) => a + b, 0) / targets.length
    assert.equal(cell.visits, targets.length)
    assert.ok(close(cell.q, mean, 1e-9, 1e-9), `${cell.q} vs ${mean}`)
  }
)

property(
  'REMEMBERER targets: Monte-Carlo is the discounted return-to-go, n ≥ T equals it, n = 1 is r_t + γ·maxQ_{t+1}, and G⁽ⁿ⁾_t = r_t + γ G⁽ⁿ⁻¹⁾_{t+1}',
  [
    fc
      .integer({ min: 0, max: 10 })
      .chain((T) =>
        fc.tuple(
          fc.array(real, { minLength: T, maxLength: T }),
          fc.array(real, { minLength: T, maxLength: T }),
          fc.double({ min: 0, max: 1, noNaN: true })
        )
      )
  ],
  ([rewards, maxQ, gamma]) => {
    const T = rewards.length
    const mc = nStepTargets({ gamma, n: null })(rewards, maxQ)
    // G_t = r_t + γ G_{t+1}, G_T = 0
    let g = 0
    for (let t = T - 1; t >= 0; t--) {
      g = (rewards[t] as number) + gamma * g
      assert.ok(close(mc[t] as number, g, 1e-9, 1e-9))
    }
    assert.deepEqual(nStepTargets({ gamma, n: T + 1 })(rewards, maxQ), mc)
    // every n ≥ 2 unrolls one step into n − 1: G⁽ⁿ⁾_t = r_t + γ G⁽ⁿ⁻¹⁾_{t+1} (just r_t at the last step)
    for (let n = 2; n <= T; n++) {
      const gn = nStepTargets({ gamma, n })(rewards, maxQ)
      const gm = nStepTargets({ gamma, n: n - 1 })(rewards, maxQ)
      gn.forEach((x, t) =>
        assert.ok(
          close(x, (rewards[t] as number) + (t + 1 < T ? gamma * (gm[t + 1] as number) : 0), 1e-9, 1e-9)
        )
      )
    }
    const one = nStepTargets({ gamma, n: 1 })(rewards, maxQ)
    one.forEach((x, t) =>
      assert.ok(
        close(x, (rewards[t] as number) + (t + 1 < T ? gamma * (maxQ[t + 1] as number) : 0), 1e-12, 1e-12)
      )
    )
  }
)

// ---------------------------------------------------------------------------------------------
// Reflexion
// ---------------------------------------------------------------------------------------------

// task names include keys of Object.prototype: a store is a record, and must not read inherited keys
const reflexionTask = fc.constantFrom('t1', 't2', 'constructor', '__proto__')
const episode: fc.Arbitrary<Episode> = fc.record({
  task: reflexionTask,
  variant: fc.nat(2),
  note: fc.option(fc.stringMatching(/^[a-z]{1,6}$/), { nil: null }),
  finalState: fc.constant(''),
  history: fc.constant(''),
  steps: fc.constant([]),
  score: fc.constant(0),
  success: fc.boolean()
})

property<[Episode[], string, number]>(
  'Reflexion: the prompt shows the last w reflections of the task’s failed episodes (w = 3 in the paper), most recent last',
  [fc.array(episode, { maxLength: 24 }), reflexionTask, fc.constantFrom(3, 0, 1, 2, 5)],
  (eps, task, w) => {
    const m = reflexion(w)
    const store = eps.reduce((s, ep) => m.write(ep)(s), m.empty)
    const failures = eps.filter((e) => e.task === task && !e.success && e.note !== null).map((e) => e.note)
    const shown = m.retrieve({ task })(store)
    assert.deepEqual(shown, w === 0 ? [] : failures.slice(-w))
    const text = m.render(shown)
    if (shown.length === 0) assert.equal(text, '')
    else {
      const lines = text.split('\n')
      assert.equal(lines[0], 'Your memory for the task below:')
      assert.deepEqual(
        lines.slice(1),
        shown.map((r, i) => `Trial ${i + 1}: ${r}`)
      )
    }
    assert.equal(updatesParameters(m.update), false)
  },
  {
    regressions: [
      [
        'a task named like an Object.prototype key (found by review: the write spread Object.prototype.constructor)',
        [
          [
            {
              task: 'constructor',
              variant: 0,
              note: 'x',
              finalState: '',
              history: '',
              steps: [],
              score: 0,
              success: false
            }
          ],
          'constructor',
          3
        ]
      ]
    ]
  }
)

// ---------------------------------------------------------------------------------------------
// EMPO² and GRPO as values of the algebra
// ---------------------------------------------------------------------------------------------

const empoEpisode: fc.Arbitrary<Episode> = fc.record({
  task: fc.constantFrom('t1', 't2'),
  variant: fc.nat(2),
  note: fc.option(fc.constantFrom('look in the hall', 'open the door', 'use the stove'), { nil: null }),
  finalState: fc.constantFrom('kitchen', 'hall', 'bedroom with a red bulb'),
  history: fc.constantFrom('kitchen > hall', 'hall > kitchen', 'bedroom'),
  steps: fc.array(
    fc.record({
      observation: fc.constantFrom('kitchen', 'hall'),
      action: fc.constantFrom('go north', 'open door'),
      reward: fc.constant(0)
    }),
    { maxLength: 3 }
  ),
  score: fc.integer({ min: 0, max: 100 }),
  success: fc.boolean()
})

property(
  'EMPO² (paper and official) as a memory method: writing stores an episode’s tip in its partition (nothing without a tip), retrieval is memory.retrieve of the embedded state (paper) or history (official) in the context’s partition, at most maxTips, the render shows the bare tip (paper) or the tip, action and score (official), and the update is a policy gradient',
  [
    fc.constantFrom(paperPreset.memory, officialPreset.memory),
    fc.array(empoEpisode, { maxLength: 15 }),
    fc.constantFrom('t1', 't2'),
    fc.nat(2),
    fc.constantFrom('kitchen', 'hall'),
    fc.constantFrom('kitchen > hall', 'hall > kitchen', 'bedroom')
  ],
  (cfg, eps, task, variant, s, h) => {
    const m = empo2(cfg, embed)
    // the write rule as observed: an episode without a tip (or, written per step, without a step)
    // writes nothing; otherwise its tip is in its own partition afterwards (a duplicate is skipped,
    // but its twin is there)
    let store = m.empty
    for (const ep of eps) {
      const next = m.write(ep)(store)
      if (ep.note === null || (cfg.write === 'perStep' && ep.steps.length === 0))
        assert.deepEqual(next, store)
      else {
        const part = partitionOf(cfg.scope, ep.task, ep.variant)
        assert.ok(
          next.entries.some((e) => e.partition === part && e.tip === ep.note),
          `tip ${JSON.stringify(ep.note)} not stored in ${part}`
        )
      }
      store = next
    }
    const ctx = { task, variant, state: s, history: h }
    const got = m.retrieve(ctx)(store)
    assert.ok(got.length <= cfg.maxTips)
    const query = embed(cfg.embed === 'state' ? s : h)
    assert.deepEqual(got, retrieve(cfg)(query, partitionOf(cfg.scope, task, variant))(store))
    assert.ok(got.every((e) => e.partition === partitionOf(cfg.scope, task, variant)))
    // the render shows each entry as memory.entryText says: the bare tip (paper), or the tip with
    // the action taken and the final score (official)
    assert.equal(
      m.render(got),
      got.length === 0
        ? ''
        : [
            'Tips from your previous attempts:',
            ...got.map((e) =>
              cfg.entryText === 'tip'
                ? `- ${e.tip}`
                : `- ${e.tip}; At that timestep, the specific action your took was ${String(e.action)}; Eventually you got the score ${e.score}.0/100.`
            )
          ].join('\n')
    )
    assert.equal(
      matchUpdate({ None: () => false, PolicyGradient: (d) => d, WeightedLikelihood: () => false })(m.update),
      true
    )
  },
  { numRuns: 50 }
)

test('GRPO has no memory: writing changes nothing, nothing is retrieved or rendered', () => {
  const ep: Episode = {
    task: 't',
    variant: 0,
    note: 'tip',
    finalState: 's',
    history: 'h',
    steps: [{ observation: 's', action: 'a', reward: 0 }],
    score: 1,
    success: false
  }
  assert.equal(grpo.write(ep)(grpo.empty), null)
  assert.deepEqual(grpo.retrieve({})(grpo.empty), [])
  assert.equal(grpo.render([]), '')
  assert.equal(grpo.update._tag, 'PolicyGradient')
})

property(
  'bad method parameters are rejected with an error naming them: γ outside [0, 1], n < 1, a learning rate outside (0, 1], a negative window',
  [
    fc.oneof(
      fc.double({ min: 1.001, max: 5, noNaN: true }),
      fc.double({ min: -5, max: -0.001, noNaN: true }),
      fc.constant(NaN)
    ),
    fc.oneof(fc.integer({ min: -3, max: 0 }), fc.constant(1.5)),
    fc.oneof(fc.double({ min: 1.001, max: 5, noNaN: true }), fc.double({ min: -5, max: 0, noNaN: true })),
    fc.oneof(fc.integer({ min: -5, max: -1 }), fc.constant(0.5))
  ],
  (gamma, n, lr, window) => {
    assert.throws(
      () => nStepTargets({ gamma, n: null })([1], [0]),
      /nStepTargets: gamma must lie in \[0, 1\]/
    )
    assert.throws(
      () => nStepTargets({ gamma: 1, n })([1], [0]),
      /nStepTargets: n must be an integer ≥ 1 or null/
    )
    assert.throws(
      () => nStepTargets({ gamma: 1, n: null })([1, 2], [0]),
      /rewards \[2\] and maxQ \[1\] differ/
    )
    assert.throws(() => qUpdate(lr)(1)({ q: 0, visits: 0 }), /qUpdate: learningRate must lie in \(0, 1\]/)
    assert.throws(() => reflexion(window), /reflexion: window must be an integer ≥ 0/)
  },
  { numRuns: 30 }
)
