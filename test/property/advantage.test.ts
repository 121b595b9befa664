import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  gigpoAdvantages,
  gigpoEpisodeAdvantages,
  gigpoStepAdvantages,
  groupAdvantages,
  grpoAdvantages,
  grpoAdvantagesById,
  stepAdvantages,
  type GigpoStep
} from '../../src/core/advantage/advantage.ts'
import { discountedReturns } from '../../src/core/advantage/returns.ts'
import { paperPreset } from '../../src/spec/config.ts'
import { close, property } from '../support/property.ts'

// Returns are multiples of 1/8 in [-1000, 1000]: exact binary fractions spanning the score range of
// the environments (ScienceWorld scores are in [0, 100]; a wider range stresses rounding). Two
// distinct returns differ by ≥ 1/8, so a group of N ≤ 16 that is not constant has
// σ ≥ (1/8)·√(1/(N(N−1))) > 0.0078: the float64 rounding error of A (≈ 1e-16 · 1000 / σ) stays
// below 1e-10 and the tolerances below hold with margin.
const ret = fc.integer({ min: -8000, max: 8000 }).map((k) => k / 8)
const EPS = 1e-6 // the reference code's ε
const eps = fc.constantFrom(0, EPS)
// a group of 2..16 returns that are NOT all equal: the last one is the first shifted by a non-zero step
const spreadGroup = fc
  .tuple(fc.array(ret, { minLength: 1, maxLength: 15 }), fc.integer({ min: 1, max: 800 }), fc.boolean())
  .map(([xs, k, neg]) => [...xs, (xs[0] as number) + ((neg ? -1 : 1) * k) / 8])
const anyGroup = fc.array(ret, { minLength: 0, maxLength: 16 })

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length
const unbiasedStd = (xs: ReadonlyArray<number>): number => {
  const m = mean(xs)
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))
}

// ---------------------------------------------------------------------------------------------------
// GRPO
// ---------------------------------------------------------------------------------------------------

property(
  'advantages have zero mean in each group and unbiased σ equal to σ/(σ + ε) (so |σ_A − 1| ≤ ε/σ)',
  [spreadGroup, eps],
  (R, e) => {
    const A = groupAdvantages({ normalizeByStd: true, stdEpsilon: e })(R)
    const s = unbiasedStd(R)
    // rounding ≤ 1e-10 (see the generator); 1e-9 leaves a margin
    assert.ok(Math.abs(mean(A)) <= 1e-9, `mean ${mean(A)}`)
    assert.ok(close(unbiasedStd(A), s / (s + e), 1e-9, 1e-9), `σ_A ${unbiasedStd(A)} vs ${s / (s + e)}`)
    // the ε effect: σ/(σ + ε) ∈ [1 − ε/σ, 1]
    assert.ok(Math.abs(unbiasedStd(A) - 1) <= e / s + 1e-9)
  }
)

property(
  'advantages are invariant under a positive affine map of the returns R → aR + b, a > 0 (ε = 0)',
  [
    spreadGroup,
    fc.double({ min: 0.01, max: 100, noNaN: true }),
    fc.double({ min: -100, max: 100, noNaN: true })
  ],
  (R, a, b) => {
    // with ε = 0, A(aR + b) = A(R) exactly in real arithmetic; in float64 the error of aR + b relative to
    // aσ is ≤ 2^-52 · (100·1000 + 100) / (0.01 · 0.0078) ≈ 3e-7 in the worst corner, so atol 1e-6
    const cfg = { normalizeByStd: true, stdEpsilon: 0 }
    const A = groupAdvantages(cfg)(R)
    const B = groupAdvantages(cfg)(R.map((x) => a * x + b))
    A.forEach((x, i) => assert.ok(close(x, B[i] as number, 1e-6, 1e-6), `${i}: ${x} vs ${B[i]}`))
  }
)

property(
  'advantages are zero when all returns are equal (N ≥ 2, any ε including 0, with or without σ)',
  [fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 16 }), eps, fc.boolean()],
  (r, n, e, byStd) => {
    const A = groupAdvantages({ normalizeByStd: byStd, stdEpsilon: e })(Array.from({ length: n }, () => r))
    assert.ok(
      A.every((x) => x === 0),
      A.join(', ')
    )
  },
  { regressions: [['0.1 thrice: a naive mean is not exact', [0.1, 3, 1e-6, true]]] }
)

property(
  'a group of one uses mean 0 and σ 1: A = R / (1 + ε), or A = R without σ (verl’s convention)',
  [fc.double({ min: -1e6, max: 1e6, noNaN: true }), eps],
  (r, e) => {
    assert.deepEqual(groupAdvantages({ normalizeByStd: true, stdEpsilon: e })([r]), [r / (1 + e)])
    assert.deepEqual(groupAdvantages({ normalizeByStd: false, stdEpsilon: e })([r]), [r])
  }
)

property(
  'Dr. GRPO (normalizeByStd: false): A = R − mean, and the advantages sum to zero',
  [spreadGroup, eps],
  (R, e) => {
    const A = groupAdvantages({ normalizeByStd: false, stdEpsilon: e })(R)
    const m = mean(R)
    // |R| ≤ 1000 and N ≤ 16: rounding of the mean ≤ 16 · 1000 · 2^-52 ≈ 4e-12
    A.forEach((x, i) => assert.ok(close(x, (R[i] as number) - m, 0, 1e-9)))
    assert.ok(Math.abs(A.reduce((a, b) => a + b, 0)) <= 1e-9)
  }
)

property(
  'grouped and by-id layouts agree: grpoAdvantagesById on a shuffled flat batch equals grpoAdvantages per group',
  [fc.array(anyGroup, { maxLength: 6 }), fc.boolean(), fc.integer()],
  (groups, byStd, seed) => {
    const cfg = { normalizeByStd: byStd, stdEpsilon: EPS }
    const expected = grpoAdvantages(cfg)(groups)
    const flat = groups.flatMap((g, gi) => g.map((r, i) => ({ r, gi, i })))
    // a deterministic shuffle from the seed
    const shuffled = flat
      .map((x, k) => ({ x, key: Math.imul(k + 1, seed | 1) ^ (seed >>> 3) }))
      .sort((p, q) => p.key - q.key)
      .map((p) => p.x)
    const A = grpoAdvantagesById(cfg)(
      shuffled.map((x) => x.r),
      shuffled.map((x) => `task-${x.gi}`)
    )
    // a shuffle changes the summation order inside a group, hence the last bits (rounding ≤ 1e-10, see
    // the returns generator): compare with a tolerance
    shuffled.forEach((x, k) =>
      assert.ok(close(A[k] as number, (expected[x.gi] as number[])[x.i] as number, 1e-9, 1e-9))
    )
  }
)

// ---------------------------------------------------------------------------------------------------
// GiGPO
// ---------------------------------------------------------------------------------------------------

// anchors from a 3-letter alphabet, so clusters of one and of many both occur often; rewards are
// multiples of 1/8 in [-10, 10]; a group has 1..6 rollouts of 1..8 steps
const step: fc.Arbitrary<GigpoStep> = fc.record({
  anchor: fc.constantFrom('a', 'b', 'c'),
  reward: fc.integer({ min: -80, max: 80 }).map((k) => k / 8)
})
const gigpoGroup = fc.array(fc.array(step, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 })
const gigpoCfg = fc.record({
  normalizeByStd: fc.boolean(),
  stdEpsilon: eps,
  gamma: fc.constantFrom(0, 0.5, 0.95, 1),
  stepWeight: fc.constantFrom(0, 0.5, 1, 2),
  stepNormalizeByStd: fc.boolean()
})

const clustersOf = (group: ReadonlyArray<ReadonlyArray<GigpoStep>>): Map<string, Array<[number, number]>> => {
  const m = new Map<string, Array<[number, number]>>()
  group.forEach((ep, i) => ep.forEach((s, t) => m.set(s.anchor, [...(m.get(s.anchor) ?? []), [i, t]])))
  return m
}

property(
  'GiGPO step-level advantages sum to zero within each anchor cluster',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const S = gigpoStepAdvantages(cfg)(group)
    for (const [anchor, members] of clustersOf(group)) {
      const sum = members.reduce((a, [i, t]) => a + ((S[i] as number[])[t] as number), 0)
      // |G_t| ≤ 8 · 10 = 80, ≤ 48 members: rounding ≤ 48 · 80 · 2^-52 / (σ + ε) with σ ≥ 1e-3: < 1e-9
      assert.ok(Math.abs(sum) <= 1e-9, `cluster ${anchor}: sum ${sum}`)
    }
  }
)

property(
  'GiGPO step-level advantage is G_t minus its cluster’s mean of returns-to-go (mean-only normalisation)',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const c = { ...cfg, stepNormalizeByStd: false }
    const S = gigpoStepAdvantages(c)(group)
    const G = group.map((ep) => discountedReturns(c.gamma)(ep.map((s) => s.reward)))
    for (const members of clustersOf(group).values()) {
      const xs = members.map(([i, t]) => (G[i] as number[])[t] as number)
      members.forEach(([i, t], k) =>
        assert.ok(close((S[i] as number[])[t] as number, (xs[k] as number) - mean(xs), 0, 1e-9))
      )
    }
  }
)

property('GiGPO: a cluster of one step has step advantage 0', [gigpoGroup, gigpoCfg], (group, cfg) => {
  const S = gigpoStepAdvantages(cfg)(group)
  for (const members of clustersOf(group).values())
    if (members.length === 1) {
      const [i, t] = members[0] as [number, number]
      assert.equal((S[i] as number[])[t], 0)
    }
})

property(
  'GiGPO with ω = 0 gives every step its rollout’s episode-level GRPO advantage (R = Σ r_t, undiscounted)',
  [fc.array(gigpoGroup, { minLength: 1, maxLength: 3 }), gigpoCfg],
  (groups, cfg) => {
    const A = gigpoAdvantages({ ...cfg, stepWeight: 0 })(groups)
    groups.forEach((group, g) => {
      const episode = groupAdvantages(cfg)(group.map((ep) => ep.reduce((a, s) => a + s.reward, 0)))
      group.forEach((ep, i) =>
        ep.forEach((_, t) => assert.equal(((A[g] as number[][])[i] as number[])[t], episode[i]))
      )
    })
  }
)

property('GiGPO advantage = episode-level + ω · step-level', [gigpoGroup, gigpoCfg], (group, cfg) => {
  const [A] = gigpoAdvantages(cfg)([group]) as [ReadonlyArray<ReadonlyArray<number>>]
  const S = gigpoStepAdvantages(cfg)(group)
  const E = groupAdvantages(cfg)(group.map((ep) => ep.reduce((a, s) => a + s.reward, 0)))
  A.forEach((row, i) =>
    row.forEach((a, t) =>
      assert.ok(close(a, (E[i] as number) + cfg.stepWeight * ((S[i] as number[])[t] as number), 1e-12, 1e-12))
    )
  )
})

// ---------------------------------------------------------------------------------------------------
// GiGPO's episode level: advantage.gigpoEpisodeStats
// ---------------------------------------------------------------------------------------------------

const returnsOf = (group: ReadonlyArray<ReadonlyArray<GigpoStep>>): number[] =>
  group.map((ep) => ep.reduce((a, s) => a + s.reward, 0))

property(
  'GiGPO episode level, perTrajectory (and when absent): GRPO over one return per trajectory',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const expected = groupAdvantages(cfg)(returnsOf(group))
    assert.deepEqual(gigpoEpisodeAdvantages(cfg)(group), expected)
    assert.deepEqual(gigpoEpisodeAdvantages({ ...cfg, gigpoEpisodeStats: 'perTrajectory' })(group), expected)
  }
)

property(
  'GiGPO episode level, allStepRows: mean and unbiased σ over every step row, each trajectory weighted by its length (verl-agent’s default)',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const A = gigpoEpisodeAdvantages({ ...cfg, gigpoEpisodeStats: 'allStepRows' })(group)
    const R = returnsOf(group)
    const T = group.map((ep) => ep.length)
    const rows = T.reduce((a, b) => a + b, 0)
    // the weighted formulas, written independently of the code's row expansion
    const m = rows === 1 ? 0 : R.reduce((a, r, i) => a + (T[i] as number) * r, 0) / rows
    const v = R.reduce((a, r, i) => a + (T[i] as number) * (r - m) ** 2, 0) / (rows - 1)
    const sd = rows === 1 ? 1 : Math.sqrt(v)
    R.forEach((r, i) => {
      const expected = cfg.normalizeByStd ? (r - m) / (sd + cfg.stdEpsilon) : r - m
      // an all-equal group gives exactly 0 in the code (σ + ε may be 0); the formula may round
      if (sd + cfg.stdEpsilon === 0 || (rows > 1 && R.every((x) => x === R[0]))) assert.equal(A[i], 0)
      else assert.ok(close(A[i] as number, expected, 1e-9, 1e-9), `${A[i]} vs ${expected}`)
    })
    // the step rows' advantages sum to zero: Σ_i T_i A_i = 0 (rows ≥ 2)
    if (rows >= 2)
      assert.ok(Math.abs(A.reduce((a, x, i) => a + (T[i] as number) * x, 0)) <= 1e-9 * (1 + rows * 10))
  }
)

property(
  'GiGPO episode level: with equal trajectory lengths and no σ the two settings agree; with σ, allStepRows divides by σ·√(T(N−1)/(NT−1))',
  [
    fc.integer({ min: 2, max: 6 }),
    fc.integer({ min: 1, max: 8 }),
    fc.array(step, { minLength: 48, maxLength: 48 }),
    gigpoCfg
  ],
  (N, T, steps, cfg) => {
    const group = Array.from({ length: N }, (_, i) => steps.slice(i * T, (i + 1) * T))
    const per = { ...cfg, stdEpsilon: 0, gigpoEpisodeStats: 'perTrajectory' as const }
    const all = { ...per, gigpoEpisodeStats: 'allStepRows' as const }
    const noStd = { normalizeByStd: false }
    gigpoEpisodeAdvantages({ ...all, ...noStd })(group).forEach((a, i) =>
      assert.ok(close(a, gigpoEpisodeAdvantages({ ...per, ...noStd })(group)[i] as number, 1e-9, 1e-9))
    )
    const R = returnsOf(group)
    fc.pre(!R.every((r) => r === R[0]))
    const a = gigpoEpisodeAdvantages({ ...all, normalizeByStd: true })(group)
    const p = gigpoEpisodeAdvantages({ ...per, normalizeByStd: true })(group)
    const k = Math.sqrt((T * (N - 1)) / (N * T - 1))
    a.forEach((x, i) => assert.ok(close(x * k, p[i] as number, 1e-9, 1e-9), `${x * k} vs ${p[i]}`))
  }
)

test('GiGPO episode level: the settings differ on unequal lengths, and a lone trajectory gets R/(1 + ε) per trajectory but 0 over its rows (verl-agent)', () => {
  const cfg = { normalizeByStd: false, stdEpsilon: 1e-6, gamma: 1, stepWeight: 1, stepNormalizeByStd: false }
  const s = (reward: number): GigpoStep => ({ anchor: 'a', reward })
  // returns [3, 0]; rows [3, 3, 3, 0]: mean 9/4
  const group = [[s(0), s(0), s(3)], [s(0)]]
  assert.deepEqual(gigpoEpisodeAdvantages(cfg)(group), [1.5, -1.5])
  assert.deepEqual(gigpoEpisodeAdvantages({ ...cfg, gigpoEpisodeStats: 'allStepRows' })(group), [0.75, -2.25])
  const withStd = { ...cfg, normalizeByStd: true }
  assert.deepEqual(
    gigpoEpisodeAdvantages({ ...withStd, gigpoEpisodeStats: 'perTrajectory' })([[s(2), s(3)]]),
    [5 / (1 + 1e-6)]
  )
  assert.deepEqual(
    gigpoEpisodeAdvantages({ ...withStd, gigpoEpisodeStats: 'allStepRows' })([[s(2), s(3)]]),
    [0]
  )
  assert.deepEqual(gigpoEpisodeAdvantages({ ...withStd, gigpoEpisodeStats: 'allStepRows' })([[s(5)]]), [
    5 / (1 + 1e-6)
  ])
  // a trajectory without steps has no row: 0, and it does not count in the others' statistics
  assert.deepEqual(
    gigpoEpisodeAdvantages({ ...cfg, gigpoEpisodeStats: 'allStepRows' })([[s(4)], [], [s(2)]]),
    [1, 0, -1]
  )
})

property(
  'GiGPO advantage with allStepRows = its episode level + ω · step level, and stepAdvantages passes the setting through',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const c = { ...cfg, gigpoEpisodeStats: 'allStepRows' as const }
    const [A] = gigpoAdvantages(c)([group]) as [ReadonlyArray<ReadonlyArray<number>>]
    const S = gigpoStepAdvantages(c)(group)
    const E = gigpoEpisodeAdvantages(c)(group)
    A.forEach((row, i) =>
      row.forEach((a, t) =>
        assert.ok(close(a, (E[i] as number) + c.stepWeight * ((S[i] as number[])[t] as number), 1e-12, 1e-12))
      )
    )
    assert.deepEqual(stepAdvantages({ ...paperPreset.advantage, ...c, estimator: 'gigpo' })([group]), [A])
  }
)

property(
  'stepAdvantages dispatches on the estimator: grpo broadcasts the episode advantage, gigpo adds the step term',
  [gigpoGroup, gigpoCfg],
  (group, cfg) => {
    const full = { ...paperPreset.advantage, ...cfg }
    assert.deepEqual(stepAdvantages({ ...full, estimator: 'gigpo' })([group]), gigpoAdvantages(full)([group]))
    assert.deepEqual(
      stepAdvantages({ ...full, estimator: 'grpo' })([group]),
      gigpoAdvantages({ ...full, stepWeight: 0 })([group])
    )
  }
)
