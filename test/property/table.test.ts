import fc from 'fast-check'
import { formatMeanSpread, formatTable, meanSpread } from '../../src/core/table.ts'
import { close, property } from '../support/property.ts'

const xs = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 10 })

property(
  'meanSpread: the mean lies within the values and the spread is the sample standard deviation',
  [xs],
  (v) => {
    const { mean, spread } = meanSpread(v)
    const m = v.reduce((a, b) => a + b, 0) / v.length
    const s = v.length === 1 ? 0 : Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1))
    return mean >= Math.min(...v) - 1e-9 && mean <= Math.max(...v) + 1e-9 && close(spread, s, 1e-9, 1e-9)
  }
)

property(
  'meanSpread is invariant under a shift of the spread and equivariant for the mean',
  [xs, fc.double({ min: -100, max: 100, noNaN: true })],
  (v, c) => {
    const a = meanSpread(v)
    const b = meanSpread(v.map((x) => x + c))
    return close(b.mean, a.mean + c, 1e-9, 1e-6) && close(b.spread, a.spread, 1e-6, 1e-6)
  }
)

property(
  'formatMeanSpread prints the mean and the spread with the given decimals',
  [xs, fc.integer({ min: 0, max: 4 })],
  (v, d) => {
    const { mean, spread } = meanSpread(v)
    return formatMeanSpread(v, d) === `${mean.toFixed(d)} ± ${spread.toFixed(d)}`
  }
)

const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  fc.constant(null)
)
property(
  'every line of a table has the same width, one line per row plus two, and every text cell appears',
  [
    fc.array(
      fc.string({ minLength: 1, maxLength: 8 }).map((s) => s.replace(/\s/gu, '_')),
      { minLength: 1, maxLength: 4 }
    ),
    fc.array(fc.array(cell, { maxLength: 4 }), { maxLength: 5 })
  ],
  (headers, rows) => {
    const lines = formatTable(headers, rows, 2).split('\n')
    const ok =
      lines.length === rows.length + 2 && lines.every((l) => l.length === (lines[0] as string).length)
    return (
      ok &&
      rows.every((r, i) =>
        r
          .slice(0, headers.length)
          .every((c) => typeof c !== 'string' || (lines[i + 2] as string).includes(c.replace(/\s+/gu, ' ')))
      )
    )
  }
)

property(
  'numbers are right-aligned: a numeric column ends each line at the same place',
  [fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 6 })],
  (v) => {
    const lines = formatTable(
      ['n', 'x'],
      v.map((x, i) => [String(i), x]),
      2
    )
      .split('\n')
      .slice(2)
    return lines.every((l, i) => l.endsWith((v[i] as number).toFixed(2)))
  }
)

property(
  'the spread of two values is |a − b| / √2, and scaling the values by c scales the spread by |c|',
  [
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    xs,
    fc.double({ min: -10, max: 10, noNaN: true })
  ],
  (a, b, v, c) =>
    close(meanSpread([a, b]).spread, Math.abs(a - b) / Math.SQRT2, 1e-9, 1e-9) &&
    close(meanSpread(v.map((x) => c * x)).spread, Math.abs(c) * meanSpread(v).spread, 1e-9, 1e-9)
)
