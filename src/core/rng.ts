/**
 * Randomness as a value. An {@link Rng} is an immutable seeded generator state (xoroshiro128+ from
 * `pure-rand`, the generator under fast-check); every draw returns the value and the next state, and
 * `split` / `fork` derive independent streams so that, e.g., rollout `i` of task `j` draws the same
 * numbers however the batch is scheduled.
 *
 * @since 0.1.0
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An immutable generator state.
 *
 * @since 0.1.0
 * @category model
 */
export interface Rng {
  readonly _tag: 'Rng'
  readonly state: ReadonlyArray<number>
}

// a 32-bit integer hash (murmur3 finaliser), used to mix a label into a state
const mix32 = (h0: number): number => {
  let h = h0 | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A generator from a 32-bit seed.
 *
 * @example
 * import { mkRng, nextFloat } from './rng.ts'
 * assert.equal(nextFloat(mkRng(7))[0], nextFloat(mkRng(7))[0])
 *
 * @since 0.1.0
 * @category constructors
 */
export const mkRng = (seed: number): Rng => {
  if (!Number.isInteger(seed)) throw new RangeError(`mkRng: seed must be an integer, got ${seed}`)
  // small seeds give poor first outputs from xoroshiro128+: hash the seed, then jump once
  const g = xoroshiro128plus(mix32(seed ^ 0x5bd1e995))
  g.jump()
  return { _tag: 'Rng', state: g.getState() }
}

const gen = (rng: Rng) => xoroshiro128plusFromState(rng.state)

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A float uniform in [0, 1), and the next state.
 *
 * @example
 * import { mkRng, nextFloat } from './rng.ts'
 * const [x, next] = nextFloat(mkRng(0))
 * assert.ok(x >= 0 && x < 1 && nextFloat(next)[0] !== x)
 *
 * @since 0.1.0
 * @category combinators
 */
export const nextFloat = (rng: Rng): readonly [number, Rng] => {
  const g = gen(rng)
  const x = uniformFloat64(g)
  return [x, { _tag: 'Rng', state: g.getState() }]
}

/**
 * An integer uniform in [from, to] (both included), and the next state.
 *
 * @example
 * import { mkRng, nextInt } from './rng.ts'
 * const [k] = nextInt(mkRng(1), 3, 5)
 * assert.ok(k >= 3 && k <= 5)
 *
 * @since 0.1.0
 * @category combinators
 */
export const nextInt = (rng: Rng, from: number, to: number): readonly [number, Rng] => {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from <= to))
    throw new RangeError(`nextInt: need integers from ≤ to, got [${from}, ${to}]`)
  const g = gen(rng)
  const x = uniformInt(g, from, to)
  return [x, { _tag: 'Rng', state: g.getState() }]
}

/**
 * `n` floats uniform in [0, 1), and the next state.
 *
 * @example
 * import { mkRng, nextFloats } from './rng.ts'
 * assert.equal(nextFloats(mkRng(0), 4)[0].length, 4)
 *
 * @since 0.1.0
 * @category combinators
 */
export const nextFloats = (rng: Rng, n: number): readonly [ReadonlyArray<number>, Rng] => {
  const g = gen(rng)
  const xs = Array.from({ length: n }, () => uniformFloat64(g))
  return [xs, { _tag: 'Rng', state: g.getState() }]
}

/**
 * A child generator derived from `rng` and an integer `label`, independent of `rng`'s own stream and
 * of children with other labels. `rng` itself is not advanced: `fork(rng, i)` for rollout `i` gives
 * the same stream whatever order rollouts run in.
 *
 * @example
 * import { mkRng, fork, nextFloat } from './rng.ts'
 * const r = mkRng(3)
 * assert.notEqual(nextFloat(fork(r, 0))[0], nextFloat(fork(r, 1))[0])
 * assert.equal(nextFloat(fork(r, 1))[0], nextFloat(fork(r, 1))[0])
 *
 * @since 0.1.0
 * @category combinators
 */
export const fork = (rng: Rng, label: number): Rng => {
  let h = mix32(label ^ 0x9e3779b9)
  for (const s of rng.state) h = mix32(h ^ s) + 0x632be5ab
  const g = xoroshiro128plus(h)
  g.jump()
  return { _tag: 'Rng', state: g.getState() }
}

/**
 * Two independent generators from one: `[fork(rng, 0), fork(rng, 1)]`.
 *
 * @example
 * import { mkRng, split, nextFloat } from './rng.ts'
 * const [a, b] = split(mkRng(9))
 * assert.notEqual(nextFloat(a)[0], nextFloat(b)[0])
 *
 * @since 0.1.0
 * @category combinators
 */
export const split = (rng: Rng): readonly [Rng, Rng] => [fork(rng, 0), fork(rng, 1)]

/**
 * A uniformly random permutation of `xs` (Fisher–Yates, drawing `nextInt(rng, 0, i)` for
 * `i = n − 1 … 1`) and the advanced generator.
 *
 * @example
 * import { mkRng, shuffle } from './rng.ts'
 * const [p] = shuffle(mkRng(4), [1, 2, 3, 4])
 * assert.deepEqual([...p].sort(), [1, 2, 3, 4])
 * assert.deepEqual(shuffle(mkRng(4), [1, 2, 3, 4])[0], p)
 *
 * @since 0.1.0
 * @category combinators
 */
export const shuffle = <A>(rng0: Rng, xs: ReadonlyArray<A>): readonly [ReadonlyArray<A>, Rng] => {
  const out = [...xs]
  let rng = rng0
  for (let i = out.length - 1; i > 0; i--) {
    const [j, r] = nextInt(rng, 0, i)
    rng = r
    const tmp = out[i] as A
    out[i] = out[j] as A
    out[j] = tmp
  }
  return [out, rng]
}
