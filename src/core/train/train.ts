/**
 * The decisions of one training iteration that are not the loss: which tasks an iteration draws, the
 * group-relative advantage of every step, and the update rows (rollout prompt, update prompt with tips
 * removed for off-policy rows, recorded old log-probs, advantage). The effect layer
 * (src/effects/train) samples, steps environments and runs the optimiser; every choice it makes is one
 * of these functions or of the run's method (src/core/methods/registry.ts).
 *
 * @since 0.1.0
 */
import type { Config } from '../../spec/config.ts'
import type { ScheduleConfig } from '../../spec/run.ts'
import type { Step } from './trajectory.ts'
import { nextInt, type Rng } from '../rng.ts'
import { gigpoEpisode, stepAdvantages } from '../advantage/advantage.ts'
import { removeTips, type Prompt } from '../agent/prompt.ts'
import { updatedWithoutTips, type Mode } from '../../spec/data.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One row of the policy update: the prompt the update scores the action under (`updatePrompt`: the
 * rollout prompt, or with its tips removed for an off-policy row), the action tokens, the recorded old
 * log-probs `[T]`, the step's advantage, and its mode.
 *
 * @since 0.1.0
 * @category model
 */
export interface UpdateRowSpec {
  readonly rolloutPrompt: Prompt
  readonly updatePrompt: Prompt
  readonly actionTokens: ReadonlyArray<number>
  readonly oldLogProbs: ReadonlyArray<number>
  readonly advantage: number
  readonly mode: Mode
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The rows of one optimiser step's mini-batch: `optim.miniBatchSize` rows, or, when
 * `optim.miniBatchUnit` is `groups` (verl's `ppo_mini_batch_size`, which verl multiplies by the
 * rollout count `n`), `miniBatchSize × rollout.groupSize` rows.
 *
 * @example
 * import { miniBatchRows } from './train.ts'
 * import { officialPreset } from '../../spec/config.ts'
 * assert.equal(miniBatchRows(officialPreset), 128) // 16 groups × 8 rollouts
 * assert.equal(miniBatchRows({ ...officialPreset, optim: { ...officialPreset.optim, miniBatchUnit: 'rows' } }), 16)
 *
 * @since 0.1.0
 * @category combinators
 */
export const miniBatchRows = (c: Pick<Config, 'optim' | 'rollout'>): number =>
  c.optim.miniBatchUnit === 'groups' ? c.optim.miniBatchSize * c.rollout.groupSize : c.optim.miniBatchSize

/**
 * The tasks of one iteration: `count` (family, variant) pairs drawn uniformly, with replacement, from
 * `families × variants` (the training split), in draw order. Throws on an empty training set.
 *
 * @example
 * import { drawTasks } from './train.ts'
 * import { mkRng } from '../rng.ts'
 * const [ts] = drawTasks({ families: ['a', 'b'], variants: [0, 1, 2] } as any, 4)(mkRng(1))
 * assert.equal(ts.length, 4)
 * assert.ok(ts.every((t) => ['a', 'b'].includes(t.task) && t.variant >= 0 && t.variant <= 2))
 *
 * @since 0.1.0
 * @category combinators
 */
export const drawTasks =
  (s: Pick<ScheduleConfig, 'families' | 'variants'>, count: number) =>
  (rng: Rng): readonly [ReadonlyArray<{ readonly task: string; readonly variant: number }>, Rng] => {
    const pairs = s.families.flatMap((task) => s.variants.map((variant) => ({ task, variant })))
    if (pairs.length === 0)
      throw new RangeError('drawTasks: schedule.families × schedule.variants is empty; nothing to train on')
    const out: { task: string; variant: number }[] = []
    let r = rng
    for (let i = 0; i < count; i++) {
      const [k, next] = nextInt(r, 0, pairs.length - 1)
      out.push(pairs[k] as { task: string; variant: number })
      r = next
    }
    return [out, r]
  }

/**
 * The advantage of every step of every episode, `[E][T_e]`, in input order: episodes are grouped by
 * `group`, and the configured estimator (`grpo`: the group-relative advantage of `R` shared by all
 * steps; `gigpo`: plus the step-level term anchored on the observation) is applied per group. The
 * intrinsic reward enters through `R` (for GiGPO, each step's reward is `r_t + coef · r_t^int`).
 *
 * @example
 * import { episodeAdvantages } from './train.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const ep = (group: number, reward: number) => ({ group, steps: [{ observation: 'o', reward, intrinsic: 0 }] })
 * const a = episodeAdvantages({ ...paperPreset.advantage, normalizeByStd: false }, 0)([ep(0, 1), ep(0, 3), ep(1, 5)])
 * // a group of one uses mean 0 (docs/method.md §2): its advantage is its return
 * assert.deepEqual(a, [[-1], [1], [5]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const episodeAdvantages =
  (adv: Config['advantage'], intrinsicCoef: number) =>
  (
    episodes: ReadonlyArray<{
      readonly group: number
      readonly steps: ReadonlyArray<Pick<Step, 'observation' | 'reward' | 'intrinsic'>>
    }>
  ): ReadonlyArray<ReadonlyArray<number>> => {
    const groupIds = [...new Set(episodes.map((e) => e.group))]
    const members = groupIds.map((g) => episodes.flatMap((e, i) => (e.group === g ? [i] : [])))
    const perGroup = stepAdvantages(adv)(
      members.map((idx) =>
        idx.map((i) => gigpoEpisode(intrinsicCoef)(episodes[i] as (typeof episodes)[number]))
      )
    )
    const out: ReadonlyArray<number>[] = episodes.map(() => [])
    members.forEach((idx, g) => idx.forEach((i, k) => (out[i] = perGroup[g]?.[k] ?? [])))
    return out
  }

/**
 * The update rows of a batch of episodes with their advantages `[E][T_e]`: one row per step; the
 * update prompt is the rollout prompt for on-policy rows and the rollout prompt with its tips removed
 * for off-policy rows (docs/method.md §4, update mode (b)), the old log-probs are always those
 * recorded at rollout. Every step gives a row, zero advantages included: rows whose terms are all 0
 * are left out of the forward pass later, and only where that changes nothing (`omittable` in
 * loss.ts).
 *
 * @example
 * import { updateRows } from './train.ts'
 * import { text, tipsSegment } from '../agent/prompt.ts'
 * const step = { observation: 'o', prompt: [text('a'), tipsSegment(['t']), text('b')], tips: ['t'], mode: 'offPolicy' as const, action: 'x', actionTokens: [1], oldLogProbs: [-1], reward: 0, intrinsic: 0, score: 0, candidates: [] }
 * const rows = updateRows([{ steps: [step, { ...step, mode: 'onPolicyWithTips' as const }] }], [[2, 0]])
 * assert.equal(rows.length, 2)
 * assert.deepEqual(rows[0]!.updatePrompt, [text('a'), text('b')])
 * assert.equal(rows[0]!.mode, 'offPolicy')
 *
 * @since 0.1.0
 * @category combinators
 */
export const updateRows = (
  episodes: ReadonlyArray<{ readonly steps: ReadonlyArray<Step> }>,
  advantages: ReadonlyArray<ReadonlyArray<number>>
): ReadonlyArray<UpdateRowSpec> =>
  episodes.flatMap((e, i) =>
    e.steps.map((s, t) => {
      const advantage = advantages[i]?.[t]
      if (advantage === undefined)
        throw new RangeError(`updateRows: no advantage for episode ${i}, step ${t}`)
      return {
        rolloutPrompt: s.prompt,
        updatePrompt: updatedWithoutTips(s.mode) ? removeTips(s.prompt) : s.prompt,
        actionTokens: s.actionTokens,
        oldLogProbs: s.oldLogProbs,
        advantage,
        mode: s.mode
      }
    })
  )

/**
 * The tip-free history of an episode as text, the query the official retrieval embeds (docs/method.md §7,
 * "what is embedded"): each step's observation and action, then the current observation.
 *
 * @example
 * import { historyText } from './train.ts'
 * assert.equal(historyText([{ observation: 'a hall', action: 'go east' }], 'a lab'), 'a hall\n> go east\na lab')
 *
 * @since 0.1.0
 * @category combinators
 */
export const historyText = (
  steps: ReadonlyArray<{ readonly observation: string; readonly action: string }>,
  current: string
): string => [...steps.flatMap((s) => [s.observation, `> ${s.action}`]), current].join('\n')
