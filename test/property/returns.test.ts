import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  discountedReturns,
  episodeReturn,
  stepRewards,
  trajectoryReturn
} from '../../src/core/advantage/returns.ts'
import { close, property } from '../support/property.ts'

// rewards in [-100, 100]: the range of per-step rewards of the environments (scores ≤ 100); episodes
// up to 40 steps (the paper's step limit is 30)
const reward = fc.double({ min: -100, max: 100, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x))
const rewards = fc.array(reward, { maxLength: 40 })
const gamma = fc.double({ min: 0, max: 1, noNaN: true })

// Tolerances: G_t is a sum of ≤ 40 terms of magnitude ≤ 100, so float64 rounding is below
// 40 · 100 · 2^-52 ≈ 1e-12; atol 1e-9 leaves a wide margin.
const ATOL = 1e-9

property('discounted returns-to-go satisfy G_t = r_t + γ G_{t+1} with G_T = 0', [rewards, gamma], (r, g) => {
  const G = discountedReturns(g)(r)
  assert.equal(G.length, r.length)
  G.forEach((Gt, t) => {
    const next = t + 1 < G.length ? (G[t + 1] as number) : 0
    assert.ok(close(Gt, (r[t] as number) + g * next, 1e-12, ATOL), `t=${t}: ${Gt}`)
  })
})

property('G_0 = Σ_t γ^t r_t', [rewards, gamma], (r, g) => {
  const G = discountedReturns(g)(r)
  const direct = r.reduce((acc, x, t) => acc + Math.pow(g, t) * x, 0)
  assert.ok(close(G[0] ?? 0, direct, 1e-9, ATOL), `${G[0]} vs ${direct}`)
})

property('with γ = 1 the returns-to-go are suffix sums, and G_0 is the episode return', [rewards], (r) => {
  const G = discountedReturns(1)(r)
  G.forEach((Gt, t) => assert.ok(close(Gt, episodeReturn(r.slice(t)), 1e-12, ATOL)))
  if (r.length > 0) assert.ok(close(G[0] as number, episodeReturn(r), 1e-12, ATOL))
})

property('with γ = 0 the returns-to-go are the rewards themselves', [rewards], (r) => {
  assert.deepEqual(discountedReturns(0)(r), r)
})

property(
  'a trajectory’s return is Σ_t (r_t + coef · r_t^int), and coef = 0 ignores the intrinsic reward',
  [
    fc.record({
      steps: fc.array(fc.record({ reward, intrinsic: fc.double({ min: 0, max: 1, noNaN: true }) }), {
        maxLength: 40
      })
    }),
    fc.double({ min: 0, max: 10, noNaN: true })
  ],
  (traj, coef) => {
    const direct = traj.steps.reduce((a, s) => a + s.reward + coef * s.intrinsic, 0)
    assert.ok(close(trajectoryReturn(coef)(traj), direct, 1e-9, 1e-6))
    assert.deepEqual(
      stepRewards(0)(traj),
      traj.steps.map((s) => s.reward)
    )
  }
)
