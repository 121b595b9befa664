/**
 * The embedded suite as a pure environment: `reset(request) → [state, ResetResult]` and
 * `step(state, action) → [state, StepResult]`, with the step limit, partial-credit scores, rewards as
 * score differences, and the admissible-action order shuffled by the reset seed (the world itself
 * depends on `(task, variant)` only, as ScienceWorld's variants do). The async wrapper that gives the
 * `Environment` interface of src/spec/env.ts lives in src/effects/env.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { EnvError, ResetRequest, ResetResult, StepResult, TaskInfo } from '../../spec/env.ts'
import * as B from '../../spec/brands.ts'
import { fork, mkRng, shuffle } from '../rng.ts'
import { act, admissible, describeRoom, normalizeAction as normalize, start } from './world.ts'
import type { World } from './world.ts'
import { familyByName, families, splitOf, stepLimit, variantsPerFamily } from './families.ts'
import type { Family, Variant } from './families.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The state of an episode: the variant, the current world, steps taken, the score so far, whether
 * the episode is over, and the seed that orders admissible actions.
 *
 * @since 0.1.0
 * @category model
 */
export interface EpisodeState {
  readonly family: Family
  readonly variant: Variant
  readonly world: World
  readonly steps: number
  readonly score: number
  readonly done: boolean
  readonly seed: number
}

/**
 * A pure environment: the suite is one instance ({@link suite}); tests and the in-process adapter
 * drive it.
 *
 * @since 0.1.0
 * @category model
 */
export interface PureEnvironment<S> {
  readonly tasks: ReadonlyArray<TaskInfo>
  readonly reset: (req: ResetRequest) => E.Either<EnvError, readonly [S, ResetResult]>
  readonly step: (state: S, action: string) => readonly [S, StepResult]
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// admissible actions in an order drawn from (seed, step): a policy cannot learn positions
const ordered = (w: World, seed: number, step: number): ReadonlyArray<string> =>
  shuffle(fork(mkRng(seed | 0), step), admissible(w))[0]

const range = (from: number, to: number): ReadonlyArray<B.NonNegativeInt> =>
  Array.from({ length: to - from }, (_, i) => B.nonNegativeInt(from + i))

const info = (s: EpisodeState, valid: boolean) => ({
  task: s.family.name,
  variant: s.variant.variant,
  split: splitOf(s.family, s.variant.variant),
  steps: s.steps,
  stepLimit,
  valid
})

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * The embedded suite as a {@link PureEnvironment}. `reset` fails (as a value) for an unknown task or
 * a variant out of range; `step` is total: after `done` it returns the same observation with
 * reward 0.
 *
 * @since 0.1.0
 * @category instances
 */
export const suite: PureEnvironment<EpisodeState> = {
  tasks: [
    ...families.map((f): TaskInfo => ({
      task: f.name,
      split: f.split === 'ood' ? 'ood' : 'train',
      variants: range(0, f.split === 'ood' ? variantsPerFamily : 5)
    })),
    ...families
      .filter((f) => f.split !== 'ood')
      .map((f): TaskInfo => ({ task: f.name, split: 'test', variants: range(5, variantsPerFamily) }))
  ],
  reset: (req) => {
    const family = familyByName(req.task)
    if (family === undefined)
      return E.left({
        _tag: 'EnvError',
        message: `unknown task "${req.task}"; known: ${families.map((f) => f.name).join(', ')}`
      })
    if (req.variant >= variantsPerFamily)
      return E.left({
        _tag: 'EnvError',
        message: `variant ${req.variant} out of range [0, ${variantsPerFamily - 1}]`
      })
    const variant = family.generate(req.variant)
    const world = start(variant.world)
    const s: EpisodeState = { family, variant, world, steps: 0, score: 0, done: false, seed: req.seed }
    const score = family.score(variant, world)
    return E.right([
      { ...s, score },
      {
        observation: describeRoom(world),
        taskDescription: variant.taskDescription,
        admissibleActions: ordered(world, req.seed, 0),
        score: B.score(score),
        info: info(s, true)
      }
    ])
  },
  step: (s, action) => {
    if (s.done)
      return [
        s,
        {
          observation: 'The episode is over.',
          reward: B.reward(0),
          score: B.score(s.score),
          done: true,
          admissibleActions: [],
          info: info(s, false)
        }
      ]
    const valid = admissible(s.world).includes(normalize(action))
    const [world, message] = act(s.world, action)
    const steps = s.steps + 1
    const score = s.family.score(s.variant, world)
    const finished = s.family.done(s.variant, world)
    const done = finished || steps >= stepLimit
    const next: EpisodeState = { ...s, world, steps, score, done }
    const tail = done && !finished ? ' You ran out of steps.' : ''
    return [
      next,
      {
        observation: `${message === '' ? '' : `${message} `}${describeRoom(world)}${tail}`,
        reward: B.reward(score - s.score),
        score: B.score(score),
        done,
        admissibleActions: done ? [] : ordered(world, s.seed, steps),
        info: info(next, valid)
      }
    ]
  }
}

/**
 * Play a list of actions from a reset; returns the last state and every step result. Used by the
 * oracle checks and by tests.
 *
 * @example
 * import { playout } from './suite.ts'
 * import { familyByName } from './families.ts'
 * const f = familyByName('activate-light')!
 * const { results } = playout({ task: 'activate-light', variant: 0, seed: 1 } as any, f.oracle(f.generate(0)))
 * assert.equal(results.at(-1)?.score, 100)
 *
 * @since 0.1.0
 * @category combinators
 */
export const playout = (
  req: ResetRequest,
  actions: ReadonlyArray<string>
): { readonly state: EpisodeState | undefined; readonly results: ReadonlyArray<StepResult> } => {
  const r = suite.reset(req)
  if (E.isLeft(r)) return { state: undefined, results: [] }
  let s = r.right[0]
  const results: StepResult[] = []
  for (const a of actions) {
    const [s1, out] = suite.step(s, a)
    s = s1
    results.push(out)
  }
  return { state: s, results }
}
