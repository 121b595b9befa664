/**
 * Laws of the interactive-fiction score reader (src/core/env/gameScore.ts), on generated status
 * lines and messages in the forms real games print (Inform 6 and 7, ZILF, Infocom, TextWorld):
 * a labelled or `N/T` status score is read, a clock never is, the game's own score message gives
 * score and maximum wherever it sits, change messages add up, the version-3 header is read unless
 * it marks a time game, and the sources are tried in their documented order. See
 * proofs/environments.md §10.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { property } from '../../support/property.ts'
import {
  readScore,
  scoreChangeInMessage,
  scoreInHeader,
  scoreInMessage,
  scoreInStatus,
  type HeaderFields
} from '../../../src/core/env/gameScore.ts'

// words of room names and story text: no digits, nothing that names a score
const word = fc.constantFrom(
  'You',
  'take',
  'the',
  'lamp',
  'North',
  'a',
  'small',
  'room',
  'is',
  'dark.',
  'Hall',
  'of',
  'Mists',
  '-=',
  '=-',
  'Kitchen',
  'Taken.',
  'time',
  'goes',
  'by,',
  'out',
  'possible'
)
const words = (max: number) => fc.array(word, { maxLength: max }).map((ws) => ws.join(' '))
// a raw score: negative scores exist (deaths cost points in some games); six digits at most
const score = fc.integer({ min: -99, max: 99_999 })
const nat = fc.integer({ min: 0, max: 99_999 })
const max = fc.integer({ min: 1, max: 99_999 })
// a time of day as games print it: 12-hour or 24-hour, with or without am/pm, with or without a label
const clock = fc
  .record({
    h: fc.integer({ min: 0, max: 23 }),
    m: fc.integer({ min: 0, max: 59 }),
    suffix: fc.constantFrom('', ' am', ' pm', ' AM', ' PM', 'pm', ' a.m.', ' p.m.'),
    label: fc.constantFrom('', 'Time: ', 'Time:', 'TIME: ')
  })
  .map(({ h, m, suffix, label }) => `${label}${String(h)}:${String(m).padStart(2, '0')}${suffix}`)
const gap = fc.constantFrom(' ', '  ', '   ', '\t')

property(
  'a labelled status score is read, whatever location and clock the line also shows',
  [
    words(4),
    fc.option(clock),
    score,
    nat,
    fc.constantFrom('Score: ', 'Score:', 'SCORE: ', 'Points: ', 'Rating: ', 'Score '),
    fc.constantFrom('Moves', 'Turns'),
    fc.boolean(),
    gap
  ],
  (location, time, n, t, label, turns, clockFirst, g) => {
    const scorePart = `${label}${String(n)}${g}${turns}: ${String(t)}`
    const parts = time === null ? [scorePart] : clockFirst ? [time, scorePart] : [scorePart, time]
    assert.equal(scoreInStatus(` ${location}${g}${parts.join(g)}`), n)
  }
)

property(
  'a trailing N/T (Inform 7’s and TextWorld’s score/turns) is read as the score N',
  [words(4), fc.option(clock), score, nat, gap],
  (location, time, n, t, g) => {
    assert.equal(scoreInStatus(` ${location}${g}${time ?? ''}${g}${String(n)}/${String(t)}`), n)
  }
)

property(
  'a clock is never a score: a status line or text with clocks and no score reads nothing',
  [words(4), fc.array(clock, { minLength: 1, maxLength: 3 }), gap],
  (location, times, g) => {
    const line = ` ${location}${g}${times.join(g)}`
    assert.equal(scoreInStatus(line), undefined)
    assert.equal(scoreInMessage(line), undefined)
    assert.equal(scoreChangeInMessage(line), undefined)
    assert.equal(readScore({ text: line, status: line }, 7).source, 'unchanged')
  }
)

// the score messages of real games, N the score, M the maximum, T the turns
const messageForms: ReadonlyArray<(n: string, m: string, t: string) => string> = [
  (n, m, t) => `You have so far scored ${n} out of a possible ${m}, in ${t} turns.`, // Inform 6 and 7
  (n, m, t) => `In that game you scored ${n} out of a possible ${m}, in ${t} turns.`,
  (n, m, t) => `You have so far scored ${n} points out of a possible ${m}, in ${t} turn(s).`,
  (n, m, t) => `You scored ${n} out of a possible ${m}, in ${t} turn(s).`, // TextWorld's ending
  (n, m, t) => `In ${t} turns, you've scored ${n} points out of a possible ${m}.`, // ZILF
  (n, m, t) => `Your score is ${n} (total of ${m} points), in ${t} moves.`, // Infocom
  (n, m, t) => `Your score is ${n} (of ${m} points), in ${t} moves.`,
  (n, m, t) => `Your score is ${n} of a possible ${m}, in ${t} turns.`,
  (n, m) => `[${n} out of a possible ${m}]`
]
const message = fc
  .record({ form: fc.constantFrom(...messageForms), n: score, m: max, t: nat })
  .map(({ form, n, m, t }) => ({ n, m, text: form(String(n), String(m), String(t)) }))

property(
  'the game’s own score message gives its score and maximum, wherever it sits in the text',
  [words(8), message, words(8), fc.option(clock), fc.constantFrom(' ', '\n', '\n\n')],
  (before, msg, after, time, sep) => {
    const text = [before, msg.text, after, time ?? ''].join(sep)
    assert.deepEqual(scoreInMessage(text), { score: msg.n, max: msg.m })
    assert.deepEqual(
      readScore({ text, status: ' Hall  Score: 3', header: { version: 3, flags1: 0, global1: 4 } }, 9),
      {
        score: msg.n,
        max: msg.m,
        source: 'message'
      }
    )
  }
)

property(
  'of several score messages in one text, the last one wins',
  [fc.array(message, { minLength: 2, maxLength: 4 }), words(5)],
  (msgs, filler) => {
    const last = msgs[msgs.length - 1]
    assert.ok(last !== undefined)
    assert.deepEqual(scoreInMessage(msgs.map((m) => m.text).join(` ${filler} `)), {
      score: last.n,
      max: last.m
    })
  }
)

const units = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen'
]
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']
// a model of English number words below a thousand, written independently of the reader
const inWords = (n: number, and: boolean): string => {
  const below100 = (k: number): string =>
    k < 20
      ? (units[k] ?? '')
      : `${tens[Math.floor(k / 10)] ?? ''}${k % 10 === 0 ? '' : `-${units[k % 10] ?? ''}`}`
  if (n < 100) return below100(n)
  const h = `${units[Math.floor(n / 100)] ?? ''} hundred`
  return n % 100 === 0 ? h : `${h}${and ? ' and' : ''} ${below100(n % 100)}`
}

property(
  'change messages, in digits or words, add up to the change they announce',
  [
    fc.array(
      fc.record({
        n: fc.integer({ min: 1, max: 999 }),
        up: fc.boolean(),
        digits: fc.boolean(),
        and: fc.boolean(),
        bracket: fc.boolean()
      }),
      { minLength: 1, maxLength: 3 }
    ),
    words(6)
  ],
  (changes, filler) => {
    const text = changes
      .map(({ n, up, digits, and, bracket }) => {
        const s = `Your score has just gone ${up ? 'up' : 'down'} by ${digits ? String(n) : inWords(n, and)} point${n === 1 ? '' : 's'}.`
        return bracket ? `[${s}]` : s
      })
      .join(` ${filler} `)
    const total = changes.reduce((s, c) => s + (c.up ? c.n : -c.n), 0)
    assert.equal(scoreChangeInMessage(text), total)
    assert.deepEqual(readScore({ text, status: ' Hall' }, 40), { score: 40 + total, source: 'change' })
  }
)

property(
  'a version-3 header gives global 1 as a signed word unless Flags 1 marks a time game; later versions give nothing',
  [fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff })],
  (version, flags1, global1) => {
    const expected =
      version > 3 || (flags1 & 2) !== 0 ? undefined : global1 >= 0x8000 ? global1 - 0x10000 : global1
    assert.equal(scoreInHeader({ version, flags1, global1 }), expected)
  }
)

property(
  'the sources are tried in order: message, header, status line, change message, else the previous score',
  [
    fc.option(message),
    fc.option(
      fc.record({
        version: fc.constantFrom(3, 5),
        flags1: fc.constantFrom(0, 2),
        global1: fc.integer({ min: 0, max: 500 })
      })
    ),
    fc.option(score),
    fc.option(fc.integer({ min: 1, max: 50 })),
    score
  ],
  (msg, header, status, change, previous) => {
    const text = [
      msg?.text ?? '',
      change === null ? '' : `Your score has just gone up by ${String(change)} points.`
    ].join(' ')
    const view = {
      text,
      status: status === null ? ' Hall   Time: 3:00 pm' : ` Hall   Score: ${String(status)}`,
      ...(header === null ? {} : { header: header as HeaderFields })
    }
    const fromHeader = header === null ? undefined : scoreInHeader(header)
    const expected =
      msg !== null
        ? { score: msg.n, max: msg.m, source: 'message' }
        : fromHeader !== undefined
          ? { score: fromHeader, source: 'header' }
          : status !== null
            ? { score: status, source: 'status' }
            : change !== null
              ? { score: previous + change, source: 'change' }
              : { score: previous, source: 'unchanged' }
    assert.deepEqual(readScore(view, previous), expected)
  }
)

test('regressions from real games: ZILF, Infocom’s “(of M points)”, a time game’s status line', () => {
  assert.deepEqual(scoreInMessage("In 1 turn, you've scored 36 points out of a possible 350."), {
    score: 36,
    max: 350
  })
  assert.deepEqual(
    scoreInMessage(
      'Your score is 10 (of 350 points), in 4 moves. This gives you the rank of Beginning Adventurer.'
    ),
    {
      score: 10,
      max: 350
    }
  )
  assert.equal(scoreInStatus(' Kitchen                                   Time: 3:00 PM'), undefined)
  assert.equal(scoreInStatus(' Kitchen                                   Score: 10  Turns: 4'), 10)
})
