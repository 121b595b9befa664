import fc from 'fast-check'
import assert from 'node:assert/strict'
import {
  escapeXml,
  learningCurves,
  lineChart,
  niceTicks,
  plotArea,
  rateRange,
  textWidth,
  type Chart
} from '../../src/core/reports/plot.ts'
import { emptyMetrics, type MetricsLine } from '../../src/spec/metrics.ts'
import { property } from '../support/property.ts'

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true })
const series = fc.record({
  name: fc.string({ unit: 'binary', maxLength: 12 }),
  points: fc.array(fc.tuple(finite, finite), { maxLength: 12 }),
  band: fc.option(fc.array(fc.tuple(finite, finite, finite), { maxLength: 6 }), { nil: undefined })
})
const chart: fc.Arbitrary<Chart> = fc.record({
  title: fc.string({ unit: 'binary', maxLength: 20 }),
  xLabel: fc.string({ maxLength: 10 }),
  yLabel: fc.string({ maxLength: 10 }),
  series: fc.array(series, { maxLength: 5 }),
  yRange: fc.option(
    fc.tuple(finite, finite).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
    { nil: undefined }
  )
})

const attr = (svg: string, tag: string, names: ReadonlyArray<string>): number[][] =>
  [...svg.matchAll(new RegExp(`<${tag} ([^>]*)/>`, 'gu'))].map((m) =>
    names.map((n) => Number(new RegExp(`${n}="([^"]*)"`, 'u').exec(m[1] as string)?.[1]))
  )

// a tiny XML well-formedness check: tags balance, attribute values and text contain no raw '<' or '&'
const wellFormed = (svg: string): boolean => {
  const stack: string[] = []
  for (const m of svg.matchAll(/<(\/?)([a-z]+)([^<>]*?)(\/?)>|([<&])/gu)) {
    if (m[5] === '<') return false
    if (m[5] === '&') {
      if (!/^&(amp|lt|gt|quot|apos);/u.test(svg.slice(m.index))) return false
      continue
    }
    const [, close, name, , self] = m
    if (self === '/') continue
    if (close === '/') {
      if (stack.pop() !== name) return false
    } else stack.push(name as string)
  }
  return stack.length === 0
}

const empty = { title: '', xLabel: '', yLabel: '' }
property<[Chart]>(
  'the SVG is well formed for any titles, names and values',
  [chart],
  (c) => wellFormed(lineChart(c)),
  {
    regressions: [
      ['no series', [{ ...empty, series: [] }]],
      ['an empty series', [{ ...empty, series: [{ name: 'a', points: [] }] }]],
      [
        'a single point with a band of one',
        [{ ...empty, series: [{ name: 'a', points: [[1, 1]], band: [[1, 0, 2]] }] }]
      ],
      [
        'markup in every text',
        [{ title: '<&>', xLabel: '</svg>', yLabel: '&amp;', series: [{ name: '"<b>"', points: [] }] }]
      ]
    ]
  }
)

property('every series name appears, escaped, in the legend', [chart], (c) => {
  const svg = lineChart(c)
  return c.series.every((s) => svg.includes(`>${escapeXml(s.name)}</text>`))
})

property('every plotted point lies inside the plot area', [chart], (c) =>
  attr(lineChart(c), 'circle', ['cx', 'cy']).every(
    ([x, y]) =>
      (x as number) >= plotArea.left &&
      (x as number) <= plotArea.right &&
      (y as number) >= plotArea.top &&
      (y as number) <= plotArea.bottom
  )
)

property(
  'one marker per finite point',
  [chart],
  (c) => attr(lineChart(c), 'circle', ['cx']).length === c.series.reduce((n, s) => n + s.points.length, 0)
)

property(
  'nice ticks increase, cover the range (to a millionth of a step), and step by 1, 2 or 5 × 10^k',
  [finite, finite, fc.integer({ min: 1, max: 10 })],
  (a, b, n) => {
    const t = niceTicks(a, b, n)
    const step = (t[1] as number) - (t[0] as number)
    const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9)
    return (
      t.length >= 2 &&
      t.every((v, i) => i === 0 || v > (t[i - 1] as number)) &&
      (t[0] as number) <= Math.min(a, b) + step * 1e-6 &&
      (t.at(-1) as number) >= Math.max(a, b) - step * 1e-6 &&
      [1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6)
    )
  }
)

// the labels of one axis, in document order, read back as numbers (`12k` is 12000)
const tickLabels = (svg: string, anchor: 'end' | 'middle', y?: number): number[] =>
  [...svg.matchAll(/<text x="[^"]*" y="([^"]*)" text-anchor="(end|middle)">([^<]*)<\/text>/gu)]
    .filter((m) => m[2] === anchor && (y === undefined || Number(m[1]) === y))
    .map((m) => {
      const s = m[3] as string
      return s.endsWith('k') ? Number(s.slice(0, -1)) * 1000 : Number(s)
    })

property<[Chart]>(
  'the tick labels of both axes read back as strictly increasing numbers',
  [chart],
  (c) => {
    const svg = lineChart(c)
    const up = (xs: number[]) => xs.length >= 2 && xs.every((v, i) => i === 0 || v > (xs[i - 1] as number))
    return up(tickLabels(svg, 'end')) && up(tickLabels(svg, 'middle', plotArea.bottom + 19))
  },
  {
    regressions: [
      // 4 significant digits once labelled the ticks 999.5 … 1000.5 with two equal labels
      [
        'a single point at 999.5',
        [{ title: '', xLabel: '', yLabel: '', series: [{ name: '', points: [[999.5000000005001, 0]] }] }]
      ]
    ]
  }
)

const docSize = (svg: string): [number, number] => {
  const m = /^<svg [^>]*width="([^"]*)" height="([^"]*)"/u.exec(svg)
  return [Number(m?.[1]), Number(m?.[2])]
}

// titles up to 200 characters and names up to 40 (past what fits at the default sizes); no data
const texts = fc.record({
  title: fc.string({ unit: 'grapheme', maxLength: 200, size: 'max' }),
  xLabel: fc.constant(''),
  yLabel: fc.constant(''),
  series: fc.array(
    fc.record({ name: fc.string({ unit: 'grapheme', maxLength: 40, size: 'max' }), points: fc.constant([]) }),
    { maxLength: 25, size: 'max' }
  )
})

property(
  'the title and every legend entry fit inside the document (by the conservative text-width estimate)',
  [texts],
  (c) => {
    const svg = lineChart(c)
    const [w, h] = docSize(svg)
    const t = /font-size="([^"]*)" font-weight="bold">([^<]*)<\/text>/u.exec(svg)
    const titleText = (t?.[2] ?? '').replace(/&(amp|lt|gt|quot|apos);/gu, '_')
    return (
      textWidth(titleText, Number(t?.[1])) <= w - 20 &&
      Number(t?.[1]) >= 9 &&
      c.series.every(
        (s, i) => plotArea.right + 46 + textWidth(s.name, 12) <= w && plotArea.top + 12 + i * 20 <= h
      )
    )
  }
)

property(
  'series get distinct styles (colour and dash pattern) for up to 24 series',
  [fc.integer({ min: 1, max: 24 })],
  (n) => {
    const svg = lineChart({
      title: '',
      xLabel: '',
      yLabel: '',
      series: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, points: [] }))
    })
    const styles = [
      ...svg.matchAll(
        /<line x1="[^"]*" y1="[^"]*" x2="[^"]*" y2="[^"]*" (stroke="[^"]*" stroke-width="3"[^/]*)\/>/gu
      )
    ].map((m) => m[1])
    return styles.length === n && new Set(styles).size === n
  }
)

// a run: per iteration an evaluation success rate or none, env steps strictly increasing
const runArb = fc
  .array(
    fc.tuple(
      fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      fc.integer({ min: 1, max: 500 })
    ),
    {
      minLength: 1,
      maxLength: 12
    }
  )
  .map((xs) =>
    xs.reduce<MetricsLine[]>(
      (acc, [v, dx], i) => [
        ...acc,
        {
          ...emptyMetrics,
          iteration: i,
          'env/steps': (acc[i - 1]?.['env/steps'] ?? 0) + dx,
          'eval/success': v
        }
      ],
      []
    )
  )
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9

property(
  'learningCurves: one run is its own values against its env steps, each the mean of its last `smooth` values, with no band',
  [runArb, fc.integer({ min: 1, max: 5 })],
  (run, smooth) => {
    const [c] = learningCurves([{ name: 'x', runs: [run] }], 'eval/success', smooth)
    const want = run.flatMap((l) => {
      if (l['eval/success'] === null) return []
      const w = run
        .filter((m) => m.iteration <= l.iteration && m.iteration > l.iteration - smooth)
        .flatMap((m) => (m['eval/success'] === null ? [] : [m['eval/success']]))
      return [[l['env/steps'], w.reduce((a, b) => a + b, 0) / w.length] as const]
    })
    assert.equal(c?.points.length, want.length)
    c.points.forEach(([x, y], i) => {
      assert.equal(x, want[i]?.[0])
      assert.ok(close(y, want[i]?.[1] as number), `${y} vs ${want[i]?.[1]}`)
    })
    assert.deepEqual(c.band, [])
  }
)

property(
  'learningCurves: k copies of a run give the run’s curve with a band of zero width',
  [runArb, fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 })],
  (run, k, smooth) => {
    const [one] = learningCurves([{ name: 'x', runs: [run] }], 'eval/success', smooth)
    const [many] = learningCurves(
      [{ name: 'x', runs: Array.from({ length: k }, () => run) }],
      'eval/success',
      smooth
    )
    assert.equal(many?.points.length, one?.points.length)
    many?.points.forEach(([x, y], i) => {
      assert.ok(close(x, one?.points[i]?.[0] as number) && close(y, one?.points[i]?.[1] as number))
    })
    assert.equal(many?.band?.length, one?.points.length)
    many?.band?.forEach(([, lo, hi]) => assert.ok(close(lo, hi), `band ${lo}..${hi}`))
  }
)

property(
  'rateRange starts at 0 and ends at the largest point or band top, clamped to [floor, 1]: every plotted rate in [0, 1] fits',
  [fc.array(series, { maxLength: 5 }), fc.double({ min: 0.01, max: 1, noNaN: true })],
  (ss, floor) => {
    const [lo, hi] = rateRange(ss, floor)
    const tops = ss.flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).map((b) => b[2])])
    const fits = tops.filter((y) => y >= 0 && y <= 1).every((y) => y <= hi)
    // and no higher than needed: the top is 1, the floor, or a plotted value
    const tight = hi === 1 || hi === floor || tops.includes(hi)
    return lo === 0 && hi >= floor && hi <= 1 && fits && tight
  }
)
