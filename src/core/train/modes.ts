/**
 * The mode draws of docs/method.md §4 from an explicit seeded `Rng`: `perStep` (the paper: each step
 * draws two uniforms, memory iff `u₁ < p`, then off-policy iff `u₂ < q`) and `perIteration` (the
 * authors' code, §7: one uniform per iteration against two thresholds). {@link modeProbabilities} is
 * the one place the probability of each mode is derived.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { ModesConfig as ModesConfigC } from '../../spec/config.ts'
import type { Mode } from '../../spec/data.ts'
import { nextFloat, nextFloats, type Rng } from '../rng.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The modes sub-configuration (`config.modes`), as decoded by its codec.
 *
 * @since 0.1.0
 * @category model
 */
export type ModesConfig = t.TypeOf<typeof ModesConfigC>

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The probability of each of the three combinations of docs/method.md §4 under a {@link ModesConfig} — the one
 * place these are derived:
 * - `perStep`: `P(noMemory) = 1 − p`, `P(onPolicyWithTips) = p(1 − q)`, `P(offPolicy) = p·q`;
 * - `perIteration`: `P(offPolicy) = offPolicyBelow`, `P(onPolicyWithTips) = max(0, withTipsBelow −
 *   offPolicyBelow)`, `P(noMemory) = 1 − max(offPolicyBelow, withTipsBelow)`.
 * With the official thresholds (0.17, 0.25): `P(memory) = 0.25`, `P(off | memory) = 0.68`.
 *
 * @example
 * import { modeProbabilities } from './modes.ts'
 * import { officialPreset } from '../../spec/config.ts'
 * const p = modeProbabilities(officialPreset.modes)
 * assert.ok(Math.abs(p.offPolicy - 0.17) < 1e-12 && Math.abs(p.onPolicyWithTips - 0.08) < 1e-12)
 * assert.ok(Math.abs(p.onPolicyNoMemory - 0.75) < 1e-12)
 * const q = modeProbabilities({ ...officialPreset.modes, rule: 'perStep', memoryProb: 0.5, offPolicyProb: 0.5 })
 * assert.deepEqual(q, { onPolicyNoMemory: 0.5, onPolicyWithTips: 0.25, offPolicy: 0.25 })
 *
 * @since 0.1.0
 * @category destructors
 */
export const modeProbabilities = (cfg: ModesConfig): Readonly<Record<Mode, number>> => {
  if (cfg.rule === 'perStep') {
    const p = cfg.memoryProb
    const q = cfg.offPolicyProb
    return { onPolicyNoMemory: 1 - p, onPolicyWithTips: p * (1 - q), offPolicy: p * q }
  }
  const off = cfg.offPolicyBelow
  const mem = Math.max(cfg.offPolicyBelow, cfg.withTipsBelow)
  return { onPolicyNoMemory: 1 - mem, onPolicyWithTips: mem - off, offPolicy: off }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * One `perStep` draw (paper, docs/method.md §4): memory with probability `memoryProb`; a memory step is
 * off-policy with probability `offPolicyProb`; no-memory steps are on-policy. Consumes exactly two
 * uniforms. Returns the draw and the next `Rng`.
 *
 * @example
 * import { drawStepMode } from './modes.ts'
 * import { mkRng } from '../rng.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const [d] = drawStepMode({ ...paperPreset.modes, memoryProb: 0 })(mkRng(1))
 * assert.equal(d, 'onPolicyNoMemory')
 *
 * @since 0.1.0
 * @category combinators
 */
export const drawStepMode =
  (cfg: ModesConfig) =>
  (rng: Rng): readonly [Mode, Rng] => {
    const [u, next] = nextFloats(rng, 2)
    const memory = (u[0] as number) < cfg.memoryProb
    const off = (u[1] as number) < cfg.offPolicyProb
    return [!memory ? 'onPolicyNoMemory' : off ? 'offPolicy' : 'onPolicyWithTips', next]
  }

/**
 * One `perIteration` draw (official, docs/method.md §7): one uniform `x`; `x < offPolicyBelow` →
 * off-policy, else `x < withTipsBelow` → on-policy with tips, else no memory. Returns the draw and the
 * next `Rng`.
 *
 * @example
 * import { drawIterationMode } from './modes.ts'
 * import { mkRng } from '../rng.ts'
 * import { officialPreset } from '../../spec/config.ts'
 * const [d] = drawIterationMode({ ...officialPreset.modes, offPolicyBelow: 1, withTipsBelow: 1 })(mkRng(1))
 * assert.equal(d, 'offPolicy')
 *
 * @since 0.1.0
 * @category combinators
 */
export const drawIterationMode =
  (cfg: ModesConfig) =>
  (rng: Rng): readonly [Mode, Rng] => {
    const [x, next] = nextFloat(rng)
    return [
      x < cfg.offPolicyBelow ? 'offPolicy' : x < cfg.withTipsBelow ? 'onPolicyWithTips' : 'onPolicyNoMemory',
      next
    ]
  }

/**
 * The modes of `count` steps (or samples) of one training iteration under the configured rule:
 * `perStep` draws each independently ({@link drawStepMode}, in order); `perIteration` draws once
 * ({@link drawIterationMode}) and gives every one the same draw. Shape `→ [count]`. Deterministic given
 * the `Rng`; returns the next `Rng`.
 *
 * @example
 * import { drawModes } from './modes.ts'
 * import { mkRng } from '../rng.ts'
 * import { officialPreset } from '../../spec/config.ts'
 * const [ds] = drawModes(officialPreset.modes)(mkRng(3), 4)
 * assert.equal(ds.length, 4)
 * assert.ok(ds.every((d) => d === ds[0]))
 *
 * @since 0.1.0
 * @category combinators
 */
export const drawModes =
  (cfg: ModesConfig) =>
  (rng: Rng, count: number): readonly [ReadonlyArray<Mode>, Rng] => {
    if (!(Number.isInteger(count) && count >= 0))
      throw new RangeError(`drawModes: count must be an integer ≥ 0, got ${count}`)
    if (cfg.rule === 'perIteration') {
      const [d, next] = drawIterationMode(cfg)(rng)
      return [Array.from({ length: count }, () => d), next]
    }
    const out: Mode[] = []
    let r = rng
    for (let i = 0; i < count; i++) {
      const [d, next] = drawStepMode(cfg)(r)
      out.push(d)
      r = next
    }
    return [out, r]
  }
