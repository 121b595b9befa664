import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import * as D from '../../src/spec/data.ts'
import * as B from '../../src/spec/brands.ts'
import { arbitraryOf } from '../support/arbitrary.ts'
import { property } from '../support/property.ts'

const codecs: ReadonlyArray<readonly [string, t.Mixed]> = [
  ['Mode', D.Mode],
  ['MemoryEntry', D.MemoryEntry],
  ['Memory', D.Memory],
  ['NoveltyMemory', D.NoveltyMemory],
  ...(Object.entries(B).filter(([, v]) => typeof v === 'object' && v !== null && 'bounds' in v) as [
    string,
    t.Mixed
  ][])
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
