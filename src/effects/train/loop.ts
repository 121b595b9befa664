/**
 * The training loop: per iteration, draw tasks, play a group of rollouts per task (modes, tips,
 * intrinsic rewards: src/effects/train/rollout.ts), compute group advantages and the method's update
 * rows, and take the optimiser steps on the one loss definition (src/core/loss/loss.ts on tensors,
 * src/effects/tensor/update.ts). Every method is the same loop under another `RunMethod`
 * (src/core/methods/registry.ts). Everything an iteration needs is drawn from its own stream
 * (src/core/train/streams.ts), so a resumed run draws exactly what an uninterrupted one would have.
 */
import type { RunConfig } from '../../spec/run.ts'
import { isSuccess, type Environment } from '../../spec/env.ts'
import type { Rng } from '../../core/rng.ts'
import { iterationStreams, resetSeed } from '../../core/train/streams.ts'
import { drawIterationMode } from '../../core/train/modes.ts'
import { embed, type Embedder } from '../../core/memory/embedding.ts'
import { lossSettings } from '../../core/loss/loss.ts'
import { drawTasks, episodeAdvantages, miniBatchRows, type UpdateRowSpec } from '../../core/train/train.ts'
import { trajectoryReturn } from '../../core/advantage/returns.ts'
import { runMethod } from '../../core/methods/registry.ts'
import type { RunMethod } from '../../core/methods/record.ts'
import type { Trajectory } from '../../core/train/trajectory.ts'
import type { Mode } from '../../spec/data.ts'
import { transformerPolicy, type Transformer } from '../tensor/transformer.ts'
import { mkAdam, trainEpochs, type Adam } from '../tensor/optimizer.ts'
import { miniBatchObjective, tensorUpdateRows } from '../tensor/update.ts'
import { environmentSource, openPool } from '../env/open.ts'
import { playEpisodes, type MemoryState, type RolloutDeps } from './rollout.ts'

/** Diagnostics of one iteration's update (null when nothing was updated). */
export interface UpdateReport {
  readonly policyLoss: number | null
  readonly clipFraction: number | null
  readonly maskedFraction: number | null
  readonly approxKl: number | null
  readonly entropy: number | null
  readonly gradNorm: number | null
  readonly rows: number
}

/** One iteration's outcome, before it is written as a metrics line. */
export interface IterationReport {
  readonly iteration: number
  readonly episodes: ReadonlyArray<Trajectory>
  readonly update: UpdateReport
  readonly envSteps: number
  readonly state: MemoryState
}

/** The training context: the run and its method, the model, its optimiser, the optional frozen reference, the embedder. */
export interface Trainer {
  readonly run: RunConfig
  readonly method: RunMethod
  readonly model: Transformer
  readonly optimizer: Adam
  readonly reference: Transformer | null
  readonly embedder: Embedder
  readonly envs: ReadonlyArray<Environment>
}

/**
 * A trainer around `model` (Adam from `run.algo.optim`; `reference` for `kl.beta > 0`), with one
 * environment of the run's per episode slot (close them with `closePool` when done).
 */
export const mkTrainer = (run: RunConfig, model: Transformer, reference: Transformer | null): Trainer => {
  const o = run.algo.optim
  return {
    run,
    method: runMethod(run, embed),
    model,
    reference,
    optimizer: mkAdam(
      model.params.map((p) => p.variable),
      {
        learningRate: o.learningRate,
        beta1: o.adamBeta1,
        beta2: o.adamBeta2,
        epsilon: o.adamEpsilon,
        gradClip: o.gradClip
      }
    ),
    embedder: embed,
    envs: openPool(environmentSource(run.env), run.algo.rollout.tasksPerBatch * run.algo.rollout.groupSize)
  }
}

const mean = (xs: ReadonlyArray<number>): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length

/** The update of one iteration's rows on the tensor layer. */
const update = (tr: Trainer, specs: ReadonlyArray<UpdateRowSpec>, rng: Rng): UpdateReport => {
  const none: UpdateReport = {
    policyLoss: null,
    clipFraction: null,
    maskedFraction: null,
    approxKl: null,
    entropy: null,
    gradNorm: null,
    rows: 0
  }
  if (specs.length === 0) return none
  const algo = tr.method.algo
  const settings = lossSettings(algo)
  const rows = tensorUpdateRows(tr.model, tr.reference, settings, specs, tr.run.schedule.skipZeroAdvantage)
  const objective = miniBatchObjective(tr.model, settings, tr.run.schedule.skipZeroAdvantage)
  const diag: { clip: number[]; mask: number[]; kl: number[]; ent: number[]; pl: number[] } = {
    clip: [],
    mask: [],
    kl: [],
    ent: [],
    pl: []
  }
  const reports = trainEpochs(
    tr.optimizer,
    rows,
    { epochs: algo.optim.epochs, miniBatchSize: miniBatchRows(algo) },
    rng,
    (mb) => {
      const { loss, output: out } = objective(mb)
      // a minibatch of left-out rows only: policy loss and clip fraction are exactly 0, the other
      // diagnostics are unknown without a forward pass
      diag.pl.push(out === null ? 0 : (out.policyLoss.dataSync()[0] as number))
      diag.clip.push(out === null ? 0 : (out.clipFraction.dataSync()[0] as number))
      if (out !== null) {
        diag.mask.push(out.maskedFraction.dataSync()[0] as number)
        diag.kl.push(out.approxKl.dataSync()[0] as number)
        diag.ent.push(out.entropy.dataSync()[0] as number)
      }
      return loss
    }
  )
  const meanOrNull = (xs: ReadonlyArray<number>): number | null => (xs.length === 0 ? null : mean(xs))
  return {
    policyLoss: mean(diag.pl),
    clipFraction: mean(diag.clip),
    maskedFraction: meanOrNull(diag.mask),
    approxKl: meanOrNull(diag.kl),
    entropy: settings.entropyCoef > 0 ? meanOrNull(diag.ent) : null,
    gradNorm: mean(reports.map((r) => r.gradNorm)),
    rows: rows.length
  }
}

/** One training iteration, drawing from the iteration's streams (`iterationStreams`). */
export const trainIteration = async (
  tr: Trainer,
  iteration: number,
  state: MemoryState,
  rng: Rng,
  onStep?: (active: number) => void
): Promise<IterationReport> => {
  const { run, method } = tr
  const algo = method.algo
  const streams = iterationStreams(rng)
  const { groupSize, tasksPerBatch } = algo.rollout
  const [tasks] = drawTasks(run.schedule, tasksPerBatch)(streams.tasks)
  const [iterationMode] = drawIterationMode(algo.modes)(streams.iterationMode)
  const specs = tasks.flatMap((t, g) =>
    Array.from({ length: groupSize }, (_, k) => ({
      task: t.task,
      variant: t.variant,
      group: g,
      seed: resetSeed(iteration, g, k)
    }))
  )
  const deps: RolloutDeps = { policy: transformerPolicy(tr.model), envs: tr.envs, embedder: tr.embedder }
  const { episodes, state: next } = await playEpisodes(
    deps,
    {
      algo,
      agent: method.agent,
      temperature: algo.rollout.temperature,
      tipTemperature: run.schedule.tipTemperature,
      maxSteps: algo.rollout.maxSteps,
      modes: method.trainingModes(iterationMode),
      writesTips: method.writesTips,
      writesMemory: method.writesMemory,
      learnsNovelty: true
    },
    specs,
    state,
    streams.rollouts,
    onStep
  )
  const adv = episodeAdvantages(algo.advantage, algo.novelty.coef)(episodes)
  const rows = method.updateRows(episodes, adv)
  const report = update(tr, rows, streams.miniBatches)
  return {
    iteration,
    episodes,
    update: report,
    envSteps: episodes.reduce((s, e) => s + e.steps.length, 0),
    state: next
  }
}

/** Summary statistics of a batch of episodes. */
export const episodeStats = (
  episodes: ReadonlyArray<Trajectory>
): {
  readonly success: number
  readonly score: number
  readonly return: number
  readonly intrinsic: number
  readonly tipsPerStep: number
  readonly modes: { readonly onNoMem: number; readonly onMem: number; readonly off: number }
} => {
  const steps = episodes.flatMap((e) => e.steps)
  const count = (mode: Mode): number => steps.filter((s) => s.mode === mode).length
  return {
    success: mean(episodes.map((e) => (isSuccess(e.score) ? 1 : 0))),
    score: mean(episodes.map((e) => e.score)),
    return: mean(episodes.map(trajectoryReturn(0))),
    intrinsic: mean(episodes.map((e) => e.steps.reduce((s, x) => s + x.intrinsic, 0))),
    tipsPerStep: mean(steps.map((s) => s.tips.length)),
    modes: { onNoMem: count('onPolicyNoMemory'), onMem: count('onPolicyWithTips'), off: count('offPolicy') }
  }
}
