/**
 * A trajectory as a rollout records it: the one definition of a step and of a finished episode that
 * the advantages, the update rows, the statistics and the diagnostics read.
 *
 * @since 0.1.0
 */
import type { Mode } from '../../spec/data.ts'
import type { Prompt } from '../agent/prompt.ts'

/**
 * One step: the observation it acted on (`s_t`), the prompt it was sampled from (tips included for a
 * memory step), the texts the memory returned (in retrieval order; the prompt shows the first
 * `maxTipsShown` of them), the step's mode, the action (text and tokens, `[T]`), the per-token
 * log-probs under the rollout policy `π_θold` with that prompt (`[T]`), the extrinsic and intrinsic
 * rewards and the score after the step; and the candidates the action was drawn from when the memory
 * reweighted the policy's samples (empty when the step took the policy's one sample).
 *
 * @since 0.1.0
 * @category model
 */
export interface Step {
  readonly observation: string
  readonly prompt: Prompt
  readonly tips: ReadonlyArray<string>
  readonly mode: Mode
  readonly action: string
  readonly actionTokens: ReadonlyArray<number>
  readonly oldLogProbs: ReadonlyArray<number>
  readonly reward: number
  readonly intrinsic: number
  readonly score: number
  readonly candidates: ReadonlyArray<StepCandidate>
}

/**
 * One of the distinct actions a step's action was drawn from, when the memory reweighted the policy's
 * samples (docs/method.md §11): its text, tokens and per-token log-probs under the rollout policy,
 * and the probability the memory gave it.
 *
 * @since 0.1.0
 * @category model
 */
export interface StepCandidate {
  readonly action: string
  readonly actionTokens: ReadonlyArray<number>
  readonly oldLogProbs: ReadonlyArray<number>
  readonly weight: number
}

/**
 * A finished rollout: its task and variant, its group (rollouts of one drawn task share a group), the
 * steps, the final observation and score, the tip the policy wrote afterwards (`null` if none), and
 * the environment's error if it ended the episode early (`null` if it did not).
 *
 * @since 0.1.0
 * @category model
 */
export interface Trajectory {
  readonly task: string
  readonly variant: number
  readonly group: number
  readonly steps: ReadonlyArray<Step>
  readonly finalObservation: string
  readonly score: number
  readonly tip: string | null
  readonly error: string | null
}
