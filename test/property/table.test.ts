import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { comparisonTable, formatMeanSpread, formatTable, meanSpread } from '../../src/core/reports/table.ts'
import type { EvalSummary } from '../../src/spec/metrics.ts'
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

// 0 comes often, so that groups whose runs all failed (a zero baseline) are common
const rate = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 120 }).map((k) => k / 120)
)
const evalSummary: fc.Arbitrary<EvalSummary> = fc.record({
  method: fc.constant('m'),
  seed: fc.nat(),
  envSteps: fc.integer({ min: 0, max: 20_000 }),
  heldOut: fc.record({
    success: rate,
    score: fc.double({ min: 0, max: 100, noNaN: true }),
    episodes: fc.constant(120),
    perFamily: fc.constant({})
  }),
  ood: fc.array(
    fc.record({
      success: rate,
      score: fc.double({ min: 0, max: 100, noNaN: true }),
      episodes: fc.constant(10),
      perFamily: fc.constant({})
    }),
    { maxLength: 3 }
  )
})
const groups = fc.uniqueArray(
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
    evals: fc.array(evalSummary, { maxLength: 5 })
  }),
  { minLength: 1, maxLength: 6, selector: (g) => g.name }
)

property(
  'comparisonTable: one row per group in order, its run count, and one column per OOD trial of the longest evaluation',
  [groups, fc.option(fc.nat({ max: 5 }), { nil: null })],
  (gs, b) => {
    const t = comparisonTable(gs, b)
    const trials = Math.max(0, ...gs.flatMap((g) => g.evals.map((e) => e.ood.length)))
    return (
      t.rows.length === gs.length &&
      t.rows.every(
        (r, i) =>
          r[0] === gs[i]?.name && r[1] === String(gs[i]?.evals.length) && r.length === t.headers.length
      ) &&
      t.headers.filter((h) => h.startsWith('OOD score, trial')).length === trials
    )
  }
)

property(
  'comparisonTable: each ratio is the group’s mean held-out success over the baseline’s (1 for the baseline), with a column only when the baseline’s mean is positive',
  [groups, fc.nat({ max: 5 })],
  (gs, b) => {
    const t = comparisonTable(gs, b)
    const mean = (es: ReadonlyArray<EvalSummary>) => es.reduce((a, e) => a + e.heldOut.success, 0) / es.length
    const base = gs[b]
    const positive = base !== undefined && base.evals.length > 0 && mean(base.evals) > 0
    const col = t.headers.indexOf(`÷ ${base?.name ?? ''}`)
    if (!positive) return col === -1 && t.overBaseline.every((r) => r === null)
    return (
      col === 4 &&
      close(t.overBaseline[b] as number, 1, 1e-12, 1e-12) &&
      gs.every((g, i) =>
        g.evals.length === 0
          ? t.overBaseline[i] === null && t.rows[i]?.[col] === '–'
          : close((t.overBaseline[i] as number) * mean(base.evals), mean(g.evals), 1e-12, 1e-9) &&
            t.rows[i]?.[col] === `${(t.overBaseline[i] as number).toFixed(2)}×`
      )
    )
  }
)

test('comparisonTable: a baseline whose runs all failed gives no ratio column, not a division by zero', () => {
  const run = (success: number): EvalSummary => ({
    method: 'm',
    seed: 0,
    envSteps: 10,
    heldOut: { success, score: 0, episodes: 1, perFamily: {} },
    ood: []
  })
  const t = comparisonTable(
    [
      { name: 'empo2', evals: [run(0.2)] },
      { name: 'grpo', evals: [run(0), run(0)] }
    ],
    1
  )
  assert.deepEqual(t.headers, ['method', 'seeds', 'env steps', 'held-out success', 'held-out score'])
  assert.deepEqual(t.overBaseline, [null, null])
})
