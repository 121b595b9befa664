/**
 * A word renaming of an environment: a probe, not a training setting. Every text the agent sees has
 * each word `from` replaced by `to`, and every action it sends is mapped back; scores, rewards and
 * `done` are the environment's own. It asks whether a policy fails on an object because it has never
 * seen the word (the out-of-distribution families' `parcel`, `battery`: docs/prior.md), or because it
 * does not know what to do with it. How words match, and when a renaming is refused as ambiguous:
 * docs/environments.md, "The embedded suite".
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ResetResult, StepResult } from '../../spec/env.ts'
import { nonNegativeInt, reward, seed } from '../../spec/brands.ts'
import { playout, suite, type EpisodeState, type PureEnvironment } from './suite.ts'
import { familyByName } from './families.ts'
import { takesAn, worldNames } from './world.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Pairs `[from, to]` of lower-case words (letters, single spaces between them); no word occurs twice
 * in all the pairs; `to` takes the article `from` takes. Build one with {@link parseRenaming}.
 *
 * @since 0.1.0
 * @category model
 */
export interface Renaming {
  readonly pairs: ReadonlyArray<readonly [from: string, to: string]>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const phrase = /^[a-z]+( [a-z]+)*$/u

/**
 * Parse `from=to,from=to,…` (spaces around words are trimmed), or say what is wrong with it.
 *
 * @example
 * import { parseRenaming } from './rename.ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * assert.deepStrictEqual(parseRenaming('parcel=ruby, letter=silver key'), E.right({ pairs: [['parcel', 'ruby'], ['letter', 'silver key']] }))
 * assert.ok(E.isLeft(parseRenaming('parcel=red,coin=red apple'))) // "red" twice
 * assert.ok(E.isLeft(parseRenaming('parcel=apple'))) // "a parcel" would become "a apple"
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseRenaming = (text: string): E.Either<string, Renaming> => {
  const pairs: Array<readonly [string, string]> = []
  const used = new Set<string>()
  for (const item of text.split(',')) {
    const parts = item.split('=').map((s) => s.trim())
    if (parts.length !== 2) return E.left(`"${item.trim()}" is not from=to`)
    const [from, to] = parts as [string, string]
    for (const w of [from, to])
      if (!phrase.test(w)) return E.left(`"${w}" in "${item.trim()}" is not lower-case words`)
    if (from === to) return E.left(`"${item.trim()}" renames a word to itself`)
    for (const w of [...from.split(' '), ...to.split(' ')]) {
      if (used.has(w)) return E.left(`"${w}" occurs more than once in the renaming`)
      used.add(w)
    }
    if (takesAn(from) !== takesAn(to))
      return E.left(
        `"${item.trim()}": a target must take its source's article ("${takesAn(from) ? 'an' : 'a'} ${from}" would become "${takesAn(to) ? 'an' : 'a'} ${to}", a hint at the source)`
      )
    pairs.push([from, to])
  }
  return E.right({ pairs })
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')

// whether `phrase` occurs in `text` as whole words
const occurs = (phrase: string, text: string): boolean =>
  new RegExp(`\\b${escape(phrase)}\\b`, 'u').test(text)

// one pass over the text, whole words only (no word occurs in two keys, so no two keys match at
// one place and their order does not matter)
const replacer = (map: ReadonlyMap<string, string>): ((text: string) => string) => {
  if (map.size === 0) return (text) => text
  const re = new RegExp(`\\b(?:${[...map.keys()].map(escape).join('|')})\\b`, 'gu')
  return (text) => text.replace(re, (m) => map.get(m) ?? m)
}

/**
 * What the agent sees: every `from` replaced by its `to`.
 *
 * @example
 * import { renameOut } from './rename.ts'
 * const r = { pairs: [['parcel', 'ruby']] as const }
 * assert.equal(renameOut(r)('Bring the parcel to the kitchen; parcels stay.'), 'Bring the ruby to the kitchen; parcels stay.')
 *
 * @since 0.1.0
 * @category destructors
 */
export const renameOut = (r: Renaming): ((text: string) => string) => replacer(new Map(r.pairs))

/**
 * What the environment receives: every `to` replaced by its `from`.
 *
 * @example
 * import { renameIn } from './rename.ts'
 * assert.equal(renameIn({ pairs: [['parcel', 'silver key']] })('take silver key'), 'take parcel')
 *
 * @since 0.1.0
 * @category destructors
 */
export const renameIn = (r: Renaming): ((text: string) => string) =>
  replacer(new Map(r.pairs.map(([from, to]) => [to, from])))

/**
 * The `to` words that occur in `text` (an environment's own text): each would make the renamed view
 * ambiguous.
 *
 * @example
 * import { clashes } from './rename.ts'
 * assert.deepStrictEqual(clashes({ pairs: [['parcel', 'sock']] }, 'You see: a desk, a sock.'), ['sock'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const clashes = (r: Renaming, text: string): ReadonlyArray<string> =>
  r.pairs.map(([, to]) => to).filter((to) => occurs(to, text))

/**
 * The sources that occur in none of `texts`: a renaming of them changes nothing (a misspelt word?).
 *
 * @example
 * import { unusedSources } from './rename.ts'
 * assert.deepStrictEqual(unusedSources({ pairs: [['parcel', 'ruby'], ['parcell', 'gem']] }, ['a parcel']), ['parcell'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const unusedSources = (r: Renaming, texts: ReadonlyArray<string>): ReadonlyArray<string> =>
  r.pairs.map(([from]) => from).filter((from) => !texts.some((t) => occurs(from, t)))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const clashNote = (ws: ReadonlyArray<string>): string =>
  `${ws.map((w) => `"${w}"`).join(', ')} already occur${ws.length === 1 ? 's' : ''} in the environment's text, so the renamed view would be ambiguous; rename to other words`

const texts = (x: { readonly observation: string; readonly admissibleActions: ReadonlyArray<string> }) =>
  [x.observation, ...x.admissibleActions].join('\n')

/**
 * The state of a renamed environment: `env`'s own (`inner`) and, once a target word has clashed
 * mid-episode, the step result that ended the episode (`halted`); every later step repeats it with
 * reward 0 (done, like the suite after `done`).
 *
 * @since 0.1.0
 * @category model
 */
export interface RenamedState<S> {
  readonly inner: S
  readonly halted: StepResult | null
}

/**
 * `env` seen through the renaming `r` (the module's comment). `hidden(state)` is text the state may
 * show later (checked for targets at reset). A clash met mid-episode ends the episode for good
 * ({@link RenamedState}).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { renamed } from './rename.ts'
 * import { suite } from './suite.ts'
 * import { nonNegativeInt, seed } from '../../spec/brands.ts'
 * const env = renamed({ pairs: [['parcel', 'ruby']] })(suite)
 * const r = env.reset({ task: 'deliver', variant: nonNegativeInt(0), seed: seed(0) })
 * assert.ok(E.isRight(r) && r.right[1].taskDescription === 'Bring the ruby to the kitchen.')
 *
 * @since 0.1.0
 * @category combinators
 */
export const renamed =
  (r: Renaming) =>
  <S>(env: PureEnvironment<S>, hidden: (state: S) => string = () => ''): PureEnvironment<RenamedState<S>> => {
    const out = renameOut(r)
    const into = renameIn(r)
    return {
      tasks: env.tasks,
      reset: (req) => {
        const res = env.reset(req)
        if (E.isLeft(res)) return res
        const [s, x] = res.right
        const ws = clashes(r, [x.taskDescription, texts(x), hidden(s)].join('\n'))
        if (ws.length > 0) return E.left({ _tag: 'EnvError', message: `rename: ${clashNote(ws)}` })
        const seen: ResetResult = {
          ...x,
          observation: out(x.observation),
          taskDescription: out(x.taskDescription),
          admissibleActions: x.admissibleActions.map(out)
        }
        return E.right([{ inner: s, halted: null }, seen] as const)
      },
      step: (state, action) => {
        if (state.halted !== null) return [state, { ...state.halted, reward: reward(0) }] as const
        const [s, x] = env.step(state.inner, into(action))
        const ws = clashes(r, texts(x))
        if (ws.length === 0)
          return [
            { inner: s, halted: null },
            { ...x, observation: out(x.observation), admissibleActions: x.admissibleActions.map(out) }
          ] as const
        const halted: StepResult = {
          ...x,
          observation: out(x.observation),
          done: true,
          admissibleActions: [],
          info: { ...x.info, error: `rename: ${clashNote(ws)}` }
        }
        return [{ inner: s, halted }, halted] as const
      }
    }
  }

// -------------------------------------------------------------------------------------
// the embedded suite
// -------------------------------------------------------------------------------------

/**
 * The embedded suite seen through `r`; a reset is refused when any room or object name of its world,
 * hidden ones included, is a target.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { renamedSuite } from './rename.ts'
 * import { nonNegativeInt, seed } from '../../spec/brands.ts'
 * // deliver variant 0 has a sink in a room the agent has not seen yet
 * const r = renamedSuite({ pairs: [['parcel', 'sink']] }).reset({ task: 'deliver', variant: nonNegativeInt(0), seed: seed(0) })
 * assert.ok(E.isLeft(r) && r.left.message.includes('"sink"'))
 *
 * @since 0.1.0
 * @category instances
 */
export const renamedSuite = (r: Renaming): PureEnvironment<RenamedState<EpisodeState>> =>
  renamed(r)(suite, (s) => worldNames(s.world).join('\n'))

/**
 * What is wrong with seeing the suite's `episodes` through `r`, before playing any, read from each
 * episode's reset, its world's room and object names and the texts along the oracle's plan: a target
 * that occurs there (`rename: …`), or a source that occurs in none of them (renaming it would change
 * nothing); or a task that does not reset (its own message). `null` when nothing is. A target met
 * only off the oracle's path still ends its episode (`renamed`).
 *
 * @example
 * import { renamingProblem } from './rename.ts'
 * const d = [{ task: 'deliver', variant: 0 }, { task: 'deliver', variant: 1 }]
 * assert.equal(renamingProblem({ pairs: [['parcel', 'ruby']] }, d), null)
 * assert.match(renamingProblem({ pairs: [['parcell', 'ruby']] }, d) ?? '', /"parcell" occurs in none/)
 * assert.match(renamingProblem({ pairs: [['parcel', 'drop']] }, d) ?? '', /"drop" already occurs/) // "drop parcel"
 *
 * @since 0.1.0
 * @category destructors
 */
export const renamingProblem = (
  r: Renaming,
  episodes: ReadonlyArray<{ readonly task: string; readonly variant: number }>
): string | null => {
  const seen: string[] = []
  for (const { task, variant } of episodes) {
    const req = { task, variant: nonNegativeInt(variant), seed: seed(0) }
    const res = suite.reset(req)
    if (E.isLeft(res)) return `${task} variant ${variant}: ${res.left.message}`
    const [s, x] = res.right
    const family = familyByName(task)
    const plan = family === undefined ? [] : family.oracle(family.generate(variant))
    const text = [
      x.taskDescription,
      texts(x),
      ...worldNames(s.world),
      ...playout(req, plan).results.map(texts)
    ].join('\n')
    const ws = clashes(r, text)
    if (ws.length > 0) return `rename: ${task} variant ${variant}: ${clashNote(ws)}`
    seen.push(text)
  }
  const unused = unusedSources(r, seen)
  return unused.length === 0
    ? null
    : `rename: ${unused.map((w) => `"${w}"`).join(', ')} occur${unused.length === 1 ? 's' : ''} in none of the evaluated variants, so renaming ${unused.length === 1 ? 'it' : 'them'} would change nothing`
}
