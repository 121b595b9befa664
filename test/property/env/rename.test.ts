/**
 * Laws of the word-renaming probe (src/core/env/rename.ts): renaming is undone exactly by renaming
 * back; the renamed suite is the suite seen through the renaming (same scores, rewards and `done`,
 * every text mapped, every action mapped back); an ambiguous renaming is refused; `parseRenaming`
 * accepts exactly the well-formed lists. See proofs/environments.md.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { property } from '../../support/property.ts'
import { families, variantsPerFamily } from '../../../src/core/env/families.ts'
import { suite } from '../../../src/core/env/suite.ts'
import {
  clashes,
  parseRenaming,
  renameIn,
  renameOut,
  renamed,
  type Renaming
} from '../../../src/core/env/rename.ts'
import type { ResetRequest } from '../../../src/spec/env.ts'

// the words of the suite's texts, and a few more: pairs are drawn without repeats
const pool = [
  'parcel',
  'letter',
  'vase',
  'battery',
  'fan',
  'ruby',
  'silver key',
  'gold ring',
  'sock',
  'coin',
  'apple',
  'red apple',
  'red',
  'gold',
  'kitchen',
  'art studio',
  'thermometer',
  'screwdriver',
  'take',
  'drop',
  'zebra'
]
const renamingArb: fc.Arbitrary<Renaming> = fc
  .shuffledSubarray(pool, { minLength: 2, maxLength: 8 })
  .map((ws) => {
    const pairs: Array<readonly [string, string]> = []
    for (let i = 0; i + 1 < ws.length; i += 2) pairs.push([ws[i] as string, ws[i + 1] as string])
    return { pairs }
  })

// texts made of pool words (whole, or glued to letters so they are not whole words) and separators
const textArb = (r: Renaming): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...pool),
        fc.constantFrom(...pool).map((w) => `${w}s`),
        fc.constantFrom(...pool).map((w) => `x${w}`),
        fc.constantFrom(' ', ', ', '. ', ': ', '\n', ' (', ') '),
        fc.constantFrom(' ', ', ')
      ),
      { maxLength: 30 }
    )
    .map((parts) => parts.join(''))
    .filter((t) => clashes(r, t).length === 0)

const rn = (...pairs: ReadonlyArray<readonly [string, string]>): Renaming => ({ pairs })
const withText: fc.Arbitrary<readonly [Renaming, string]> = renamingArb.chain((r) =>
  fc.tuple(fc.constant(r), textArb(r))
)

property<[readonly [Renaming, string]]>(
  'renaming back undoes renaming on every text without a target word',
  [withText],
  ([r, text]) => renameIn(r)(renameOut(r)(text)) === text,
  {
    regressions: [
      ['a word inside a longer word stays', [[rn(['fan', 'ruby']), 'a fans xfan fan.']]],
      ['a multi-word target', [[rn(['parcel', 'silver key'], ['key', 'coin']), 'key parcel']]],
      ['a source that starts another', [[rn(['red', 'coin'], ['red apple', 'zebra']), 'a red apple, red']]]
    ]
  }
)

property<[readonly [Renaming, string]]>(
  'renaming replaces whole words only, and every whole occurrence',
  [withText],
  ([r, text]) => {
    const out = renameOut(r)(text)
    // the renamed text, with every whole target word blanked, has no source word left whole
    const tos = r.pairs.map(([, to]) => to).sort((a, b) => b.length - a.length)
    const blanked = out.replace(new RegExp(`\\b(?:${tos.join('|')})\\b`, 'gu'), 'Q')
    return r.pairs.every(([from]) => !new RegExp(`\\b${from}\\b`, 'u').test(blanked))
  },
  { regressions: [['twice', [[rn(['fan', 'ruby']), 'a fan, a fan']]]] }
)

property(
  'each source word becomes its own target, the longest source winning where one starts another',
  [renamingArb],
  (r) => r.pairs.every(([from, to]) => renameOut(r)(`> ${from}.`) === `> ${to}.`),
  { regressions: [['a source that starts another', [rn(['red', 'coin'], ['red apple', 'zebra'])]]] }
)

const req = (task: string, variant: number, seed: number): ResetRequest =>
  ({ task, variant, seed }) as ResetRequest

property(
  'the renamed suite is the suite seen through the renaming: texts mapped, actions mapped back, scores equal',
  [
    renamingArb,
    fc.constantFrom(...families.map((f) => f.name)),
    fc.integer({ min: 0, max: variantsPerFamily - 1 }),
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.array(fc.nat(), { maxLength: 25 })
  ],
  (r, task, variant, seed, picks) => {
    const out = renameOut(r)
    const into = renameIn(r)
    const env = renamed(r)(suite)
    const a = env.reset(req(task, variant, seed))
    const b = suite.reset(req(task, variant, seed))
    if (E.isLeft(b)) return false
    const [, x] = b.right
    const clash = clashes(r, [x.taskDescription, x.observation, ...x.admissibleActions].join('\n'))
    if (E.isLeft(a)) return clash.length > 0 && clash.every((w) => a.left.message.includes(`"${w}"`))
    if (clash.length > 0) return false
    let [sa, ya] = a.right
    const yb = b.right[1]
    let sb = b.right[0]
    if (
      ya.taskDescription !== out(yb.taskDescription) ||
      ya.observation !== out(yb.observation) ||
      ya.score !== yb.score ||
      ya.admissibleActions.join('|') !== yb.admissibleActions.map(out).join('|')
    )
      return false
    for (const p of picks) {
      if (ya.admissibleActions.length === 0) break
      const action = ya.admissibleActions[p % ya.admissibleActions.length] as string
      const [s1, z1] = env.step(sa, action)
      const [s2, z2] = suite.step(sb, into(action))
      ;[sa, sb] = [s1, s2]
      if (z1.score !== z2.score || z1.reward !== z2.reward || z1.observation !== out(z2.observation))
        return false
      if (clashes(r, [z2.observation, ...z2.admissibleActions].join('\n')).length > 0) {
        if (!(z1.done && typeof z1.info['error'] === 'string')) return false
        break
      }
      if (z1.done !== z2.done || z1.admissibleActions.join('|') !== z2.admissibleActions.map(out).join('|'))
        return false
      ya = { ...ya, admissibleActions: z1.admissibleActions }
      if (z1.done) break
    }
    return true
  }
)

test('renaming to a word the world already has is refused at reset, naming the word', () => {
  // deliver variant 0: "You are in the foundry. You see: a desk, a sock. …"
  const r = renamed({ pairs: [['parcel', 'sock']] })(suite).reset(req('deliver', 0, 0))
  assert.ok(E.isLeft(r))
  assert.match(r.left.message, /deliver variant 0: rename: "sock" already occurs/u)
  const ok = renamed({ pairs: [['parcel', 'ruby']] })(suite).reset(req('deliver', 0, 0))
  assert.ok(E.isRight(ok))
})

const wordArb = fc
  .array(fc.stringMatching(/^[a-z]{1,6}$/u), { minLength: 1, maxLength: 2 })
  .map((ws) => ws.join(' '))

property(
  'parseRenaming reads back every well-formed list, spaces around words trimmed',
  [fc.uniqueArray(wordArb, { minLength: 2, maxLength: 8 })],
  (ws) => {
    const pairs = ws.flatMap((w, i) => (i % 2 === 1 ? [[ws[i - 1] as string, w] as const] : []))
    const text = pairs.map(([a, b]) => ` ${a} = ${b} `).join(',')
    const got = parseRenaming(text)
    return E.isRight(got) && JSON.stringify(got.right.pairs) === JSON.stringify(pairs)
  }
)

test('parseRenaming names what is wrong with a bad list', () => {
  const bad: ReadonlyArray<readonly [string, RegExp]> = [
    ['', /"" is not from=to/u],
    ['parcel', /"parcel" is not from=to/u],
    ['parcel=ruby=gem', /is not from=to/u],
    ['parcel=', /"" in "parcel=" is not lower-case words/u],
    ['Parcel=ruby', /"Parcel" .* is not lower-case words/u],
    ['parcel=ruby2', /"ruby2" .* is not lower-case words/u],
    ['parcel=parcel', /renames a word to itself/u],
    ['parcel=ruby,ruby=gem', /"ruby" appears in more than one pair/u],
    ['parcel=ruby,parcel=gem', /"parcel" appears in more than one pair/u]
  ]
  for (const [text, re] of bad) {
    const got = parseRenaming(text)
    assert.ok(E.isLeft(got), text)
    assert.match(got.left, re, text)
  }
})
