import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { NumberBounds } from '../../src/spec/codec.ts'
import * as D from '../../src/spec/data.ts'
import * as B from '../../src/spec/brands.ts'
import { arbitraryOf } from '../support/arbitrary.ts'
import { property } from '../support/property.ts'

const codecs: ReadonlyArray<readonly [string, t.Mixed]> = [
  ['Mode', D.Mode],
  ['MemoryEntry', D.MemoryEntry],
  ['Memory', D.Memory],
  ['NoveltyMemory', D.NoveltyMemory],
  ...(Object.entries(B).filter(([, v]) => typeof v === 'object' && 'bounds' in v) as [string, t.Mixed][])
]

for (const [name, codec] of codecs) {
  property(
    `every value generated from the ${name} codec’s arbitrary decodes and round-trips`,
    [arbitraryOf(codec)],
    (v) => {
      const d = codec.decode(v)
      assert.ok(E.isRight(d))
      assert.deepEqual(codec.encode(d.right), v)
    }
  )
}

property(
  'bounded numbers reject every value outside their bounds',
  [fc.constantFrom(B.LogProb, B.Probability, B.Score, B.PositiveInt, B.UnitInterval, B.Cosine), fc.double()],
  (codec, x) => {
    const b = codec.bounds
    const inside =
      Number.isFinite(x) &&
      (b.integer !== true || Number.isInteger(x)) &&
      (b.min === undefined || x >= b.min) &&
      (b.max === undefined || x <= b.max)
    assert.equal(E.isRight((codec as t.Mixed).decode(x)), inside)
  }
)

// Every bounded brand of brands.ts with its constructor, found by name (`NonNegativeInt` →
// `nonNegativeInt`), so a brand added without a constructor fails the first test below.
type Bounded = t.Type<number, number> & { readonly bounds: NumberBounds }
const isBounded = (v: unknown): v is Bounded => typeof v === 'object' && v !== null && 'bounds' in v
const exports: Readonly<Record<string, unknown>> = B
const brands = Object.entries(B).flatMap(([name, codec]) =>
  isBounded(codec) ? [[name, codec, exports[name.charAt(0).toLowerCase() + name.slice(1)]] as const] : []
)
const constructors = brands.flatMap(([name, codec, make]) =>
  typeof make === 'function' ? [[name, codec, make as (x: number) => number] as const] : []
)

test('every bounded brand has a constructor named after it', () => {
  assert.ok(brands.length >= 14)
  assert.deepEqual(
    constructors.map(([name]) => name),
    brands.map(([name]) => name)
  )
})

// Legal numbers: the codec's arbitrary, and the closed ends themselves, where an off-by-one
// comparison would show (a random draw seldom lands on them).
const inside = (codec: Bounded): fc.Arbitrary<number> => {
  const { min, max, minExclusive, maxExclusive } = codec.bounds
  const ends = [
    ...(min === undefined || minExclusive === true ? [] : [min]),
    ...(max === undefined || maxExclusive === true ? [] : [max])
  ]
  return ends.length === 0 ? arbitraryOf(codec) : fc.oneof(arbitraryOf(codec), fc.constantFrom(...ends))
}

// Numbers outside the bounds, built from them: below the minimum, above the maximum, a fraction
// inside the range of an integer brand, and the non-finite ones (every brand requires finite).
const outside = ({ min, max, minExclusive, maxExclusive, integer }: NumberBounds): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(NaN, Infinity, -Infinity),
    ...(min === undefined
      ? []
      : [
          fc.double({ min: min - 1e6, max: min, noNaN: true }).filter((x) => x < min || minExclusive === true)
        ]),
    ...(max === undefined
      ? []
      : [
          fc.double({ min: max, max: max + 1e6, noNaN: true }).filter((x) => x > max || maxExclusive === true)
        ]),
    ...(integer === true ? [fc.integer({ min: min ?? -1e6, max: (max ?? 1e6) - 1 }).map((n) => n + 0.5)] : [])
  )

property(
  'a brand’s constructor returns every value its codec accepts, its closed ends included, unchanged',
  [
    fc
      .constantFrom(...constructors)
      .chain(([name, codec, make]) => fc.tuple(fc.constant(name), inside(codec), fc.constant(make)))
  ],
  ([, v, make]) => {
    assert.ok(Object.is(make(v), v))
  }
)

property(
  'a brand’s constructor throws a RangeError naming the brand and the value for every number outside its bounds',
  [
    fc
      .constantFrom(...constructors)
      .chain(([name, codec, make]) =>
        fc.tuple(fc.constant(name), fc.constant(codec), outside(codec.bounds), fc.constant(make))
      )
  ],
  ([name, codec, x, make]) => {
    assert.equal(codec.is(x), false)
    assert.throws(
      () => make(x),
      (e: unknown) =>
        e instanceof RangeError &&
        e.message.startsWith(`${name}: expected `) &&
        e.message.endsWith(`, got ${x}`)
    )
  }
)

property(
  'a mode is told apart by whether it shows tips and whether its update removes them, and only a mode that shows tips removes them',
  [arbitraryOf(D.Mode)],
  (m) => {
    assert.ok(!D.updatedWithoutTips(m) || D.showsTips(m))
    const twins = D.modes.filter(
      (n) => D.showsTips(n) === D.showsTips(m) && D.updatedWithoutTips(n) === D.updatedWithoutTips(m)
    )
    assert.deepEqual(twins, [m])
  }
)
