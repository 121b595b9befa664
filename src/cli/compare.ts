/**
 * `empo2 compare`: train several methods over several seeds — each run a child process
 * (`empo2 train --events`, resumable), `--jobs` at a time — then write the comparison: a table of
 * held-out success without memory (mean ± sample sd over seeds), out-of-distribution score with
 * memory per trial (success there is rare: `deliver` needs `drop`, a verb no training family has,
 * and `power-fan` a three-action chain), and learning curves as SVG, in `runs/<name>/`. `npm start`
 * is the short profile, `npm run reproduce` the full one, `npm run reproduce:family` the family one; `--config` applies a JSON overrides file to
 * every run (configs/ holds the ablations' files). Re-running the same command resumes unfinished runs
 * and reuses finished ones — only runs started with the same config: a run directory of another config
 * is refused, naming the first difference.
 */
import { spawn } from 'node:child_process'
import { isDeepStrictEqual } from 'node:util'
import { existsSync, mkdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import {
  decodeRunConfig,
  mainJobRun,
  runnableMethods,
  type EnvSpec,
  type Method,
  type RunConfig
} from '../spec/run.ts'
import { isPlainObject, showDecodeError } from '../spec/codec.ts'
import type { EvalSummary, MetricsLine } from '../spec/metrics.ts'
import { comparisonTable, formatTable } from '../core/reports/table.ts'
import { successCharts } from '../core/reports/plot.ts'
import { writeFileAtomic } from '../effects/fs.ts'
import { finishedIterations, readEvaluation, readMetrics, runPaths } from '../effects/run/store.ts'
import { fitToEnvironment, priorChange, readStoredRun } from '../effects/train/run.ts'
import { mkProgress } from '../effects/progress.ts'
import { envArg, intArg, methodsArg, nameArg, presetArg, readOverrides, seedsArg } from './args.ts'

const fullSchedule = { evalEvery: 10, evalVariants: 20, oodVariants: 25 }

/**
 * The profiles: `short` (the main job, `npm start`), `full` (`npm run reproduce`) and `family`
 * (`npm run reproduce:family`: the family's memory systems beside EMPO², GRPO and Reflexion, on the
 * full schedule and into the same comparison, so runs `full` finished are reused).
 */
export const profiles = {
  short: { methods: ['empo2', 'grpo'] as ReadonlyArray<Method>, seeds: [0], schedule: {} },
  full: {
    methods: [
      'empo2',
      'grpo',
      'grpo-novelty',
      'empo2-no-offpolicy',
      'empo2-no-mask',
      'empo2-no-intrinsic',
      'reflexion'
    ] as ReadonlyArray<Method>,
    seeds: [0, 1, 2],
    schedule: fullSchedule
  },
  family: {
    methods: ['empo2', 'grpo', 'reflexion', 'rememberer', 'mdsi'] as ReadonlyArray<Method>,
    seeds: [0, 1, 2],
    schedule: fullSchedule
  }
} as const

type ProfileName = keyof typeof profiles

interface Opts {
  readonly profile: ProfileName
  readonly methods?: ReadonlyArray<Method>
  readonly seeds?: ReadonlyArray<number>
  readonly preset: 'paper' | 'official'
  readonly config?: string
  readonly iterations?: number
  readonly name?: string
  readonly runs: string
  readonly jobs: number
  readonly json?: boolean
  readonly env?: EnvSpec
}

interface Job {
  readonly method: Method
  readonly seed: number
  readonly dir: string
  readonly run: RunConfig
}

/** The dotted path of the first leaf where `a` and `b` differ, or null when they are equal. */
export const firstDifference = (a: unknown, b: unknown, path = ''): string | null => {
  if (isDeepStrictEqual(a, b)) return null
  if (isPlainObject(a) && isPlainObject(b))
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = firstDifference(a[k], b[k], path === '' ? k : `${path}.${k}`)
      if (d !== null) return d
    }
  return path === '' ? '(root)' : path
}

/**
 * The overrides every run of a comparison gets: the user's `--config` file (not `method`, which
 * `--methods` chooses per run), over the profile's schedule, with `--iterations` last.
 */
const comparisonOverrides = (o: Opts, profileSchedule: object): Record<string, unknown> => {
  const user = o.config === undefined ? {} : readOverrides(o.config)
  if (!isPlainObject(user)) throw new Error(`--config ${o.config}: expected a JSON object`)
  if ('method' in user)
    throw new Error(
      `--config ${o.config}: \`method\` is chosen per run by --methods; remove it from the file`
    )
  const schedule = user['schedule'] === undefined ? {} : user['schedule']
  if (!isPlainObject(schedule)) throw new Error(`--config ${o.config}: at schedule: expected an object`)
  return {
    ...user,
    ...(o.env === undefined ? {} : { env: o.env }),
    schedule: {
      ...profileSchedule,
      ...schedule,
      ...(o.iterations === undefined ? {} : { iterations: o.iterations })
    }
  }
}

/**
 * A run directory already holding a run is reused (finished) or resumed (unfinished) only if it was
 * started with the config this comparison would give it; otherwise the comparison would report runs
 * of another config under this one's name.
 */
const checkReusable = (job: Job): void => {
  if (!existsSync(runPaths(job.dir).config)) return
  const stored = readStoredRun(job.dir)
  // a run from a prior stores the checkpoint's model config, so `model` is not compared
  const strip = (r: RunConfig) => ({ ...r, model: r.prior === null ? r.model : null })
  const diff = stored.seed === job.seed ? firstDifference(strip(stored.run), strip(job.run)) : 'seed'
  if (diff !== null)
    throw new Error(
      `${job.dir} holds a run with another config (first difference at ${diff}); choose another --name, or remove that directory to retrain it`
    )
  // the same prior path may hold another checkpoint now (a new `empo2 pretrain`)
  const changed = priorChange(stored, job.run.prior)
  if (changed !== null)
    throw new Error(
      `${job.dir} holds a run that ${changed}; choose another --name, or remove that directory to retrain it`
    )
}

const bin = fileURLToPath(new URL('../../bin/empo2.mjs', import.meta.url))

/** Run one `train` child; resolves with its exit code and the tail of its stderr. */
const children = new Set<ReturnType<typeof spawn>>()
const stopChildren = (): void => children.forEach((c) => c.kill('SIGTERM'))

const runJob = (
  args: ReadonlyArray<string>,
  onLine: (line: MetricsLine) => void
): Promise<{ readonly code: number; readonly stderr: string }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [bin, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    createInterface({ input: child.stdout }).on('line', (l) => {
      try {
        const ev = JSON.parse(l) as { event?: string; line?: MetricsLine }
        if (ev.event === 'iteration' && ev.line !== undefined) onLine(ev.line)
      } catch {
        // not an event line
      }
    })
    children.add(child)
    child.on('close', (code) => {
      children.delete(child)
      done({ code: code ?? 1, stderr })
    })
  })

/** Run `jobs` with at most `n` at a time. */
const pool = async <A, B>(items: ReadonlyArray<A>, n: number, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out: B[] = new Array<B>(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i] as A)
      }
    })
  )
  return out
}

export const compareCommand = (): Command =>
  new Command('compare')
    .description(
      'train methods × seeds (child processes, resumable) and write the comparison table and plots'
    )
    .option(
      '--profile <name>',
      'short (npm start: EMPO² vs GRPO, 1 seed) | full (npm run reproduce: 7 methods, 3 seeds, 20 held-out variants) | family (npm run reproduce:family: the memory systems beside EMPO², GRPO and Reflexion, as full, into the same comparison)',
      (v: string): ProfileName => {
        if (v !== 'short' && v !== 'full' && v !== 'family')
          throw new Error(`expected short, full or family, got "${v}"`)
        return v
      },
      'short'
    )
    .option('--methods <list>', 'comma-separated methods (default: the profile’s)', methodsArg)
    .option('--seeds <list>', 'comma-separated seeds (default: the profile’s)', seedsArg)
    .option('-p, --preset <preset>', 'algorithm preset: paper | official', presetArg, 'paper' as const)
    .option(
      '-c, --config <file>',
      'JSON overrides of every run’s config (algo, agent, schedule, prior), e.g. {"algo":{"clip":{"dualClip":10}}}'
    )
    .option('-i, --iterations <n>', 'training iterations per run (default: the config’s)', intArg(1))
    .option(
      '-e, --env <env>',
      'environment of every run: suite (default) | zmachine:<game file> | bridge:<command> | scienceworld|alfworld|webshop[:<args>]',
      envArg
    )
    .option('-n, --name <name>', 'comparison name (default: the profile’s name)', nameArg)
    .option('--runs <dir>', 'directory of runs', 'runs')
    .option('-j, --jobs <n>', 'runs trained at the same time (one core each)', intArg(1, 64), 2)
    .option('--json', 'print the comparison as one JSON object')
    .action(async (o: Opts) => {
      const prof = profiles[o.profile]
      const seeds = o.seeds ?? prof.seeds
      // full and family share a comparison: a run one finished, the other reuses
      const name = o.name ?? (o.profile === 'short' ? 'main' : 'reproduce')
      const root = join(o.runs, name)
      const overrides = comparisonOverrides(o, prof.schedule)
      const runOf = (method: Method): RunConfig => {
        const d = decodeRunConfig(mainJobRun(method, o.preset))(overrides)
        if (E.isLeft(d))
          throw new Error(
            `${o.config === undefined ? '' : `--config ${o.config}: `}${showDecodeError(d.left)}`
          )
        return d.right
      }
      // a profile's method that cannot run under this preset and config is left out, with a note;
      // one asked for with --methods is an error (runOf)
      const runnable = runnableMethods(prof.methods, runOf('empo2').algo)
      if (o.methods === undefined && o.json !== true)
        for (const l of runnable.leftOut) process.stderr.write(`compare: leaving out ${l.method}: ${l.why}\n`)
      const methods = o.methods ?? runnable.methods
      // the schedule fitted to the environment, as each run stores it (it does not depend on the method)
      const { schedule } = await fitToEnvironment(runOf('empo2'))
      const jobs: Job[] = methods.flatMap((method) => {
        const run = { ...runOf(method), schedule }
        return seeds.map((seed) => ({ method, seed, dir: join(root, `${method}-s${seed}`), run }))
      })
      jobs.forEach(checkReusable)
      mkdirSync(root, { recursive: true })
      const overridesPath = resolve(root, 'overrides.json')
      writeFileAtomic(overridesPath, `${JSON.stringify(overrides, null, 2)}\n`)
      const iterationsOf = jobs[0]?.run.schedule.iterations ?? 0
      // finished runs are reused and resumed runs keep their iterations: done already, not in the ETA
      const reused = new Set(jobs.filter((j) => readEvaluation(j.dir) !== null).map((j) => j.dir))
      const done = new Map<string, number>(
        jobs.map((j) => [j.dir, reused.has(j.dir) ? iterationsOf : finishedIterations(j.dir)])
      )
      const progress = mkProgress(`compare ${name}`, jobs.length * iterationsOf, {
        silent: o.json === true,
        initial: [...done.values()].reduce((a, b) => a + b, 0)
      })
      // Ctrl-C: the children stop too; each keeps its finished iterations and resumes on the next run
      process.once('SIGINT', stopChildren)
      process.once('SIGTERM', stopChildren)
      const results = await pool(jobs, o.jobs, async (job) => {
        if (reused.has(job.dir)) return { job, code: 0, stderr: '' }
        const resume = existsSync(runPaths(job.dir).config)
        const args = [
          '--method',
          job.method,
          '--seed',
          String(job.seed),
          '--preset',
          o.preset,
          '--runs',
          root,
          '--name',
          `${job.method}-s${job.seed}`,
          '--events',
          ...(resume ? ['--resume'] : ['--config', overridesPath])
        ]
        const r = await runJob(args, (line) => {
          done.set(job.dir, line.iteration + 1)
          progress.update(
            [...done.values()].reduce((a, b) => a + b, 0),
            { [`${job.method}/s${job.seed}`]: line['charts/success'] }
          )
        })
        if (r.code !== 0)
          progress.log(`${job.method} seed ${job.seed} failed (exit ${r.code}):\n${r.stderr.trim()}`)
        return { job, ...r }
      })
      progress.stop()
      const failed = results.filter((r) => r.code !== 0)
      const byMethod = new Map<Method, ReadonlyArray<ReadonlyArray<MetricsLine>>>(
        methods.map((m) => [m, jobs.filter((j) => j.method === m).map((j) => readMetrics(j.dir).lines)])
      )
      const evals = new Map<Method, ReadonlyArray<EvalSummary>>(
        methods.map((m) => [
          m,
          jobs
            .filter((j) => j.method === m)
            .flatMap((j) => {
              const e = readEvaluation(j.dir)
              return e === null ? [] : [e]
            })
        ])
      )
      // a run with overrides is labelled with them: `empo2 + dual-clip` is not EMPO²
      const label = (m: Method): string =>
        o.config === undefined ? m : `${m} + ${basename(o.config, '.json')}`
      const groups = methods.map((m) => ({ name: label(m), runs: byMethod.get(m) ?? [] }))
      const compared = comparisonTable(
        methods.map((m) => ({ name: label(m), evals: evals.get(m) ?? [] })),
        methods.includes('grpo') ? methods.indexOf('grpo') : null
      )
      const table = formatTable(compared.headers, compared.rows)
      const ratio = compared.overBaseline[methods.indexOf('empo2')] ?? null
      const plots = {
        heldOut: join(root, 'held-out-success.svg'),
        training: join(root, 'training-success.svg')
      }
      const charts = successCharts(groups, seeds.length)
      writeFileAtomic(plots.heldOut, charts.heldOut)
      writeFileAtomic(plots.training, charts.training)
      const summary = {
        name,
        profile: o.profile,
        preset: o.preset,
        overrides,
        methods,
        seeds,
        table: { headers: compared.headers, rows: compared.rows },
        empo2OverGrpo: ratio,
        plots,
        failed: failed.map((f) => ({ method: f.job.method, seed: f.job.seed, stderr: f.stderr }))
      }
      writeFileAtomic(join(root, 'comparison.json'), `${JSON.stringify(summary, null, 2)}\n`)
      const text = [
        `comparison ${name} (${o.preset} preset; held-out: unseen variants, no memory; OOD: held-out families, with memory, no updates)`,
        ...(o.config === undefined
          ? []
          : [`every run with the overrides of ${o.config}: ${JSON.stringify(overrides)}`]),
        '',
        table,
        '',
        ratio === null ? '' : `EMPO² / GRPO held-out success: ${ratio.toFixed(2)}×`,
        `plots: ${plots.heldOut}, ${plots.training}`
      ].join('\n')
      writeFileAtomic(join(root, 'comparison.md'), `${text}\n`)
      if (o.json === true) console.log(JSON.stringify(summary))
      else console.log(text)
      if (failed.length > 0) throw new Error(`${failed.length} of ${jobs.length} runs failed (see above)`)
    })
