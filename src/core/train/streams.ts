/**
 * The named random streams of a run: every draw a run makes comes from one of these forks of the
 * run's root generator, so a resumed run, a rescheduled batch and a port draw the same numbers. The
 * labels are part of the reproducibility contract: changing one changes every figure.
 *
 * @since 0.1.0
 */
import { fork, mkRng, type Rng } from '../rng.ts'

// -------------------------------------------------------------------------------------
// a run
// -------------------------------------------------------------------------------------

/**
 * The root generator of a run with this seed.
 *
 * @example
 * import { runRoot } from './streams.ts'
 * assert.deepEqual(runRoot(3), runRoot(3))
 *
 * @since 0.1.0
 * @category constructors
 */
export const runRoot = (seed: number): Rng => mkRng(seed)

/**
 * Everything training iteration `k` draws (tasks, modes, rollouts, mini-batch order). Iterations
 * number below 1,000,000, the label of the final evaluation.
 *
 * @example
 * import { iterationStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(iterationStream(runRoot(0), 1), iterationStream(runRoot(0), 2))
 *
 * @since 0.1.0
 * @category constructors
 */
export const iterationStream = (root: Rng, iteration: number): Rng => fork(root, iteration)

/**
 * The held-out evaluation inside the loop after iteration `k` (every `evalEvery` iterations).
 *
 * @example
 * import { iterationStream, loopEvaluationStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(loopEvaluationStream(runRoot(0), 4), iterationStream(runRoot(0), 4))
 *
 * @since 0.1.0
 * @category constructors
 */
export const loopEvaluationStream = (root: Rng, iteration: number): Rng =>
  fork(iterationStream(root, iteration), 7)

const finalEvaluation = (root: Rng): Rng => fork(root, 1_000_000)

/**
 * The final held-out evaluation of a training run (the last iteration's in-loop evaluation is this
 * one, run once).
 *
 * @example
 * import { finalHeldOutStream, finalOodStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(finalHeldOutStream(runRoot(0)), finalOodStream(runRoot(0)))
 *
 * @since 0.1.0
 * @category constructors
 */
export const finalHeldOutStream = (root: Rng): Rng => fork(finalEvaluation(root), 0)

/**
 * The final out-of-distribution memory trials of a training run.
 *
 * @example
 * import { finalOodStream, runRoot } from './streams.ts'
 * assert.deepEqual(finalOodStream(runRoot(1)), finalOodStream(runRoot(1)))
 *
 * @since 0.1.0
 * @category constructors
 */
export const finalOodStream = (root: Rng): Rng => fork(finalEvaluation(root), 1)

/**
 * The streams of a stand-alone evaluation (`empo2 eval --seed`): held-out without memory, out of
 * distribution, held-out with memory, independent so the three can run in any order.
 *
 * @example
 * import { evaluationStreams } from './streams.ts'
 * const s = evaluationStreams(0)
 * assert.notDeepEqual(s.heldOut, s.ood)
 *
 * @since 0.1.0
 * @category constructors
 */
export const evaluationStreams = (
  seed: number
): { readonly heldOut: Rng; readonly ood: Rng; readonly heldOutMemory: Rng } => {
  const rng = fork(runRoot(seed), 2_000_000)
  return { heldOut: fork(rng, 0), ood: fork(rng, 1), heldOutMemory: fork(rng, 2) }
}

// -------------------------------------------------------------------------------------
// an iteration
// -------------------------------------------------------------------------------------

/**
 * The four streams of one training iteration: the tasks drawn, the per-iteration mode draw, the
 * rollouts, and the mini-batch order of the update.
 *
 * @example
 * import { iterationStreams, runRoot } from './streams.ts'
 * const s = iterationStreams(runRoot(0))
 * assert.notDeepEqual(s.tasks, s.rollouts)
 *
 * @since 0.1.0
 * @category constructors
 */
export const iterationStreams = (
  rng: Rng
): {
  readonly tasks: Rng
  readonly iterationMode: Rng
  readonly rollouts: Rng
  readonly miniBatches: Rng
} => ({
  tasks: fork(rng, 0),
  iterationMode: fork(rng, 1),
  rollouts: fork(rng, 2),
  miniBatches: fork(rng, 3)
})

/**
 * The environment's reset seed of rollout `k` of group `g` in iteration `i` (it orders the
 * admissible actions): `(7919 i + 131 g + k) mod (2³¹ − 1)`.
 *
 * @example
 * import { resetSeed } from './streams.ts'
 * assert.equal(resetSeed(1, 2, 3), 7919 + 262 + 3)
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetSeed = (iteration: number, group: number, rollout: number): number =>
  (iteration * 7919 + group * 131 + rollout) % 2147483647

/**
 * Trial `k` of a run of memory trials.
 *
 * @example
 * import { trialStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(trialStream(runRoot(0), 0), trialStream(runRoot(0), 1))
 *
 * @since 0.1.0
 * @category constructors
 */
export const trialStream = (rng: Rng, trial: number): Rng => fork(rng, trial)

// -------------------------------------------------------------------------------------
// a batch of rollouts
// -------------------------------------------------------------------------------------

/**
 * The mode draw of step `t` of episode `e` of a rollout batch.
 *
 * @example
 * import { stepModeStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(stepModeStream(runRoot(0), 0, 1), stepModeStream(runRoot(0), 1, 0))
 *
 * @since 0.1.0
 * @category constructors
 */
export const stepModeStream = (rollouts: Rng, episode: number, step: number): Rng =>
  fork(fork(rollouts, episode), step)

/**
 * The policy's sampling at step `t` of a rollout batch (one batched call for every running episode).
 *
 * @example
 * import { samplingStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(samplingStream(runRoot(0), 0), samplingStream(runRoot(0), 1))
 *
 * @since 0.1.0
 * @category constructors
 */
export const samplingStream = (rollouts: Rng, step: number): Rng => fork(rollouts, 1_000_000 + step)

/**
 * The tips the policy writes after a rollout batch ends.
 *
 * @example
 * import { tipWritingStream, samplingStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(tipWritingStream(runRoot(0)), samplingStream(runRoot(0), 0))
 *
 * @since 0.1.0
 * @category constructors
 */
export const tipWritingStream = (rollouts: Rng): Rng => fork(rollouts, 2_000_000)

/**
 * The draw of step `t`'s action among episode `e`'s candidates, when its memory reweights them.
 *
 * @example
 * import { actingStream, samplingStream, runRoot } from './streams.ts'
 * assert.notDeepEqual(actingStream(runRoot(0), 0, 1), actingStream(runRoot(0), 1, 0))
 * assert.notDeepEqual(actingStream(runRoot(0), 0, 0), samplingStream(runRoot(0), 0))
 *
 * @since 0.1.0
 * @category constructors
 */
export const actingStream = (rollouts: Rng, episode: number, step: number): Rng =>
  fork(fork(rollouts, 3_000_000 + step), episode)
