/**
 * Plain-text tables for the CLI and the README: columns sized to their widest cell, numbers right
 * aligned, text left aligned; `mean ± spread` over seeds, where the spread is the sample standard
 * deviation (n − 1 in the denominator; 0 for a single value); and the comparison table of
 * `empo2 compare`.
 *
 * @since 0.1.0
 */
import type { EvalSummary } from '../../spec/metrics.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A cell: text, a number (printed with the table's digits), or null (printed as `–`).
 *
 * @since 0.1.0
 * @category model
 */
export type Cell = string | number | null

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Mean and sample standard deviation (n − 1); the spread of one value is 0; of none, both NaN.
 *
 * @example
 * import { meanSpread } from './table.ts'
 * assert.deepEqual(meanSpread([1, 3]), { mean: 2, spread: Math.SQRT2 })
 * assert.deepEqual(meanSpread([5]), { mean: 5, spread: 0 })
 *
 * @since 0.1.0
 * @category destructors
 */
export const meanSpread = (xs: ReadonlyArray<number>): { readonly mean: number; readonly spread: number } => {
  const n = xs.length
  if (n === 0) return { mean: NaN, spread: NaN }
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const spread = n === 1 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1))
  return { mean, spread }
}

/**
 * `mean ± spread` with `digits` decimals (`–` for no values).
 *
 * @example
 * import { formatMeanSpread } from './table.ts'
 * assert.equal(formatMeanSpread([0.1, 0.3], 2), '0.20 ± 0.14')
 * assert.equal(formatMeanSpread([], 2), '–')
 *
 * @since 0.1.0
 * @category destructors
 */
export const formatMeanSpread = (xs: ReadonlyArray<number>, digits: number): string => {
  if (xs.length === 0) return '–'
  const { mean, spread } = meanSpread(xs)
  return `${mean.toFixed(digits)} ± ${spread.toFixed(digits)}`
}

const isNumeric = (c: Cell): boolean =>
  typeof c === 'number' || (typeof c === 'string' && /^[-+]?[\d.]+( ± [\d.]+)?[%×]?$/u.test(c))

/**
 * A table as text: a header line, a rule, then one line per row; every line has the same width;
 * numbers (and `mean ± spread` strings) right-aligned with `digits` decimals, text left-aligned.
 * Rows shorter than the header are padded with empty cells.
 *
 * @example
 * import { formatTable } from './table.ts'
 * assert.equal(formatTable(['method', 'success'], [['empo2', 0.5], ['grpo', 0.25]], 2), 'method  success\n------  -------\nempo2      0.50\ngrpo       0.25')
 *
 * @since 0.1.0
 * @category destructors
 */
export const formatTable = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
  digits = 3
): string => {
  const text = (c: Cell | undefined): string =>
    c === undefined
      ? ''
      : c === null
        ? '–'
        : typeof c === 'number'
          ? c.toFixed(digits)
          : c.replace(/\s+/gu, ' ')
  const cells = rows.map((r) => headers.map((_, j) => text(r[j])))
  const widths = headers.map((h, j) => Math.max(h.length, ...cells.map((r) => (r[j] as string).length)))
  const numericCol = headers.map(
    (_, j) =>
      rows.length > 0 && rows.every((r) => r[j] === undefined || r[j] === null || isNumeric(r[j] as Cell))
  )
  const line = (xs: ReadonlyArray<string>): string =>
    xs
      .map((x, j) => (numericCol[j] ? x.padStart(widths[j] as number) : x.padEnd(widths[j] as number)))
      .join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

/**
 * The comparison table of `empo2 compare`: one row per group of runs (a method over its seeds), in
 * order — name, number of evaluated runs, mean environment steps, held-out success and score as
 * `mean ± sd`, then one column per out-of-distribution trial (as many as the longest evaluation has).
 * When `baseline` (a group's index) has a positive mean held-out success, a `÷ <baseline>` column
 * after the success gives each group's mean over the baseline's; `overBaseline` holds those ratios
 * (null without a baseline, or for a group with no evaluation).
 *
 * @example
 * import { comparisonTable } from './table.ts'
 * const run = (success: number) => ({ method: 'm', seed: 0, envSteps: 10, heldOut: { success, score: 0, episodes: 1, perFamily: {} }, ood: [] })
 * const t = comparisonTable([{ name: 'empo2', evals: [run(0.3)] }, { name: 'grpo', evals: [run(0.1), run(0.2)] }], 1)
 * assert.deepEqual(t.headers.slice(3, 5), ['held-out success', '÷ grpo'])
 * assert.deepEqual(t.rows[0]?.slice(0, 5), ['empo2', '1', '10', '0.300 ± 0.000', '2.00×'])
 * assert.ok(Math.abs((t.overBaseline[0] ?? 0) - 2) < 1e-12)
 *
 * @since 0.1.0
 * @category destructors
 */
export const comparisonTable = (
  groups: ReadonlyArray<{ readonly name: string; readonly evals: ReadonlyArray<EvalSummary> }>,
  baseline: number | null
): {
  readonly headers: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly overBaseline: ReadonlyArray<number | null>
} => {
  const success = (es: ReadonlyArray<EvalSummary>) => meanSpread(es.map((e) => e.heldOut.success)).mean
  const base = baseline === null ? undefined : groups[baseline]
  const denominator = base !== undefined && success(base.evals) > 0 ? success(base.evals) : null
  const overBaseline = groups.map((g) =>
    denominator === null || g.evals.length === 0 ? null : success(g.evals) / denominator
  )
  const trials = Math.max(0, ...groups.flatMap((g) => g.evals.map((e) => e.ood.length)))
  const headers = [
    'method',
    'seeds',
    'env steps',
    'held-out success',
    ...(denominator === null ? [] : [`÷ ${base?.name ?? ''}`]),
    'held-out score',
    ...Array.from({ length: trials }, (_, t) => `OOD score, trial ${t + 1}`)
  ]
  const rows = groups.map((g, i) => {
    const es = g.evals
    const ratio = overBaseline[i]
    return [
      g.name,
      String(es.length),
      es.length === 0 ? '–' : String(Math.round(meanSpread(es.map((e) => e.envSteps)).mean)),
      formatMeanSpread(
        es.map((e) => e.heldOut.success),
        3
      ),
      ...(denominator === null ? [] : [ratio === null || ratio === undefined ? '–' : `${ratio.toFixed(2)}×`]),
      formatMeanSpread(
        es.map((e) => e.heldOut.score),
        1
      ),
      ...Array.from({ length: trials }, (_, t) =>
        formatMeanSpread(
          es.flatMap((e) => {
            const o = e.ood[t]
            return o === undefined ? [] : [o.score]
          }),
          1
        )
      )
    ]
  })
  return { headers, rows, overBaseline }
}
