/**
 * What a run plays, read from an environment's catalogue (its `tasks()`: each task with a split and
 * its variants): the schedule fitted to the environment, and the variants each evaluation plays.
 * On the embedded suite every function here gives what the suite's own schedule names.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Split, TaskInfo } from '../../spec/env.ts'
import type { ScheduleConfig } from '../../spec/run.ts'
import { nonNegativeInt } from '../../spec/brands.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A task and the variants to play of it.
 *
 * @since 0.1.0
 * @category model
 */
export interface TaskVariants {
  readonly task: string
  readonly variants: ReadonlyArray<number>
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const unique = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => [...new Set(xs)]

const variantsIn = (catalogue: ReadonlyArray<TaskInfo>, task: string, split: Split): ReadonlyArray<number> =>
  unique(catalogue.filter((t) => t.task === task && t.split === split).flatMap((t) => t.variants))

/**
 * The variants of `task` an evaluation plays: the first `n` of its variants in the first split of
 * `splits` that has any (held out: test, then train for an environment without a test split, such as
 * a single game; out of distribution: ood, then test, then train).
 *
 * @example
 * import { variantsToPlay } from './catalogue.ts'
 * const cat = [{ task: 'a', split: 'train', variants: [0, 1] }, { task: 'a', split: 'test', variants: [5, 6, 7] }] as any
 * assert.deepEqual(variantsToPlay(cat, ['test', 'train'])('a', 2), [5, 6])
 * assert.deepEqual(variantsToPlay(cat, ['ood', 'train'])('a', 5), [0, 1])
 *
 * @since 0.1.0
 * @category destructors
 */
export const variantsToPlay =
  (catalogue: ReadonlyArray<TaskInfo>, splits: ReadonlyArray<Split>) =>
  (task: string, n: number): ReadonlyArray<number> => {
    for (const s of splits) {
      const vs = variantsIn(catalogue, task, s)
      if (vs.length > 0) return vs.slice(0, n)
    }
    return []
  }

/**
 * The held-out evaluation: each family with the first `n` variants of its test split (its train
 * split when it has none).
 *
 * @example
 * import { heldOutTasks } from './catalogue.ts'
 * import { suite } from './suite.ts'
 * assert.deepEqual(heldOutTasks(suite.tasks, ['collect'], 3), [{ task: 'collect', variants: [5, 6, 7] }])
 *
 * @since 0.1.0
 * @category destructors
 */
export const heldOutTasks = (
  catalogue: ReadonlyArray<TaskInfo>,
  families: ReadonlyArray<string>,
  n: number
): ReadonlyArray<TaskVariants> =>
  families.map((task) => ({ task, variants: variantsToPlay(catalogue, ['test', 'train'])(task, n) }))

/**
 * The out-of-distribution trials: each family with the first `n` variants of its ood split (else its
 * test, else its train split).
 *
 * @example
 * import { oodTasks } from './catalogue.ts'
 * import { suite } from './suite.ts'
 * assert.deepEqual(oodTasks(suite.tasks, ['deliver'], 2), [{ task: 'deliver', variants: [0, 1] }])
 *
 * @since 0.1.0
 * @category destructors
 */
export const oodTasks = (
  catalogue: ReadonlyArray<TaskInfo>,
  families: ReadonlyArray<string>,
  n: number
): ReadonlyArray<TaskVariants> =>
  families.map((task) => ({ task, variants: variantsToPlay(catalogue, ['ood', 'test', 'train'])(task, n) }))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The schedule fitted to an environment's catalogue. A schedule naming none of the environment's
 * tasks (one written for another environment) trains on every task of its train split (every task
 * when none is marked train), on the variants of those tasks that the schedule names, or all of
 * them; out-of-distribution families are kept when the environment has them. A schedule naming some
 * tasks the environment does not have is a `Left` naming them. The embedded suite's own schedule is
 * returned as it is.
 *
 * @example
 * import { fitSchedule } from './catalogue.ts'
 * import { suite } from './suite.ts'
 * import { mainJobSchedule } from '../../spec/run.ts'
 * assert.deepEqual(fitSchedule(suite.tasks)(mainJobSchedule), { _tag: 'Right', right: mainJobSchedule })
 * const game = [{ task: 'advent', split: 'test', variants: [0] }] as any
 * const r = fitSchedule(game)(mainJobSchedule)
 * assert.ok(r._tag === 'Right' && r.right.families.join() === 'advent' && r.right.variants.join() === '0')
 * assert.equal(r._tag === 'Right' && r.right.oodFamilies.length, 0)
 * assert.equal(fitSchedule(suite.tasks)({ ...mainJobSchedule, families: ['collect', 'advent'] })._tag, 'Left')
 *
 * @since 0.1.0
 * @category combinators
 */
export const fitSchedule =
  (catalogue: ReadonlyArray<TaskInfo>) =>
  (s: ScheduleConfig): E.Either<string, ScheduleConfig> => {
    const tasks = unique(catalogue.map((t) => t.task))
    const known = s.families.filter((f) => tasks.includes(f))
    const unknown = s.families.filter((f) => !tasks.includes(f))
    if (known.length > 0 && unknown.length > 0)
      return E.left(
        `schedule.families names tasks this environment does not have: ${unknown.join(', ')} (it has: ${tasks.join(', ')})`
      )
    const train = unique(catalogue.filter((t) => t.split === 'train').map((t) => t.task))
    const families = known.length > 0 ? known : train.length > 0 ? train : tasks
    if (families.length === 0) return E.left('the environment lists no task to train on')
    const playable = [
      ...unique(
        families.flatMap((f) =>
          variantsToPlay(catalogue, ['train', 'test', 'ood'])(f, Number.MAX_SAFE_INTEGER)
        )
      )
    ].sort((a, b) => a - b)
    if (playable.length === 0) return E.left(`the environment lists no variant of ${families.join(', ')}`)
    const named = s.variants.filter((v) => playable.includes(v))
    const oodFamilies = s.oodFamilies.filter((f) => catalogue.some((t) => t.task === f && t.split === 'ood'))
    return E.right({
      ...s,
      families,
      variants: (named.length > 0 ? named : playable).map(nonNegativeInt),
      oodFamilies
    })
  }
