/**
 * Reflexion (docs/method.md §9): no parameter update; after each failed episode the policy's
 * reflection is kept, and the last few reflections of the task are in every prompt.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { AgentConfig } from '../../spec/run.ts'
import { nonNegativeInt } from '../../spec/brands.ts'
import { capTip } from '../agent/agent.ts'
import { reflexion, type ReflexionStore } from './algebra.ts'
import { memoryKind, type MemoryKind, type MethodDefinition } from './record.ts'

const ReflexionStoreC: t.Type<ReflexionStore, unknown> = t.record(t.string, t.readonlyArray(t.string))

/**
 * Reflexion's memory (docs/method.md §9): the last `window` reflections of the task, each capped at
 * `agent.maxTipChars`.
 *
 * @example
 * import { reflectionMemory } from './reflexion.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * const ep = (note: string) => ({ task: 't', variant: 0, note, finalState: '', history: '', steps: [], score: 0, success: false })
 * const v = ['a', 'b', 'c', 'd'].reduce((m, n) => m.write(ep(n)), reflectionMemory(3, defaultAgent).empty)
 * assert.deepEqual(v.shown({ task: 't', variant: 0, state: '', history: '' }), ['b', 'c', 'd'])
 * assert.equal(v.size, 4)
 *
 * @since 0.1.0
 * @category constructors
 */
export const reflectionMemory = (window: number, agent: AgentConfig): MemoryKind =>
  memoryKind<string, ReflexionStore>({
    method: reflexion(window),
    shown: (rs) => rs.map(capTip(agent.maxTipChars)),
    unit: 'reflections',
    size: (s) => Object.values(s).reduce((n, xs) => n + xs.length, 0),
    recent: (s) => (n) =>
      Object.entries(s)
        .flatMap(([task, xs]) => xs.map((x) => `${task}: ${x}`))
        .slice(-n)
        .reverse(),
    key: 'reflections',
    codec: ReflexionStoreC
  })

/**
 * Reflexion shows the last 3 reflections of a task (docs/method.md §9), whatever `agent.maxTipsShown`
 * (the cap on EMPO²'s retrieved tips) says.
 *
 * @since 0.1.0
 * @category instances
 */
export const reflexionWindow = 3

/**
 * Reflexion (docs/method.md §9): its reflections in every prompt (the last {@link reflexionWindow}
 * of the task), a reflection written after every episode (kept after a failure), no update.
 *
 * @since 0.1.0
 * @category instances
 */
export const reflexionMethod: MethodDefinition = {
  configure: (c) => c,
  build: (run) => {
    const agent = { ...run.agent, maxTipsShown: nonNegativeInt(reflexionWindow) }
    const memory = reflectionMemory(reflexionWindow, agent)
    return {
      agent,
      memory,
      trialMemory: memory,
      trainingModes: () => ({ _tag: 'Fixed', mode: 'onPolicyWithTips' }),
      writesTips: true,
      writesMemory: true,
      updateRows: () => []
    }
  }
}
