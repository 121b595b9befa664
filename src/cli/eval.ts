/**
 * `empo2 eval <run>`: evaluate a run's latest checkpoint (or the prior with `--prior`) — held-out
 * variants without memory, then out-of-distribution families with memory over the configured trials —
 * and print the result; nothing is written.
 */
import { existsSync } from 'node:fs'
import { Command } from 'commander'
import { fork } from '../core/rng.ts'
import { formatTable } from '../core/table.ts'
import { mainJobRun } from '../spec/run.ts'
import { selectBackend, type BackendName } from '../effects/tensor/backend.ts'
import { loadCheckpoint } from '../effects/tensor/checkpoint.ts'
import { latestFiles, runPaths } from '../effects/run/store.ts'
import { readStoredRun } from '../effects/train/run.ts'
import { evaluateHeldOut, evaluateOod } from '../effects/train/eval.ts'
import { runRng } from '../effects/train/loop.ts'
import { backendArg, intArg } from './args.ts'

interface Opts {
  readonly variants?: number
  readonly seed: number
  readonly backend?: BackendName
  readonly json?: boolean
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
    .option('--backend <name>', 'tensor backend', backendArg)
    .option('--json', 'print one JSON object instead of text')
    .action(async (target: string, o: Opts) => {
      if (!existsSync(target)) throw new Error(`${target}: no such run directory or checkpoint`)
      const isRun = existsSync(runPaths(target).config)
      const base = isRun ? readStoredRun(target).run : mainJobRun('empo2', 'paper')
      const run =
        o.variants === undefined
          ? base
          : { ...base, schedule: { ...base.schedule, evalVariants: o.variants as never } }
      await selectBackend(o.backend === undefined ? {} : { prefer: o.backend })
      const latest = isRun ? latestFiles(target) : null
      if (isRun && latest === null) throw new Error(`${target}: no finished iteration to evaluate yet`)
      const { model } = loadCheckpoint(latest?.checkpoint ?? target)
      const rng = fork(runRng(o.seed), 2_000_000)
      const heldOut = await evaluateHeldOut(model, { ...run, model: model.config }, fork(rng, 0))
      const ood = await evaluateOod(model, { ...run, model: model.config }, fork(rng, 1))
      if (o.json === true) {
        console.log(JSON.stringify({ target, heldOut, ood }))
        return
      }
      console.log(
        [
          `${target}: held-out success without memory ${heldOut.success.toFixed(3)} (${heldOut.episodes} episodes)`,
          formatTable(
            ['family', 'success', 'score'],
            Object.entries(heldOut.perFamily).map(([f, r]) => [f, r.success, r.score])
          ),
          `out-of-distribution with memory, per trial: success ${ood.map((r) => r.success.toFixed(3)).join(', ')}; score ${ood.map((r) => r.score.toFixed(1)).join(', ')}`
        ].join('\n')
      )
    })
