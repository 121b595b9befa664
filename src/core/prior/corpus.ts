/**
 * The prior's corpus (docs/prior.md): supervised examples that the embedded suite generates from its
 * training variants only, so that a small transformer fitted on them behaves like the LLM prior of the
 * paper's story (docs/method.md §1): it acts literally on what it sees, does not go through doors on
 * its own, follows tips that name a door of the room it is in, and writes tips in a fixed format that
 * points to the doors it has not tried. The three rules ({@link literalAction},
 * {@link tipFollowingAction}, {@link writeTip}), the random share, the rounds with a shared tip memory
 * and the aliases: docs/prior.md. Hidden state is read only to craft targets, never to write prompts
 * or tips.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { defaultAgent, type AgentConfig } from '../../spec/run.ts'
import type { Memory } from '../../spec/data.ts'
import { paperPreset } from '../../spec/config.ts'
import { fork, mkRng, nextFloat, nextInt, type Rng } from '../rng.ts'
import { suite, type EpisodeState } from '../env/suite.ts'
import { familyByName, splitOf } from '../env/families.ts'
import { admissible, worldNames } from '../env/world.ts'
import { renameOut, type Renaming } from '../env/rename.ts'
import { render, type HistoryStep, type TipPlacement } from '../agent/prompt.ts'
import { lastN, stepPrompt, tipPrompt } from '../agent/agent.ts'
import { empo2 } from '../methods/algebra.ts'
import { embed } from '../memory/embedding.ts'
import { historyText } from '../train/train.ts'
import { isSuccess } from '../../spec/env.ts'
import { nonNegativeInt, seed } from '../../spec/brands.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One supervised example: the rendered prompt and the target continuation. `act` prompts carry no
 * tips, `act-with-tips` prompts carry a tips block, `tip` prompts are tip-writing prompts. `source`
 * says which rule made the target (`random`: the random share).
 *
 * @since 0.1.0
 * @category model
 */
export interface Example {
  readonly kind: 'act' | 'act-with-tips' | 'tip'
  readonly prompt: string
  readonly target: string
  readonly task: string
  readonly variant: number
  readonly source: 'rule' | 'random'
  /** The admissible actions at the step (empty for `tip` examples). */
  readonly admissible: ReadonlyArray<string>
}

/**
 * What the corpus is made from: families and variants (training split only — anything else is
 * rejected), rounds of episodes per variant (round 0 without memory), steps per episode, the random
 * share, how often a with-tips state also yields a tip-free example, repetitions (each with its own
 * random draws), the agent's prompt budget and the tip placement.
 *
 * @since 0.1.0
 * @category model
 */
export interface CorpusOptions {
  readonly families: ReadonlyArray<string>
  readonly variants: ReadonlyArray<number>
  readonly rounds: number
  readonly episodeSteps: number
  readonly randomShare: number
  readonly literalShareWithTips: number
  readonly repetitions: number
  readonly agent: AgentConfig
  readonly placement: TipPlacement
  /**
   * The share of episodes shown with their objects called by other names ({@link aliasLexicon}):
   * the words an LLM knows beyond the suite's training objects.
   */
  readonly aliasShare: number
  /**
   * How many times a with-tips example whose target is a gaining local action is put in the corpus
   * (1: once, as every other example). Such examples are rare (most with-tips targets are a door or
   * a filler), and they carry the tip rule's first clause: a step that gains score comes before the
   * tip's door.
   */
  readonly gainRepeat: number
}

// -------------------------------------------------------------------------------------
// destructors: reading the suite's observation text
// -------------------------------------------------------------------------------------

/**
 * The room an observation describes (its last `You are in the X.`), or `null`.
 *
 * @example
 * import { roomOf } from './corpus.ts'
 * assert.equal(roomOf('You take it. You are in the living room. You see: a cup. Doors lead to: hallway.'), 'living room')
 * assert.equal(roomOf('The episode is over.'), null)
 *
 * @since 0.1.0
 * @category destructors
 */
export const roomOf = (observation: string): string | null => {
  const all = [...observation.matchAll(/You are in the ([a-z ]+)\./gu)]
  return all.at(-1)?.[1] ?? null
}

/**
 * The doors an observation lists (its last `Doors lead to: a, b.`), in order.
 *
 * @example
 * import { doorsOf } from './corpus.ts'
 * assert.deepEqual(doorsOf('You are in the hall. You see: nothing of note. Doors lead to: bathroom, living room.'), ['bathroom', 'living room'])
 * assert.deepEqual(doorsOf('nothing'), [])
 *
 * @since 0.1.0
 * @category destructors
 */
export const doorsOf = (observation: string): ReadonlyArray<string> => {
  const all = [...observation.matchAll(/Doors lead to: ([a-z ,]+)\./gu)]
  const last = all.at(-1)?.[1]
  return last === undefined ? [] : last.split(', ').filter((r) => r !== '')
}

/**
 * The rooms a tip of the prior's format names (`Try: a, b.`), in order; none for other text.
 *
 * @example
 * import { tipRooms } from './corpus.ts'
 * assert.deepEqual(tipRooms('Try: hallway, art studio.'), ['hallway', 'art studio'])
 * assert.deepEqual(tipRooms('the bulb is red'), [])
 *
 * @since 0.1.0
 * @category destructors
 */
export const tipRooms = (tip: string): ReadonlyArray<string> => {
  const m = /^Try: ([a-z ,]+)\.$/u.exec(tip)
  return m?.[1] === undefined ? [] : m[1].split(', ').filter((r) => r !== '')
}

/**
 * The room the visible history shows the agent came from: the room of the last shown step's
 * observation, when it differs from the current room.
 *
 * @example
 * import { cameFrom } from './corpus.ts'
 * const h = [{ observation: 'You are in the hall. You see: x. Doors lead to: lab.', tips: [], action: 'go to lab' }]
 * assert.equal(cameFrom(h, 'You are in the lab. You see: y. Doors lead to: hall.'), 'hall')
 * assert.equal(cameFrom([], 'You are in the lab.'), null)
 *
 * @since 0.1.0
 * @category destructors
 */
export const cameFrom = (shown: ReadonlyArray<HistoryStep>, observation: string): string | null => {
  const last = shown.at(-1)
  const prev = last === undefined ? null : roomOf(last.observation)
  return prev !== null && prev !== roomOf(observation) ? prev : null
}

// -------------------------------------------------------------------------------------
// aliases: the words an LLM knows
// -------------------------------------------------------------------------------------

/**
 * Other names for the objects of the in-distribution families, each in the part its object plays: a
 * device, the tool that fixes it, an item kept in a container, the container, a piece of junk. An LLM
 * prior knows these words and what the things are for (that a battery powers a fan, that a parcel can
 * be carried); the suite's training variants use only their own names. Among them are the names of
 * the out-of-distribution families' objects (`fan`, `battery`, `parcel`, `letter`, `vase`), in the
 * parts an LLM would give them, next to names that occur nowhere in the suite — the words, never the
 * families' tasks, layouts or variants (docs/prior.md). No alias occurs in an in-distribution
 * variant's text (a property test draws renamings over all 25 variants of each family), and every
 * alias takes the article `a`, as its object does.
 *
 * @example
 * import { aliasLexicon } from './corpus.ts'
 * assert.ok(aliasLexicon.some(([name, as]) => name === 'screwdriver' && as.includes('battery')))
 *
 * @since 0.1.0
 * @category presets
 */
export const aliasLexicon: ReadonlyArray<readonly [name: string, aliases: ReadonlyArray<string>]> = [
  ['radio', ['fan', 'lamp', 'toaster', 'kettle']],
  ['clock', ['fan', 'fridge', 'printer', 'doorbell']],
  ['heater', ['fan', 'kettle', 'lamp', 'printer']],
  ['screwdriver', ['battery', 'fuse', 'hammer', 'spanner']],
  ['wrench', ['battery', 'cable', 'hammer', 'fuse']],
  ['soldering iron', ['battery', 'glue', 'tape', 'cable']],
  ['ruby', ['parcel', 'letter', 'vase', 'medal']],
  ['gold ring', ['parcel', 'letter', 'vase', 'watch']],
  ['silver key', ['parcel', 'letter', 'vase', 'ticket']],
  ['chest', ['crate', 'locker', 'trunk']],
  ['safe', ['crate', 'locker', 'trunk']],
  ['drawer', ['crate', 'locker', 'trunk']],
  ['pencil', ['marker', 'crayon']],
  ['book', ['magazine', 'notebook']],
  ['spoon', ['fork', 'ladle']],
  ['sock', ['glove', 'scarf']],
  ['coin', ['button', 'marble']],
  ['leaf', ['feather', 'pebble']]
]

/**
 * A renaming of the named objects (a world's `worldNames`) that have aliases, one alias each, drawn
 * uniformly (an alias already given to another of them is skipped: no word occurs twice).
 *
 * @example
 * import { drawAliases } from './corpus.ts'
 * import { mkRng } from '../rng.ts'
 * const [r] = drawAliases(['radio', 'screwdriver', 'table'], mkRng(3))
 * assert.deepEqual(r.pairs.map(([from]) => from), ['radio', 'screwdriver'])
 *
 * @since 0.1.0
 * @category constructors
 */
export const drawAliases = (names: ReadonlyArray<string>, rng0: Rng): readonly [Renaming, Rng] => {
  let rng = rng0
  const used = new Set<string>()
  const pairs: Array<readonly [string, string]> = []
  for (const [name, aliases] of aliasLexicon) {
    if (!names.includes(name)) continue
    const free = aliases.filter((a) => !used.has(a))
    if (free.length === 0) continue
    const [i, r] = nextInt(rng, 0, free.length - 1)
    rng = r
    const alias = free[i] as string
    used.add(alias)
    pairs.push([name, alias])
  }
  return [{ pairs }, rng]
}

// -------------------------------------------------------------------------------------
// the three rules
// -------------------------------------------------------------------------------------

/**
 * The prior's tip after an episode, from the tip prompt's visible text only: `Try: <doors of the final
 * room, except the room the shown history came from>.` (all doors if that leaves none); a fixed
 * fallback when the final observation names no room.
 *
 * @example
 * import { writeTip } from './corpus.ts'
 * const h = [{ observation: 'You are in the hall. You see: x. Doors lead to: lab.', tips: [], action: 'go to lab' }]
 * assert.equal(writeTip(h, 'You are in the lab. You see: y. Doors lead to: hall, attic.'), 'Try: attic.')
 * assert.equal(writeTip([], 'You are in the lab. You see: y. Doors lead to: hall, attic.'), 'Try: hall, attic.')
 * assert.equal(writeTip([], 'The episode is over.'), 'Look around.')
 *
 * @since 0.1.0
 * @category combinators
 */
export const writeTip = (shown: ReadonlyArray<HistoryStep>, finalObservation: string): string => {
  const doors = doorsOf(finalObservation)
  if (doors.length === 0) return 'Look around.'
  const prev = cameFrom(shown, finalObservation)
  const fresh = doors.filter((d) => d !== prev)
  return `Try: ${(fresh.length > 0 ? fresh : doors).join(', ')}.`
}

const isGo = (a: string): boolean => a.startsWith('go to ')

/**
 * The one-step look-ahead the rules read (hidden state, for crafting targets and for diagnostics
 * only): every local (non-`go to`) admissible action, its score gain, and whether it ends the episode.
 *
 * @example
 * import { lookahead } from './corpus.ts'
 * import { suite } from '../env/suite.ts'
 * const [s] = (suite.reset({ task: 'power-fan', variant: 0, seed: 0 } as any) as any).right
 * assert.ok(lookahead(s).every((x) => x.gain <= 0)) // the fan has no power yet
 * const [inLibrary] = suite.step(s, 'go to library')
 * assert.deepEqual(lookahead(inLibrary).filter((x) => x.gain > 0).map((x) => [x.action, x.gain]), [['take battery', 33]])
 *
 * @since 0.1.0
 * @category combinators
 */
export const lookahead = (
  s: EpisodeState
): ReadonlyArray<{ readonly action: string; readonly gain: number; readonly ends: boolean }> =>
  admissible(s.world)
    .filter((a) => !isGo(a))
    .map((action) => {
      const [, out] = suite.step(s, action)
      return { action, gain: out.score - s.score, ends: out.done }
    })

/**
 * The local actions that would gain score at a state, in sorted order (the look-ahead's positive
 * gains): what "a gaining local action" means in every rule, in the corpus's `gainRepeat`, and in the
 * diagnostics (src/core/prior/diagnostics.ts).
 *
 * @example
 * import { gainingActions } from './corpus.ts'
 * import { suite } from '../env/suite.ts'
 * const [s] = (suite.reset({ task: 'power-fan', variant: 0, seed: 0 } as any) as any).right
 * assert.deepEqual(gainingActions(s), []) // the battery is in another room
 * const inLibrary = ['go to greenhouse', 'go to bathroom', 'go to library'].reduce((x, a) => suite.step(x, a)[0], s)
 * assert.deepEqual(gainingActions(inLibrary), ['take battery'])
 *
 * @since 0.1.0
 * @category combinators
 */
export const gainingActions = (s: EpisodeState): ReadonlyArray<string> =>
  lookahead(s)
    .filter((x) => x.gain > 0)
    .map((x) => x.action)

/**
 * The literal rule at a state: the local action with the largest positive score gain (the first in
 * sorted order on ties); otherwise a uniformly drawn local action that does not end the episode
 * (`look` if every one does).
 *
 * @example
 * import { literalAction } from './corpus.ts'
 * import { suite } from '../env/suite.ts'
 * import { mkRng } from '../rng.ts'
 * const [s] = (suite.reset({ task: 'activate-light', variant: 0, seed: 0 } as any) as any).right
 * const [a] = literalAction(s, mkRng(1))
 * assert.ok(!a.startsWith('go to'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const literalAction = (s: EpisodeState, rng: Rng): readonly [string, Rng] => {
  const la = lookahead(s)
  const best = la.reduce<(typeof la)[number] | null>(
    (b, x) => (x.gain > 0 && (b === null || x.gain > b.gain) ? x : b),
    null
  )
  if (best !== null) return [best.action, rng]
  const fillers = la.filter((x) => !x.ends).map((x) => x.action)
  if (fillers.length === 0) return ['look', rng]
  const [i, r] = nextInt(rng, 0, fillers.length - 1)
  return [fillers[i] as string, r]
}

/**
 * The tip-following rule: a gaining local action first; otherwise `go to R` for the first room the
 * shown tips name that is a door here and not the room the shown history came from; otherwise the
 * literal rule.
 *
 * @example
 * import { tipFollowingAction } from './corpus.ts'
 * import { suite } from '../env/suite.ts'
 * import { mkRng } from '../rng.ts'
 * const [s, r] = (suite.reset({ task: 'activate-light', variant: 0, seed: 0 } as any) as any).right
 * assert.equal(tipFollowingAction(s, r.observation, [], ['Try: attic, hallway.'], mkRng(1))[0], 'go to hallway')
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipFollowingAction = (
  s: EpisodeState,
  observation: string,
  shown: ReadonlyArray<HistoryStep>,
  tips: ReadonlyArray<string>,
  rng: Rng
): readonly [string, Rng] => {
  if (gainingActions(s).length === 0) {
    const doors = doorsOf(observation)
    const prev = cameFrom(shown, observation)
    const room = tips.flatMap(tipRooms).find((r) => doors.includes(r) && r !== prev)
    if (room !== undefined) return [`go to ${room}`, rng]
  }
  return literalAction(s, rng)
}

// -------------------------------------------------------------------------------------
// the corpus
// -------------------------------------------------------------------------------------

/**
 * One episode of the rule agent (the prior's three rules) and what it leaves: the corpus examples, the
 * tip it wrote, its final observation, its history as memory keys it, and its score.
 *
 * @since 0.1.0
 * @category model
 */
export interface Walk {
  readonly examples: ReadonlyArray<Example>
  readonly tip: string
  readonly finalObservation: string
  readonly history: string
  readonly score: number
}

// the memory the rule agent reads and writes: the paper's, keyed by the final observation
const ruleMemory = empo2(paperPreset.memory, embed)

// what an episode of the rule agent leaves in memory: its tip, keyed as the trainer keys it
const remember =
  (task: string, variant: number, w: Walk) =>
  (memory: Memory): Memory =>
    ruleMemory.write({
      task,
      variant,
      note: w.tip,
      finalState: w.finalObservation,
      history: w.history,
      steps: [],
      score: w.score,
      success: isSuccess(w.score)
    })(memory)

/**
 * One episode of the rule agent on `(task, variant)`, retrieving from `memory` at each step: the
 * corpus's unit. {@link corpus} walks only the in-distribution families' training variants (its
 * options are validated); {@link ruleTrials} walks any variant with the same rules. A task the suite
 * does not know throws.
 *
 * @example
 * import { ruleEpisode, defaultCorpusOptions } from './corpus.ts'
 * import { empo2 } from '../methods/algebra.ts'
 * import { embed } from '../memory/embedding.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { mkRng } from '../rng.ts'
 * const w = ruleEpisode(defaultCorpusOptions, 'deliver', 3, empo2(paperPreset.memory, embed).empty, mkRng(0))
 * assert.ok(w.tip.startsWith('Try: ') && w.score === 0)
 *
 * @since 0.1.0
 * @category constructors
 */
export const ruleEpisode = (
  opts: CorpusOptions,
  task: string,
  variant: number,
  memory: Memory,
  rng0: Rng
): Walk => {
  // the reset seed only orders the admissible list, which the rules do not read (they sort it)
  const reset = suite.reset({ task, variant: nonNegativeInt(variant), seed: seed(0) })
  if (E.isLeft(reset)) throw new Error(reset.left.message) // corpus validates its options first
  let [s, out] = [reset.right[0], { observation: reset.right[1].observation, done: false }]
  const description = reset.right[1].taskDescription
  // a separate stream, so that a corpus without aliases draws exactly what it drew before them
  const [aliasDraw, ra] = nextFloat(fork(rng0, 0xa11a5))
  const seen =
    aliasDraw < opts.aliasShare ? renameOut(drawAliases(worldNames(s.world), ra)[0]) : (text: string) => text
  const history: HistoryStep[] = []
  const examples: Example[] = []
  let rng = rng0
  const prompt = (tips: ReadonlyArray<string>): string =>
    render(
      stepPrompt(
        opts.agent,
        opts.placement
      )({ task: description, history, observation: out.observation, tips })
    )
  for (let t = 0; t < opts.episodeSteps && !out.done; t++) {
    const ctx = { task, variant, state: out.observation, history: historyText(history, out.observation) }
    const tips = ruleMemory
      .retrieve(ctx)(memory)
      .map((e) => e.tip)
      .slice(0, opts.agent.maxTipsShown)
    const shown = lastN(opts.agent.historyWindow)(history)
    const [u, r1] = nextFloat(rng)
    const [v, r2] = nextFloat(r1)
    rng = r2
    const random = u < opts.randomShare
    let action: string
    if (random) {
      const local = admissible(s.world).filter((a) => !isGo(a))
      const [i, r3] = nextInt(rng, 0, local.length - 1)
      rng = r3
      action = local[i] as string
    } else {
      const [a, r3] =
        tips.length > 0 ? tipFollowingAction(s, out.observation, shown, tips, rng) : literalAction(s, rng)
      rng = r3
      action = a
    }
    const source = random ? ('random' as const) : ('rule' as const)
    const base = { target: action, task, variant, source, admissible: admissible(s.world) }
    if (tips.length > 0) {
      // (the look-ahead is run again only when it can change the corpus)
      const gains = opts.gainRepeat > 1 && gainingActions(s).includes(action)
      const withTips: Example = { ...base, kind: 'act-with-tips', prompt: prompt(tips) }
      for (let k = 0; k < (gains ? opts.gainRepeat : 1); k++) examples.push(withTips)
      // the literal behaviour at states reached by following tips
      if (v < opts.literalShareWithTips) {
        const [lit, r4] = random ? [action, rng] : literalAction(s, rng)
        rng = r4
        examples.push({ ...base, target: lit, kind: 'act', prompt: prompt([]) })
      }
    } else examples.push({ ...base, kind: 'act', prompt: prompt([]) })
    const [s1, o1] = suite.step(s, action)
    history.push({ observation: out.observation, tips, action })
    s = s1
    out = { observation: o1.observation, done: o1.done }
  }
  const tp = tipPrompt(opts.agent)({ task: description, history, finalObservation: out.observation })
  const shownToWriter = lastN(opts.agent.tipHistoryWindow)(history)
  const tip = writeTip(shownToWriter, out.observation)
  examples.push({
    kind: 'tip',
    prompt: render(tp),
    target: tip,
    task,
    variant,
    source: 'rule',
    admissible: []
  })
  return {
    examples: examples.map((e) => ({
      ...e,
      prompt: seen(e.prompt),
      target: seen(e.target),
      admissible: e.admissible.map(seen)
    })),
    tip,
    finalObservation: out.observation,
    history: historyText(history, out.observation),
    score: s.score
  }
}

/**
 * The rule agent's memory trials, as `empo2 eval` plays its out-of-distribution ones: `trials` trials
 * on every `(family, variant)`, each episode retrieving from the tips of the trials before it (the
 * tips of one trial are stored after all its episodes, in order). Returns the scores, per trial, in
 * `families × variants` order. `opts` gives the rules, the prompt budget and the episode length
 * (`episodeSteps`; evaluation's is the run's `rollout.maxSteps`); the
 * families and variants are not validated (any the suite knows), so this is for measuring what the
 * tips give an agent that follows them exactly — scripts/rule-trials.ts, docs/experiments/14-rule-agent.md —
 * not for a corpus. Deterministic in its arguments.
 *
 * @example
 * import { ruleTrials, defaultCorpusOptions } from './corpus.ts'
 * const s = ruleTrials({ ...defaultCorpusOptions, episodeSteps: 40 }, ['deliver'], [0, 1, 2], 2, 0)
 * assert.equal(s.length, 2)
 * assert.deepEqual(s[0], [0, 0, 0])
 *
 * @since 0.1.0
 * @category constructors
 */
export const ruleTrials = (
  opts: CorpusOptions,
  families: ReadonlyArray<string>,
  variants: ReadonlyArray<number>,
  trials: number,
  seed: number
): ReadonlyArray<ReadonlyArray<number>> => {
  const root = mkRng(seed | 0)
  let memory = ruleMemory.empty
  const scores: Array<ReadonlyArray<number>> = []
  for (let trial = 0; trial < trials; trial++) {
    const read = memory
    const played = families.flatMap((task, fi) =>
      variants.map((variant) => ({
        task,
        variant,
        w: ruleEpisode(opts, task, variant, read, fork(fork(fork(root, trial), fi), variant))
      }))
    )
    memory = played.reduce((m, { task, variant, w }) => remember(task, variant, w)(m), memory)
    scores.push(played.map((p) => p.w.score))
  }
  return scores
}

/**
 * Check that the options name only in-distribution families and training variants (0–4), and that
 * the numbers are in range; a message names the first problem.
 *
 * @example
 * import { validateCorpusOptions, defaultCorpusOptions } from './corpus.ts'
 * assert.equal(validateCorpusOptions(defaultCorpusOptions)._tag, 'Right')
 * assert.equal(validateCorpusOptions({ ...defaultCorpusOptions, variants: [5] })._tag, 'Left')
 * assert.equal(validateCorpusOptions({ ...defaultCorpusOptions, families: ['deliver'] })._tag, 'Left')
 * assert.deepEqual(validateCorpusOptions({ ...defaultCorpusOptions, gainRepeat: 1.5 }), { _tag: 'Left', left: 'corpus: gainRepeat must be a positive integer, got 1.5' })
 *
 * @since 0.1.0
 * @category destructors
 */
export const validateCorpusOptions = (opts: CorpusOptions): E.Either<string, CorpusOptions> => {
  for (const name of opts.families) {
    const f = familyByName(name)
    if (f === undefined) return E.left(`corpus: unknown family "${name}"`)
    if (f.split === 'ood') return E.left(`corpus: family "${name}" is held out for out-of-distribution tests`)
    for (const v of opts.variants)
      if (!Number.isInteger(v) || v < 0 || splitOf(f, v) !== 'train')
        return E.left(`corpus: variant ${v} is not a training variant (0–4)`)
  }
  const counts: ReadonlyArray<readonly [string, number]> = [
    ['rounds', opts.rounds],
    ['episodeSteps', opts.episodeSteps],
    ['repetitions', opts.repetitions],
    ['gainRepeat', opts.gainRepeat]
  ]
  for (const [k, n] of counts)
    if (!Number.isInteger(n) || n < 1) return E.left(`corpus: ${k} must be a positive integer, got ${n}`)
  for (const [k, x] of [
    ['randomShare', opts.randomShare],
    ['literalShareWithTips', opts.literalShareWithTips],
    ['aliasShare', opts.aliasShare]
  ] as const)
    if (!(x >= 0 && x <= 1)) return E.left(`corpus: ${k} must lie in [0, 1], got ${x}`)
  return E.right(opts)
}

/**
 * The default corpus: the six in-distribution families, variants 0–4, 4 rounds of 10-step episodes,
 * random share 0.1, half the with-tips states also give a tip-free example, 3 repetitions, the
 * default agent budget (`defaultAgent` of src/spec/run.ts: one tip shown, as runs show), tips in the
 * current step, half the episodes shown with aliases, every example once. (`prior/suite-words.ckpt`, the prior before
 * aliases, was fitted with `aliasShare: 0` and two tips shown: `empo2 pretrain --alias-share 0
 * --tips-shown 2`.)
 *
 * @example
 * import { defaultCorpusOptions } from './corpus.ts'
 * assert.deepEqual(defaultCorpusOptions.variants, [0, 1, 2, 3, 4])
 *
 * @since 0.1.0
 * @category presets
 */
export const defaultCorpusOptions: CorpusOptions = {
  families: ['activate-light', 'collect', 'repair', 'open-container', 'make-paint', 'measure'],
  variants: [0, 1, 2, 3, 4],
  rounds: 4,
  episodeSteps: 10,
  randomShare: 0.1,
  literalShareWithTips: 0.5,
  repetitions: 3,
  agent: defaultAgent,
  placement: 'currentStep',
  aliasShare: 0.5,
  gainRepeat: 1
}

/**
 * The corpus for `opts` from `seed`: per family and repetition, `rounds` rounds over the variants
 * sharing one tip memory (round 0 has none), each episode contributing its step examples and its tip
 * example, the tip then written to memory. Deterministic in `(opts, seed)`; `Left` names a bad option.
 *
 * @example
 * import { corpus, defaultCorpusOptions } from './corpus.ts'
 * const c = corpus({ ...defaultCorpusOptions, families: ['activate-light'], variants: [0], rounds: 2, repetitions: 1 }, 7)
 * assert.equal(c._tag, 'Right')
 * if (c._tag === 'Right') assert.ok(c.right.some((e) => e.kind === 'tip') && c.right.every((e) => e.variant === 0))
 *
 * @since 0.1.0
 * @category constructors
 */
export const corpus = (opts: CorpusOptions, seed: number): E.Either<string, ReadonlyArray<Example>> =>
  E.map((o: CorpusOptions) => {
    const root = mkRng(seed | 0)
    const out: Example[] = []
    o.families.forEach((task, fi) => {
      for (let rep = 0; rep < o.repetitions; rep++) {
        let memory = ruleMemory.empty
        for (let round = 0; round < o.rounds; round++)
          o.variants.forEach((variant, vi) => {
            const rng = fork(fork(fork(fork(root, fi), rep), round), vi)
            const w = ruleEpisode(o, task, variant, round === 0 ? ruleMemory.empty : memory, rng)
            out.push(...w.examples)
            memory = remember(task, variant, w)(memory)
          })
      }
    })
    return out
  })(validateCorpusOptions(opts))
