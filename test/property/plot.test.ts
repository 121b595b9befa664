import fc from 'fast-check'
import { escapeXml, lineChart, niceTicks, plotArea, type Chart } from '../../src/core/plot.ts'
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

property('the SVG is well formed for any titles, names and values', [chart], (c) => wellFormed(lineChart(c)))

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
