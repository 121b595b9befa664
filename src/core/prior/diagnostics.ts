/**
 * What a policy did with memory in one trial of episodes (docs/experiments/16-tip-use-ood.md): action shares,
 * what the shown tips were worth, and whether the policy took the steps that gain score. A diagnostic
 * over finished episodes: it replays them in the suite and reads its hidden state, which no policy,
 * prompt or tip ever sees.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { cameFrom, doorsOf, gainingActions, roomOf, tipRooms } from './corpus.ts'
import { suite, type EpisodeState } from '../env/suite.ts'
import { lastN } from '../agent/agent.ts'
import type { Trajectory } from '../train/trajectory.ts'
import { nonNegativeInt, seed } from '../../spec/brands.ts'

/**
 * What one trial's episodes did: action shares, and what the shown tips were worth (null: none to
 * count).
 *
 * @since 0.1.0
 * @category model
 */
export interface TrialStats {
  readonly goTo: number
  readonly take: number
  readonly lookInventory: number
  /** of the `go to`s, the share back to the room of the step before */
  readonly back: number | null
  /** of the `go to`s with tips shown, the share to a room a shown tip names */
  readonly named: number | null
  /** of the steps with tips shown, the share where the prior's tip rule would take a shown tip's door */
  readonly usable: number | null
  /** the same with all the retrieved tips, shown or not */
  readonly inRetrieved: number | null
  /** of the usable steps, the share where the policy took the tip's door */
  readonly followed: number | null
  /** of the usable steps where the policy took a door other than the one back: the share to a tip's door … */
  readonly namedDoor: number | null
  /** … and what picking among those doors at random would give */
  readonly namedDoorAtRandom: number | null
  /** of the steps where a local action would gain score, the share where the policy took one */
  readonly gain: number | null
  /** how many such steps */
  readonly gainSteps: number
}

/**
 * One pass over a trial's episodes. Each episode is replayed in the suite (hidden state, read for this
 * diagnostic only) to know where a local action would gain score; the replay must reproduce the
 * episode's score at every step (a Left names the first step where it does not: the episodes were
 * played in another suite). `usable` is the prior's tip rule (src/core/prior/corpus.ts
 * `tipFollowingAction`): no local action gains, and a shown tip names a door here other than the one
 * the visible history came from. Without the replay (a renamed run) the gain-dependent shares are null.
 *
 * @example
 * import { trialStats } from './diagnostics.ts'
 * import { suite } from '../env/suite.ts'
 * const [s0, o0] = (suite.reset({ task: 'power-fan', variant: 0, seed: 0 } as any) as any).right
 * const route = ['go to greenhouse', 'go to bathroom', 'go to library', 'take battery', 'go to bathroom', 'use battery on fan', 'activate fan']
 * // a door here; then only the door back; then a door here, where a local action gains (the rule takes that)
 * const tipsAt = [['Try: greenhouse.'], ['Try: bathroom.'], [], [], [], ['Try: greenhouse.']]
 * let [s, obs] = [s0, o0.observation]
 * const steps = route.map((action, i) => {
 *   const [s1, o1] = suite.step(s, action)
 *   const step = { observation: obs, tips: tipsAt[i] ?? [], action, score: o1.score }
 *   ;[s, obs] = [s1, o1.observation]
 *   return step
 * })
 * const run = { task: 'power-fan', variant: 0, steps, score: 100 } as any
 * const st = (trialStats([run], 1, 1, true) as any).right
 * assert.equal(st.gainSteps, 3) // take the battery, fit it, switch the fan on
 * assert.equal(st.gain, 1) // and each was taken
 * assert.equal(st.usable, 1 / 2) // of the two tips shown where nothing gains, the second names the door back
 * assert.equal(st.followed, 1)
 * assert.equal(st.named, 1) // both doors taken with a tip shown were the tip's
 * assert.equal(st.goTo, 4 / 7)
 * assert.equal(st.back, 1 / 4)
 * // a step whose recorded score the replay does not reproduce is named
 * const torn = { ...run, steps: steps.map((x, i) => (i === 3 ? { ...x, score: 0 } : x)) }
 * assert.deepEqual(trialStats([torn], 1, 1, true), { _tag: 'Left', left: 'power-fan variant 0 step 4: the replay scores 33, the episode 0' })
 *
 * @since 0.1.0
 * @category combinators
 */
export const trialStats = (
  eps: ReadonlyArray<Trajectory>,
  tipsShown: number,
  historyWindow: number,
  replay: boolean
): E.Either<string, TrialStats> =>
  pipe(
    eps,
    E.traverseArray((e) => episodeRows(e, tipsShown, historyWindow, replay)),
    E.map((rows) => summary(rows.flat()))
  )

interface Row {
  /** the local actions that would gain score here (null: not replayed) */
  readonly gaining: ReadonlyArray<string> | null
  readonly to: string | null
  readonly back: boolean
  readonly action: string
  readonly shown: boolean
  readonly named: boolean
  readonly shownDoors: ReadonlyArray<string>
  readonly retrievedDoors: ReadonlyArray<string>
  readonly open: ReadonlyArray<string>
}

// one episode's steps, replayed when asked; a Left names the first step whose replay disagrees
const episodeRows = (
  e: Trajectory,
  tipsShown: number,
  historyWindow: number,
  replay: boolean
): E.Either<string, ReadonlyArray<Row>> => {
  let state: EpisodeState | null = null
  if (replay) {
    const reset = suite.reset({ task: e.task, variant: nonNegativeInt(e.variant), seed: seed(0) })
    if (E.isLeft(reset)) return E.left(`${e.task} variant ${e.variant}: ${reset.left.message}`)
    state = reset.right[0]
  }
  const rows: Row[] = []
  for (const [i, s] of e.steps.entries()) {
    const gaining = state === null ? null : gainingActions(state)
    if (state !== null) {
      state = suite.step(state, s.action)[0]
      if (state.score !== s.score)
        return E.left(
          `${e.task} variant ${e.variant} step ${i + 1}: the replay scores ${state.score}, the episode ${s.score}`
        )
    }
    const shown = s.tips.slice(0, tipsShown)
    const prev = cameFrom(lastN(historyWindow)(e.steps.slice(0, i)), s.observation)
    const open = doorsOf(s.observation).filter((r) => r !== prev)
    const tipDoors = (tips: ReadonlyArray<string>) => tips.flatMap(tipRooms).filter((r) => open.includes(r))
    const to = s.action.startsWith('go to ') ? s.action.slice('go to '.length) : null
    const before = e.steps[i - 1]
    rows.push({
      gaining,
      to,
      back: to !== null && before !== undefined && roomOf(before.observation) === to,
      action: s.action,
      shown: shown.length > 0,
      named: to !== null && shown.flatMap(tipRooms).includes(to),
      shownDoors: tipDoors(shown),
      retrievedDoors: tipDoors(s.tips),
      open
    })
  }
  return E.right(rows)
}

const summary = (rows: ReadonlyArray<Row>): TrialStats => {
  const share = <A>(xs: ReadonlyArray<A>, f: (x: A) => boolean): number | null =>
    xs.length === 0 ? null : xs.filter(f).length / xs.length
  const all = (f: (x: Row) => boolean) => share(rows, f) ?? 0
  const withTips = rows.filter((r) => r.shown && r.gaining !== null && r.gaining.length === 0)
  const usable = withTips.filter((r) => r.shownDoors.length > 0)
  const doorChoices = usable.filter((r) => r.to !== null && r.open.includes(r.to))
  const gainAt = rows.filter((r) => r.gaining !== null && r.gaining.length > 0)
  return {
    goTo: all((r) => r.to !== null),
    take: all((r) => r.action.startsWith('take ')),
    lookInventory: all((r) => r.action === 'look' || r.action === 'inventory'),
    back: share(
      rows.filter((r) => r.to !== null),
      (r) => r.back
    ),
    named: share(
      rows.filter((r) => r.shown && r.to !== null),
      (r) => r.named
    ),
    usable: share(withTips, (r) => r.shownDoors.length > 0),
    inRetrieved: share(withTips, (r) => r.retrievedDoors.length > 0),
    followed: share(usable, (r) => r.to !== null && r.shownDoors.includes(r.to)),
    namedDoor: share(doorChoices, (r) => r.to !== null && r.shownDoors.includes(r.to)),
    namedDoorAtRandom:
      doorChoices.length === 0
        ? null
        : doorChoices.reduce((a, r) => a + r.shownDoors.length / r.open.length, 0) / doorChoices.length,
    gain: share(gainAt, (r) => r.gaining !== null && r.gaining.includes(r.action)),
    gainSteps: gainAt.length
  }
}
