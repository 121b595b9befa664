/**
 * The agent's prompts — the one definition used by the rollouts, the evaluation and the prior's
 * corpus: the texts of retrieved memory entries with each tip capped in length ({@link tipTexts}), a
 * step prompt (`assemble` of src/core/agent/prompt.ts over a window of the history, with at most
 * `maxTipsShown` tips, to fit a small model's context) and the tip-writing prompt
 * (`tipGenerationPrompt` over a window of the episode), plus the clean-up of a written tip.
 *
 * @since 0.1.0
 */
import type { AgentConfig } from '../../spec/run.ts'
import type { MemoryEntry } from '../../spec/data.ts'
import { entryText, type MemoryConfig } from '../memory/memory.ts'
import {
  assemble,
  tipGenerationPrompt,
  type HistoryStep,
  type Prompt,
  type PromptInput,
  type TipPlacement
} from './prompt.ts'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The last `n` elements (`n = 0` gives none; `xs.slice(-0)` would give all).
 *
 * @example
 * import { lastN } from './agent.ts'
 * assert.deepEqual(lastN(2)([1, 2, 3]), [2, 3])
 * assert.deepEqual(lastN(0)([1, 2, 3]), [])
 *
 * @since 0.1.0
 * @category combinators
 */
export const lastN =
  (n: number) =>
  <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> =>
    xs.slice(Math.max(0, xs.length - Math.max(0, n)))

/**
 * A tip cut to `maxTipChars` characters (at a word boundary when there is one), whitespace collapsed.
 *
 * @example
 * import { capTip } from './agent.ts'
 * assert.equal(capTip(12)('Try:   the hallway and the kitchen'), 'Try: the')
 * assert.equal(capTip(100)('short'), 'short')
 *
 * @since 0.1.0
 * @category combinators
 */
export const capTip =
  (maxTipChars: number) =>
  (tip: string): string => {
    const t = tip.replace(/\s+/gu, ' ').trim()
    if (t.length <= maxTipChars) return t
    const cut = t.slice(0, maxTipChars)
    const space = cut.lastIndexOf(' ')
    return (space > 0 ? cut.slice(0, space) : cut).trim()
  }

/**
 * The texts retrieved entries show the policy, in retrieval order: each entry's tip capped to
 * `maxTipChars` ({@link capTip}), then rendered by `entryText` of `memory.entryText` — the capped tip
 * alone, or followed by the authors' action and score clause, which the cap never cuts.
 *
 * @example
 * import { tipTexts } from './agent.ts'
 * const agent = { historyWindow: 1, maxTipsShown: 1, maxTipChars: 12, tipHistoryWindow: 3, tipMaxTokens: 40 }
 * const e = { partition: 'p', key: [1], seq: 0, tip: 'Try:   the hallway first', action: 'look', score: 5 }
 * assert.deepEqual(tipTexts(agent, { entryText: 'tip' })([e]), ['Try: the'])
 * assert.deepEqual(tipTexts(agent, { entryText: 'tipActionScore' })([e]), [
 *   'Try: the; At that timestep, the specific action your took was look; Eventually you got the score 5.0/100.'
 * ])
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipTexts =
  (agent: AgentConfig, memory: Pick<MemoryConfig, 'entryText'>) =>
  (entries: ReadonlyArray<MemoryEntry>): ReadonlyArray<string> =>
    entries.map((e) => entryText(memory)({ ...e, tip: capTip(agent.maxTipChars)(e.tip) }))

/**
 * The prompt of one step: `assemble(placement)` over the last `historyWindow` steps, the current
 * observation and at most `maxTipsShown` tips (in retrieval order); under the `history` placement the
 * earlier steps' tips are limited the same way. The tips are shown as given: their length is capped
 * where they are made ({@link tipTexts}, {@link cleanTip}).
 *
 * @example
 * import { stepPrompt } from './agent.ts'
 * import { render } from './prompt.ts'
 * const agent = { historyWindow: 1, maxTipsShown: 1, maxTipChars: 100, tipHistoryWindow: 3, tipMaxTokens: 40 }
 * const h = [{ observation: 'a hall', tips: [], action: 'go to lab' }, { observation: 'a lab', tips: [], action: 'look' }]
 * const p = render(stepPrompt(agent, 'currentStep')({ task: 'find it', history: h, observation: 'a lab', tips: ['Try: hall.', 'other'] }))
 * assert.equal(p, 'Task: find it\n\nStep 1 observation:\na lab\nStep 1 action: look\n\nCurrent observation:\na lab\n<tips>\n- Try: hall.\n</tips>\nNext action:')
 *
 * @since 0.1.0
 * @category combinators
 */
export const stepPrompt =
  (agent: AgentConfig, placement: TipPlacement) =>
  (input: PromptInput): Prompt => {
    const tips = (xs: ReadonlyArray<string>): ReadonlyArray<string> => xs.slice(0, agent.maxTipsShown)
    return assemble(placement)({
      task: input.task,
      history: lastN(agent.historyWindow)(input.history).map((h) => ({ ...h, tips: tips(h.tips) })),
      observation: input.observation,
      tips: tips(input.tips)
    })
  }

/**
 * The tip-writing prompt after an episode (docs/method.md §3): the task, the last `tipHistoryWindow`
 * steps and the final observation. The steps are tip-free unless `memory.tipPromptShowsTips` (official,
 * docs/method.md §7; `false` when `memory` is not given): then each step shows the tips its prompt
 * showed (its first `maxTipsShown`), after its observation.
 *
 * @example
 * import { tipPrompt } from './agent.ts'
 * import { render } from './prompt.ts'
 * const agent = { historyWindow: 1, maxTipsShown: 2, maxTipChars: 100, tipHistoryWindow: 1, tipMaxTokens: 40 }
 * const h = [{ observation: 'a hall', tips: ['x'], action: 'go to lab' }, { observation: 'a lab', tips: ['y'], action: 'look' }]
 * const p = render(tipPrompt(agent)({ task: 'find it', history: h, finalObservation: 'a lab' }))
 * assert.ok(p.startsWith('Task: find it\n\nYour attempt:\nStep 1 observation:\na lab\nStep 1 action: look\n'))
 * assert.ok(p.endsWith('Tip:') && !p.includes('<tips>'))
 * const shown = render(tipPrompt(agent, { tipPromptShowsTips: true })({ task: 'find it', history: h, finalObservation: 'a lab' }))
 * assert.ok(shown.startsWith('Task: find it\n\nYour attempt:\nStep 1 observation:\na lab\n<tips>\n- y\n</tips>\nStep 1 action: look\n'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipPrompt =
  (agent: AgentConfig, memory: Pick<MemoryConfig, 'tipPromptShowsTips'> = { tipPromptShowsTips: false }) =>
  (input: {
    readonly task: string
    readonly history: ReadonlyArray<HistoryStep>
    readonly finalObservation: string
  }): Prompt =>
    tipGenerationPrompt({
      task: input.task,
      history: lastN(agent.tipHistoryWindow)(input.history).map((h) => ({
        ...h,
        tips: h.tips.slice(0, agent.maxTipsShown)
      })),
      finalObservation: input.finalObservation,
      showTips: memory.tipPromptShowsTips
    })

/**
 * A generated tip as memory stores it: its first line, whitespace collapsed, capped to
 * `maxTipChars`; `null` when nothing is left (an empty tip is not stored).
 *
 * @example
 * import { cleanTip } from './agent.ts'
 * const agent = { historyWindow: 1, maxTipsShown: 2, maxTipChars: 100, tipHistoryWindow: 3, tipMaxTokens: 40 }
 * assert.equal(cleanTip(agent)('  Try: hallway.\nmore'), 'Try: hallway.')
 * assert.equal(cleanTip(agent)(' \n'), null)
 *
 * @since 0.1.0
 * @category combinators
 */
export const cleanTip =
  (agent: AgentConfig) =>
  (generated: string): string | null => {
    const t = capTip(agent.maxTipChars)(generated.split('\n')[0] ?? '')
    return t === '' ? null : t
  }
