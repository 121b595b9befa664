/**
 * What a policy does with memory, trial after trial, and no parameter update
 * (docs/experiments/11-ood-words-and-tips.md): per trial, the mean score per family and what the
 * actions were — the share of `go to`, `take`
 * and `look`/`inventory`, and the share of `go to` actions that return to the room of the step before
 * (back and forth between two rooms); and what the shown tip was worth (`trialStats`): where no local
 * action gains and a shown tip names a door here other than the one just left (usable: the prior's tip
 * rule would take that door), how often the policy took it, and, when it took one of those doors,
 * how often the tip's against picking one at random; and of the steps where a local action would gain
 * score, how often the policy took one (episodes replayed in the suite; not with --rename). With the defaults (the run's OOD families, variants and trials)
 * these are `empo2 eval`'s out-of-distribution trials, episode for episode (the same rng and episode
 * seeds; tips written after each trial and retrieved in the next); `--seed` and `--rename` as there.
 *
 * Several runs (e.g. the seeds of one method) are played one after the other, each with its table,
 * then one table of their mean ± sample sd per trial: the score (mean of the families' scores) and
 * the action shares.
 *
 * `npx tsx scripts/memory-trials.ts <run or checkpoint>… [--families f,g] [--variants n]
 *   [--first-variant v] [--trials n] [--seed s] [--rename from=to,…] [--tips-shown n]
 *   [--scope global|perTask|perVariant] [--transcripts n]`
 */
import { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { trialStats, type TrialStats } from '../src/core/prior/diagnostics.ts'
import { selectBackend } from '../src/effects/tensor/backend.ts'
import { loadCheckpoint } from '../src/effects/tensor/checkpoint.ts'
import { disposeTransformer } from '../src/effects/tensor/transformer.ts'
import { evalTarget } from '../src/effects/train/run.ts'
import { crossTasks, playMemoryTrials, summarise } from '../src/effects/train/eval.ts'
import { evaluationStreams } from '../src/core/train/streams.ts'
import { runMethod } from '../src/core/methods/registry.ts'
import { embed } from '../src/core/memory/embedding.ts'
import { variantsPerFamily } from '../src/core/env/families.ts'
import { intArg, renameArg, scopeArg } from '../src/cli/args.ts'
import { formatMeanSpread } from '../src/core/reports/table.ts'
import type { Renaming } from '../src/core/env/rename.ts'
import type { MemoryScope } from '../src/spec/config.ts'
import { nonNegativeInt } from '../src/spec/brands.ts'

interface Opts {
  readonly families?: string
  readonly variants?: number
  readonly firstVariant: number
  readonly trials?: number
  readonly seed: number
  readonly rename?: Renaming
  readonly transcripts: number
  readonly tipsShown?: number
  readonly scope?: MemoryScope
}

const last = variantsPerFamily - 1
const program = new Command('memory-trials')
  .argument('<run-or-checkpoint...>')
  .option('--families <list>', "families, comma-separated (default: the run's OOD families)")
  .option(
    '--variants <n>',
    "how many variants of each family (default: the run's oodVariants)",
    intArg(1, variantsPerFamily)
  )
  .option('--first-variant <v>', 'the first variant (held-out variants start at 5)', intArg(0, last), 0)
  .option('--trials <n>', "trials with memory (default: the run's oodTrials)", intArg(1, 20))
  .option('-s, --seed <n>', 'as empo2 eval --seed', intArg(0, 2 ** 32 - 1), 0)
  .option('--rename <from=to,…>', 'as empo2 eval --rename', renameArg)
  .option('--tips-shown <n>', "tips shown per step (default: the run's maxTipsShown)", intArg(0, 10))
  .option(
    '--scope <scope>',
    "memory partitions: global, perTask or perVariant (default: the run's)",
    scopeArg
  )
  .option('--transcripts <n>', 'print the actions of the first n episodes of each trial', intArg(0), 0)
  .action(async (targets: ReadonlyArray<string>, o: Opts) => {
    await selectBackend({ log: () => undefined })
    const perRun: Array<ReadonlyArray<TrialSummary>> = []
    for (const target of targets) perRun.push(await playOne(target, o))
    if (targets.length < 2) return
    console.log(`mean ± sd over ${targets.length} runs (score: mean of the families' scores; shares in %)`)
    console.log(`| trial | score | ${statColumns.map((c) => c.head).join(' | ')} |`)
    console.log(`| ---: | ---: |${statColumns.map(() => ' ---: |').join('')}`)
    perRun[0]?.forEach((_, t) => {
      const at = perRun.flatMap((r) => r.slice(t, t + 1))
      const col = (f: (x: TrialSummary) => number | null, scale: number, digits: number): string =>
        formatMeanSpread(
          at.flatMap((x) => {
            const v = f(x)
            return v === null ? [] : [scale * v]
          }),
          digits
        )
      const cells = statColumns.map((c) => col((x) => c.get(x.stats), 100, 0))
      console.log(`| ${t + 1} | ${col((x) => x.score, 1, 1)} | ${cells.join(' | ')} |`)
    })
  })

/** The columns of {@link TrialStats} the tables print, in order. */
const statColumns: ReadonlyArray<{ readonly head: string; readonly get: (s: TrialStats) => number | null }> =
  [
    { head: 'go to', get: (s) => s.goTo },
    { head: 'back', get: (s) => s.back },
    { head: 'named by a tip', get: (s) => s.named },
    { head: 'tip usable', get: (s) => s.usable },
    { head: 'one of the retrieved usable', get: (s) => s.inRetrieved },
    { head: 'usable tip followed', get: (s) => s.followed },
    { head: "door taken: the tip's", get: (s) => s.namedDoor },
    { head: '… at random', get: (s) => s.namedDoorAtRandom },
    { head: 'take', get: (s) => s.take },
    { head: 'look/inventory', get: (s) => s.lookInventory },
    { head: 'a gaining action taken', get: (s) => s.gain }
  ]

/** One trial of one run: its score (the mean of the families' scores), each family's, and its {@link TrialStats}. */
interface TrialSummary {
  readonly score: number
  /** per family, in the order asked for (null: no episode of it) */
  readonly familyScores: ReadonlyArray<number | null>
  readonly stats: TrialStats
}

/** Play and print one run's trials; returns a summary of each trial. */
const playOne = async (target: string, o: Opts): Promise<ReadonlyArray<TrialSummary>> => {
  const { run: base, checkpoint } = evalTarget(target)
  const families = o.families?.split(',').map((f) => f.trim()) ?? base.schedule.oodFamilies
  const variants = o.variants ?? base.schedule.oodVariants
  const trials = o.trials ?? base.schedule.oodTrials
  if (o.firstVariant + variants - 1 > last)
    throw new Error(`--first-variant ${o.firstVariant} with ${variants} variants: variants end at ${last}`)
  const { model } = loadCheckpoint(checkpoint)
  // with the defaults these are empo2 eval's out-of-distribution trials, episode for episode
  const agent =
    o.tipsShown === undefined ? base.agent : { ...base.agent, maxTipsShown: nonNegativeInt(o.tipsShown) }
  const algo =
    o.scope === undefined ? base.algo : { ...base.algo, memory: { ...base.algo.memory, scope: o.scope } }
  const played = await playMemoryTrials(
    model,
    { ...base, algo, agent, model: model.config },
    evaluationStreams(o.seed).ood,
    {
      tasks: crossTasks(
        families,
        Array.from({ length: variants }, (_, i) => o.firstVariant + i)
      ),
      trials,
      renaming: o.rename
    }
  )
  disposeTransformer(model)
  // what the method shows per step (Reflexion: its last reflections, whatever maxTipsShown says)
  const shownPerStep = runMethod({ ...base, algo, agent }, embed).agent.maxTipsShown
  // the replay reads the suite's own words, so a renamed run is not replayed
  const summaries = played.map((eps, t): TrialSummary => {
    const { perFamily } = summarise(eps)
    const familyScores = families.map((f) => perFamily[f]?.score ?? null)
    const scores = familyScores.map((x) => x ?? 0)
    const stats = trialStats(eps, shownPerStep, agent.historyWindow, o.rename === undefined)
    if (E.isLeft(stats)) throw new Error(`${target}, trial ${t + 1}: ${stats.left}`)
    return {
      score: scores.reduce((x, y) => x + y, 0) / Math.max(1, scores.length),
      familyScores,
      stats: stats.right
    }
  })
  const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)} %`)
  console.log(
    `${target}: ${families.join(', ')} × variants ${o.firstVariant}–${o.firstVariant + variants - 1}, ${trials} trials with memory, at most ${shownPerStep} tips shown per step, memory ${algo.memory.scope}`
  )
  console.log(
    `| trial | ${families.map((f) => `${f} score`).join(' | ')} | ${statColumns.map((c) => c.head).join(' | ')} | steps where a local action gains |`
  )
  console.log(
    `| ---: |${families.map(() => ' ---: |').join('')}${statColumns.map(() => ' ---: |').join('')} ---: |`
  )
  summaries.forEach(({ familyScores, stats: st }, t) => {
    const scores = familyScores.map((x) => x?.toFixed(1) ?? '–')
    console.log(
      `| ${t + 1} | ${scores.join(' | ')} | ${statColumns.map((c) => pct(c.get(st))).join(' | ')} | ${st.gainSteps} |`
    )
  })
  played.forEach((eps, t) =>
    eps.slice(0, o.transcripts).forEach((e) => {
      console.log(`trial ${t + 1} ${e.task} ${e.variant}: score ${e.score}, tip ${JSON.stringify(e.tip)}`)
      console.log(
        `  ${e.steps.map((s) => s.action + (s.tips.length > 0 ? ` [${s.tips.slice(0, shownPerStep).join('; ')}]` : '')).join(' | ')}`
      )
    })
  )
  return summaries
}

await program.parseAsync().catch((e: unknown) => {
  console.error(`memory-trials: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
