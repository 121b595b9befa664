/**
 * The prior's rules as an agent (docs/experiments/14-rule-agent.md): what the tips give a policy that follows
 * them exactly. The rule agent (`ruleTrials` of src/core/prior/corpus.ts: literal with a one-step look-ahead
 * on the score, tips followed through the doors they name, `Try: <doors>` tips written) plays memory
 * trials as `empo2 eval --ood-variants 25` plays its out-of-distribution ones — the first `--variants`
 * variants of each family, episodes of the main job's length (`rollout.maxSteps`, 15; `--steps`), the
 * tips written after each trial stored together and retrieved in the next, one shown per step — and
 * prints the mean score per family and trial.
 * No model: a bound on what a learnt prior could get from these tips, not a measurement of one.
 *
 * `npx tsx scripts/rule-trials.ts [--families f,g] [--variants n] [--first-variant v] [--trials n]
 *   [--steps n] [--seed s]`
 */
import { Command } from 'commander'
import { defaultCorpusOptions, ruleTrials } from '../src/core/prior/corpus.ts'
import { familyByName, stepLimit, variantsPerFamily } from '../src/core/env/families.ts'
import { formatTable } from '../src/core/reports/table.ts'
import { mainJobAlgo, oodFamilies } from '../src/spec/run.ts'
import { intArg } from '../src/cli/args.ts'

interface Opts {
  readonly families: string
  readonly variants: number
  readonly firstVariant: number
  readonly trials: number
  readonly steps: number
  readonly seed: number
}

const cmd = new Command('rule-trials')
  .option('--families <f,g>', 'families to play', oodFamilies.join(','))
  .option('--variants <n>', 'variants per family', intArg(1, variantsPerFamily), variantsPerFamily)
  .option('--first-variant <v>', 'first variant', intArg(0, variantsPerFamily - 1), 0)
  .option('--trials <n>', 'trials with memory', intArg(1, 10), 3)
  .option(
    '--steps <n>',
    'steps per episode (the main job’s)',
    intArg(1, stepLimit),
    mainJobAlgo.rollout.maxSteps
  )
  .option('-s, --seed <n>', 'seed of the rules’ random draws', intArg(0, 2 ** 32 - 1), 0)
  .parse()
const o = cmd.opts<Opts>()

const families = o.families.split(',')
for (const f of families) if (familyByName(f) === undefined) cmd.error(`--families: unknown family "${f}"`)
if (o.firstVariant + o.variants > variantsPerFamily)
  cmd.error(
    `--first-variant ${o.firstVariant} with ${o.variants} variants: variants end at ${variantsPerFamily - 1}`
  )
const variants = Array.from({ length: o.variants }, (_, i) => o.firstVariant + i)
// the corpus's rules and random share; no aliases (the rules read no words)
const opts = { ...defaultCorpusOptions, episodeSteps: o.steps, aliasShare: 0 }
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const rows = ruleTrials(opts, families, variants, o.trials, o.seed).map((scores, trial) => {
  // scores come in families × variants order
  const perFamily = families.map((_, fi) =>
    mean(scores.slice(fi * variants.length, (fi + 1) * variants.length))
  )
  return [String(trial + 1), ...perFamily.map((x) => x.toFixed(1)), mean(perFamily).toFixed(1)]
})
console.log(
  `rule agent, ${variants.length} variants per family from ${o.firstVariant}, ${o.steps} steps per episode, seed ${o.seed}`
)
console.log(formatTable(['trial', ...families, 'mean'], rows))
