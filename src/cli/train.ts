/**
 * `empo2 train`: one run of a method from the main job's config (src/spec/run.ts `mainJobRun`), with
 * overrides from a JSON file, into `runs/<name>/`; `--resume` continues a run from its last finished
 * iteration with its stored config.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { Method, decodeRunConfig, defaultMethod, mainJobRun, type EnvSpec } from '../spec/run.ts'
import { showDecodeError } from '../spec/codec.ts'
import { formatTable } from '../core/reports/table.ts'
import { positiveInt } from '../spec/brands.ts'
import { selectBackend, type BackendName } from '../effects/tensor/backend.ts'
import { readStoredRun, trainRun } from '../effects/train/run.ts'
import { finishedIterations, readEvaluation } from '../effects/run/store.ts'
import { mkProgress } from '../effects/progress.ts'
import { backendArg, envArg, intArg, methodArg, nameArg, presetArg, readOverrides } from './args.ts'

interface Opts {
  readonly method: Method
  readonly preset: 'paper' | 'official'
  readonly config?: string
  readonly iterations?: number
  readonly name?: string
  readonly runs: string
  readonly seed: number
  readonly resume?: boolean
  readonly backend?: BackendName
  readonly json?: boolean
  readonly events?: boolean
  readonly env?: EnvSpec
}

/** Print a run's final evaluation as a table. */
export const evaluationTable = (dir: string): string => {
  const ev = readEvaluation(dir)
  if (ev === null) return `${dir}: no evaluation yet`
  const fams = Object.keys(ev.heldOut.perFamily)
  const rows = fams.map((f) => [
    f,
    ev.heldOut.perFamily[f]?.success ?? null,
    ev.heldOut.perFamily[f]?.score ?? null
  ])
  const ood = ev.ood.map((r, i) => `trial ${i + 1}: ${r.success.toFixed(3)}`).join(', ')
  return [
    `held-out variants, no memory (${ev.heldOut.episodes} episodes): success ${ev.heldOut.success.toFixed(3)}, score ${ev.heldOut.score.toFixed(1)}`,
    formatTable(['family', 'success', 'score'], [...rows, ['all', ev.heldOut.success, ev.heldOut.score]]),
    ood === '' ? '' : `out-of-distribution with memory, success per trial: ${ood}`
  ].join('\n')
}

export const trainCommand = (): Command =>
  new Command('train')
    .description('train one method from the committed prior into runs/<name>/ (resumable)')
    .option('-m, --method <method>', Object.keys(Method.keys).join(' | '), methodArg, defaultMethod)
    .option('-p, --preset <preset>', 'algorithm preset: paper | official', presetArg, 'paper' as const)
    .option(
      '-c, --config <file>',
      'JSON overrides of the run config (method, algo, model, agent, schedule, prior)'
    )
    .option('-i, --iterations <n>', 'training iterations (overrides the config)', intArg(1))
    .option(
      '-e, --env <env>',
      'environment: suite (default) | zmachine:<game file> | bridge:<command> | scienceworld|alfworld|webshop[:<args>]',
      envArg
    )
    .option('-n, --name <name>', 'run name (default: <method>-s<seed>)', nameArg)
    .option('--runs <dir>', 'directory of runs', 'runs')
    .option('-s, --seed <n>', 'seed of the run', intArg(0, 2 ** 32 - 1), 0)
    .option('--resume', 'continue the run from its last finished iteration, with its stored config')
    .option('--backend <name>', 'tensor backend (default: the first that loads)', backendArg)
    .option('--json', 'print one JSON object instead of text')
    .option('--events', 'print one JSON line per finished iteration on stdout (for `compare`)')
    .action(async (o: Opts) => {
      const dir = join(o.runs, o.name ?? `${o.method}-s${o.seed}`)
      let run = mainJobRun(o.method, o.preset)
      let seed = o.seed
      if (o.resume === true) {
        if (!existsSync(join(dir, 'config.json'))) throw new Error(`--resume: ${dir} holds no run`)
        ;({ run, seed } = readStoredRun(dir))
      } else {
        const decoded = decodeRunConfig(run)(o.config === undefined ? {} : readOverrides(o.config))
        if (E.isLeft(decoded)) throw new Error(showDecodeError(decoded.left))
        run = decoded.right
        if (o.env !== undefined) run = { ...run, env: o.env }
        if (o.iterations !== undefined)
          run = { ...run, schedule: { ...run.schedule, iterations: positiveInt(o.iterations) } }
      }
      await selectBackend({
        ...(o.backend === undefined ? {} : { prefer: o.backend }),
        log: (l) => process.stderr.write(`${l}\n`)
      })
      const progress = mkProgress(`${run.method} s${seed}`, run.schedule.iterations, {
        silent: o.json === true || o.events === true,
        initial: o.resume === true ? finishedIterations(dir) : 0
      })
      const lines = await trainRun(dir, run, seed, o.resume === true, {
        onIteration: (line) => {
          if (o.events === true) console.log(JSON.stringify({ event: 'iteration', line }))
          progress.update(line.iteration + 1, {
            success: line['charts/success'],
            ...(line['eval/success'] === null ? {} : { held_out: line['eval/success'] }),
            memory: line['memory/size']
          })
        },
        onPhase: (phase) => progress.log(`${run.method} s${seed}: ${phase}`)
      })
      progress.stop()
      if (o.events === true) console.log(JSON.stringify({ event: 'done', dir }))
      else if (o.json === true)
        console.log(JSON.stringify({ dir, iterations: lines.length, evaluation: readEvaluation(dir) }))
      else console.log(`${dir}: ${lines.length} iterations run\n${evaluationTable(dir)}`)
    })
