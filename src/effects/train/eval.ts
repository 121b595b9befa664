/**
 * Evaluation: held-out variants without memory at the evaluation temperature (the figure
 * the paper reports), and out-of-distribution families with memory over a few trials and no parameter
 * update (tips written after each trial are retrieved in the next).
 */
import type { RunConfig } from '../../spec/run.ts'
import type { EvalSummary } from '../../spec/metrics.ts'
import type { Mode } from '../../spec/data.ts'
import type { Rng } from '../../core/rng.ts'
import { trialStream } from '../../core/train/streams.ts'
import { runMethod } from '../../core/methods/registry.ts'
import type { RunMethod } from '../../core/methods/record.ts'
import type { Trajectory } from '../../core/train/trajectory.ts'
import { transformerPolicy, type Transformer } from '../tensor/transformer.ts'
import { embed } from '../../core/memory/embedding.ts'
import {
  freshState,
  playEpisodes,
  type EpisodeSpec,
  type MemoryState,
  type RolloutSettings
} from './rollout.ts'
import { closePool, environmentSource, openPool, type EnvironmentSource } from '../env/open.ts'
import { heldOutTasks, oodTasks, type TaskVariants } from '../../core/env/catalogue.ts'
import type { Environment } from '../../spec/env.ts'
import { renamingProblem, type Renaming } from '../../core/env/rename.ts'
import { isSuccess } from '../../spec/env.ts'

/** Success and mean score per family, and overall (the mean over families): `EvalSummary`'s held-out record. */
export type EvalResult = EvalSummary['heldOut']

/** Per-family and overall success and mean score of finished episodes. */
export const summarise = (
  eps: ReadonlyArray<{ readonly task: string; readonly score: number }>
): EvalResult => {
  const fams = [...new Set(eps.map((e) => e.task))]
  const perFamily = Object.fromEntries(
    fams.map((f) => {
      const xs = eps.filter((e) => e.task === f)
      return [
        f,
        {
          success: xs.filter((e) => isSuccess(e.score)).length / xs.length,
          score: xs.reduce((s, e) => s + e.score, 0) / xs.length
        }
      ]
    })
  )
  const vals = Object.values(perFamily)
  const avg = (k: 'success' | 'score'): number =>
    vals.length === 0 ? 0 : vals.reduce((s, v) => s + v[k], 0) / vals.length
  return { perFamily, success: avg('success'), score: avg('score'), episodes: eps.length }
}

/** Every family with the same variants (the shape of a probe over chosen variants). */
export const crossTasks = (
  families: ReadonlyArray<string>,
  variants: ReadonlyArray<number>
): ReadonlyArray<TaskVariants> => families.map((task) => ({ task, variants }))

// one episode per (task, variant); the reset seed only orders the admissible lists
const evalSpecs = (tasks: ReadonlyArray<TaskVariants>, seedBase: number): ReadonlyArray<EpisodeSpec> =>
  tasks.flatMap(({ task, variants }, f) =>
    variants.map((variant, v) => ({ task, variant, group: f * 1000 + v, seed: seedBase + v }))
  )

// play `specs` on a pool of the source's environments, closed afterwards
const withPool = async <A>(
  source: EnvironmentSource,
  n: number,
  play: (envs: ReadonlyArray<Environment>) => Promise<A>
): Promise<A> => {
  const envs = openPool(source, n)
  try {
    return await play(envs)
  } finally {
    await closePool(envs)
  }
}

// evaluation rollouts: the run's method and config at the evaluation temperature, every step in one
// mode, the novelty memory scoring only; with memory (on-policy with tips), a tip written after each
// episode
const evalSettings = (run: RunConfig, method: RunMethod, mode: Mode): RolloutSettings => ({
  algo: method.algo,
  agent: method.agent,
  temperature: method.algo.rollout.evalTemperature,
  tipTemperature: run.schedule.tipTemperature,
  maxSteps: method.algo.rollout.maxSteps,
  modes: { _tag: 'Fixed', mode },
  writesTips: mode !== 'onPolicyNoMemory',
  writesMemory: mode !== 'onPolicyNoMemory',
  learnsNovelty: false
})

/** The held-out tasks of a run: its families with their first `evalVariants` unseen variants. */
export const runHeldOutTasks = async (run: RunConfig): Promise<ReadonlyArray<TaskVariants>> =>
  heldOutTasks(await environmentSource(run.env).catalogue(), run.schedule.families, run.schedule.evalVariants)

/**
 * Held-out success without memory: one episode per (family, variant) of `run.schedule.families` ×
 * the first `evalVariants` variants of each family's test split in the run's environment (its train
 * split when it has none: `heldOutTasks`), at `rollout.evalTemperature`.
 */
export const evaluateHeldOut = async (model: Transformer, run: RunConfig, rng: Rng): Promise<EvalResult> => {
  const source = environmentSource(run.env)
  const specs = evalSpecs(await runHeldOutTasks(run), 100_000)
  if (specs.length === 0) return summarise([])
  const method = runMethod(run, embed)
  const { episodes } = await withPool(source, specs.length, (envs) =>
    playEpisodes(
      { policy: transformerPolicy(model), envs, embedder: embed },
      evalSettings(run, method, 'onPolicyNoMemory'),
      specs,
      freshState(method.trialMemory.empty),
      rng
    )
  )
  return summarise(episodes)
}

/** A tip written at the end of a memory-trial episode (null when the writer produced nothing usable). */
export interface WrittenTip {
  readonly task: string
  readonly variant: number
  readonly score: number
  readonly tip: string | null
}

/** Trials with memory: per trial, the result and the tips its episodes wrote (read by later trials). */
export interface MemoryTrials {
  readonly results: ReadonlyArray<EvalResult>
  readonly tips: ReadonlyArray<ReadonlyArray<WrittenTip>>
}

/** Where and how memory trials are played: each task's variants, trial after trial. */
export interface MemoryTrialsOn {
  readonly tasks: ReadonlyArray<TaskVariants>
  readonly trials: number
  /** Writes the tips in place of the actor (does a policy write useless tips, or fail to use good ones?). */
  readonly tipWriter?: Transformer | undefined
  /** The suite seen through a word renaming (a probe: src/core/env/rename.ts). */
  readonly renaming?: Renaming | undefined
  /** The memory the first trial reads: a stored memory snapshot (absent: the empty memory). */
  readonly startFrom?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Adaptation with memory and no parameter update: `trials` trials on each (family, variant), each
 * trial reading the tips written after the earlier ones. Returns every trial's episodes. With a
 * renaming, what is wrong with it (`renamingProblem`) is thrown before any episode, and an episode the
 * renamed suite ended with an error (a target word met mid-episode) is thrown, not scored.
 */
export const playMemoryTrials = async (
  model: Transformer,
  run: RunConfig,
  rng: Rng,
  on: MemoryTrialsOn
): Promise<ReadonlyArray<ReadonlyArray<Trajectory>>> => {
  const specs = evalSpecs(on.tasks, 200_000)
  if (specs.length === 0) return []
  const problem = on.renaming === undefined ? null : renamingProblem(on.renaming, specs)
  if (problem !== null) throw new Error(problem)
  const method = runMethod(run, embed)
  const settings = evalSettings(run, method, 'onPolicyWithTips')
  const actor = transformerPolicy(model)
  const policy =
    on.tipWriter === undefined ? actor : { ...actor, generate: transformerPolicy(on.tipWriter).generate }
  return withPool(environmentSource(run.env, on.renaming), specs.length, async (envs) => {
    let state: MemoryState = freshState(
      on.startFrom === undefined ? method.trialMemory.empty : method.trialMemory.restore(on.startFrom)
    )
    const trials: Array<ReadonlyArray<Trajectory>> = []
    for (let trial = 0; trial < on.trials; trial++) {
      const r = await playEpisodes(
        { policy, envs, embedder: embed },
        settings,
        specs,
        state,
        trialStream(rng, trial)
      )
      state = r.state
      const failed = on.renaming === undefined ? undefined : r.episodes.find((e) => e.error !== null)
      if (failed !== undefined)
        throw new Error(
          `${failed.task} variant ${failed.variant}, trial ${trial + 1}, mid-episode: ${failed.error}`
        )
      trials.push(r.episodes)
    }
    return trials
  })
}

/** {@link playMemoryTrials}, summarised: one result per trial and the tips each trial wrote. */
export const evaluateWithMemory = async (
  model: Transformer,
  run: RunConfig,
  rng: Rng,
  on: MemoryTrialsOn
): Promise<MemoryTrials> => {
  const trials = await playMemoryTrials(model, run, rng, on)
  return {
    results: trials.map(summarise),
    tips: trials.map((eps) =>
      eps.map((e) => ({ task: e.task, variant: e.variant, score: e.score, tip: e.tip }))
    )
  }
}

/**
 * Out-of-distribution adaptation with memory: {@link evaluateWithMemory} on `oodTrials` trials of
 * the first `oodVariants` variants of each OOD family in the run's environment (`oodTasks`;
 * `tipWriter` and `renaming` as there).
 */
export const evaluateOod = async (
  model: Transformer,
  run: RunConfig,
  rng: Rng,
  opts: Pick<MemoryTrialsOn, 'tipWriter' | 'renaming' | 'startFrom'> = {}
): Promise<MemoryTrials> =>
  evaluateWithMemory(model, run, rng, {
    tasks: oodTasks(
      await environmentSource(run.env).catalogue(),
      run.schedule.oodFamilies,
      run.schedule.oodVariants
    ),
    trials: run.schedule.oodTrials,
    ...opts
  })
