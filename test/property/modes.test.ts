import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  drawIterationMode,
  drawModes,
  drawStepMode,
  modeProbabilities,
  type ModesConfig
} from '../../src/core/train/modes.ts'
import { mkRng, type Rng } from '../../src/core/rng.ts'
import { ModesConfig as ModesConfigC, officialPreset } from '../../src/spec/config.ts'
import { Mode, showsTips } from '../../src/spec/data.ts'
import { arbitraryOf } from '../support/arbitrary.ts'
import { close, property } from '../support/property.ts'

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
// Probabilities on a grid of 1/1000 over [0, 1] (edges included): fc.double over [0, 1] puts most of
// its mass on tiny subnormal-scale values, which would make p ≈ 0 nearly always and hide mistakes in
// the memory branch.
const prob = fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000)
// configurations as the codec allows them, with grid probabilities; perIteration thresholds ordered as
// the cross-field check of decodeConfig requires (withTipsBelow ≥ offPolicyBelow)
const modesCfg: fc.Arbitrary<ModesConfig> = fc.tuple(arbitraryOf(ModesConfigC), prob, prob, prob, prob).map(
  ([c, p, q, a, b]) =>
    ({
      ...c,
      memoryProb: p,
      offPolicyProb: q,
      offPolicyBelow: Math.min(a, b),
      withTipsBelow: Math.max(a, b)
    }) as ModesConfig
)
const perStep = (memoryProb: number, offPolicyProb: number): ModesConfig =>
  ({ ...officialPreset.modes, rule: 'perStep', memoryProb, offPolicyProb }) as ModesConfig
const count = fc.integer({ min: 0, max: 64 })

// n draws threaded through one rng, for either rule (perIteration: n iterations)
const sample = (cfg: ModesConfig, rng: Rng, n: number): Mode[] => {
  const draw = cfg.rule === 'perStep' ? drawStepMode(cfg) : drawIterationMode(cfg)
  const out: Mode[] = []
  let r = rng
  for (let i = 0; i < n; i++) {
    const [d, next] = draw(r)
    out.push(d)
    r = next
  }
  return out
}
const frequencies = (ds: ReadonlyArray<Mode>): Record<Mode, number> => {
  const f = { onPolicyNoMemory: 0, onPolicyWithTips: 0, offPolicy: 0 }
  for (const d of ds) f[d] += 1 / ds.length
  return f
}
// A frequency over n Bernoulli(P) draws has standard error √(P(1 − P)/n); we accept 5 standard errors
// (two-sided false-alarm rate 6e-7 per check) plus half a count for P at 0 or 1, where the error is 0.
const within = (freq: number, p: number, n: number): boolean =>
  Math.abs(freq - p) <= 5 * Math.sqrt((p * (1 - p)) / n) + 0.5 / n

property(
  'perStep with p = 0: every step is without memory and on-policy',
  [seed, fc.double({ min: 0, max: 1, noNaN: true }), count],
  (s, q, n) => {
    const [ds] = drawModes(perStep(0, q))(mkRng(s), n)
    assert.ok(ds.every((d) => d === 'onPolicyNoMemory'))
  }
)

property('perStep with p = 1, q = 0: every step is memory-augmented and on-policy', [seed, count], (s, n) => {
  const [ds] = drawModes(perStep(1, 0))(mkRng(s), n)
  assert.ok(ds.every((d) => d === 'onPolicyWithTips'))
})

property('perStep with p = 1, q = 1: every step is off-policy', [seed, count], (s, n) => {
  const [ds] = drawModes(perStep(1, 1))(mkRng(s), n)
  assert.ok(ds.every((d) => d === 'offPolicy'))
})

property(
  'draws are deterministic given the seed (same draws, same next state)',
  [modesCfg, seed, count],
  (c, s, n) => {
    const [a, ra] = drawModes(c)(mkRng(s), n)
    const [b, rb] = drawModes(c)(mkRng(s), n)
    assert.deepEqual(a, b)
    assert.deepEqual(ra, rb)
  }
)

property(
  'perIteration gives the whole batch ONE draw; perStep draws each step in turn',
  [modesCfg, seed, fc.integer({ min: 1, max: 32 })],
  (c, s, n) => {
    const [ds, next] = drawModes({ ...c, rule: 'perIteration' })(mkRng(s), n)
    const [d, nextOne] = drawIterationMode(c)(mkRng(s))
    assert.ok(ds.every((x) => x === ds[0]) && ds[0] === d)
    assert.deepEqual(next, nextOne)
    assert.deepEqual(
      drawModes({ ...c, rule: 'perStep' })(mkRng(s), n)[0],
      sample({ ...c, rule: 'perStep' }, mkRng(s), n)
    )
  }
)

property(
  'the derived probabilities of the three combinations are in [0, 1] and sum to 1',
  [modesCfg],
  (c) => {
    const p = modeProbabilities(c)
    const ps = (Object.keys(Mode.keys) as Mode[]).map((k) => p[k])
    assert.ok(ps.every((x) => x >= -1e-15 && x <= 1 + 1e-15))
    assert.ok(
      close(
        ps.reduce((a, b) => a + b, 0),
        1,
        0,
        1e-12
      )
    )
  }
)

const N = 4000
property(
  `empirical frequencies over ${N} draws match the derived probabilities (within 5 standard errors)`,
  [modesCfg, seed],
  (c, s) => {
    const f = frequencies(sample(c, mkRng(s), N))
    const p = modeProbabilities(c)
    for (const k of Object.keys(p) as Mode[])
      assert.ok(within(f[k], p[k], N), `${c.rule} ${k}: frequency ${f[k]} vs P ${p[k]}`)
  },
  { numRuns: 30 }
)

const M = 20000
property(
  `official per-iteration thresholds: P(memory) = 0.25 and P(off | memory) = 0.68, derived and over ${M} iterations`,
  [seed],
  (s) => {
    const c = officialPreset.modes
    const p = modeProbabilities(c)
    const pMem = p.offPolicy + p.onPolicyWithTips
    assert.ok(close(pMem, 0.25, 0, 1e-12) && close(p.offPolicy / pMem, 0.68, 0, 1e-12))
    const ds = sample(c, mkRng(s), M)
    const mem = ds.filter(showsTips)
    const off = mem.filter((d) => d === 'offPolicy')
    assert.ok(within(mem.length / M, 0.25, M), `P(memory) ≈ ${mem.length / M}`)
    assert.ok(
      within(off.length / mem.length, 0.68, mem.length),
      `P(off | memory) ≈ ${off.length / mem.length}`
    )
  },
  { numRuns: 5 }
)
