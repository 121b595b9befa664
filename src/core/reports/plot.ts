/**
 * Learning curves as SVG, pure: a line chart with axes, "nice" ticks and their labels, axis labels, a
 * title, a legend naming every series, a colour-blind-safe palette (Okabe–Ito) and optional shaded
 * bands (mean ± spread over seeds). Text is XML-escaped, so any series name or title is safe.
 *
 * @since 0.1.0
 */
import type { MetricsLine } from '../../spec/metrics.ts'
import { meanSpread } from './table.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One curve: its name (for the legend), its points `[x, y]`, and an optional band `[x, lo, hi]`.
 *
 * @since 0.1.0
 * @category model
 */
export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
  readonly band?: ReadonlyArray<readonly [number, number, number]>
}

/**
 * A chart: title, axis labels, the series, and an optional fixed y range.
 *
 * @since 0.1.0
 * @category model
 */
export interface Chart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: ReadonlyArray<Series>
  readonly yRange?: readonly [number, number]
}

/**
 * The plot area inside the SVG (pixels): every data mark lies in it. `width` and `height` are the
 * smallest document; it grows to the right and down when the legend needs more room.
 *
 * @example
 * import { plotArea } from './plot.ts'
 * assert.ok(plotArea.left < plotArea.right && plotArea.top < plotArea.bottom)
 *
 * @since 0.1.0
 * @category model
 */
export const plotArea = { left: 70, right: 560, top: 44, bottom: 360, width: 760, height: 420 } as const

/**
 * The Okabe–Ito palette, distinguishable under the common colour-vision deficiencies.
 *
 * @example
 * import { palette } from './plot.ts'
 * assert.equal(palette.length, 8)
 *
 * @since 0.1.0
 * @category model
 */
export const palette: ReadonlyArray<string> = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442'
]

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * XML-escaped text (`&`, `<`, `>`, `"`, `'`), with what XML 1.0 does not allow removed: control
 * characters other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
 *
 * @example
 * import { escapeXml } from './plot.ts'
 * assert.equal(escapeXml('a<b & "c"'), 'a&lt;b &amp; &quot;c&quot;')
 *
 * @since 0.1.0
 * @category destructors
 */
export const escapeXml = (s: string): string =>
  Array.from(s)
    .filter((ch) => {
      const c = ch.codePointAt(0) as number
      const control = c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd
      const loneSurrogate = c >= 0xd800 && c <= 0xdfff
      return !control && !loneSurrogate && c !== 0xfffe && c !== 0xffff
    })
    .join('')
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;')
    .replace(/'/gu, '&apos;')

/**
 * About `n` "nice" tick values covering `[lo, hi]`: multiples of a step 1, 2 or 5 × 10^k, increasing,
 * the first ≤ lo and the last ≥ hi. A range narrower than 1e-6 of its values is widened by 1 on
 * each side.
 *
 * @example
 * import { niceTicks } from './plot.ts'
 * assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
 * assert.deepEqual(niceTicks(3, 3, 2), [2, 3, 4])
 *
 * @since 0.1.0
 * @category destructors
 */
export const niceTicks = (lo0: number, hi0: number, n: number): ReadonlyArray<number> => {
  const [a, b] = [Math.min(lo0, hi0), Math.max(lo0, hi0)]
  // a (numerically) degenerate range is widened: ticks finer than 1e-6 of the values are meaningless
  const [lo, hi] = b - a <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b)) ? [a - 1, b + 1] : [a, b]
  const raw = (hi - lo) / Math.max(1, n)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag
  const first = Math.floor(lo / step + 1e-9)
  const last = Math.ceil(hi / step - 1e-9)
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(digits)))
}

/**
 * The label of tick `v` on an axis whose ticks are `step` apart: as many decimals as the step needs
 * and no more (so neighbouring labels always differ), `k` for thousands when the step is at least
 * 1000 and `M` for millions when it is at least a million.
 *
 * @example
 * import { tickLabel } from './plot.ts'
 * assert.equal(tickLabel(0.2, 0.2), '0.2')
 * assert.equal(tickLabel(999.5, 0.5), '999.5')
 * assert.equal(tickLabel(1000, 0.5), '1000')
 * assert.equal(tickLabel(12000, 2000), '12k')
 * assert.equal(tickLabel(1500, 500), '1500')
 *
 * @since 0.1.0
 * @category destructors
 */
export const tickLabel = (v: number, step: number): string => {
  const [unit, suffix] = step >= 1e6 ? [1e6, 'M'] : step >= 1000 ? [1000, 'k'] : [1, '']
  const decimals = Math.min(100, Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9)))
  const x = Number((v / unit).toFixed(decimals))
  return x === 0 ? '0' : `${x}${suffix}`
}

/**
 * A conservative estimate of the width in pixels of `text` at `fontSize` in Helvetica/Arial (0.62 em
 * a character: wider than the average, so estimated room is enough room). Used to fit the title and
 * to size the legend.
 *
 * @example
 * import { textWidth } from './plot.ts'
 * assert.equal(textWidth('abcd', 10), 24.8)
 *
 * @since 0.1.0
 * @category destructors
 */
export const textWidth = (text: string, fontSize: number): number => Array.from(text).length * 0.62 * fontSize

/**
 * The title's font size (15 px, smaller down to 9 px so it fits `room` pixels) and its text, cut with
 * `…` only when even 9 px does not fit.
 *
 * @example
 * import { fitTitle } from './plot.ts'
 * assert.deepEqual(fitTitle('short', 700), { fontSize: 15, text: 'short' })
 * assert.ok(fitTitle('x'.repeat(500), 700).text.endsWith('…'))
 *
 * @since 0.1.0
 * @category destructors
 */
export const fitTitle = (
  title: string,
  room: number
): { readonly fontSize: number; readonly text: string } => {
  const chars = Array.from(title)
  const fontSize = Math.max(9, Math.min(15, Math.floor(room / (0.62 * Math.max(1, chars.length)))))
  const fits = Math.floor(room / (0.62 * fontSize))
  return { fontSize, text: chars.length <= fits ? title : `${chars.slice(0, fits - 1).join('')}…` }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const fmt = (v: number): string => (Math.round(v * 10) / 10).toString()

/**
 * The chart as a standalone SVG document. Non-finite points are skipped; an empty chart still has
 * its axes, title and legend.
 *
 * @example
 * import { lineChart } from './plot.ts'
 * const svg = lineChart({ title: 'success', xLabel: 'steps', yLabel: 'rate', series: [{ name: 'EMPO²', points: [[0, 0], [10, 0.5]] }] })
 * assert.ok(svg.startsWith('<svg') && svg.includes('EMPO²') && svg.trimEnd().endsWith('</svg>'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const lineChart = (c: Chart): string => {
  const { left, right, top, bottom } = plotArea
  // the document grows to fit the legend: a line per series, each name in full
  const legendWidth = Math.max(0, ...c.series.map((s) => textWidth(s.name, 12)))
  const width = Math.ceil(Math.max(plotArea.width, right + 46 + legendWidth + 10))
  const height = Math.max(plotArea.height, top + 8 + c.series.length * 20)
  const title = fitTitle(c.title, width - 20)
  const finite = (xs: ReadonlyArray<number>) => xs.filter(Number.isFinite)
  const xs = finite(
    c.series.flatMap((s) => [...s.points.map((p) => p[0]), ...(s.band ?? []).map((b) => b[0])])
  )
  const ys = finite(
    c.series.flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).flatMap((b) => [b[1], b[2]])])
  )
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6)
  const yt =
    c.yRange !== undefined
      ? niceTicks(c.yRange[0], c.yRange[1], 5)
      : niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5)
  const [x0, x1] = [xt[0] as number, xt.at(-1) as number]
  const [y0, y1] = [yt[0] as number, yt.at(-1) as number]
  const [xstep, ystep] = [(xt[1] as number) - x0, (yt[1] as number) - y0]
  const clampTo = (v: number, a: number, b: number) => Math.min(b, Math.max(a, v))
  const sx = (x: number) => clampTo(left + ((x - x0) / (x1 - x0)) * (right - left), left, right)
  const sy = (y: number) => clampTo(bottom - ((y - y0) / (y1 - y0)) * (bottom - top), top, bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="${title.fontSize}" font-weight="bold">${escapeXml(title.text)}</text>`
  ]
  for (const v of yt)
    out.push(
      `<line x1="${left}" y1="${fmt(sy(v))}" x2="${right}" y2="${fmt(sy(v))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${fmt(sy(v) + 4)}" text-anchor="end">${escapeXml(tickLabel(v, ystep))}</text>`
    )
  for (const v of xt)
    out.push(
      `<line x1="${fmt(sx(v))}" y1="${bottom}" x2="${fmt(sx(v))}" y2="${bottom + 5}" stroke="#333333"/>`,
      `<text x="${fmt(sx(v))}" y="${bottom + 19}" text-anchor="middle">${escapeXml(tickLabel(v, xstep))}</text>`
    )
  out.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333333"/>`,
    `<text x="${(left + right) / 2}" y="${bottom + 42}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    `<text x="18" y="${(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + bottom) / 2})">${escapeXml(c.yLabel)}</text>`
  )
  c.series.forEach((s, i) => {
    const colour = palette[i % palette.length] as string
    // past the palette's 8 colours, the dash pattern keeps series apart
    const dashes = ['', ' stroke-dasharray="7 4"', ' stroke-dasharray="2 3"'][
      Math.floor(i / palette.length) % 3
    ] as string
    const band = (s.band ?? []).filter((b) => b.every(Number.isFinite))
    if (band.length > 1) {
      const upper = band.map((b) => `${fmt(sx(b[0]))},${fmt(sy(b[2]))}`)
      const lower = [...band].reverse().map((b) => `${fmt(sx(b[0]))},${fmt(sy(b[1]))}`)
      out.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.18" stroke="none"/>`
      )
    }
    const pts = s.points.filter((p) => p.every(Number.isFinite))
    if (pts.length > 1)
      out.push(
        `<polyline points="${pts.map((p) => `${fmt(sx(p[0]))},${fmt(sy(p[1]))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dashes}/>`
      )
    for (const p of pts)
      out.push(`<circle cx="${fmt(sx(p[0]))}" cy="${fmt(sy(p[1]))}" r="2.5" fill="${colour}"/>`)
    const ly = top + 8 + i * 20
    out.push(
      `<line x1="${right + 16}" y1="${ly}" x2="${right + 40}" y2="${ly}" stroke="${colour}" stroke-width="3"${dashes}/>`,
      `<text x="${right + 46}" y="${ly + 4}">${escapeXml(s.name)}</text>`
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

/**
 * Learning curves for {@link lineChart}: per group of runs (one run = its metrics lines), the mean
 * over runs of `metric` against the mean environment steps at each iteration where some run has the
 * metric, each run's value first averaged over its last `smooth` iterations; the band is ± the sample
 * standard deviation over runs (none for a single run). Iterations where no value exists are left out.
 *
 * @example
 * import { learningCurves } from './plot.ts'
 * import { emptyMetrics } from '../../spec/metrics.ts'
 * const run = [0, 1].map((i) => ({ ...emptyMetrics, iteration: i, 'env/steps': 10 * (i + 1), 'charts/success': i / 2 }))
 * const [c] = learningCurves([{ name: 'a', runs: [run] }], 'charts/success', 1)
 * assert.deepEqual(c!.points, [[10, 0], [20, 0.5]])
 * assert.deepEqual(c!.band, [])
 *
 * @since 0.1.0
 * @category constructors
 */
export const learningCurves = (
  groups: ReadonlyArray<{ readonly name: string; readonly runs: ReadonlyArray<ReadonlyArray<MetricsLine>> }>,
  metric: 'eval/success' | 'charts/success',
  smooth: number
): ReadonlyArray<Series> =>
  groups.map(({ name, runs }) => {
    const its = [
      ...new Set(runs.flatMap((ls) => ls.filter((l) => l[metric] !== null).map((l) => l.iteration)))
    ].sort((a, b) => a - b)
    const at = (it: number) => {
      const vals = runs.flatMap((ls) => {
        const window = ls.filter((l) => l.iteration <= it && l.iteration > it - smooth && l[metric] !== null)
        return window.length === 0 ? [] : [meanSpread(window.map((l) => l[metric] as number)).mean]
      })
      const steps = runs.flatMap((ls) => ls.filter((l) => l.iteration === it).map((l) => l['env/steps']))
      return { x: steps.length > 0 ? meanSpread(steps).mean : NaN, ...meanSpread(vals) }
    }
    const pts = its.map(at).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.mean))
    return {
      name,
      points: pts.map((p) => [p.x, p.mean] as const),
      band: runs.length > 1 ? pts.map((p) => [p.x, p.mean - p.spread, p.mean + p.spread] as const) : []
    }
  })

/**
 * The y range of a chart of rates: from 0 to the largest plotted value (band tops included), at least
 * `floor` and at most 1 — so success rates near 0.1 are not drawn flat along a 0–1 axis.
 *
 * @example
 * import { rateRange } from './plot.ts'
 * assert.deepEqual(rateRange([{ name: 'a', points: [[0, 0.12]], band: [[0, 0.1, 0.17]] }]), [0, 0.17])
 * assert.deepEqual(rateRange([{ name: 'a', points: [[0, 0]] }]), [0, 0.1])
 * assert.deepEqual(rateRange([{ name: 'a', points: [[0, 0.9]], band: [[0, 0.7, 1.1]] }]), [0, 1])
 *
 * @since 0.1.0
 * @category destructors
 */
export const rateRange = (series: ReadonlyArray<Series>, floor = 0.1): readonly [number, number] => {
  const tops = series
    .flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).map((b) => b[2])])
    .filter(Number.isFinite)
  return [0, Math.min(1, Math.max(floor, ...tops))]
}

/**
 * The two charts of a comparison, as SVG: held-out success without memory (one point per evaluation)
 * and training success (moving mean of 5 iterations), each against environment steps, one curve per
 * group with a ± sd band over its runs (`learningCurves`), y from 0 to the largest value shown
 * (`rateRange`). `seeds` is the number of seeds per group, named in the titles.
 *
 * @example
 * import { successCharts } from './plot.ts'
 * import { emptyMetrics } from '../../spec/metrics.ts'
 * const run = [{ ...emptyMetrics, iteration: 0, 'env/steps': 10, 'charts/success': 0.5, 'eval/success': 0.25 }]
 * const c = successCharts([{ name: 'a', runs: [run] }], 1)
 * assert.match(c.heldOut, /Held-out success without memory \(1 seed, mean ± sd\)/)
 * assert.match(c.training, /Training success \(moving mean of 5 iterations; 1 seed, mean ± sd\)/)
 *
 * @since 0.1.0
 * @category destructors
 */
export const successCharts = (
  groups: ReadonlyArray<{ readonly name: string; readonly runs: ReadonlyArray<ReadonlyArray<MetricsLine>> }>,
  seeds: number
): { readonly heldOut: string; readonly training: string } => {
  const n = `${seeds} seed${seeds === 1 ? '' : 's'}`
  const chart = (title: string, series: ReadonlyArray<Series>): string =>
    lineChart({
      title,
      xLabel: 'environment steps',
      yLabel: 'success rate',
      series,
      yRange: rateRange(series)
    })
  return {
    heldOut: chart(
      `Held-out success without memory (${n}, mean ± sd)`,
      learningCurves(groups, 'eval/success', 1)
    ),
    training: chart(
      `Training success (moving mean of 5 iterations; ${n}, mean ± sd)`,
      learningCurves(groups, 'charts/success', 5)
    )
  }
}
