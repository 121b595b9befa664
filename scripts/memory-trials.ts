/**
 * What a policy does with memory, trial after trial, and no parameter update (docs/main-job.md item
 * 11): per trial, the mean score per family and what the actions were — the share of `go to`, `take`
 * and `look`/`inventory`, and the share of `go to` actions that return to the room of the step before
 * (back and forth between two rooms); and what the shown tip was worth: of the `go to`s with tips
 * shown, the share to a room the tip names; of the steps with tips shown, the share whose tip names a
 * door here other than the one just left (usable: the prior's tip rule would follow it); of those, the
 * share where the policy took that door (and the share where any of the retrieved tips, shown or not, is
 * usable); and of the steps where a local action would gain score, the share where the policy took
 * one (what it knows to do in the room it is in; not with --rename). With the defaults (the run's OOD families, variants and trials)
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
import { Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { cameFrom, doorsOf, lookahead, roomOf, tipRooms } from '../src/core/corpus.ts'
import { suite } from '../src/core/env/suite.ts'
import type { EpisodeRun } from '../src/core/train.ts'
import { selectBackend } from '../src/effects/tensor/backend.ts'
import { loadCheckpoint } from '../src/effects/tensor/checkpoint.ts'
import { disposeTransformer } from '../src/effects/tensor/transformer.ts'
import { evalTarget } from '../src/effects/train/run.ts'
import { evalRngs, playMemoryTrials, summarise } from '../src/effects/train/eval.ts'
import { variantsPerFamily } from '../src/core/env/families.ts'
import { intArg, renameArg } from '../src/cli/args.ts'
import { formatMeanSpread } from '../src/core/table.ts'
import type { Renaming } from '../src/core/env/rename.ts'
import type { Scope } from '../src/core/memory.ts'

interface Opts {
  readonly families?: string
  readonly variants?: number
  readonly firstVariant: number
  readonly trials?: number
  readonly seed: number
  readonly rename?: Renaming
  readonly transcripts: number
  readonly tipsShown?: number
  readonly scope?: Scope
}

/**
 * Of the steps of `eps` at which a local action would gain score, the share at which the policy took
 * one: what it knows to do in the room it is in (the episodes replayed in the suite, whose hidden state
 * gives the gains; null: no such step).
 */
const gainingTaken = (eps: ReadonlyArray<EpisodeRun>): number | null => {
  const at = eps.flatMap((e) => {
    const reset = suite.reset({ task: e.task, variant: e.variant as never, seed: 0 as never })
    if (E.isLeft(reset)) throw new Error(`${e.task} variant ${e.variant}: ${reset.left.message}`)
    let state = reset.right[0]
    const taken = e.steps.flatMap((st) => {
      const gaining = lookahead(state)
        .filter((x) => x.gain > 0)
        .map((x) => x.action)
      state = suite.step(state, st.action)[0]
      return gaining.length === 0 ? [] : [gaining.includes(st.action)]
    })
    if (state.score !== e.score)
      throw new Error(
        `${e.task} variant ${e.variant}: the replay scores ${state.score}, the episode ${e.score}`
      )
    return taken
  })
  return at.length === 0 ? null : at.filter(Boolean).length / at.length
}

/**
 * Shares of the actions of `eps`: `go to`, `take`, `look`/`inventory`; of the `go to`s, going back;
 * of the `go to`s taken with tips shown, to a room a shown tip names (the first `tipsShown` of the
 * retrieved tips are the ones the prompt shows; null: none).
 */
const actionShares = (eps: ReadonlyArray<EpisodeRun>, tipsShown: number) => {
  const acts = eps.flatMap((e) => e.steps.map((s) => s.action))
  const share = (re: RegExp) => acts.filter((a) => re.test(a)).length / Math.max(1, acts.length)
  const gos = eps.flatMap((e) =>
    e.steps.flatMap((s, i) => {
      if (!s.action.startsWith('go to ')) return []
      const before = e.steps[i - 1]
      return [before !== undefined && roomOf(before.observation) === s.action.slice('go to '.length)]
    })
  )
  // steps whose shown tips name a door here other than the one just left (the prior's rule follows those)
  const usable = eps.flatMap((e) =>
    e.steps.flatMap((s, i) => {
      if (s.tips.length === 0 || tipsShown === 0) return []
      const doors = doorsOf(s.observation)
      const prev = cameFrom(e.steps.slice(Math.max(0, i - 1), i), s.observation)
      const usableRooms = (tips: ReadonlyArray<string>) =>
        tips.flatMap(tipRooms).filter((r) => doors.includes(r) && r !== prev)
      const rooms = usableRooms(s.tips.slice(0, tipsShown))
      return [
        {
          usable: rooms.length > 0,
          followed: rooms.some((r) => s.action === `go to ${r}`),
          inRetrieved: usableRooms(s.tips).length > 0
        }
      ]
    })
  )
  const named = eps.flatMap((e) =>
    e.steps.flatMap((s) =>
      s.tips.length === 0 || tipsShown === 0 || !s.action.startsWith('go to ')
        ? []
        : [s.tips.slice(0, tipsShown).flatMap(tipRooms).includes(s.action.slice('go to '.length))]
    )
  )
  const u = usable.filter((x) => x.usable)
  return {
    usable: usable.length === 0 ? null : u.length / usable.length,
    inRetrieved: usable.length === 0 ? null : usable.filter((x) => x.inRetrieved).length / usable.length,
    followed: u.length === 0 ? null : u.filter((x) => x.followed).length / u.length,
    named: named.length === 0 ? null : named.filter(Boolean).length / named.length,
    goTo: share(/^go to /u),
    take: share(/^take /u),
    lookInventory: share(/^(look|inventory)$/u),
    back: gos.length === 0 ? null : gos.filter(Boolean).length / gos.length
  }
}

const scopes: ReadonlyArray<Scope> = ['global', 'perTask', 'perVariant']
const scopeArg = (x: string): Scope => {
  const found = scopes.find((c) => c === x)
  if (found === undefined) throw new InvalidArgumentError(`expected one of ${scopes.join(', ')}, got "${x}"`)
  return found
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
    console.log(
      '| trial | score | go to | back | named by a tip | tip usable | usable tip followed | take | a gaining action taken |'
    )
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    perRun[0]?.forEach((_, t) => {
      const at = perRun.flatMap((r) => r.slice(t, t + 1))
      const col = (f: (x: TrialSummary) => number | null, scale = 100, digits = 0): string =>
        formatMeanSpread(
          at.flatMap((x) => {
            const v = f(x)
            return v === null ? [] : [scale * v]
          }),
          digits
        )
      console.log(
        `| ${t + 1} | ${col((x) => x.score, 1, 1)} | ${col((x) => x.goTo)} | ${col((x) => x.back)} | ${col((x) => x.named)} | ${col((x) => x.usable)} | ${col((x) => x.followed)} | ${col((x) => x.take)} | ${col((x) => x.gain)} |`
      )
    })
  })

/** One trial of one run: its score (the mean of the families' scores) and action shares. */
interface TrialSummary {
  readonly score: number
  readonly goTo: number
  readonly back: number | null
  readonly named: number | null
  readonly gain: number | null
  readonly usable: number | null
  readonly followed: number | null
  readonly take: number
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
  const agent = o.tipsShown === undefined ? base.agent : { ...base.agent, maxTipsShown: o.tipsShown as never }
  const algo =
    o.scope === undefined ? base.algo : { ...base.algo, memory: { ...base.algo.memory, scope: o.scope } }
  const played = await playMemoryTrials(
    model,
    { ...base, algo, agent, model: model.config },
    evalRngs(o.seed).ood,
    {
      families,
      variants: Array.from({ length: variants }, (_, i) => o.firstVariant + i),
      trials,
      renaming: o.rename
    }
  )
  // the replay reads the suite's own words, so a renamed run has no gains to read
  const gain = (eps: ReadonlyArray<EpisodeRun>) => (o.rename === undefined ? gainingTaken(eps) : null)
  const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)} %`)
  console.log(
    `${target}: ${families.join(', ')} × variants ${o.firstVariant}–${o.firstVariant + variants - 1}, ${trials} trials with memory, at most ${agent.maxTipsShown} tips shown per step, memory ${algo.memory.scope}`
  )
  console.log(
    '| trial | ' +
      families.map((f) => `${f} score`).join(' | ') +
      ' | go to | back | named by a tip | tip usable | one of the retrieved usable | usable tip followed | take | look/inventory | a gaining action taken |'
  )
  console.log(
    '| ---: |' +
      families.map(() => ' ---: |').join('') +
      ' ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  )
  played.forEach((eps, t) => {
    const { perFamily } = summarise(eps)
    const a = actionShares(eps, agent.maxTipsShown)
    const scores = families.map((f) => perFamily[f]?.score.toFixed(1) ?? '–')
    console.log(
      `| ${t + 1} | ${scores.join(' | ')} | ${pct(a.goTo)} | ${pct(a.back)} | ${pct(a.named)} | ${pct(a.usable)} | ${pct(a.inRetrieved)} | ${pct(a.followed)} | ${pct(a.take)} | ${pct(a.lookInventory)} | ${pct(gain(eps))} |`
    )
  })
  played.forEach((eps, t) =>
    eps.slice(0, o.transcripts).forEach((e) => {
      console.log(`trial ${t + 1} ${e.task} ${e.variant}: score ${e.score}, tip ${JSON.stringify(e.tip)}`)
      console.log(
        `  ${e.steps.map((s) => s.action + (s.tips.length > 0 ? ` [${s.tips.slice(0, agent.maxTipsShown).join('; ')}]` : '')).join(' | ')}`
      )
    })
  )
  disposeTransformer(model)
  return played.map((eps) => {
    const { perFamily } = summarise(eps)
    const a = actionShares(eps, agent.maxTipsShown)
    const scores = families.map((f) => perFamily[f]?.score ?? 0)
    return {
      score: scores.reduce((x, y) => x + y, 0) / Math.max(1, scores.length),
      goTo: a.goTo,
      back: a.back,
      named: a.named,
      gain: gain(eps),
      usable: a.usable,
      followed: a.followed,
      take: a.take
    }
  })
}

await program.parseAsync().catch((e: unknown) => {
  console.error(`memory-trials: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
