/**
 * Reading the score of an interactive-fiction game from what it shows: the pure parser behind the
 * Z-machine environment's reward. Sources, most trusted first: the game's own score message in the
 * text of a turn ("scored N out of a possible M", "Your score is N (total of M points)"), the
 * version-3 header's score global (a version-3 status line is the interpreter's, drawn from it),
 * the status line a later game draws itself (`Score: N`, Inform 7's and TextWorld's `N/T`), and
 * last a change message ("Your score has just gone up by five points"). A clock (`3:00 pm`,
 * `Time: …`) is never a score. Which games each source suits: docs/environments.md, "Z-machine
 * interactive fiction".
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where a score was read: the turn's score message, the version-3 header, the status line, a
 * change message added to the previous score, or nowhere (the previous score stands).
 *
 * @since 0.1.0
 * @category model
 */
export type ScoreSource = 'message' | 'header' | 'status' | 'change' | 'unchanged'

/**
 * A score read from a game, with the game's maximum when the same text states it.
 *
 * @since 0.1.0
 * @category model
 */
export interface ScoreReading {
  readonly score: number
  readonly max?: number
  readonly source: ScoreSource
}

/**
 * The header fields that give a version-3 game's score: the version (byte 0), Flags 1 (byte 1,
 * bit 1 set for a "time game", whose status line shows hours and minutes) and the raw word of
 * global variable 1 (score, or hours in a time game).
 *
 * @since 0.1.0
 * @category model
 */
export interface HeaderFields {
  readonly version: number
  readonly flags1: number
  readonly global1: number
}

/**
 * What a turn shows: its story text, the status line after it, and the header fields when the
 * interpreter exposes them.
 *
 * @since 0.1.0
 * @category model
 */
export interface TurnView {
  readonly text: string
  readonly status: string
  readonly header?: HeaderFields
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const int = '(-?\\d{1,6})'
const nat = '(\\d{1,6})'
// "N out of a possible M", "N points out of a possible M", "N of a possible M"
const outOf = `\\s+(?:points?\\s+)?(?:out\\s+)?of\\s+(?:a\\s+)?possible\\s+${nat}`
const messagePatterns: ReadonlyArray<RegExp> = [
  new RegExp(`\\bscored\\s+${int}${outOf}`, 'gi'),
  new RegExp(`(?<![\\w-])${int}${outOf}`, 'gi'),
  // Infocom: "Your score is 10 (total of 350 points)", "… is 10 (of 350 points)", "… is 0 of a possible 400"
  new RegExp(
    `\\bscore\\s+(?:is|was)\\s+(?:now\\s+)?${int}(?:\\s+points?)?(?:\\s*\\(\\s*(?:a\\s+)?(?:total\\s+)?(?:out\\s+)?of\\s+(?:a\\s+possible\\s+)?${nat}|\\s+(?:out\\s+)?of\\s+(?:a\\s+)?(?:possible\\s+)?${nat})?`,
    'gi'
  ),
  // "You scored a total of 5 points", "you have scored 10 points"
  new RegExp(`\\bscored\\s+(?:a\\s+total\\s+of\\s+)?${int}\\s+points?\\b`, 'gi')
]

/**
 * The score (and the maximum, when stated) of the last score message in a turn's text, the game's
 * own statement such as Inform's "You have so far scored 36 out of a possible 350", ZILF's "you've
 * scored 36 points out of a possible 350", Infocom's "Your score is 10 (total of 350 points)".
 *
 * @example
 * import { scoreInMessage } from './gameScore.ts'
 * assert.deepEqual(scoreInMessage('You have so far scored 36 out of a possible 350, in 1 turn.'), { score: 36, max: 350 })
 * assert.deepEqual(scoreInMessage('Your score is 10 (total of 350 points), in 5 moves.'), { score: 10, max: 350 })
 * assert.equal(scoreInMessage('It is 3:00 pm.'), undefined)
 *
 * @since 0.1.0
 * @category destructors
 */
export const scoreInMessage = (
  text: string
): { readonly score: number; readonly max?: number } | undefined => {
  let best: { end: number; score: number; max?: number } | undefined
  for (const re of messagePatterns) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const end = m.index + m[0].length
      const maxText = m[2] ?? m[3]
      const found = { end, score: Number(m[1]), ...(maxText === undefined ? {} : { max: Number(maxText) }) }
      // the last statement wins; at the same end, the one that states the maximum
      if (best === undefined || end > best.end || (end === best.end && best.max === undefined)) best = found
    }
  }
  return best === undefined
    ? undefined
    : { score: best.score, ...(best.max === undefined ? {} : { max: best.max }) }
}

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

// a number written in digits or in English words below a thousand ("twenty-five", "a hundred")
const numberIn = (words: string): number | undefined => {
  const w = words.trim().toLowerCase()
  if (/^\d{1,6}$/.test(w)) return Number(w)
  let hundreds = 0
  let rest = 0
  for (const part of w.split(/[\s-]+/)) {
    const u = units.indexOf(part)
    const t = tens.indexOf(part)
    if (part === 'and') continue
    else if (part === 'a' || part === 'an') rest += 1
    else if (u >= 0) rest += u
    else if (t >= 2) rest += 10 * t
    else if (part === 'hundred' && hundreds === 0) [hundreds, rest] = [100 * Math.max(1, rest), 0]
    else return undefined
  }
  return hundreds + rest
}

const changePattern =
  /\bscore\s+has\s+(?:just\s+)?(?:gone|went)\s+(up|down)\s+by\s+([a-z0-9][a-z0-9 -]{0,40}?)\s+points?\b/gi

/**
 * The total change of score the turn's text announces ("[Your score has just gone up by five
 * points.]", TextWorld's "Your score has just gone up by one point."), or `undefined` when it
 * announces none.
 *
 * @example
 * import { scoreChangeInMessage } from './gameScore.ts'
 * assert.equal(scoreChangeInMessage('[Your score has just gone up by twenty-five points.]'), 25)
 * assert.equal(scoreChangeInMessage('Your score has just gone down by 2 points.'), -2)
 * assert.equal(scoreChangeInMessage('Nothing happens.'), undefined)
 *
 * @since 0.1.0
 * @category destructors
 */
export const scoreChangeInMessage = (text: string): number | undefined => {
  let total: number | undefined
  changePattern.lastIndex = 0
  for (let m = changePattern.exec(text); m !== null; m = changePattern.exec(text)) {
    const n = numberIn(m[2] ?? '')
    if (n !== undefined) total = (total ?? 0) + ((m[1] ?? '').toLowerCase() === 'down' ? -n : n)
  }
  return total
}

// a labelled number, and a trailing N/T: a clock's h:mm is neither
const labelled = /\b(?:score|points|rating)\s*:?\s*(-?\d{1,6})\b/i
const scoreSlashTurns = /(?:^|\s)(-?\d{1,6})\s*\/\s*\d{1,6}\s*$/

/**
 * The score a status line shows, or `undefined` when it shows none: a labelled number (`Score:
 * 36  Moves: 1`, `Points 5`, `Rating: 3`), else a trailing `N/T` (Inform 7's default right-hand
 * side, `score/turns`, which TextWorld's games keep). Neither form matches a clock, so `3:00 pm`
 * and `Time: …` never read as a score.
 *
 * @example
 * import { scoreInStatus } from './gameScore.ts'
 * assert.equal(scoreInStatus(' At End Of Road      Score: 36  Moves: 1'), 36)
 * assert.equal(scoreInStatus(' -= Kitchen =-       2/17'), 2)
 * assert.equal(scoreInStatus(' Lobby      Time: 3:00 pm'), undefined)
 *
 * @since 0.1.0
 * @category destructors
 */
export const scoreInStatus = (status: string): number | undefined => {
  const l = labelled.exec(status)
  if (l !== null) return Number(l[1])
  const t = scoreSlashTurns.exec(status.trimEnd())
  return t === null ? undefined : Number(t[1])
}

/**
 * A version-3 game's score from its header: global 1 as a signed word, unless Flags 1 marks a
 * time game (then global 1 is the hour). Later versions leave the status line to the game, and
 * their globals have no fixed meaning: `undefined`.
 *
 * @example
 * import { scoreInHeader } from './gameScore.ts'
 * assert.equal(scoreInHeader({ version: 3, flags1: 0, global1: 36 }), 36)
 * assert.equal(scoreInHeader({ version: 3, flags1: 0, global1: 0xffff }), -1)
 * assert.equal(scoreInHeader({ version: 3, flags1: 2, global1: 15 }), undefined)
 * assert.equal(scoreInHeader({ version: 5, flags1: 0, global1: 36 }), undefined)
 *
 * @since 0.1.0
 * @category destructors
 */
export const scoreInHeader = (h: HeaderFields): number | undefined =>
  h.version > 3 || (h.flags1 & 2) !== 0 ? undefined : ((h.global1 & 0xffff) << 16) >> 16

/**
 * The score after a turn, given the score before it: the first source that gives one, in the
 * order message, header, status line, change message (added to `previous`); else `previous`,
 * marked `unchanged`.
 *
 * @example
 * import { readScore } from './gameScore.ts'
 * const status = ' Hall      Score: 36  Moves: 9'
 * assert.deepEqual(readScore({ text: 'You have so far scored 36 out of a possible 350.', status }, 0), { score: 36, max: 350, source: 'message' })
 * assert.deepEqual(readScore({ text: 'Taken.', status }, 30), { score: 36, source: 'status' })
 * assert.deepEqual(readScore({ text: 'Your score has just gone up by one point.', status: ' Hall' }, 4), { score: 5, source: 'change' })
 * assert.deepEqual(readScore({ text: 'Taken.', status: ' Hall   Time: 3:00 pm' }, 7), { score: 7, source: 'unchanged' })
 *
 * @since 0.1.0
 * @category destructors
 */
export const readScore = (view: TurnView, previous: number): ScoreReading => {
  const message = scoreInMessage(view.text)
  if (message !== undefined) return { ...message, source: 'message' }
  const header = view.header === undefined ? undefined : scoreInHeader(view.header)
  if (header !== undefined) return { score: header, source: 'header' }
  const status = scoreInStatus(view.status)
  if (status !== undefined) return { score: status, source: 'status' }
  const change = scoreChangeInMessage(view.text)
  if (change !== undefined) return { score: previous + change, source: 'change' }
  return { score: previous, source: 'unchanged' }
}
