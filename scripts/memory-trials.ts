/**
 * What a policy does with memory, trial after trial, and no parameter update (docs/main-job.md item
 * 11): per trial, the mean score per family and what the actions were — the share of `go to`, `take`
 * and `look`/`inventory`, and the share of `go to` actions that return to the room of the step before
 * (back and forth between two rooms). The trials are `empo2 eval`'s (the same episode seeds, tips
 * written after each trial and retrieved in the next); `--rename` is eval's probe.
 *
 * `npx tsx scripts/memory-trials.ts <run or checkpoint> [--families power-fan,deliver] [--variants 25]
 *   [--first-variant 0] [--trials 3] [--rename from=to,…] [--transcripts <n>]`
 */
import { existsSync } from 'node:fs'
import { Command } from 'commander'
import { fork } from '../src/core/rng.ts'
import { roomOf } from '../src/core/corpus.ts'
import type { EpisodeRun } from '../src/core/train.ts'
import { mainJobRun } from '../src/spec/run.ts'
import { selectBackend } from '../src/effects/tensor/backend.ts'
import { loadCheckpoint } from '../src/effects/tensor/checkpoint.ts'
import { latestFiles, runPaths } from '../src/effects/run/store.ts'
import { readStoredRun } from '../src/effects/train/run.ts'
import { playMemoryTrials } from '../src/effects/train/eval.ts'
import { runRng } from '../src/effects/train/loop.ts'
import { intArg, renameArg } from '../src/cli/args.ts'
import type { Renaming } from '../src/core/env/rename.ts'

interface Opts {
  readonly families: string
  readonly variants: number
  readonly firstVariant: number
  readonly trials: number
  readonly rename?: Renaming
  readonly transcripts: number
}

/** Shares of the actions of `eps`: `go to`, `take`, `look`/`inventory`; and of `go to`s, going back. */
const actionShares = (eps: ReadonlyArray<EpisodeRun>) => {
  const acts = eps.flatMap((e) => e.steps.map((s) => s.action))
  const share = (re: RegExp) => acts.filter((a) => re.test(a)).length / Math.max(1, acts.length)
  const gos = eps.flatMap((e) =>
    e.steps.flatMap((s, i) => {
      if (!s.action.startsWith('go to ')) return []
      const before = e.steps[i - 1]
      return [before !== undefined && roomOf(before.observation) === s.action.slice('go to '.length)]
    })
  )
  return {
    goTo: share(/^go to /u),
    take: share(/^take /u),
    lookInventory: share(/^(look|inventory)$/u),
    back: gos.filter(Boolean).length / Math.max(1, gos.length),
    steps: acts.length
  }
}

const program = new Command('memory-trials')
  .argument('<run-or-checkpoint>')
  .option('--families <list>', 'families, comma-separated', 'power-fan,deliver')
  .option('--variants <n>', 'how many variants of each family', intArg(1, 25), 25)
  .option('--first-variant <v>', 'the first variant (held-out variants start at 5)', intArg(0, 24), 0)
  .option('--trials <n>', 'trials with memory', intArg(1, 20), 3)
  .option('--rename <from=to,…>', 'as empo2 eval --rename', renameArg)
  .option('--transcripts <n>', 'print the actions of the first n episodes of each trial', intArg(0), 0)
  .action(async (target: string, o: Opts) => {
    if (!existsSync(target)) throw new Error(`${target}: no such run directory or checkpoint`)
    const last = o.firstVariant + o.variants - 1
    if (last > 24)
      throw new Error(`--first-variant ${o.firstVariant} --variants ${o.variants}: variants end at 24`)
    const isRun = existsSync(runPaths(target).config)
    const checkpoint = isRun ? latestFiles(target)?.checkpoint : target
    if (checkpoint === undefined) throw new Error(`${target}: no finished iteration yet`)
    await selectBackend({ log: () => undefined })
    const { model } = loadCheckpoint(checkpoint)
    const base = isRun ? readStoredRun(target).run : mainJobRun('empo2', 'paper')
    const run = { ...base, model: model.config }
    const families = o.families.split(',').map((f) => f.trim())
    // eval's OOD trials: the same rng (fork 1 of the evaluation rng) and episode seeds
    const rng = fork(fork(runRng(0), 2_000_000), 1)
    const trials = await playMemoryTrials(model, run, rng, {
      families,
      variants: Array.from({ length: o.variants }, (_, i) => o.firstVariant + i),
      trials: o.trials,
      renaming: o.rename
    })
    const pct = (x: number) => `${(100 * x).toFixed(0)} %`
    console.log(
      `${target}: ${families.join(', ')} × variants ${o.firstVariant}–${last}, ${o.trials} trials with memory`
    )
    console.log(
      '| trial | ' +
        families.map((f) => `${f} score`).join(' | ') +
        ' | go to | back | take | look/inventory |'
    )
    console.log('| ---: |' + families.map(() => ' ---: |').join('') + ' ---: | ---: | ---: | ---: |')
    trials.forEach((eps, t) => {
      const score = (f: string) => {
        const xs = eps.filter((e) => e.task === f)
        return (xs.reduce((a, e) => a + e.score, 0) / Math.max(1, xs.length)).toFixed(1)
      }
      const a = actionShares(eps)
      console.log(
        `| ${t + 1} | ${families.map(score).join(' | ')} | ${pct(a.goTo)} | ${pct(a.back)} | ${pct(a.take)} | ${pct(a.lookInventory)} |`
      )
    })
    trials.forEach((eps, t) =>
      eps.slice(0, o.transcripts).forEach((e) => {
        console.log(`trial ${t + 1} ${e.task} ${e.variant}: score ${e.score}, tip ${JSON.stringify(e.tip)}`)
        console.log(`  ${e.steps.map((s) => s.action + (s.tips.length > 0 ? ' [tips]' : '')).join(' | ')}`)
      })
    )
  })

await program.parseAsync().catch((e: unknown) => {
  console.error(`memory-trials: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
