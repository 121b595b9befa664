import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  fromRows,
  fromVector,
  ndarray,
  numberNumeric as N,
  toRows,
  toScalar
} from '../../src/core/loss/numeric.ts'
import { close, property } from '../support/property.ts'

const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true })
const matrix = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }))
  .chain(([b, t]) =>
    fc.array(fc.array(finite, { minLength: t, maxLength: t }), { minLength: b, maxLength: b })
  )

property('rows round-trip through fromRows and toRows', [matrix], (m) => {
  assert.deepEqual(toRows(fromRows(m)), m)
})

property('a scalar broadcasts over every element', [matrix, finite], (m, k) => {
  assert.deepEqual(
    toRows(N.mul(fromRows(m), N.scalar(k))),
    m.map((r) => r.map((x) => x * k))
  )
})

property('expandLast broadcasts a per-row value over the row’s tokens', [matrix], (m) => {
  const rowVals = m.map((_, i) => i + 1)
  assert.deepEqual(
    toRows(N.mul(fromRows(m), N.expandLast(fromVector(rowVals)))),
    m.map((r, i) => r.map((x) => x * (i + 1)))
  )
})

property('sumLast then sumAll equals sumAll; minLast is the row minimum', [matrix], (m) => {
  const a = fromRows(m)
  assert.ok(close(toScalar(N.sumAll(N.sumLast(a))), toScalar(N.sumAll(a)), 1e-12, 1e-9))
  assert.deepEqual(
    Array.from(N.minLast(a).data),
    m.map((r) => Math.min(...r))
  )
})

// values compared as numbers: −0 and +0 are the same clamp result (`assert/strict` would tell them apart)
const plusZero = (xs: ReadonlyArray<number>): number[] => xs.map((x) => x + 0)

property(
  'where selects elementwise and clamp stays in range',
  [matrix, finite, finite],
  (m, lo0, hi0) => {
    const [lo, hi] = lo0 <= hi0 ? [lo0, hi0] : [hi0, lo0]
    const a = fromRows(m)
    const c = N.clamp(a, lo, hi)
    assert.deepEqual(
      plusZero(Array.from(c.data)),
      plusZero(m.flat().map((x) => (x < lo ? lo : x > hi ? hi : x)))
    )
    const w = N.where(N.greaterEqual(a, N.scalar(lo)), a, N.scalar(lo))
    assert.deepEqual(plusZero(Array.from(w.data)), plusZero(m.flat().map((x) => Math.max(x, lo))))
  },
  {
    regressions: [
      [
        'bounds 0 and −0 (CI, fast-check seed 165414268)',
        [
          [
            [0, 0, 0, 0],
            [0, 0, 0, 0]
          ],
          0,
          -0
        ]
      ]
    ]
  }
)

property(
  'shapes that do not broadcast are rejected with both shapes named',
  [fc.integer({ min: 2, max: 5 })],
  (n) => {
    assert.throws(
      () => N.add(ndarray([n], new Array(n).fill(0)), ndarray([n + 1], new Array(n + 1).fill(0))),
      /do not broadcast/
    )
  }
)
