import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { miniBatchRows, drawTasks, episodeAdvantages, updateRows } from '../../src/core/train/train.ts'
import { applyMethod, runMethod } from '../../src/core/methods/registry.ts'
import { trajectoryReturn } from '../../src/core/advantage/returns.ts'
import { embed } from '../../src/core/memory/embedding.ts'
import type { Step } from '../../src/core/train/trajectory.ts'
import { Method, mainJobRun } from '../../src/spec/run.ts'
import { modeProbabilities } from '../../src/core/train/modes.ts'
import { removeTips, text, tipsSegment, tipsOf } from '../../src/core/agent/prompt.ts'
import { mkRng } from '../../src/core/rng.ts'
import { officialPreset, paperPreset, type Config } from '../../src/spec/config.ts'
import type { Mode } from '../../src/spec/data.ts'
import { probability } from '../../src/spec/brands.ts'
import { close, property } from '../support/property.ts'

// the boundaries 0 and 1 come often: p = 0, q = 1 and equal per-iteration thresholds are where laws break
const prob = fc.oneof(
  fc.constantFrom(0, 1),
  fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000)
)
// both presets with random mode probabilities (perIteration thresholds ordered as decodeConfig requires)
const config: fc.Arbitrary<Config> = fc
  .tuple(
    fc.constantFrom(paperPreset, officialPreset),
    fc.constantFrom('perStep', 'perIteration'),
    prob,
    prob,
    prob,
    prob
  )
  .map(
    ([c, rule, p, q, a, b]) =>
      ({
        ...c,
        modes: {
          ...c.modes,
          rule,
          memoryProb: p,
          offPolicyProb: q,
          offPolicyBelow: Math.min(a, b),
          withTipsBelow: Math.max(a, b)
        }
      }) as Config
  )

property(
  'GRPO is EMPO² with p = 0, no intrinsic reward and no low-probability mask (Eq. 1): every step is rolled out without memory, under either mode rule',
  [config],
  (c) => {
    const g = applyMethod('grpo')(c)
    const p = modeProbabilities(g.modes)
    return (
      p.onPolicyNoMemory === 1 &&
      p.onPolicyWithTips === 0 &&
      p.offPolicy === 0 &&
      g.novelty.coef === 0 &&
      !g.mask.enabled
    )
  }
)

property(
  'GRPO + novelty is GRPO with the intrinsic coefficient kept: the same modes, and the config unchanged elsewhere',
  [config],
  (c) => {
    const g = applyMethod('grpo')(c)
    const n = applyMethod('grpo-novelty')(c)
    assert.deepEqual(n, { ...g, novelty: c.novelty })
  }
)

// whether a training episode of method `m` under `c` ends with a written tip
const writesTips = (m: Method, c: Config): boolean =>
  runMethod({ ...mainJobRun(m, 'paper'), algo: c }, embed).writesTips

property(
  'a training episode writes a tip exactly when some step can read one: Reflexion always, REMEMBERER and memory-driven prior refinement never (they store steps, not tips), otherwise iff P(memory rollout) > 0',
  [config, fc.constantFrom(...(Object.keys(Method.keys) as Array<Method>))],
  (c, m) => {
    // some step can read a tip unless every step is rolled out without memory
    const readable = modeProbabilities(applyMethod(m)(c).modes).onPolicyNoMemory < 1
    const r = runMethod({ ...mainJobRun(m, 'paper'), algo: c }, embed)
    if (m === 'rememberer' || m === 'mdsi') return !r.writesTips && r.writesMemory
    return r.writesTips === (m === 'reflexion' || readable) && r.writesMemory === r.writesTips
  }
)

test('writesTips at the boundaries: Reflexion with p = 0, every memory step off-policy, equal per-iteration thresholds, GRPO', () => {
  const modes = (m: Partial<Config['modes']>): Config => ({
    ...paperPreset,
    modes: { ...paperPreset.modes, ...m }
  })
  assert.equal(writesTips('reflexion', modes({ memoryProb: probability(0) })), true)
  assert.equal(
    writesTips('empo2', modes({ memoryProb: probability(0.3), offPolicyProb: probability(1) })),
    true
  )
  const perIteration = {
    ...officialPreset,
    modes: { ...officialPreset.modes, offPolicyBelow: 0.2, withTipsBelow: 0.2 }
  } as Config
  assert.equal(writesTips('empo2', perIteration), true)
  assert.equal(writesTips('grpo', paperPreset), false)
  assert.equal(writesTips('grpo-novelty', officialPreset), false)
})

property(
  'without off-policy updates (q = 0) no step is off-policy and the memory probability is unchanged',
  [config],
  (c) => {
    const before = modeProbabilities(c.modes)
    const after = modeProbabilities(applyMethod('empo2-no-offpolicy')(c).modes)
    return after.offPolicy === 0 && close(after.onPolicyNoMemory, before.onPolicyNoMemory, 1e-12, 1e-12)
  }
)

property(
  'the ablations change exactly their own field: no-mask disables the mask, no-intrinsic zeroes the coefficient, empo2 and reflexion change nothing',
  [config],
  (c) => {
    assert.deepEqual(applyMethod('empo2-no-mask')(c), { ...c, mask: { ...c.mask, enabled: false } })
    assert.deepEqual(applyMethod('empo2-no-intrinsic')(c), { ...c, novelty: { ...c.novelty, coef: 0 } })
    assert.equal(applyMethod('empo2')(c), c)
    assert.equal(applyMethod('reflexion')(c), c)
  }
)

property(
  'a mini-batch is miniBatchSize rows, or miniBatchSize groups of groupSize rows each (verl multiplies ppo_mini_batch_size by n)',
  [config, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 16 })],
  (c, size, groupSize) => {
    const at = (miniBatchUnit: 'rows' | 'groups'): number =>
      miniBatchRows({
        optim: { ...c.optim, miniBatchSize: size, miniBatchUnit },
        rollout: { ...c.rollout, groupSize }
      } as Config)
    return at('rows') === size && at('groups') === size * groupSize
  }
)

test('the official preset takes 16 groups × 8 rollouts = 128 rows per optimiser step, the paper preset too; the main job 64 rows', () => {
  assert.equal(miniBatchRows(officialPreset), 128)
  assert.equal(miniBatchRows(paperPreset), 128)
  assert.equal(miniBatchRows(mainJobRun('empo2', 'official').algo), 64)
  assert.equal(miniBatchRows(mainJobRun('empo2', 'paper').algo), 64)
})

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
property(
  'drawTasks draws only training pairs, exactly count of them, deterministically from the seed',
  [
    fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd'), { minLength: 1 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1 }),
    fc.integer({ min: 0, max: 40 }),
    seed
  ],
  (families, variants, count, s) => {
    const cfg = { families, variants } as never
    const [ts] = drawTasks(cfg, count)(mkRng(s))
    const [again] = drawTasks(cfg, count)(mkRng(s))
    assert.deepEqual(ts, again)
    assert.equal(ts.length, count)
    for (const t of ts) assert.ok(families.includes(t.task) && variants.includes(t.variant))
  }
)

// episodes: groups of rollouts with per-step rewards and intrinsic rewards
const stepArb = fc.record({
  observation: fc.constantFrom('room a', 'room b', 'room c'),
  reward: fc.integer({ min: -5, max: 100 }),
  intrinsic: fc.constantFrom(0, 0.25, 0.5, 1)
})
const episodesArb = fc.array(
  fc.record({
    group: fc.integer({ min: 0, max: 3 }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 5 })
  }),
  { minLength: 1, maxLength: 12 }
)
const coef = fc.constantFrom(0, 0.1, 1)

property(
  'GRPO step advantages: every step of an episode shares its advantage, and each group of ≥ 2 episodes has zero-mean advantages',
  [episodesArb, coef],
  (eps, c) => {
    const adv = episodeAdvantages({ ...paperPreset.advantage, estimator: 'grpo' }, c)(eps)
    eps.forEach((e, i) => {
      const a = adv[i] as ReadonlyArray<number>
      assert.equal(a.length, e.steps.length)
      for (const x of a) assert.equal(x, a[0])
    })
    for (const g of new Set(eps.map((e) => e.group))) {
      const idx = eps.flatMap((e, i) => (e.group === g ? [i] : []))
      if (idx.length < 2) continue // a group of one uses mean 0 and σ 1 (docs/method.md §2)
      const sum = idx.reduce((s, i) => s + ((adv[i] as ReadonlyArray<number>)[0] as number), 0)
      assert.ok(Math.abs(sum) < 1e-6 * idx.length, `group ${g} sums to ${sum}`)
    }
  }
)

property(
  'the intrinsic reward enters the advantage through the return: R = Σ r + coef·Σ r_int orders the episodes of a group',
  [episodesArb, fc.constantFrom(0.1, 1)],
  (eps, c) => {
    const adv = episodeAdvantages({ ...paperPreset.advantage, estimator: 'grpo' }, c)(eps)
    eps.forEach((e, i) =>
      eps.forEach((f, j) => {
        if (e.group !== f.group) return
        const ri = trajectoryReturn(c)(e)
        const rj = trajectoryReturn(c)(f)
        const ai = (adv[i] as ReadonlyArray<number>)[0] as number
        const aj = (adv[j] as ReadonlyArray<number>)[0] as number
        if (ri > rj + 1e-9) assert.ok(ai > aj, `R ${ri} > ${rj} but A ${ai} ≤ ${aj}`)
      })
    )
  }
)

property(
  'episode advantages do not depend on the order of the episodes in the batch',
  [episodesArb, coef, seed],
  (eps, c, s) => {
    const perm = eps.map((e, i) => ({ e, i, k: (s * (i + 7)) % 101 })).sort((x, y) => x.k - y.k || x.i - y.i)
    const a = episodeAdvantages(paperPreset.advantage, c)(eps)
    const b = episodeAdvantages(paperPreset.advantage, c)(perm.map((x) => x.e))
    // equal up to the rounding of a sum taken in another order
    perm.forEach((x, k) =>
      (b[k] as ReadonlyArray<number>).forEach((v, t) =>
        assert.ok(
          close(v, (a[x.i] as ReadonlyArray<number>)[t] as number, 1e-9, 1e-9),
          `${v} vs ${a[x.i]?.join(', ')}`
        )
      )
    )
  }
)

const combination = fc.constantFrom<Mode>('onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy')
const recordArb = fc
  .tuple(combination, fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), fc.string({ maxLength: 8 }))
  .map(([c, tips, obs]): Step => ({
    observation: obs,
    prompt:
      c === 'onPolicyNoMemory' || tips.length === 0
        ? [text(`s ${obs}`), text('a:')]
        : [text(`s ${obs}`), tipsSegment(tips), text('a:')],
    tips: c === 'onPolicyNoMemory' ? [] : tips,
    mode: c,
    action: 'x',
    actionTokens: [1, 2],
    oldLogProbs: [-1, -2],
    reward: 0,
    intrinsic: 0,
    score: 0,
    candidates: []
  }))

property(
  'update rows: off-policy rows are scored without tips (the rollout prompt with its tips removed), other rows under the rollout prompt, old log-probs always the recorded ones',
  [fc.array(fc.array(recordArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 })],
  (eps) => {
    const adv = eps.map((steps) => steps.map((_, t) => t + 1))
    const rows = updateRows(
      eps.map((steps) => ({ steps })),
      adv
    )
    const steps = eps.flat()
    assert.equal(rows.length, steps.length)
    rows.forEach((r, k) => {
      const s = steps[k] as Step
      assert.deepEqual(r.rolloutPrompt, s.prompt)
      assert.deepEqual(r.oldLogProbs, s.oldLogProbs)
      if (r.mode === 'offPolicy') {
        assert.deepEqual(r.updatePrompt, removeTips(s.prompt))
        assert.equal(tipsOf(r.updatePrompt).length, 0)
      } else assert.deepEqual(r.updatePrompt, s.prompt)
    })
  }
)

property(
  'update rows keep every step in order, zero advantages included (the forward pass, not the update, may leave those out)',
  [
    fc.array(fc.array(fc.tuple(recordArb, fc.constantFrom(0, 0, 1, -1.5)), { minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 4
    })
  ],
  (eps) => {
    const episodes = eps.map((xs) => ({ steps: xs.map(([s]) => s) }))
    const adv = eps.map((xs) => xs.map(([, a]) => a))
    const kept = updateRows(episodes, adv)
    assert.deepEqual(
      kept.map((r) => r.advantage),
      adv.flat()
    )
  }
)
