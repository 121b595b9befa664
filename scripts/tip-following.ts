/**
 * How strongly a policy follows tips, and how much of that it does without them
 * (docs/experiments/05-tip-free-policy.md, docs/prior.md). States: the first 200 with-tips examples of the prior's corpus at seed 1 (training
 * variants; the committed prior was fitted on seed 0) whose rule target is `go to R` for a room a tip
 * names. For each checkpoint it prints the mean probability of that action with the tips and without
 * them (the tips block removed), and quantiles of the per-token ratio
 * π(token | no tips) / π(token | tips) — the ratio an off-policy update (Eq. 1/2) starts from.
 *
 * `npx tsx scripts/tip-following.ts <checkpoint> [<checkpoint> …]`
 */
import * as E from 'fp-ts/lib/Either.js'
import { corpus, defaultCorpusOptions } from '../src/core/prior/corpus.ts'
import { TIPS_CLOSE, TIPS_OPEN, parseTipsBlock, renderTipsBlock } from '../src/core/agent/prompt.ts'
import { actionTokens } from '../src/core/agent/tokenizer.ts'
import { meanSpread } from '../src/core/reports/table.ts'
import { selectBackend } from '../src/effects/tensor/backend.ts'
import { loadCheckpoint } from '../src/effects/tensor/checkpoint.ts'
import { scoreActions } from '../src/effects/tensor/transformer.ts'

const paths = process.argv.slice(2)
if (paths.length === 0) {
  console.error('usage: npx tsx scripts/tip-following.ts <checkpoint> [<checkpoint> …]')
  process.exit(2)
}

/** The prompt without its tips block; the block must be exactly one the prompt renderer writes. */
const withoutTips = (prompt: string): string => {
  const a = prompt.indexOf(TIPS_OPEN)
  const b = prompt.indexOf(TIPS_CLOSE, a) + TIPS_CLOSE.length + 1
  const block = prompt.slice(a, b)
  const tips = parseTipsBlock(block)
  if (a < 0 || tips === null || renderTipsBlock(tips) !== block)
    throw new Error(`no tips block in: ${prompt}`)
  return prompt.slice(0, a) + prompt.slice(b)
}

const c = corpus(defaultCorpusOptions, 1)
if (E.isLeft(c)) throw new Error(c.left)
const states = c.right
  .filter((e) => e.kind === 'act-with-tips' && e.source === 'rule' && e.target.startsWith('go to '))
  .slice(0, 200)

await selectBackend({ log: () => undefined })
const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted[Math.floor(q * (sorted.length - 1))] as number
const fmt = (x: number): string => x.toFixed(3)

console.log(`${states.length} with-tips states whose rule target is \`go to R\`\n`)
console.log(
  '| checkpoint | P(action \\| tips) | P(action \\| no tips) | per-token ratio 10 / 25 / 50 % | share < 0.8 |'
)
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const path of paths) {
  const { model } = loadCheckpoint(path)
  const rows = (tips: boolean) =>
    scoreActions(
      model,
      states.map((e) => ({
        prompt: tips ? e.prompt : withoutTips(e.prompt),
        actionTokens: actionTokens(model.tokenizer)(e.target)
      }))
    )
  const [w, n] = [rows(true), rows(false)]
  const seq = (xs: ReadonlyArray<ReadonlyArray<number>>) =>
    meanSpread(xs.map((lps) => Math.exp(lps.reduce((a, b) => a + b, 0)))).mean
  const ratios = w.flatMap((lw, i) =>
    lw.map((x, j) => Math.exp(((n[i] as ReadonlyArray<number>)[j] as number) - x))
  )
  const sorted = [...ratios].sort((a, b) => a - b)
  console.log(
    `| ${path} | ${fmt(seq(w))} | ${fmt(seq(n))} | ${[0.1, 0.25, 0.5].map((q) => fmt(quantile(sorted, q))).join(' / ')} | ${fmt(ratios.filter((r) => r < 0.8).length / ratios.length)} |`
  )
}
