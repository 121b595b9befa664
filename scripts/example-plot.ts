/**
 * Renders docs/img/example-curve.svg: what a learning-curve chart of `empo2 compare` looks like, on
 * synthetic, deterministic curves (no training involved; the numbers mean nothing).
 *
 *   npx tsx scripts/example-plot.ts [out.svg]
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { lineChart, type Series } from '../src/core/reports/plot.ts'

const steps = Array.from({ length: 11 }, (_, i) => i * 2400)
// a logistic rise to `top` with midpoint `mid`, and a spread that peaks mid-way
const curve = (name: string, top: number, mid: number, sd: number): Series => {
  const mean = (x: number) => top / (1 + Math.exp(-(x - mid) / 3000))
  const spread = (x: number) => sd * Math.sin((Math.PI * x) / 24000) + 0.01
  return {
    name,
    points: steps.map((x) => [x, mean(x)] as const),
    band: steps.map((x) => [x, Math.max(0, mean(x) - spread(x)), Math.min(1, mean(x) + spread(x))] as const)
  }
}

export const exampleChart = (): string =>
  lineChart({
    title: 'Held-out success without memory (synthetic example; mean ± sd over 3 seeds)',
    xLabel: 'environment steps',
    yLabel: 'success rate',
    yRange: [0, 1],
    series: [
      curve('EMPO²', 0.72, 9000, 0.08),
      curve('GRPO', 0.3, 12000, 0.06),
      curve('EMPO² w/o off-policy', 0.5, 11000, 0.07)
    ]
  })

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'docs/img/example-curve.svg'
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, exampleChart())
  console.log(`wrote ${out}`)
}
