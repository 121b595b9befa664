/**
 * An environment as a value: from the run config's `env` (src/spec/run.ts `EnvSpec`) to something
 * that opens environments and lists their tasks. The trainer and the evaluation take their
 * environments from here and never ask which one they run on.
 *
 * @since 0.1.0
 */
import type { EnvSpec } from '../../spec/run.ts'
import type { Environment, TaskInfo } from '../../spec/env.ts'
import type { Renaming } from '../../core/env/rename.ts'
import { embeddedSuite } from './inProcess.ts'
import { zmachine } from './zmachine.ts'
import { bridgeClient } from './bridge.ts'
import { alfWorld, scienceWorld, webShop } from './adapters.ts'

/**
 * Where a run's environments come from: `open` starts one (one per episode slot of a batch), and
 * `catalogue` lists the tasks with their splits and variants.
 *
 * @since 0.1.0
 * @category model
 */
export interface EnvironmentSource {
  readonly open: () => Environment
  readonly catalogue: () => Promise<ReadonlyArray<TaskInfo>>
}

/**
 * The source of an environment spec. A word renaming (a probe of the embedded suite) is refused for
 * any other environment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const environmentSource = (spec: EnvSpec, renaming?: Renaming): EnvironmentSource => {
  if (renaming !== undefined && spec.kind !== 'suite')
    throw new Error(`a word renaming probes the embedded suite; it cannot apply to ${spec.kind}`)
  const open = ((): (() => Environment) => {
    switch (spec.kind) {
      case 'suite':
        return () => embeddedSuite(renaming)
      case 'zmachine':
        return () => zmachine({ file: spec.game })
      case 'bridge':
        return () => bridgeClient({ name: spec.command.join(' '), command: spec.command })
      case 'scienceworld':
        return () => scienceWorld({ args: spec.args })
      case 'alfworld':
        return () => alfWorld({ args: spec.args })
      case 'webshop':
        return () => webShop({ args: spec.args })
    }
  })()
  return {
    open,
    catalogue: async () => {
      const env = open()
      try {
        return await env.tasks()
      } finally {
        await env.close()
      }
    }
  }
}

/**
 * `n` environments of a source, one per episode slot.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openPool = (source: EnvironmentSource, n: number): ReadonlyArray<Environment> =>
  Array.from({ length: n }, () => source.open())

/**
 * Close every environment of a pool (child processes end; the suite's close does nothing).
 *
 * @since 0.1.0
 * @category destructors
 */
export const closePool = async (pool: ReadonlyArray<Environment>): Promise<void> => {
  await Promise.all(pool.map((e) => e.close()))
}
