/**
 * A whole training run in a run directory (src/effects/run/store.ts): start from the prior (or random
 * weights), train `schedule.iterations` iterations, evaluate, and write everything a reader or a
 * resumed run needs. Iteration `k` draws only from `fork(runRng(seed), k)` and restores the model,
 * the optimiser and the memories of iteration `k − 1`, so a run resumed after a crash writes the same
 * metrics (wall time aside) as one that was never interrupted.
 */
import * as t from 'io-ts'
import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { RunConfig, defaultMethod, mainJobRun, showEnvSpec, suiteEnv } from '../../spec/run.ts'
import { fitSchedule } from '../../core/env/catalogue.ts'
import { closePool, environmentSource } from '../env/open.ts'
import { withSwitchesAddedLater } from '../../spec/config.ts'
import { isPlainObject } from '../../spec/codec.ts'
import type { MetricsLine } from '../../spec/metrics.ts'
import type { Rng } from '../../core/rng.ts'
import {
  finalHeldOutStream,
  finalOodStream,
  iterationStream,
  loopEvaluationStream,
  runRoot
} from '../../core/train/streams.ts'
import { loadCheckpoint, restoreAdam, saveCheckpoint } from '../tensor/checkpoint.ts'
import { disposeTransformer, mkTransformer, type Transformer } from '../tensor/transformer.ts'
import { disposeAdam } from '../tensor/optimizer.ts'
import { fileSha256 } from '../fs.ts'
import {
  createRun,
  finishIteration,
  latestFiles,
  readConfig,
  readEvaluation,
  readMemory,
  resume,
  runPaths,
  writeEvaluation,
  lockRun,
  type MemorySnapshot,
  type RunState
} from '../run/store.ts'
import type { RunMethod } from '../../core/methods/record.ts'
import { freshState, type MemoryState } from './rollout.ts'
import { episodeStats, mkTrainer, trainIteration, type Trainer } from './loop.ts'
import { evaluateHeldOut, evaluateOod, type EvalResult } from './eval.ts'

/** What a run reports as it goes (for progress bars and logs). */
export interface RunProgress {
  readonly onIteration?: (line: MetricsLine, of: number) => void
  readonly onStep?: (iteration: number, activeEpisodes: number) => void
  /** Before each evaluation: `held-out evaluation` (in the loop, and at the end unless the last iteration's is reused) or `out-of-distribution trials`. */
  readonly onPhase?: (phase: string) => void
}

const now = (): number => performance.now() / 1000

/**
 * Train (or, with `resumeRun`, continue) the run in `dir` with `seed`, then evaluate it and write
 * `eval.json`. Returns the metrics of the iterations this call ran. The run directory is locked for
 * the whole call (`lockRun`): a second writer is refused, a lock left by a killed run is taken over.
 */
export const trainRun = async (
  dir: string,
  config: RunConfig,
  seed: number,
  resumeRun: boolean,
  progress: RunProgress = {}
): Promise<ReadonlyArray<MetricsLine>> => {
  const release = lockRun(dir, (m) => console.error(`empo2: ${m}`))
  try {
    return await trainRunLocked(dir, config, seed, resumeRun, progress)
  } finally {
    release()
  }
}

const trainRunLocked = async (
  dir: string,
  config: RunConfig,
  seed: number,
  resumeRun: boolean,
  progress: RunProgress
): Promise<ReadonlyArray<MetricsLine>> => {
  // a resumed run goes on from the prior it started from: the prior starts a run without a finished
  // iteration and is the KL reference of every run (β > 0)
  if (resumeRun) {
    const changed = priorChange(readStoredRun(dir), config.prior)
    if (changed !== null)
      throw new Error(
        `--resume: ${dir} is a run that ${changed}; restore that file, or remove the run to retrain it`
      )
  }
  // the prior is read once: its config replaces `model` in the stored run, its weights start the
  // policy (unless resumed) and the frozen reference (when β > 0), each a copy
  // a new run's schedule is fitted to its environment's tasks (the suite's own is kept as it is)
  const fitted = resumeRun ? config : await fitToEnvironment(config)
  const prior = config.prior === null ? null : loadCheckpoint(config.prior).model
  const run: RunConfig = prior === null ? fitted : { ...fitted, model: prior.config }
  const fresh = (): Transformer =>
    prior === null
      ? mkTransformer(run.model)
      : mkTransformer(
          run.model,
          prior.params.map((p) => p.variable.dataSync() as Float32Array)
        )
  const paths = runPaths(dir)
  if (!resumeRun)
    createRun(dir, { seed, run, ...(config.prior === null ? {} : { priorSha256: fileSha256(config.prior) }) })
  const { next, state } = resume(dir)
  const saved = next > 0 ? loadCheckpoint(paths.resumeCheckpoint(next - 1), run.model) : null
  const model = saved?.model ?? fresh()
  const reference = run.algo.kl.beta > 0 ? fresh() : null
  if (prior !== null) disposeTransformer(prior)
  const trainer = mkTrainer(run, model, reference)
  const restored = saved?.optimizer ?? null
  if (restored !== null) disposeAdam(trainer.optimizer)
  const tr = restored === null ? trainer : { ...trainer, optimizer: restoreAdam(model, restored) }
  try {
    return await iterateAndEvaluate(dir, run, seed, tr, next, state, progress)
  } finally {
    await closePool(tr.envs)
  }
}

// the iterations from `next` on, then the final evaluation (unless a finished run has it already)
const iterateAndEvaluate = async (
  dir: string,
  run: RunConfig,
  seed: number,
  tr: Trainer,
  next: number,
  state: RunState | null,
  progress: RunProgress
): Promise<ReadonlyArray<MetricsLine>> => {
  const paths = runPaths(dir)
  const model = tr.model
  const method = tr.method
  let memory: MemoryState =
    next > 0
      ? restoreState(method, readMemory(paths.resumeMemory(next - 1)))
      : freshState(method.memory.empty)
  let envSteps = state?.envSteps ?? 0
  let wall = state?.wallSeconds ?? 0
  const root = runRoot(seed)
  const out: MetricsLine[] = []
  const { iterations, evalEvery, checkpointEvery } = run.schedule
  // the final held-out evaluation's stream: the last iteration's in-loop evaluation draws from it
  // too, so that the two are one evaluation, run once (and a resumed run that finished training
  // recomputes the same one)
  const finalRng = finalHeldOutStream(root)
  let finalHeldOut: EvalResult | null = null
  const heldOut = (rng: Rng): Promise<EvalResult> => {
    progress.onPhase?.('held-out evaluation')
    return evaluateHeldOut(model, run, rng)
  }
  for (let it = next; it < iterations; it++) {
    const t0 = now()
    const r = await trainIteration(tr, it, memory, iterationStream(root, it), (n) => progress.onStep?.(it, n))
    memory = r.state
    envSteps += r.envSteps
    const last = it === iterations - 1
    const evaluated = last
      ? await heldOut(finalRng)
      : evalEvery > 0 && (it + 1) % evalEvery === 0
        ? await heldOut(loopEvaluationStream(root, it))
        : null
    if (last) finalHeldOut = evaluated
    const st = episodeStats(r.episodes)
    wall += now() - t0
    const line: MetricsLine = {
      iteration: it,
      method: run.method,
      seed,
      'env/steps': envSteps,
      'time/wall_s': wall,
      'charts/success': st.success,
      'charts/score': st.score,
      'charts/return': st.return,
      'charts/intrinsic': st.intrinsic,
      'losses/policy': r.update.policyLoss,
      'losses/clipfrac': r.update.clipFraction,
      'losses/maskfrac': r.update.maskedFraction,
      'losses/approx_kl': r.update.approxKl,
      'losses/entropy': r.update.entropy,
      'losses/grad_norm': r.update.gradNorm,
      'update/rows': r.update.rows,
      'memory/size': memory.memory.size,
      'memory/tips_per_step': st.tipsPerStep,
      'modes/on_nomem': st.modes.onNoMem,
      'modes/on_mem': st.modes.onMem,
      'modes/off': st.modes.off,
      'eval/success': evaluated?.success ?? null,
      'eval/score': evaluated?.score ?? null
    }
    const keep = (it + 1) % checkpointEvery === 0 || last
    saveCheckpoint(paths.resumeCheckpoint(it), model, tr.optimizer)
    if (keep) saveCheckpoint(paths.checkpoint(it), model, tr.optimizer)
    finishIteration(
      dir,
      line,
      { ...memory.memory.snapshot, novelty: memory.novelty },
      { iteration: it, envSteps, wallSeconds: wall },
      keep
    )
    out.push(line)
    progress.onIteration?.(line, iterations)
  }
  if (next >= iterations && readEvaluation(dir) !== null) return out
  const final = finalHeldOut ?? (await heldOut(finalRng))
  progress.onPhase?.('out-of-distribution trials')
  const ood = (await evaluateOod(model, run, finalOodStream(root))).results
  writeEvaluation(dir, { method: run.method, seed, envSteps, heldOut: final, ood })
  return out
}

/**
 * The run with its schedule fitted to its environment's catalogue (`fitSchedule`; the suite's own
 * schedule is kept as it is). An error names the environment.
 */
export const fitToEnvironment = async (run: RunConfig): Promise<RunConfig> => {
  const fitted = fitSchedule(await environmentSource(run.env).catalogue())(run.schedule)
  if (E.isLeft(fitted)) throw new Error(`environment ${showEnvSpec(run.env)}: ${fitted.left}`)
  return { ...run, schedule: fitted.right }
}

// the memories of a snapshot: the method's store (its own fields) and the novelty memory
const restoreState = (method: RunMethod, snapshot: MemorySnapshot): MemoryState => ({
  memory: method.memory.restore(snapshot),
  novelty: snapshot.novelty
})

const StoredRunAsWritten = t.intersection([
  t.type({ seed: t.number, run: RunConfig }),
  // the digest of the prior's file when the run started (runs stored before it was recorded lack it)
  t.partial({ priorSha256: t.string })
])

/**
 * A run's stored config and seed (`config.json`), validated. A run stored before a switch existed
 * gets the switch's value from before (`withSwitchesAddedLater`), so it resumes as it started.
 */
export const StoredRun = new t.Type<t.TypeOf<typeof StoredRunAsWritten>, unknown, unknown>(
  'StoredRun',
  StoredRunAsWritten.is,
  (u, c) => {
    if (!isPlainObject(u) || !isPlainObject(u['run'])) return StoredRunAsWritten.validate(u, c)
    const run = u['run']
    const { config: algo } = withSwitchesAddedLater(run['algo'])
    // a run stored before the environment was recorded ran on the embedded suite
    const env = run['env'] ?? suiteEnv
    return StoredRunAsWritten.validate({ ...u, run: { ...run, algo, env } }, c)
  },
  (a) => StoredRunAsWritten.encode(a)
)

/** Read a run's stored config and seed, and the digest of the prior it started from (when recorded). */
export const readStoredRun = (
  dir: string
): { readonly seed: number; readonly run: RunConfig; readonly priorSha256?: string } =>
  readConfig(dir, StoredRun)

/**
 * Why a run stored as `stored` cannot go on from `prior` as that file is now: `started from a
 * different version of <prior> (its file has changed since)` when the run recorded the digest of its
 * prior's file and the file at that path now has another; `null` otherwise (no prior, no digest
 * recorded, or no file to compare).
 */
export const priorChange = (
  stored: { readonly priorSha256?: string },
  prior: string | null
): string | null =>
  prior !== null &&
  stored.priorSha256 !== undefined &&
  existsSync(prior) &&
  fileSha256(prior) !== stored.priorSha256
    ? `started from a different version of ${prior} (its file has changed since)`
    : null

/**
 * What an evaluation of `target` reads: a run directory gives its stored config, latest checkpoint
 * and the memory snapshot stored with it; a checkpoint file (such as the prior) the main job's config
 * and no memory. Throws, naming the target,
 * when it is neither or the run has no finished iteration yet.
 */
export const evalTarget = (
  target: string
): { readonly run: RunConfig; readonly checkpoint: string; readonly memory: string | null } => {
  if (!existsSync(target)) throw new Error(`${target}: no such run directory or checkpoint`)
  if (!existsSync(runPaths(target).config))
    return { run: mainJobRun(defaultMethod, 'paper'), checkpoint: target, memory: null }
  const latest = latestFiles(target)
  if (latest === null) throw new Error(`${target}: no finished iteration to evaluate yet`)
  return { run: readStoredRun(target).run, checkpoint: latest.checkpoint, memory: latest.memory }
}
