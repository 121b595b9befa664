/**
 * `empo2 inspect <run>`: a run's config summary, its last iterations' metrics, its memory size and
 * most recent tips, and its final evaluation; `--json` prints all of it as one object.
 */
import { showEnvSpec } from '../spec/run.ts'
import { existsSync } from 'node:fs'
import { Command } from 'commander'
import { formatTable } from '../core/reports/table.ts'
import { runMethod } from '../core/methods/registry.ts'
import { embed } from '../core/memory/embedding.ts'
import {
  finishedOf,
  latestFiles,
  readEvaluation,
  readMemory,
  readMetrics,
  readState,
  runPaths
} from '../effects/run/store.ts'
import { readStoredRun } from '../effects/train/run.ts'
import { evaluationTable } from './train.ts'
import { intArg } from './args.ts'

interface Opts {
  readonly last: number
  readonly tips: number
  readonly json?: boolean
}

export const inspectCommand = (): Command =>
  new Command('inspect')
    .description("show a run's config, metrics, memory, tips and evaluation")
    .argument('<run>', 'run directory (e.g. runs/empo2-s0)')
    .option('--last <n>', 'metrics of the last n iterations', intArg(1), 10)
    .option('--tips <n>', 'the n most recent tips', intArg(0), 5)
    .option('--json', 'print one JSON object instead of text')
    .action((dir: string, o: Opts) => {
      const p = runPaths(dir)
      if (!existsSync(p.config)) throw new Error(`${dir} is not a run directory (no config.json)`)
      const { run, seed } = readStoredRun(dir)
      const { lines, torn } = readMetrics(dir)
      const state = readState(dir)
      const latest = latestFiles(dir)
      const method = runMethod(run, embed)
      const memory = latest === null ? method.memory.empty : method.memory.restore(readMemory(latest.memory))
      const recent = memory.recent(o.tips)
      const evaluation = readEvaluation(dir)
      if (o.json === true) {
        console.log(
          JSON.stringify({
            dir,
            seed,
            config: run,
            state,
            metrics: lines.slice(-o.last),
            tornLastLine: torn,
            memory: { size: memory.size, unit: memory.unit, recent },
            evaluation
          })
        )
        return
      }
      // the settings the method trains with (grpo: p = 0 and no novelty bonus), not the stored base
      const a = method.algo
      const m = a.modes
      const modes =
        m.rule === 'perStep'
          ? `perStep (p = ${m.memoryProb}, q = ${m.offPolicyProb})`
          : `perIteration (off-policy below ${m.offPolicyBelow}, with tips below ${m.withTipsBelow})`
      console.log(
        [
          `run ${dir}: ${run.method}, preset ${a.preset}, seed ${seed}, prior ${run.prior ?? 'none (random weights)'}, environment ${showEnvSpec(run.env)}`,
          `  ${a.rollout.tasksPerBatch} tasks × ${a.rollout.groupSize} rollouts per iteration, ≤ ${a.rollout.maxSteps} steps; modes ${modes}; novelty ${a.novelty.rule} × ${a.novelty.coef}; mask ${a.mask.enabled ? a.mask.rule : 'off'}; lr ${a.optim.learningRate}`,
          `  finished iterations: ${finishedOf(state)} of ${run.schedule.iterations}; env steps ${state?.envSteps ?? 0}; wall ${(state?.wallSeconds ?? 0).toFixed(0)} s${torn ? ' (a torn last metrics line will be dropped on resume)' : ''}`,
          '',
          formatTable(
            [
              'iter',
              'env steps',
              'success',
              'score',
              'policy loss',
              'clipfrac',
              'maskfrac',
              'memory',
              'held-out'
            ],
            lines
              .slice(-o.last)
              .map((l) => [
                String(l.iteration),
                String(l['env/steps']),
                l['charts/success'],
                l['charts/score'],
                l['losses/policy'],
                l['losses/clipfrac'],
                l['losses/maskfrac'],
                String(l['memory/size']),
                l['eval/success']
              ])
          ),
          '',
          `memory: ${memory.size} ${memory.unit}`,
          ...recent.map((line) => `  ${line}`),
          '',
          evaluationTable(dir)
        ].join('\n')
      )
    })
