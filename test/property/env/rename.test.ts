/**
 * Laws of the word-renaming probe (src/core/env/rename.ts): renaming is undone exactly by renaming
 * back; every whole source is replaced and nothing else; the renamed suite is the suite seen through
 * the renaming (same scores, rewards and `done`, every text mapped, every action mapped back); an
 * ambiguous renaming is refused before play, or ends the episode with an error if met mid-episode;
 * `parseRenaming` accepts exactly the well-formed lists. See proofs/environments.md §8.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { property } from '../../support/property.ts'
import { families, familyByName, variantsPerFamily } from '../../../src/core/env/families.ts'
import { suite } from '../../../src/core/env/suite.ts'
import { takesAn, worldNames } from '../../../src/core/env/world.ts'
import {
  clashes,
  parseRenaming,
  renameIn,
  renameOut,
  renamedSuite,
  renamingProblem,
  type Renaming
} from '../../../src/core/env/rename.ts'
import type { ResetRequest } from '../../../src/spec/env.ts'

const req = (task: string, variant: number, seed: number): ResetRequest =>
  ({ task, variant, seed }) as ResetRequest

/** A renaming from candidate pairs, if `parseRenaming` accepts it. */
const valid = (pairs: ReadonlyArray<readonly [string, string]>): Renaming | null => {
  const r = parseRenaming(pairs.map(([a, b]) => `${a}=${b}`).join(','))
  return E.isRight(r) ? r.right : null
}

// phrases of the suite's texts and a few more, multi-word ones sharing words with single ones
const pool = [
  'parcel',
  'letter',
  'battery',
  'fan',
  'ruby',
  'silver key',
  'gold ring',
  'sock',
  'red apple',
  'red',
  'apple',
  'key',
  'art studio',
  'screwdriver',
  'take',
  'drop',
  'zebra',
  'orange',
  'ink',
  'yak'
]
const renamingArb: fc.Arbitrary<Renaming> = fc
  .shuffledSubarray(pool, { minLength: 2, maxLength: 8 })
  .map((ws) => valid(ws.flatMap((w, i) => (i % 2 === 1 ? [[ws[i - 1] as string, w] as const] : []))))
  .filter((r): r is Renaming => r !== null)

// texts of tokens and what follows each (usually a separator, sometimes nothing, which glues two
// tokens into one word): the renaming's sources, the single words of its phrases, other pool words,
// and glued forms; only texts the renaming changes (fc.pre), so every run exercises it
const textArb = (r: Renaming): fc.Arbitrary<string> => {
  const sources = r.pairs.map(([from]) => from)
  const words = r.pairs.flatMap(([a, b]) => [...a.split(' '), ...b.split(' ')])
  const token = fc.oneof(
    { arbitrary: fc.constantFrom(...sources), weight: 4 },
    { arbitrary: fc.constantFrom(...words, ...pool), weight: 2 },
    { arbitrary: fc.constantFrom(...sources, ...words).map((w) => `${w}s`), weight: 1 },
    { arbitrary: fc.constantFrom(...sources, ...words).map((w) => `x${w}`), weight: 1 }
  )
  const after = fc.oneof(
    { arbitrary: fc.constantFrom(' ', ', ', '. ', ': ', '\n', ' (', ') '), weight: 5 },
    { arbitrary: fc.constant(''), weight: 1 }
  )
  return fc
    .array(fc.tuple(token, after), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.map(([t, a]) => t + a).join(''))
    .filter((t) => clashes(r, t).length === 0)
}
const withText: fc.Arbitrary<readonly [Renaming, string]> = renamingArb.chain((r) =>
  fc.tuple(fc.constant(r), textArb(r))
)
const rn = (...pairs: ReadonlyArray<readonly [string, string]>): Renaming => ({ pairs })

property<[readonly [Renaming, string]]>(
  'renaming back undoes renaming on every text without a whole target',
  [withText],
  ([r, text]) => {
    fc.pre(renameOut(r)(text) !== text)
    return renameIn(r)(renameOut(r)(text)) === text
  },
  {
    regressions: [
      ['a word inside a longer word stays', [[rn(['fan', 'ruby']), 'a fans xfan fan.']]],
      ['a multi-word target', [[rn(['parcel', 'silver key'], ['sock', 'coin']), 'silver parcel key sock']]]
    ]
  }
)

property<[readonly [Renaming, string]]>(
  'renaming replaces every whole source and nothing else',
  [withText],
  ([r, text]) => {
    const out = renameOut(r)(text)
    fc.pre(out !== text)
    // blanking the whole targets of the renamed text and the whole sources of the text gives the same
    const blank = (t: string, ws: ReadonlyArray<string>) =>
      t.replace(new RegExp(`\\b(?:${ws.join('|')})\\b`, 'gu'), '#')
    return (
      blank(
        out,
        r.pairs.map(([, to]) => to)
      ) ===
      blank(
        text,
        r.pairs.map(([from]) => from)
      )
    )
  },
  { regressions: [['twice', [[rn(['fan', 'ruby']), 'a fan, a fan']]]] }
)

property('each source word becomes its own target', [renamingArb], (r) =>
  r.pairs.every(([from, to]) => renameOut(r)(`> ${from}.`) === `> ${to}.`)
)

// targets no world of the suite has, one per article
const fresh = {
  a: ['zebra', 'yak', 'tapir', 'gnu', 'koala', 'quokka'],
  an: ['okapi', 'ibis', 'emu', 'urial']
}

/** A renaming of some of the world's own object names to fresh words, if the names allow one. */
const worldRenamingArb = (task: string, variant: number): fc.Arbitrary<Renaming | null> => {
  const r = suite.reset(req(task, variant, 0))
  if (E.isLeft(r)) return fc.constant(null)
  const names = worldNames(r.right[0].world).slice(r.right[0].world.rooms.length)
  return fc.shuffledSubarray(names, { minLength: 1, maxLength: 3 }).map((ns) => {
    const a = [...fresh.a]
    const an = [...fresh.an]
    return valid(ns.map((n) => [n, (takesAn(n) ? an : a).shift() as string] as const))
  })
}

property(
  'the renamed suite is the suite seen through the renaming: texts mapped, actions mapped back, scores equal',
  [
    fc
      .tuple(
        fc.constantFrom(...families.map((f) => f.name)),
        fc.integer({ min: 0, max: variantsPerFamily - 1 })
      )
      .chain(([task, variant]) =>
        fc.tuple(fc.constant(task), fc.constant(variant), worldRenamingArb(task, variant))
      ),
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.array(fc.nat(), { maxLength: 30 })
  ],
  ([task, variant, r], seed, picks) => {
    fc.pre(r !== null) // null: the names share a word, so no valid renaming of them
    const out = renameOut(r)
    const into = renameIn(r)
    const env = renamedSuite(r)
    const a = env.reset(req(task, variant, seed))
    const b = suite.reset(req(task, variant, seed))
    if (E.isLeft(a) || E.isLeft(b)) return false // fresh targets never clash
    let [sa, ya] = a.right
    const yb = b.right[1]
    let sb = b.right[0]
    // only worlds whose first texts the renaming changes
    fc.pre([yb.taskDescription, yb.observation, ...yb.admissibleActions].some((t) => out(t) !== t))
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
      if (
        z1.score !== z2.score ||
        z1.reward !== z2.reward ||
        z1.done !== z2.done ||
        z1.observation !== out(z2.observation) ||
        z1.admissibleActions.join('|') !== z2.admissibleActions.map(out).join('|')
      )
        return false
      ya = { ...ya, admissibleActions: z1.admissibleActions }
      if (z1.done) break
    }
    return true
  }
)

/** Play the oracle's plan of `task` `variant`, renamed, on the renamed suite; the step results. */
const oracleRenamed = (r: Renaming, task: string, variant: number) => {
  const f = familyByName(task)
  if (f === undefined) throw new Error(task)
  const env = renamedSuite(r)
  const reset = env.reset(req(task, variant, 0))
  if (E.isLeft(reset)) throw new Error(reset.left.message)
  let s = reset.right[0]
  const steps = f.oracle(f.generate(variant)).map((action) => {
    const [s1, out] = env.step(s, renameOut(r)(action))
    s = s1
    return out
  })
  return { reset: reset.right[1], steps }
}

test('the renamed oracle plan solves the renamed task, and the policy never sees the old words', () => {
  const r = rn(['parcel', 'ruby'], ['letter', 'silver key'], ['vase', 'gold ring'])
  for (let v = 0; v < variantsPerFamily; v++) {
    const { reset, steps } = oracleRenamed(r, 'deliver', v)
    assert.match(reset.taskDescription, /^Bring the (ruby|silver key|gold ring) to the /u)
    assert.equal(steps.at(-1)?.score, 100, `deliver ${v}`)
    for (const x of [reset, ...steps])
      assert.doesNotMatch([x.observation, ...x.admissibleActions].join('\n'), /\b(parcel|letter|vase)\b/u)
  }
})

test('a target word some world already has is refused before play, naming it, hidden or not', () => {
  // deliver variant 0 starts in the foundry with a sock in sight, and has a sink in another room
  for (const w of ['sock', 'sink']) {
    const res = renamedSuite(rn(['parcel', w])).reset(req('deliver', 0, 0))
    assert.ok(E.isLeft(res))
    assert.match(res.left.message, new RegExp(`^rename: "${w}" already occurs`, 'u'))
    assert.match(
      renamingProblem(rn(['parcel', w]), [{ task: 'deliver', variant: 0 }]) ?? '',
      new RegExp(`^rename: deliver variant 0: "${w}" already occurs`, 'u')
    )
  }
  assert.equal(renamingProblem(rn(['parcel', 'ruby']), [{ task: 'deliver', variant: 0 }]), null)
  // a target met only along the way (power-fan's "It is ready now", deliver's "drop parcel")
  assert.match(
    renamingProblem(rn(['battery', 'ready']), [{ task: 'power-fan', variant: 0 }]) ?? '',
    /^rename: power-fan variant 0: "ready" already occurs/u
  )
  assert.match(
    renamingProblem(rn(['parcel', 'drop']), [{ task: 'deliver', variant: 0 }]) ?? '',
    /^rename: deliver variant 0: "drop" already occurs/u
  )
  assert.match(
    renamingProblem(rn(['parcell', 'ruby']), [{ task: 'deliver', variant: 0 }]) ?? '',
    /^rename: "parcell" occurs in none of the evaluated variants/u
  )
  assert.match(
    renamingProblem(rn(['parcel', 'ruby']), [{ task: 'nope', variant: 0 }]) ?? '',
    /^nope variant 0: /u
  )
})

test('a target word met mid-episode ends the episode for good, with the reason in info.error', () => {
  // power-fan: "You use the battery on the fan. It is ready now." — "ready" is in no world's names
  const results = oracleRenamed(rn(['battery', 'ready']), 'power-fan', 0).steps
  const cut = results.findIndex((x) => x.done)
  assert.ok(cut >= 0 && cut < results.length - 1, 'the episode was not cut short')
  const ended = results[cut]
  assert.match(String(ended?.info['error']), /^rename: "ready" already occurs/u)
  assert.deepEqual(ended?.admissibleActions, [])
  // the rest of the oracle's plan changes nothing: every later step is the ended one, reward 0
  for (const later of results.slice(cut + 1)) assert.deepEqual(later, { ...ended, reward: 0 })
})

const wordArb = fc.stringMatching(/^[a-z]{1,6}$/u)

property(
  'parseRenaming reads back every well-formed list, spaces around words trimmed',
  [fc.uniqueArray(wordArb, { minLength: 2, maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 12 })],
  (ws, twoWords) => {
    // phrases of one or two of the unique words, paired in order, kept where the articles agree
    const phrases: string[] = []
    for (let i = 0; i < ws.length; i++)
      if (twoWords[phrases.length] === true && i + 1 < ws.length) phrases.push(`${ws[i]} ${ws[++i]}`)
      else phrases.push(ws[i] as string)
    const pairs = phrases
      .flatMap((p, i) => (i % 2 === 1 ? [[phrases[i - 1] as string, p] as const] : []))
      .filter(([a, b]) => takesAn(a) === takesAn(b))
    fc.pre(pairs.length > 0)
    const got = parseRenaming(pairs.map(([a, b]) => ` ${a} = ${b} `).join(','))
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
    ['parcel=ruby,ruby=gem', /"ruby" occurs more than once/u],
    ['parcel=ruby,parcel=gem', /"parcel" occurs more than once/u],
    ['parcel=red,coin=red apple', /"red" occurs more than once/u],
    ['parcel=ruby ruby', /"ruby" occurs more than once/u],
    ['parcel=apple', /a target must take its source's article \("a parcel" would become "an apple"/u]
  ]
  for (const [text, re] of bad) {
    const got = parseRenaming(text)
    assert.ok(E.isLeft(got), text)
    assert.match(got.left, re, text)
  }
})
