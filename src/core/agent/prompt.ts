/**
 * Prompts as typed data (docs/method.md §3–§4; the authors' tip placement, §7). A {@link Prompt} is a
 * list of segments — plain text, or a block of tips — so that "the prompt without its tips", needed by
 * the off-policy update, is a structural operation ({@link removeTips}) rather than a text search.
 * {@link pieces}, {@link tipTokenSpans} and {@link removeSpans} delete the tips' token spans from the
 * tokenized prompt, as the authors' code does, and agree with tokenizing the tip-free prompt. Tips are
 * escaped onto one bullet line each ({@link escapeTip}), so no tip can forge or break the block. The
 * format, character for character: docs/porting.md, "The prompt".
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { MemoryConfig } from '../../spec/config.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Plain text, rendered verbatim.
 *
 * @since 0.1.0
 * @category model
 */
export interface TextSegment {
  readonly _tag: 'Text'
  readonly text: string
}

/**
 * A block of retrieved tips, rendered in the fixed tips block format.
 *
 * @since 0.1.0
 * @category model
 */
export interface TipsSegment {
  readonly _tag: 'Tips'
  readonly tips: ReadonlyArray<string>
}

/**
 * One segment of a prompt.
 *
 * @since 0.1.0
 * @category model
 */
export type Segment = TextSegment | TipsSegment

/**
 * A prompt: segments rendered in order and concatenated.
 *
 * @since 0.1.0
 * @category model
 */
export type Prompt = ReadonlyArray<Segment>

/**
 * Where tips go (`config.memory.tipPlacement`): `currentStep` — only in the current step's block
 * (paper); `history` — each step's tip block stays in that step's message, so later steps see
 * earlier tips (official, docs/method.md §7).
 *
 * @since 0.1.0
 * @category model
 */
export type TipPlacement = t.TypeOf<typeof MemoryConfig>['tipPlacement']

/**
 * An earlier step of the episode as the prompt shows it: what was observed, the tips that were in that
 * step's prompt, and the action taken.
 *
 * @since 0.1.0
 * @category model
 */
export interface HistoryStep {
  readonly observation: string
  readonly tips: ReadonlyArray<string>
  readonly action: string
}

/**
 * What a step's prompt is assembled from: the task description `u`, the earlier steps, the current
 * observation `s_t` and the retrieved tips `tips_t = Retr(s_t; M)` (empty without memory).
 *
 * @since 0.1.0
 * @category model
 */
export interface PromptInput {
  readonly task: string
  readonly history: ReadonlyArray<HistoryStep>
  readonly observation: string
  readonly tips: ReadonlyArray<string>
}

/**
 * A half-open span `[start, end)` of characters (UTF-16 code units) or tokens.
 *
 * @since 0.1.0
 * @category model
 */
export interface Span {
  readonly start: number
  readonly end: number
}

/**
 * A rendered segment with its character span in the rendered prompt, its tokens (the tokenizer applied
 * to this segment alone) and their span in the prompt's tokens.
 *
 * @since 0.1.0
 * @category model
 */
export interface Piece {
  readonly segment: Segment
  readonly text: string
  readonly chars: Span
  readonly tokens: ReadonlyArray<number>
  readonly tokenSpan: Span
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A text segment.
 *
 * @example
 * import { text } from './prompt.ts'
 * assert.deepEqual(text('hi'), { _tag: 'Text', text: 'hi' })
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (s: string): Segment => ({ _tag: 'Text', text: s })

/**
 * A tips segment.
 *
 * @example
 * import { tipsSegment } from './prompt.ts'
 * assert.deepEqual(tipsSegment(['go north']), { _tag: 'Tips', tips: ['go north'] })
 *
 * @since 0.1.0
 * @category constructors
 */
export const tipsSegment = (tips: ReadonlyArray<string>): Segment => ({ _tag: 'Tips', tips })

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * Whether a segment is a tips block.
 *
 * @example
 * import { isTips, text, tipsSegment } from './prompt.ts'
 * assert.ok(isTips(tipsSegment([])) && !isTips(text('x')))
 *
 * @since 0.1.0
 * @category refinements
 */
export const isTips = (s: Segment): s is TipsSegment => s._tag === 'Tips'

/**
 * Whether a segment is plain text.
 *
 * @example
 * import { isText, text } from './prompt.ts'
 * assert.ok(isText(text('x')))
 *
 * @since 0.1.0
 * @category refinements
 */
export const isText = (s: Segment): s is TextSegment => s._tag === 'Text'

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Exhaustive, data-last pattern match on a {@link Segment}.
 *
 * @example
 * import { matchSegment, tipsSegment } from './prompt.ts'
 * const n = matchSegment({ Text: (s) => s.length, Tips: (ts) => ts.length })(tipsSegment(['a', 'b']))
 * assert.equal(n, 2)
 *
 * @since 0.1.0
 * @category destructors
 */
export const matchSegment =
  <B>(cases: { readonly Text: (text: string) => B; readonly Tips: (tips: ReadonlyArray<string>) => B }) =>
  (s: Segment): B =>
    s._tag === 'Tips' ? cases.Tips(s.tips) : cases.Text(s.text)

/**
 * The opening line of a tips block (without its `\n`).
 *
 * @example
 * import { TIPS_OPEN } from './prompt.ts'
 * assert.equal(TIPS_OPEN, '<tips>')
 *
 * @since 0.1.0
 * @category utils
 */
export const TIPS_OPEN = '<tips>'

/**
 * The closing line of a tips block (without its `\n`).
 *
 * @example
 * import { TIPS_CLOSE } from './prompt.ts'
 * assert.equal(TIPS_CLOSE, '</tips>')
 *
 * @since 0.1.0
 * @category utils
 */
export const TIPS_CLOSE = '</tips>'

/**
 * The prefix of every tip line.
 *
 * @example
 * import { TIP_BULLET } from './prompt.ts'
 * assert.equal(TIP_BULLET, '- ')
 *
 * @since 0.1.0
 * @category utils
 */
export const TIP_BULLET = '- '

const lineBreaks = /[\\\n\r\v\f\u0085\u2028\u2029]/g

/**
 * A tip escaped onto one line: `\` → `\\`, LF → `\n`, CR → `\r`, VT/FF/NEL/LS/PS → `\uXXXX`. The result
 * contains no line terminator; {@link unescapeTip} inverts it.
 *
 * @example
 * import { escapeTip } from './prompt.ts'
 * assert.equal(escapeTip('a\n</tips>\\'), 'a\\n</tips>\\\\')
 *
 * @since 0.1.0
 * @category utils
 */
export const escapeTip = (tip: string): string =>
  tip.replace(lineBreaks, (c) =>
    c === '\\'
      ? '\\\\'
      : c === '\n'
        ? '\\n'
        : c === '\r'
          ? '\\r'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )

/**
 * The inverse of {@link escapeTip}.
 *
 * @example
 * import { escapeTip, unescapeTip } from './prompt.ts'
 * const tip = 'line one\r\nline two \\n \u2028'
 * assert.equal(unescapeTip(escapeTip(tip)), tip)
 *
 * @since 0.1.0
 * @category utils
 */
export const unescapeTip = (line: string): string =>
  line.replace(/\\(\\|n|r|u[0-9a-f]{4})/g, (_, e: string) =>
    e === '\\' ? '\\' : e === 'n' ? '\n' : e === 'r' ? '\r' : String.fromCharCode(parseInt(e.slice(1), 16))
  )

/**
 * The tips block of a list of tips, in the fixed format (`<tips>\n`, one `- <escaped tip>\n` per tip,
 * `</tips>\n`); the empty string for no tips.
 *
 * @example
 * import { renderTipsBlock } from './prompt.ts'
 * assert.equal(renderTipsBlock(['open the door', 'two\nlines']), '<tips>\n- open the door\n- two\\nlines\n</tips>\n')
 * assert.equal(renderTipsBlock([]), '')
 *
 * @since 0.1.0
 * @category destructors
 */
export const renderTipsBlock = (tips: ReadonlyArray<string>): string =>
  tips.length === 0
    ? ''
    : `${TIPS_OPEN}\n${tips.map((tip) => `${TIP_BULLET}${escapeTip(tip)}\n`).join('')}${TIPS_CLOSE}\n`

/**
 * The tips of a rendered tips block, or `null` if the string is not exactly one block in the fixed
 * format; `parseTipsBlock(renderTipsBlock(tips))` equals `tips` for every list of strings.
 *
 * @example
 * import { parseTipsBlock, renderTipsBlock } from './prompt.ts'
 * const tips = ['</tips>', '\n- forged', '']
 * assert.deepEqual(parseTipsBlock(renderTipsBlock(tips)), tips)
 * assert.equal(parseTipsBlock('<tips>\nno bullet\n</tips>\n'), null)
 *
 * @since 0.1.0
 * @category destructors
 */
export const parseTipsBlock = (block: string): ReadonlyArray<string> | null => {
  if (block === '') return []
  const lines = block.split('\n')
  if (lines.length < 4 || lines[0] !== TIPS_OPEN || lines.at(-2) !== TIPS_CLOSE || lines.at(-1) !== '')
    return null
  const body = lines.slice(1, -2)
  return body.every((l) => l.startsWith(TIP_BULLET))
    ? body.map((l) => unescapeTip(l.slice(TIP_BULLET.length)))
    : null
}

/**
 * The text of one segment: verbatim for text, {@link renderTipsBlock} for tips.
 *
 * @example
 * import { renderSegment, text, tipsSegment } from './prompt.ts'
 * assert.equal(renderSegment(text('x')), 'x')
 * assert.equal(renderSegment(tipsSegment(['t'])), '<tips>\n- t\n</tips>\n')
 *
 * @since 0.1.0
 * @category destructors
 */
export const renderSegment: (s: Segment) => string = matchSegment({
  Text: (s) => s,
  Tips: renderTipsBlock
})

/**
 * The prompt as text: its segments rendered and concatenated.
 *
 * @example
 * import { render, text, tipsSegment } from './prompt.ts'
 * assert.equal(render([text('Task: x\n'), tipsSegment(['t']), text('Next action:')]), 'Task: x\n<tips>\n- t\n</tips>\nNext action:')
 *
 * @since 0.1.0
 * @category destructors
 */
export const render = (prompt: Prompt): string => prompt.map(renderSegment).join('')

/**
 * Every tip of a prompt, in order (a flattening of its tips segments).
 *
 * @example
 * import { tipsOf, text, tipsSegment } from './prompt.ts'
 * assert.deepEqual(tipsOf([tipsSegment(['a']), text('x'), tipsSegment(['b', 'c'])]), ['a', 'b', 'c'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const tipsOf = (prompt: Prompt): ReadonlyArray<string> =>
  prompt.flatMap((s) => (isTips(s) ? s.tips : []))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const stepHeader = (i: number, observation: string): string => `Step ${i + 1} observation:\n${observation}\n`

/**
 * The prompt of the current step (docs/method.md §4; §7 for `history`). Layout, in segments:
 * ```
 * Task: <task>\n\n
 * Step k observation:\n<observation>\n      one per earlier step
 * [tips block of step k]                     `history` placement only, when step k had tips
 * Step k action: <action>\n\n
 * Current observation:\n<observation>\n
 * [tips block of tips_t]                     when there are tips
 * Next action:
 * ```
 * A tips segment is present only when its list is non-empty, so the text segments are the same for
 * any tips and `removeTips(assemble(p)(x))` equals `assemble(p)(stripTips(x))`.
 *
 * @example
 * import { assemble, render } from './prompt.ts'
 * const x = { task: 'light the bulb', history: [{ observation: 'a hall', tips: ['old'], action: 'go east' }], observation: 'a lab', tips: ['look for a bulb'] }
 * assert.equal(
 *   render(assemble('currentStep')(x)),
 *   'Task: light the bulb\n\nStep 1 observation:\na hall\nStep 1 action: go east\n\nCurrent observation:\na lab\n<tips>\n- look for a bulb\n</tips>\nNext action:'
 * )
 * assert.ok(render(assemble('history')(x)).includes('a hall\n<tips>\n- old\n</tips>\nStep 1 action'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const assemble =
  (placement: TipPlacement) =>
  (input: PromptInput): Prompt => {
    const out: Segment[] = [text(`Task: ${input.task}\n\n`)]
    input.history.forEach((h, i) => {
      out.push(text(stepHeader(i, h.observation)))
      if (placement === 'history' && h.tips.length > 0) out.push(tipsSegment(h.tips))
      out.push(text(`Step ${i + 1} action: ${h.action}\n\n`))
    })
    out.push(text(`Current observation:\n${input.observation}\n`))
    if (input.tips.length > 0) out.push(tipsSegment(input.tips))
    out.push(text('Next action:'))
    return out
  }

/**
 * The same input with every tip removed: the current tips and each earlier step's.
 *
 * @example
 * import { stripTips } from './prompt.ts'
 * const x = { task: 't', history: [{ observation: 'o', tips: ['a'], action: 'x' }], observation: 'o2', tips: ['b'] }
 * assert.deepEqual(stripTips(x), { task: 't', history: [{ observation: 'o', tips: [], action: 'x' }], observation: 'o2', tips: [] })
 *
 * @since 0.1.0
 * @category combinators
 */
export const stripTips = (input: PromptInput): PromptInput => ({
  ...input,
  history: input.history.map((h) => ({ ...h, tips: [] })),
  tips: []
})

/**
 * The prompt without its tips segments, everything else untouched — the prompt of an off-policy update
 * (docs/method.md §4).
 *
 * @example
 * import { removeTips, text, tipsSegment } from './prompt.ts'
 * assert.deepEqual(removeTips([text('a'), tipsSegment(['t']), text('b')]), [text('a'), text('b')])
 *
 * @since 0.1.0
 * @category combinators
 */
export const removeTips = (prompt: Prompt): Prompt => prompt.filter(isText)

/**
 * The rendered segments with their character spans and, for a caller-supplied `tokenize` applied to
 * each segment's text separately (it must not add special tokens such as BOS), their tokens and token
 * spans. The concatenated texts are {@link render}, the concatenated tokens {@link promptTokens}.
 *
 * @example
 * import { pieces, text, tipsSegment } from './prompt.ts'
 * const chars = (s: string) => [...s].map((c) => c.codePointAt(0) ?? 0)
 * const ps = pieces(chars)([text('ab'), tipsSegment(['t'])])
 * assert.deepEqual(ps.map((p) => p.chars), [{ start: 0, end: 2 }, { start: 2, end: 21 }])
 * assert.deepEqual(ps[1]?.tokenSpan, { start: 2, end: 21 })
 *
 * @since 0.1.0
 * @category combinators
 */
export const pieces =
  (tokenize: (s: string) => ReadonlyArray<number>) =>
  (prompt: Prompt): ReadonlyArray<Piece> => {
    let c = 0
    let k = 0
    return prompt.map((segment) => {
      const s = renderSegment(segment)
      const tokens = tokenize(s)
      const piece: Piece = {
        segment,
        text: s,
        chars: { start: c, end: c + s.length },
        tokens,
        tokenSpan: { start: k, end: k + tokens.length }
      }
      c += s.length
      k += tokens.length
      return piece
    })
  }

/**
 * The prompt's tokens: `tokenize` applied to each segment's text, concatenated (`[L]`).
 *
 * @example
 * import { promptTokens, text } from './prompt.ts'
 * const words = (s: string) => s.split(' ').filter((w) => w !== '').map((w) => w.length)
 * assert.deepEqual(promptTokens(words)([text('go to '), text('the lab')]), [2, 2, 3, 3])
 *
 * @since 0.1.0
 * @category combinators
 */
export const promptTokens =
  (tokenize: (s: string) => ReadonlyArray<number>) =>
  (prompt: Prompt): ReadonlyArray<number> =>
    pieces(tokenize)(prompt).flatMap((p) => p.tokens)

/**
 * The token spans of the tips segments in {@link promptTokens}, in order, non-overlapping (empty
 * blocks give no span).
 *
 * @example
 * import { tipTokenSpans, text, tipsSegment } from './prompt.ts'
 * const lines = (s: string) => s.split('\n').map((l) => l.length)
 * assert.deepEqual(tipTokenSpans(lines)([text('a'), tipsSegment(['t']), text('b')]), [{ start: 1, end: 5 }])
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipTokenSpans =
  (tokenize: (s: string) => ReadonlyArray<number>) =>
  (prompt: Prompt): ReadonlyArray<Span> =>
    pieces(tokenize)(prompt)
      .filter((p) => isTips(p.segment) && p.tokenSpan.end > p.tokenSpan.start)
      .map((p) => p.tokenSpan)

/**
 * The character spans of the tips blocks in {@link render}, in order (empty blocks give no span).
 *
 * @example
 * import { tipCharSpans, text, tipsSegment } from './prompt.ts'
 * assert.deepEqual(tipCharSpans([text('a'), tipsSegment(['t']), text('b')]), [{ start: 1, end: 20 }])
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipCharSpans = (prompt: Prompt): ReadonlyArray<Span> =>
  pieces(() => [])(prompt)
    .filter((p) => isTips(p.segment) && p.chars.end > p.chars.start)
    .map((p) => p.chars)

const checkSpans = (spans: ReadonlyArray<Span>, length: number): void => {
  let prev = 0
  spans.forEach((s, i) => {
    if (!(Number.isInteger(s.start) && Number.isInteger(s.end) && prev <= s.start && s.start <= s.end))
      throw new RangeError(
        `removeSpans: span ${i} [${s.start}, ${s.end}) is not sorted, non-overlapping and well-formed`
      )
    prev = s.end
  })
  if (prev > length) throw new RangeError(`removeSpans: spans end at ${prev} beyond length ${length}`)
}

/**
 * Delete sorted, non-overlapping half-open spans from an array (token ids of a prompt: the official
 * off-policy update's token-span deletion). Throws a RangeError on unsorted, overlapping or
 * out-of-range spans.
 *
 * @example
 * import { removeSpans } from './prompt.ts'
 * assert.deepEqual(removeSpans([{ start: 1, end: 3 }, { start: 4, end: 5 }])([0, 1, 2, 3, 4, 5]), [0, 3, 5])
 *
 * @since 0.1.0
 * @category combinators
 */
export const removeSpans =
  (spans: ReadonlyArray<Span>) =>
  <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => {
    checkSpans(spans, xs.length)
    const out: A[] = []
    let from = 0
    for (const s of spans) {
      out.push(...xs.slice(from, s.start))
      from = s.end
    }
    out.push(...xs.slice(from))
    return out
  }

/**
 * Delete sorted, non-overlapping half-open character spans from a string (as {@link removeSpans}).
 *
 * @example
 * import { removeCharSpans } from './prompt.ts'
 * assert.equal(removeCharSpans([{ start: 1, end: 3 }])('abcd'), 'ad')
 *
 * @since 0.1.0
 * @category combinators
 */
export const removeCharSpans =
  (spans: ReadonlyArray<Span>) =>
  (s: string): string => {
    checkSpans(spans, s.length)
    let out = ''
    let from = 0
    for (const sp of spans) {
      out += s.slice(from, sp.start)
      from = sp.end
    }
    return out + s.slice(from)
  }

/**
 * The tip-generation prompt (docs/method.md §3): after an episode of task `u`, the policy is shown the
 * task and the history of its attempt (and the final observation, when given) and asked to summarise
 * the attempt, what it learned, and how far it was from completing the task, in one short line.
 * Without `showTips` (the default) the history is tip-free: plain text only. With `showTips`
 * (`memory.tipPromptShowsTips`, official, docs/method.md §7) each step's tips — those its prompt
 * showed — follow that step's observation as a tips block, where the authors append each step's
 * retrieved memories to that step's observation message; a step without tips adds nothing.
 *
 * @example
 * import { tipGenerationPrompt, render } from './prompt.ts'
 * const input = { task: 'boil water', history: [{ observation: 'a kitchen', tips: ['x'], action: 'look' }], finalObservation: 'a stove' }
 * const s = render(tipGenerationPrompt(input))
 * assert.ok(s.startsWith('Task: boil water\n') && s.includes('Step 1 action: look') && s.includes('Final observation:\na stove'))
 * assert.ok(!s.includes('<tips>') && s.includes('one short line'))
 * const shown = render(tipGenerationPrompt({ ...input, showTips: true }))
 * assert.ok(shown.includes('Step 1 observation:\na kitchen\n<tips>\n- x\n</tips>\nStep 1 action: look'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipGenerationPrompt = (input: {
  readonly task: string
  readonly history: ReadonlyArray<HistoryStep>
  readonly finalObservation?: string
  readonly showTips?: boolean
}): Prompt => [
  text(`Task: ${input.task}\n\nYour attempt:\n`),
  ...input.history.flatMap((h, i) => [
    text(stepHeader(i, h.observation)),
    ...(input.showTips === true && h.tips.length > 0 ? [tipsSegment(h.tips)] : []),
    text(`Step ${i + 1} action: ${h.action}\n\n`)
  ]),
  ...(input.finalObservation === undefined
    ? []
    : [text(`Final observation:\n${input.finalObservation}\n\n`)]),
  text(
    'Write a tip for your next attempt at this task: in one short line, summarise what you did, what you learned, and how far you were from completing the task. Reply with that line only.\nTip:'
  )
]
