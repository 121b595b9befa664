import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  assemble,
  escapeTip,
  parseTipsBlock,
  promptTokens,
  removeCharSpans,
  removeSpans,
  removeTips,
  render,
  renderTipsBlock,
  stripTips,
  tipCharSpans,
  tipGenerationPrompt,
  tipsOf,
  tipTokenSpans,
  TIP_BULLET,
  TIPS_CLOSE,
  TIPS_OPEN,
  type PromptInput,
  type TipPlacement
} from '../../src/core/agent/prompt.ts'
import { property } from '../support/property.ts'

// Adversarial tips: any unicode string, plus strings built from the pieces that could forge or break a
// block (markers, bullets, every line terminator, backslash escapes that look like our own escapes).
const nasty = fc.constantFrom(
  TIPS_OPEN,
  TIPS_CLOSE,
  TIP_BULLET,
  '\n',
  '\r',
  '\r\n',
  '\v',
  '\f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\\',
  '\\n',
  '\\u000a',
  '- ',
  '<',
  'x'
)
const tip = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(nasty, { maxLength: 8 }).map((xs) => xs.join(''))
)
const tips = fc.array(tip, { maxLength: 6 })
// Environment text (task, observations, actions): arbitrary strings, but, for the properties that
// read tips back out of the RENDERED text, without '<' so that no environment line can equal a marker
// (the guarantee is about tips, not about what the environment prints).
const envText = fc.string({ maxLength: 30 })
const plainText = fc.string({ maxLength: 30 }).map((s) => s.replaceAll('<', '('))
const inputOf = (txt: fc.Arbitrary<string>): fc.Arbitrary<PromptInput> =>
  fc.record({
    task: txt,
    history: fc.array(fc.record({ observation: txt, tips, action: txt }), { maxLength: 4 }),
    observation: txt,
    tips
  })
const placement: fc.Arbitrary<TipPlacement> = fc.constantFrom('currentStep', 'history')

// Caller-supplied tokenizers: per character, per 3-character chunk, and per whitespace-separated word
// (a crude BPE stand-in whose tokens depend on where a string starts and ends).
const hash = (s: string): number =>
  Array.from(s).reduce((h, c) => (Math.imul(h, 31) + (c.codePointAt(0) ?? 0)) >>> 0, 7)
const tokenizers: ReadonlyArray<(s: string) => number[]> = [
  (s) => Array.from(s, (c) => c.codePointAt(0) ?? 0),
  (s) => Array.from({ length: Math.ceil(s.length / 3) }, (_, i) => hash(s.slice(3 * i, 3 * i + 3))),
  (s) =>
    s
      .split(/(\s+)/)
      .filter((w) => w !== '')
      .map(hash)
]
const tokenizer = fc.constantFrom(...tokenizers)

// the tips blocks of a rendered prompt, read back line by line
const tipsInRendered = (s: string): string[][] => {
  const lines = s.split('\n')
  const blocks: string[][] = []
  for (let i = 0; i < lines.length; i++)
    if (lines[i] === TIPS_OPEN) {
      const block: string[] = []
      for (i++; lines[i] !== TIPS_CLOSE; i++) {
        assert.ok(i < lines.length, 'unterminated tips block')
        assert.ok(
          (lines[i] as string).startsWith(TIP_BULLET),
          `a line inside a block is not a bullet: ${lines[i]}`
        )
        block.push(lines[i] as string)
      }
      blocks.push(block)
    }
  return blocks
}

property(
  'tip removal inverts tip insertion: removeTips(assemble(x)) = assemble(x without tips), for any tips',
  [inputOf(envText), placement],
  (x, p) => {
    assert.deepEqual(removeTips(assemble(p)(x)), assemble(p)(stripTips(x)))
    assert.equal(render(removeTips(assemble(p)(x))), render(assemble(p)(stripTips(x))))
  }
)

property(
  'token-span removal agrees with tokenizing the tip-free prompt (tokenizer applied per segment)',
  [inputOf(envText), placement, tokenizer],
  (x, p, tok) => {
    const prompt = assemble(p)(x)
    assert.deepEqual(
      removeSpans(tipTokenSpans(tok)(prompt))(promptTokens(tok)(prompt)),
      promptTokens(tok)(assemble(p)(stripTips(x)))
    )
  }
)

property(
  'character-span removal from the rendered text gives the rendered tip-free prompt',
  [inputOf(envText), placement],
  (x, p) => {
    const prompt = assemble(p)(x)
    assert.equal(removeCharSpans(tipCharSpans(prompt))(render(prompt)), render(assemble(p)(stripTips(x))))
  }
)

property(
  'a tips block round-trips for any tips: parseTipsBlock(renderTipsBlock(ts)) = ts, one line per tip',
  [tips],
  (ts) => {
    const block = renderTipsBlock(ts)
    assert.deepEqual(parseTipsBlock(block), ts)
    if (ts.length > 0) assert.equal(block.split('\n').length, ts.length + 3)
    ts.forEach((t) => assert.ok(!/[\n\r\v\f\u0085\u2028\u2029]/.test(escapeTip(t))))
  }
)

property('rendering is deterministic', [inputOf(envText), placement], (x, p) => {
  assert.equal(render(assemble(p)(x)), render(assemble(p)(structuredClone(x))))
})

property(
  "in 'currentStep' placement the rendered prompt holds exactly one tips block with every current tip exactly once, in order",
  [inputOf(plainText)],
  (x) => {
    const s = render(assemble('currentStep')(x))
    const blocks = tipsInRendered(s)
    assert.deepEqual(tipsOf(assemble('currentStep')(x)), x.tips)
    if (x.tips.length === 0) assert.deepEqual(blocks, [])
    else assert.deepEqual(blocks, [x.tips.map((t) => TIP_BULLET + escapeTip(t))])
  }
)

property(
  "in 'history' placement every step's tips stay in that step's message, after its observation, in order",
  [inputOf(plainText)],
  (x) => {
    const expected = [...x.history.map((h) => h.tips), x.tips].filter((ts) => ts.length > 0)
    const blocks = tipsInRendered(render(assemble('history')(x)))
    assert.deepEqual(
      blocks,
      expected.map((ts) => ts.map((t) => TIP_BULLET + escapeTip(t)))
    )
    assert.deepEqual(tipsOf(assemble('history')(x)), expected.flat())
    // each block sits in its own step's message: after that step's observation, before its action
    const s = render(assemble('history')(x))
    x.history.forEach((h, i) =>
      assert.ok(
        s.includes(
          `Step ${i + 1} observation:\n${h.observation}\n${renderTipsBlock(h.tips)}Step ${i + 1} action: `
        )
      )
    )
  }
)

property(
  'the tip-generation prompt holds the task and every action and asks for one short line; it shows no tips, or, with showTips, each step’s tips after that step’s observation, in order',
  [inputOf(plainText), fc.option(plainText, { nil: undefined }), fc.option(fc.boolean(), { nil: undefined })],
  (x, final, showTips) => {
    const p = tipGenerationPrompt({ task: x.task, history: x.history, finalObservation: final, showTips })
    const s = render(p)
    const expected = showTips === true ? x.history.map((h) => h.tips).filter((ts) => ts.length > 0) : []
    assert.deepEqual(tipsOf(p), expected.flat())
    assert.deepEqual(
      tipsInRendered(s),
      expected.map((ts) => ts.map((t) => TIP_BULLET + escapeTip(t)))
    )
    assert.ok(s.startsWith(`Task: ${x.task}\n`))
    x.history.forEach((h, i) =>
      assert.ok(
        s.includes(
          `Step ${i + 1} observation:\n${h.observation}\n${showTips === true ? renderTipsBlock(h.tips) : ''}Step ${i + 1} action: ${h.action}\n`
        )
      )
    )
    if (final !== undefined) assert.ok(s.includes(`Final observation:\n${final}\n`))
    assert.ok(s.includes('one short line') && s.includes('learned') && s.includes('how far'))
    // the tips are the only difference: removing them gives the tip-free prompt
    assert.equal(
      render(removeTips(p)),
      render(tipGenerationPrompt({ task: x.task, history: x.history, finalObservation: final }))
    )
  }
)
