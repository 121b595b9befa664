/**
 * `empo2 eval <run>`: evaluate a run's latest checkpoint (or a checkpoint file such as the prior) —
 * out-of-distribution families with memory over the configured trials (first, so that a bad
 * `--rename` is refused at once), then held-out variants without memory; with `--held-out-memory` also the held-out variants with memory per trial, and with
 * `--tips-by` another checkpoint writes the tips, with `--trained-memory` the trials start from the
 * run's memory instead of an empty one — and print the result; nothing is written.
 */
import { isDeepStrictEqual } from 'node:util'
import { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { decodeRunConfig, type EnvSpec } from '../spec/run.ts'
import { showDecodeError } from '../spec/codec.ts'
import { formatTable } from '../core/reports/table.ts'
import { nonNegativeInt } from '../spec/brands.ts'
import { selectBackend, type BackendName } from '../effects/tensor/backend.ts'
import { loadCheckpoint } from '../effects/tensor/checkpoint.ts'
import { readMemory } from '../effects/run/store.ts'
import { evalTarget, fitToEnvironment } from '../effects/train/run.ts'
import {
  evaluateHeldOut,
  evaluateOod,
  evaluateWithMemory,
  runHeldOutTasks,
  type EvalResult
} from '../effects/train/eval.ts'
import { variantsPerFamily } from '../core/env/families.ts'
import { evaluationStreams } from '../core/train/streams.ts'
import type { Renaming } from '../core/env/rename.ts'
import { backendArg, envArg, intArg, readOverrides, renameArg } from './args.ts'

interface Opts {
  readonly variants?: number
  readonly seed: number
  readonly heldOutMemory?: boolean
  readonly trainedMemory?: boolean
  readonly tipsBy?: string
  readonly rename?: Renaming
  readonly oodVariants?: number
  readonly config?: string
  readonly backend?: BackendName
  readonly json?: boolean
  readonly env?: EnvSpec
}

export const evalCommand = (): Command =>
  new Command('eval')
    .description("evaluate a run's latest checkpoint, or a checkpoint file such as the prior")
    .argument('<run-or-checkpoint>', 'a run directory, or a .ckpt file (evaluated with the main job config)')
    .option(
      '--variants <n>',
      'held-out variants per family (default: the config’s evalVariants)',
      intArg(1, 20)
    )
    .option('-s, --seed <n>', 'seed of the evaluation episodes', intArg(0, 2 ** 32 - 1), 0)
    .option(
      '--held-out-memory',
      'also run the held-out variants with memory, trial after trial (as out of distribution)'
    )
    .option(
      '--trained-memory',
      'memory trials start from the run’s memory as its latest iteration left it, not from an empty one'
    )
    .option('--tips-by <checkpoint>', 'write the tips of every memory trial with this checkpoint instead')
    .option(
      '--ood-variants <n>',
      'out-of-distribution variants per family (default: the config’s oodVariants)',
      intArg(1, variantsPerFamily)
    )
    .option(
      '--rename <from=to,…>',
      'a probe for the out-of-distribution trials: every text the policy sees there has each word "from" replaced by "to", and its actions are mapped back (e.g. parcel=ruby: does it fail on an unknown word or on an unknown task?)',
      renameArg
    )
    .option(
      '--config <file>',
      'JSON overrides of the config the evaluation reads (its agent and schedule), e.g. configs/two-tips.json'
    )
    .option(
      '-e, --env <env>',
      'evaluate on this environment instead of the run’s: suite | zmachine:<game file> | bridge:<command> | scienceworld|alfworld|webshop[:<args>]',
      envArg
    )
    .option('--backend <name>', 'tensor backend', backendArg)
    .option('--json', 'print one JSON object instead of text, with every tip the memory trials wrote')
    .action(async (target: string, o: Opts) => {
      const { run: stored, checkpoint, memory } = evalTarget(target)
      if (o.trainedMemory === true && memory === null)
        throw new Error(`--trained-memory: ${target} is a checkpoint file, not a run directory with a memory`)
      const startFrom = o.trainedMemory === true && memory !== null ? readMemory(memory) : undefined
      const decoded =
        o.config === undefined ? E.right(stored) : decodeRunConfig(stored)(readOverrides(o.config))
      if (E.isLeft(decoded)) throw new Error(showDecodeError(decoded.left))
      const base =
        o.env === undefined ? decoded.right : await fitToEnvironment({ ...decoded.right, env: o.env })
      const run = {
        ...base,
        schedule: {
          ...base.schedule,
          ...(o.variants === undefined ? {} : { evalVariants: nonNegativeInt(o.variants) }),
          ...(o.oodVariants === undefined ? {} : { oodVariants: nonNegativeInt(o.oodVariants) })
        }
      }
      await selectBackend(o.backend === undefined ? {} : { prefer: o.backend })
      const { model } = loadCheckpoint(checkpoint)
      const tipWriter = o.tipsBy === undefined ? undefined : loadCheckpoint(o.tipsBy).model
      // tips pass between the two as text, so any writer would run; a different tokenizer means a
      // checkpoint of another prior, paired by mistake more likely than on purpose
      if (tipWriter !== undefined && !isDeepStrictEqual(tipWriter.config.tokenizer, model.config.tokenizer))
        throw new Error(`--tips-by ${o.tipsBy}: its tokenizer differs from the evaluated checkpoint’s`)
      const r = { ...run, model: model.config }
      const rngs = evaluationStreams(o.seed)
      const renaming = o.rename
      // out of distribution first, so a bad --rename is refused at once
      const ood = await evaluateOod(model, r, rngs.ood, { tipWriter, renaming, startFrom })
      const heldOut = await evaluateHeldOut(model, r, rngs.heldOut)
      const heldOutWithMemory =
        o.heldOutMemory === true
          ? await evaluateWithMemory(model, r, rngs.heldOutMemory, {
              tasks: await runHeldOutTasks(r),
              trials: r.schedule.oodTrials,
              tipWriter,
              startFrom
            })
          : null
      if (o.json === true) {
        console.log(
          JSON.stringify({
            target,
            heldOut,
            ood: ood.results,
            ...(heldOutWithMemory === null ? {} : { heldOutWithMemory: heldOutWithMemory.results }),
            ...(o.tipsBy === undefined ? {} : { tipsBy: o.tipsBy }),
            ...(startFrom === undefined ? {} : { trainedMemory: true }),
            ...(renaming === undefined ? {} : { oodRenamed: renaming.pairs }),
            tips: {
              ood: ood.tips,
              ...(heldOutWithMemory === null ? {} : { heldOutWithMemory: heldOutWithMemory.tips })
            }
          })
        )
        return
      }
      const perTrial = (rs: ReadonlyArray<Pick<EvalResult, 'success' | 'score'>>) =>
        `success ${rs.map((x) => x.success.toFixed(3)).join(', ')}; score ${rs.map((x) => x.score.toFixed(1)).join(', ')}`
      const perFamilyTrials = (rs: ReadonlyArray<EvalResult>) =>
        Object.keys(rs[0]?.perFamily ?? {}).map(
          (f) => `  ${f}: ${perTrial(rs.flatMap((x) => x.perFamily[f] ?? []))}`
        )
      const tipsNote =
        (o.tipsBy === undefined ? '' : ` (tips written by ${o.tipsBy})`) +
        (startFrom === undefined ? '' : ' (from the trained memory)')
      console.log(
        [
          ...(renaming === undefined
            ? []
            : [
                `out of distribution, words renamed (what the policy sees): ${renaming.pairs.map(([a, b]) => `${a} → ${b}`).join(', ')}`
              ]),
          `${target}: held-out success without memory ${heldOut.success.toFixed(3)} (${heldOut.episodes} episodes)`,
          formatTable(
            ['family', 'success', 'score'],
            Object.entries(heldOut.perFamily).map(([f, x]) => [f, x.success, x.score])
          ),
          ...(heldOutWithMemory === null
            ? []
            : [
                `held-out variants with memory${tipsNote}, per trial: ${perTrial(heldOutWithMemory.results)}`
              ]),
          `out-of-distribution with memory${tipsNote}, per trial: ${perTrial(ood.results)} (${ood.results[0]?.episodes ?? 0} episodes each)`,
          ...perFamilyTrials(ood.results)
        ].join('\n')
      )
    })
