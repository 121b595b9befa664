import assert from 'node:assert/strict'
import fc from 'fast-check'
import { capTip, cleanTip, lastN, stepPrompt, tipPrompt, tipTexts } from '../../src/core/agent/agent.ts'
import { entryText } from '../../src/core/memory/memory.ts'
import type { MemoryEntry } from '../../src/spec/data.ts'
import { removeTips, render, stripTips, tipsOf, type PromptInput } from '../../src/core/agent/prompt.ts'
import type { AgentConfig } from '../../src/spec/run.ts'
import { nonNegativeInt, positiveInt } from '../../src/spec/brands.ts'
import { property } from '../support/property.ts'

const agentArb: fc.Arbitrary<AgentConfig> = fc.record({
  historyWindow: fc.nat(4).map(nonNegativeInt),
  maxTipsShown: fc.nat(3).map(nonNegativeInt),
  maxTipChars: fc.integer({ min: 1, max: 40 }).map(positiveInt),
  tipHistoryWindow: fc.nat(4).map(nonNegativeInt),
  tipMaxTokens: fc.integer({ min: 1, max: 40 }).map(positiveInt)
})
const words = fc.array(fc.constantFrom('go', 'to', 'the', 'hall', ' ', '  ', '\n', '\t', 'bulb', 'x'), {
  maxLength: 12
})
const tipText = fc.oneof(
  words.map((w) => w.join('')),
  fc.string({ maxLength: 50 })
)
const step = fc.record({
  observation: fc.string({ maxLength: 20 }),
  tips: fc.array(tipText, { maxLength: 4 }),
  action: fc.string({ maxLength: 10 })
})
const input: fc.Arbitrary<PromptInput> = fc.record({
  task: fc.string({ maxLength: 20 }),
  history: fc.array(step, { maxLength: 6 }),
  observation: fc.string({ maxLength: 20 }),
  tips: fc.array(tipText, { maxLength: 5 })
})
const placement = fc.constantFrom('currentStep' as const, 'history' as const)

property(
  'lastN(n) is the suffix of length min(n, |xs|)',
  [fc.nat(8), fc.array(fc.integer(), { maxLength: 8 })],
  (n, xs) => {
    const s = lastN(n)(xs)
    return s.length === Math.min(n, xs.length) && s.every((x, i) => x === xs[xs.length - s.length + i])
  }
)

property(
  'capTip: at most maxTipChars characters, no line breaks, idempotent, and unchanged when the collapsed tip fits',
  [fc.integer({ min: 1, max: 40 }), tipText],
  (max, tip) => {
    const c = capTip(max)(tip)
    const collapsed = tip.replace(/\s+/gu, ' ').trim()
    return (
      c.length <= max &&
      !/\s\s|\n/u.test(c) &&
      capTip(max)(c) === c &&
      (collapsed.length > max || c === collapsed) &&
      collapsed.startsWith(c)
    )
  }
)

property(
  'a step prompt with its tips removed equals the step prompt built from the tip-free input',
  [agentArb, placement, input],
  (agent, pl, x) =>
    render(removeTips(stepPrompt(agent, pl)(x))) === render(stepPrompt(agent, pl)(stripTips(x)))
)

property(
  'a step prompt depends only on the last historyWindow steps',
  [agentArb, placement, input, fc.array(step, { minLength: 1, maxLength: 3 })],
  (agent, pl, x, older) =>
    x.history.length < agent.historyWindow ||
    render(stepPrompt(agent, pl)(x)) ===
      render(stepPrompt(agent, pl)({ ...x, history: [...older, ...x.history] }))
)

property(
  'the current tips shown are the first maxTipsShown tips given, as given, in retrieval order',
  [agentArb, input],
  (agent, x) => {
    const shown = tipsOf(stepPrompt(agent, 'currentStep')(x))
    return JSON.stringify(shown) === JSON.stringify(x.tips.slice(0, agent.maxTipsShown))
  }
)

const entry: fc.Arbitrary<MemoryEntry> = fc.record({
  partition: fc.constant('p'),
  key: fc.constant([1]),
  tip: tipText,
  action: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  score: fc.integer({ min: 0, max: 1000 }).map((k) => k / 10),
  seq: fc.nat(20).map(nonNegativeInt)
})

property(
  'tipTexts: each entry’s tip capped to maxTipChars, then its entryText — the capped tip alone (tip), or followed by the whole action and score clause (tipActionScore)',
  [agentArb, fc.array(entry, { maxLength: 5 })],
  (agent, es) => {
    const capped = es.map((e) => capTip(agent.maxTipChars)(e.tip))
    assert.deepEqual(tipTexts(agent, { entryText: 'tip' })(es), capped)
    const full = tipTexts(agent, { entryText: 'tipActionScore' })(es)
    es.forEach((e, i) => {
      const text = full[i] as string
      const tip = capped[i] as string
      assert.ok(text.startsWith(tip))
      // the clause is whole: the cap applies to the tip only
      assert.equal(text.slice(tip.length), entryText({ entryText: 'tipActionScore' })({ ...e, tip: '' }))
    })
  }
)

property(
  'the tip prompt depends only on the last tipHistoryWindow steps, and shows no tips (tipPromptShowsTips false, the default) or each of those steps’ first maxTipsShown tips (true)',
  [agentArb, input, fc.array(step, { maxLength: 3 }), fc.option(fc.boolean(), { nil: undefined })],
  (agent, x, older, shows) => {
    const a = { task: x.task, history: x.history, finalObservation: x.observation }
    const tp = shows === undefined ? tipPrompt(agent) : tipPrompt(agent, { tipPromptShowsTips: shows })
    const p = tp(a)
    const longer = tp({ ...a, history: [...older, ...x.history] })
    const shown =
      shows === true
        ? lastN(agent.tipHistoryWindow)(x.history).flatMap((h) => h.tips.slice(0, agent.maxTipsShown))
        : []
    return (
      JSON.stringify(tipsOf(p)) === JSON.stringify(shown) &&
      render(p).endsWith('Tip:') &&
      (x.history.length < agent.tipHistoryWindow || render(p) === render(longer))
    )
  }
)

property(
  'cleanTip keeps the first line, capped; null exactly when that line is blank',
  [agentArb, tipText],
  (agent, g) => {
    const c = cleanTip(agent)(g)
    const first = (g.split('\n')[0] ?? '').trim()
    return first === '' ? c === null : c !== null && c.length <= agent.maxTipChars && !c.includes('\n')
  }
)
