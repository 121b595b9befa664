import fc from 'fast-check'
import { property, close } from '../support/property.ts'
import { entropy } from '../../src/core/loss/entropy.ts'
import { numberNumeric as N, ndarray } from '../../src/core/loss/numeric.ts'

// log-softmax of logits in [−30, 30] over V ∈ [1, 6] outcomes; −∞ entries (impossible outcomes) allowed
const logDist = fc.integer({ min: 1, max: 6 }).chain((v) =>
  fc
    .array(fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.constant(-Infinity)), {
      minLength: v,
      maxLength: v
    })
    .filter((xs) => xs.some(Number.isFinite))
    .map((xs) => {
      const m = Math.max(...xs)
      const lse = m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0))
      return xs.map((x) => x - lse)
    })
)

const H = (lp: ReadonlyArray<number>): number => entropy(N)(ndarray([1, 1, lp.length], lp)).data[0] as number

property('the entropy of a distribution over V outcomes lies in [0, log V]', [logDist], (lp) => {
  const h = H(lp)
  // 1e-12: rounding of ≤ 6 products of magnitude ≤ 1
  return h >= -1e-12 && h <= Math.log(lp.length) + 1e-12
})

property(
  'the uniform distribution over V outcomes has entropy log V',
  [fc.integer({ min: 1, max: 1000 })],
  (v) => close(H(Array.from({ length: v }, () => -Math.log(v))), Math.log(v), 1e-12, 1e-12)
)

property(
  'entropy maps [B, T, V] to [B, T], one distribution per token, in order',
  [
    fc.array(
      logDist.filter((d) => d.length === 3),
      { minLength: 1, maxLength: 6 }
    )
  ],
  (dists) => {
    const out = entropy(N)(ndarray([dists.length, 1, 3], dists.flat()))
    return out.shape.join() === `${dists.length},1` && dists.every((d, i) => out.data[i] === H(d))
  }
)
