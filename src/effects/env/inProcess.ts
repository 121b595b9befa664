/**
 * The pure embedded suite (src/core/env) behind the async {@link Environment} interface, in the
 * same process. One episode at a time; `step` before `reset` or after `close` ends the episode
 * with an error in `info.error` rather than throwing.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Environment, StepResult } from '../../spec/env.ts'
import * as B from '../../spec/brands.ts'
import type { PureEnvironment } from '../../core/env/suite.ts'
import { suite } from '../../core/env/suite.ts'
import { renamedSuite, type Renaming } from '../../core/env/rename.ts'

/**
 * The result of a step that could not be taken: the episode ends with the reason recorded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const failedStep = (error: string, score = 0): StepResult => ({
  observation: `The environment failed: ${error}`,
  reward: B.reward(0),
  score: B.score(Math.max(0, Math.min(100, score))),
  done: true,
  admissibleActions: [],
  info: { error }
})

/**
 * Wrap a {@link PureEnvironment} as an {@link Environment}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inProcess = <S>(pure: PureEnvironment<S>, name: string): Environment => {
  let state: S | undefined
  let lastScore = 0
  let closed = false
  return {
    name,
    tasks: async () => pure.tasks,
    reset: async (req) => {
      if (closed) return E.left({ _tag: 'EnvError', message: `${name}: closed` })
      const r = pure.reset(req)
      if (E.isLeft(r)) return r
      state = r.right[0]
      lastScore = r.right[1].score
      return E.right(r.right[1])
    },
    step: async (action) => {
      if (closed || state === undefined) return failedStep(closed ? 'closed' : 'step before reset', lastScore)
      const [s, out] = pure.step(state, action)
      state = s
      lastScore = out.score
      return out
    },
    close: async () => {
      closed = true
      state = undefined
    }
  }
}

/**
 * The embedded exploration suite in process (the default environment; no install needed), seen
 * through a word renaming when one is given (a probe: src/core/env/rename.ts).
 *
 * @since 0.1.0
 * @category constructors
 */
export const embeddedSuite = (renaming?: Renaming): Environment =>
  renaming === undefined
    ? inProcess(suite, 'embedded-suite')
    : inProcess(renamedSuite(renaming), 'embedded-suite (renamed)')
