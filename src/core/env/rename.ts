/**
 * A word renaming of an environment: a probe, not a training setting. Every text the agent sees (task,
 * observations, admissible actions) has each word `from` replaced by `to`, and every action it sends
 * has `to` replaced back by `from`; scores, rewards and `done` are the environment's own. It asks
 * whether a policy fails on an object because it has never seen the word (the out-of-distribution
 * families' `parcel`, `battery`: docs/prior.md), or because it does not know what to do with it.
 *
 * Words match whole (at word boundaries), all pairs at once. The renamed view must be unambiguous: a
 * `to` word that already occurs in the environment's own text would be mapped back to `from` when the
 * agent names it, so a reset whose text contains one fails as a value, and so does (ending the
 * episode, `info.error`) a step whose text does.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ResetResult, StepResult } from '../../spec/env.ts'
import type { PureEnvironment } from './suite.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Pairs `[from, to]`: lower-case words (letters, single spaces between them), no word in two pairs,
 * `from ≠ to`. Build one with {@link parseRenaming}.
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

const word = /^[a-z]+( [a-z]+)*$/u

/**
 * Parse `from=to,from=to,…` (spaces around words are trimmed), or say what is wrong with it.
 *
 * @example
 * import { parseRenaming } from './rename.ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * assert.deepStrictEqual(parseRenaming('parcel=ruby, letter=silver key'), E.right({ pairs: [['parcel', 'ruby'], ['letter', 'silver key']] }))
 * assert.ok(E.isLeft(parseRenaming('parcel=parcel')))
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
      if (!word.test(w)) return E.left(`"${w}" in "${item.trim()}" is not lower-case words`)
    if (from === to) return E.left(`"${item.trim()}" renames a word to itself`)
    for (const w of [from, to]) {
      if (used.has(w)) return E.left(`"${w}" appears in more than one pair`)
      used.add(w)
    }
    pairs.push([from, to])
  }
  return E.right({ pairs })
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')

// one pass over the text: the longest alternatives first, whole words only
const replacer =
  (map: ReadonlyMap<string, string>) =>
  (text: string): string => {
    if (map.size === 0) return text
    const alts = [...map.keys()].sort((a, b) => b.length - a.length).map(escape)
    return text.replace(new RegExp(`\\b(?:${alts.join('|')})\\b`, 'gu'), (m) => map.get(m) ?? m)
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
  r.pairs.map(([, to]) => to).filter((to) => new RegExp(`\\b${escape(to)}\\b`, 'u').test(text))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const texts = (x: { readonly observation: string; readonly admissibleActions: ReadonlyArray<string> }) =>
  [x.observation, ...x.admissibleActions].join('\n')

/**
 * `env` seen through the renaming `r` (the module's comment). The state is `env`'s own.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { renamed } from './rename.ts'
 * import { suite } from './suite.ts'
 * const env = renamed({ pairs: [['parcel', 'ruby']] })(suite)
 * const r = env.reset({ task: 'deliver', variant: 0 as never, seed: 0 as never })
 * assert.ok(E.isRight(r) && r.right[1].taskDescription === 'Bring the ruby to the kitchen.')
 *
 * @since 0.1.0
 * @category combinators
 */
export const renamed =
  (r: Renaming) =>
  <S>(env: PureEnvironment<S>): PureEnvironment<S> => {
    const out = renameOut(r)
    const into = renameIn(r)
    const clashNote = (ws: ReadonlyArray<string>) =>
      `rename: ${ws.map((w) => `"${w}"`).join(', ')} already occur${ws.length === 1 ? 's' : ''} in the environment's text, so the renamed view would be ambiguous; rename to other words`
    return {
      tasks: env.tasks,
      reset: (req) => {
        const res = env.reset(req)
        if (E.isLeft(res)) return res
        const [s, x] = res.right
        const ws = clashes(r, `${x.taskDescription}\n${texts(x)}`)
        if (ws.length > 0)
          return E.left({ _tag: 'EnvError', message: `${req.task} variant ${req.variant}: ${clashNote(ws)}` })
        const seen: ResetResult = {
          ...x,
          observation: out(x.observation),
          taskDescription: out(x.taskDescription),
          admissibleActions: x.admissibleActions.map(out)
        }
        return E.right([s, seen] as const)
      },
      step: (state, action) => {
        const [s, x] = env.step(state, into(action))
        const ws = clashes(r, texts(x))
        const seen: StepResult =
          ws.length > 0
            ? {
                ...x,
                observation: out(x.observation),
                done: true,
                admissibleActions: [],
                info: { ...x.info, error: clashNote(ws) }
              }
            : { ...x, observation: out(x.observation), admissibleActions: x.admissibleActions.map(out) }
        return [s, seen] as const
      }
    }
  }
