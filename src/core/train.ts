/**
 * The decisions of one EMPO² training iteration that are not the loss: which method changes which
 * hyperparameter, which tasks an iteration draws, an episode's return with its intrinsic reward, the
 * group-relative advantage of every step, and the update rows (rollout prompt, update prompt with tips
 * removed for off-policy rows, recorded old log-probs, advantage). The effect layer
 * (src/effects/train) samples, steps environments and runs the optimiser; every choice it makes is one
 * of these functions.
 *
 * @since 0.1.0
 */
import type { Config } from '../spec/config.ts'
import type { Method, ScheduleConfig } from '../spec/run.ts'
import { combinationOf, modeProbabilities, type ModeDraw } from './modes.ts'
import { nextInt, type Rng } from './rng.ts'
import { stepAdvantages } from './advantage.ts'
import { removeTips, type Prompt } from './prompt.ts'
import type { ModeCombination } from '../spec/data.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One step of a rollout as the trainer records it: the observation it acted on (`s_t`), the prompt it
 * was sampled from (tips included for a memory step), the tips retrieved (in retrieval order; the
 * prompt shows the first `maxTipsShown` of them, capped in length; a Reflexion run shows its last 3
 * reflections), the step's mode draw, the action
 * (text and tokens, `[T]`), the per-token log-probs under the rollout policy `π_θold` with that prompt
 * (`[T]`), the extrinsic and intrinsic rewards and the score after the step.
 *
 * @since 0.1.0
 * @category model
 */
export interface StepRecord {
  readonly observation: string
  readonly prompt: Prompt
  readonly tips: ReadonlyArray<string>
  readonly mode: ModeDraw
  readonly action: string
  readonly actionTokens: ReadonlyArray<number>
  readonly oldLogProbs: ReadonlyArray<number>
  readonly reward: number
  readonly intrinsic: number
  readonly score: number
}

/**
 * A finished rollout: its task and variant, its group (rollouts of one drawn task share a group), the
 * steps, the final observation and score, the tip the policy wrote afterwards (`null` if none), and
 * the environment's error if it ended the episode early.
 *
 * @since 0.1.0
 * @category model
 */
export interface EpisodeRun {
  readonly task: string
  readonly variant: number
  readonly group: number
  readonly steps: ReadonlyArray<StepRecord>
  readonly finalObservation: string
  readonly score: number
  readonly tip: string | null
  /** Why the environment ended the episode early (`info.error`), `null` if it did not. */
  readonly error: string | null
}

/**
 * One row of the policy update: the prompt the update scores the action under (`updatePrompt`: the
 * rollout prompt, or with its tips removed for an off-policy row), the action tokens, the recorded old
 * log-probs `[T]`, the step's advantage, and its mode combination.
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
  readonly combination: ModeCombination
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The algorithm config of a method (see `Method` in src/spec/run.ts): `grpo-novelty` sets `p = 0` (and
 * both per-iteration thresholds to 0) and disables the low-probability mask (GRPO's Eq. 1 has none;
 * with the paper preset's scope `all` it would otherwise mask on-policy rows), `grpo` does that and
 * sets the intrinsic coefficient to 0, `empo2-no-offpolicy` sets `q = 0` (and `offPolicyBelow = 0`),
 * `empo2-no-mask` disables the mask, `empo2-no-intrinsic` sets the intrinsic coefficient to 0;
 * `empo2` and `reflexion` leave the config as it is (Reflexion's difference is in the loop: no
 * update).
 *
 * @example
 * import { applyMethod } from './train.ts'
 * import { paperPreset, officialPreset } from '../spec/config.ts'
 * import { modeProbabilities } from './modes.ts'
 * assert.equal(modeProbabilities(applyMethod('grpo')(paperPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(modeProbabilities(applyMethod('grpo')(officialPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(applyMethod('grpo')(paperPreset).mask.enabled, false)
 * assert.equal(applyMethod('grpo-novelty')(paperPreset).novelty.coef, paperPreset.novelty.coef)
 * assert.equal(modeProbabilities(applyMethod('empo2-no-offpolicy')(officialPreset).modes).offPolicy, 0)
 * assert.equal(applyMethod('empo2-no-mask')(paperPreset).mask.enabled, false)
 *
 * @since 0.1.0
 * @category combinators
 */
export const applyMethod =
  (method: Method) =>
  (c: Config): Config => {
    switch (method) {
      case 'grpo':
        return noIntrinsic(noMemory(c))
      case 'grpo-novelty':
        return noMemory(c)
      case 'empo2-no-offpolicy':
        return {
          ...c,
          modes: {
            ...c.modes,
            offPolicyProb: 0 as never,
            offPolicyBelow: 0 as never
          }
        }
      case 'empo2-no-mask':
        return { ...c, mask: { ...c.mask, enabled: false } }
      case 'empo2-no-intrinsic':
        return noIntrinsic(c)
      case 'empo2':
      case 'reflexion':
        return c
    }
  }

const noMemory = (c: Config): Config => ({
  ...c,
  modes: { ...c.modes, memoryProb: 0 as never, offPolicyBelow: 0 as never, withTipsBelow: 0 as never },
  mask: { ...c.mask, enabled: false }
})

const noIntrinsic = (c: Config): Config => ({ ...c, novelty: { ...c.novelty, coef: 0 as never } })

/**
 * Whether a training episode ends with the policy writing a tip (docs/method.md §3): only when a later
 * prompt can read it — always for Reflexion (its reflections), otherwise when the config (after
 * `applyMethod`) gives memory rollouts a positive probability. GRPO and `p = 0` write none: their
 * rollouts and updates are the same either way (tips draw from their own random stream), only slower.
 *
 * @example
 * import { applyMethod, writesTips } from './train.ts'
 * import { paperPreset } from '../spec/config.ts'
 * assert.equal(writesTips('empo2', paperPreset), true)
 * assert.equal(writesTips('grpo-novelty', applyMethod('grpo-novelty')(paperPreset)), false)
 *
 * @since 0.1.0
 * @category combinators
 */
export const writesTips = (method: Method, c: Config): boolean => {
  const p = modeProbabilities(c.modes)
  return method === 'reflexion' || p.onPolicyWithTips + p.offPolicy > 0
}

/**
 * The rows of one optimiser step's mini-batch: `optim.miniBatchSize` rows, or, when
 * `optim.miniBatchUnit` is `groups` (verl's `ppo_mini_batch_size`, which verl multiplies by the
 * rollout count `n`), `miniBatchSize × rollout.groupSize` rows.
 *
 * @example
 * import { miniBatchRows } from './train.ts'
 * import { officialPreset } from '../spec/config.ts'
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
 * import { mkRng } from './rng.ts'
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
 * The return used for the advantage (docs/method.md §1, §6): `R = Σ_t r_t + coef · Σ_t r_t^int`.
 *
 * @example
 * import { episodeReturn } from './train.ts'
 * assert.equal(episodeReturn(0.5)([{ reward: 50, intrinsic: 1 }, { reward: 50, intrinsic: 0.5 }]), 100.75)
 *
 * @since 0.1.0
 * @category combinators
 */
export const episodeReturn =
  (intrinsicCoef: number) =>
  (steps: ReadonlyArray<Pick<StepRecord, 'reward' | 'intrinsic'>>): number =>
    steps.reduce((s, x) => s + x.reward, 0) + intrinsicCoef * steps.reduce((s, x) => s + x.intrinsic, 0)

/**
 * The advantage of every step of every episode, `[E][T_e]`, in input order: episodes are grouped by
 * `group`, and the configured estimator (`grpo`: the group-relative advantage of `R` shared by all
 * steps; `gigpo`: plus the step-level term anchored on the observation) is applied per group. The
 * intrinsic reward enters through `R` (for GiGPO, each step's reward is `r_t + coef · r_t^int`).
 *
 * @example
 * import { episodeAdvantages } from './train.ts'
 * import { paperPreset } from '../spec/config.ts'
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
      readonly steps: ReadonlyArray<Pick<StepRecord, 'observation' | 'reward' | 'intrinsic'>>
    }>
  ): ReadonlyArray<ReadonlyArray<number>> => {
    const groupIds = [...new Set(episodes.map((e) => e.group))]
    const members = groupIds.map((g) => episodes.flatMap((e, i) => (e.group === g ? [i] : [])))
    const perGroup = stepAdvantages(adv)(
      members.map((idx) =>
        idx.map((i) =>
          (episodes[i] as (typeof episodes)[number]).steps.map((s) => ({
            anchor: s.observation,
            reward: s.reward + intrinsicCoef * s.intrinsic
          }))
        )
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
 * import { fromCombination } from './modes.ts'
 * import { text, tipsSegment } from './prompt.ts'
 * const step = { observation: 'o', prompt: [text('a'), tipsSegment(['t']), text('b')], tips: ['t'], mode: fromCombination('offPolicy'), action: 'x', actionTokens: [1], oldLogProbs: [-1], reward: 0, intrinsic: 0, score: 0 }
 * const rows = updateRows([{ steps: [step, { ...step, mode: fromCombination('onPolicyWithTips') }] }], [[2, 0]])
 * assert.equal(rows.length, 2)
 * assert.deepEqual(rows[0]!.updatePrompt, [text('a'), text('b')])
 * assert.equal(rows[0]!.combination, 'offPolicy')
 *
 * @since 0.1.0
 * @category combinators
 */
export const updateRows = (
  episodes: ReadonlyArray<{ readonly steps: ReadonlyArray<StepRecord> }>,
  advantages: ReadonlyArray<ReadonlyArray<number>>
): ReadonlyArray<UpdateRowSpec> =>
  episodes.flatMap((e, i) =>
    e.steps.map((s, t) => {
      const advantage = advantages[i]?.[t]
      if (advantage === undefined)
        throw new RangeError(`updateRows: no advantage for episode ${i}, step ${t}`)
      const combination = combinationOf(s.mode)
      return {
        rolloutPrompt: s.prompt,
        updatePrompt: combination === 'offPolicy' ? removeTips(s.prompt) : s.prompt,
        actionTokens: s.actionTokens,
        oldLogProbs: s.oldLogProbs,
        advantage,
        combination
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
