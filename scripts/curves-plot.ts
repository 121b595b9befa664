/**
 * One chart of training success (moving mean of 5 iterations) and one of held-out success against
 * environment steps, over runs from several comparisons — e.g. the ablations of
 * docs/experiments/10-novelty-bonus.md, which `empo2 compare` writes into separate directories. Each
 * group is `label=prefix` (split at the last `=`): the runs
 * `<prefix>-s<seed>` that exist, for the seeds given.
 *
 *   npx tsx scripts/curves-plot.ts <out-prefix> <seeds> <label=prefix> [<label=prefix> …]
 *   e.g. npx tsx scripts/curves-plot.ts docs/img/ablations 0,1,2 "EMPO²=runs/reproduce/empo2" "GRPO=runs/reproduce/grpo"
 */
import { existsSync } from 'node:fs'
import { seedsArg } from '../src/cli/args.ts'
import { successCharts } from '../src/core/reports/plot.ts'
import { writeFileAtomic } from '../src/effects/fs.ts'
import { readMetrics, runPaths } from '../src/effects/run/store.ts'

const [out, seedList, ...specs] = process.argv.slice(2)
const fail = (why: string): never => {
  console.error(
    `curves-plot: ${why}\nusage: npx tsx scripts/curves-plot.ts <out-prefix> <seeds> <label=prefix> …`
  )
  process.exit(2)
}
if (out === undefined || seedList === undefined || specs.length === 0) fail('missing arguments')
const seeds = ((): ReadonlyArray<number> => {
  try {
    return seedsArg(seedList as string)
  } catch (e) {
    return fail(`seeds: ${(e as Error).message}`)
  }
})()
const groups = specs.map((spec) => {
  const eq = spec.lastIndexOf('=')
  if (eq <= 0) fail(`expected label=prefix, got "${spec}"`)
  const prefix = spec.slice(eq + 1)
  const dirs = seeds.map((s) => `${prefix}-s${s}`)
  const missing = dirs.filter((d) => !existsSync(runPaths(d).config))
  if (missing.length > 0) fail(`no run at ${missing.join(', ')}`)
  return { name: spec.slice(0, eq), runs: dirs.map((d) => readMetrics(d).lines) }
})
const charts = successCharts(groups, seeds.length)
for (const [file, svg] of [
  [`${out}-training-success.svg`, charts.training],
  [`${out}-held-out-success.svg`, charts.heldOut]
] as const) {
  writeFileAtomic(file, svg)
  console.log(`wrote ${file}`)
}
