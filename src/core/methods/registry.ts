/**
 * Every method a run can name, and the record a run builds of it. Adding a method: a module in this
 * folder that exports a {@link MethodDefinition}, its name in `Method` (src/spec/run.ts), and one
 * line in {@link methods} (docs/architecture.md).
 *
 * @since 0.1.0
 */
import type { Config } from '../../spec/config.ts'
import type { Method, RunConfig } from '../../spec/run.ts'
import type { Embedder } from '../memory/embedding.ts'
import {
  empo2Method,
  grpoMethod,
  grpoNoveltyMethod,
  noIntrinsicMethod,
  noMaskMethod,
  noOffPolicyMethod
} from './empo2.ts'
import { mdsiMethod } from './mdsi.ts'
import { reflexionMethod } from './reflexion.ts'
import { remembererMethod } from './rememberer.ts'
import type { MethodDefinition, RunMethod } from './record.ts'

/**
 * The definition of every method, by the name a run config gives it.
 *
 * @since 0.1.0
 * @category instances
 */
export const methods: { readonly [M in Method]: MethodDefinition } = {
  empo2: empo2Method,
  grpo: grpoMethod,
  'grpo-novelty': grpoNoveltyMethod,
  'empo2-no-offpolicy': noOffPolicyMethod,
  'empo2-no-mask': noMaskMethod,
  'empo2-no-intrinsic': noIntrinsicMethod,
  reflexion: reflexionMethod,
  rememberer: remembererMethod,
  mdsi: mdsiMethod
}

/**
 * The algorithm config a method runs under (its definition's `configure`).
 *
 * @example
 * import { applyMethod } from './registry.ts'
 * import { paperPreset, officialPreset } from '../../spec/config.ts'
 * import { modeProbabilities } from '../train/modes.ts'
 * assert.equal(modeProbabilities(applyMethod('grpo')(paperPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(modeProbabilities(applyMethod('grpo')(officialPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(applyMethod('grpo')(paperPreset).mask.enabled, false)
 * assert.equal(applyMethod('grpo-novelty')(paperPreset).novelty.coef, paperPreset.novelty.coef)
 * assert.equal(modeProbabilities(applyMethod('empo2-no-offpolicy')(officialPreset).modes).offPolicy, 0)
 * assert.equal(applyMethod('empo2-no-mask')(paperPreset).mask.enabled, false)
 *
 * @since 0.1.0
 * @category destructors
 */
export const applyMethod =
  (method: Method) =>
  (c: Config): Config =>
    methods[method].configure(c)

/**
 * The method record of a run: its method's config change applied, then its definition built.
 *
 * @example
 * import { runMethod } from './registry.ts'
 * import { mainJobRun } from '../../spec/run.ts'
 * import { embed } from '../memory/embedding.ts'
 * const m = runMethod(mainJobRun('reflexion', 'paper'), embed)
 * assert.equal(m.agent.maxTipsShown, 3)
 * assert.deepEqual(m.trainingModes('onPolicyNoMemory'), { _tag: 'Fixed', mode: 'onPolicyWithTips' })
 * assert.equal(runMethod(mainJobRun('grpo', 'paper'), embed).writesTips, false)
 *
 * @since 0.1.0
 * @category destructors
 */
export const runMethod = (run: RunConfig, embedder: Embedder): RunMethod => {
  const def = methods[run.method]
  const algo = def.configure(run.algo)
  return { algo, ...def.build({ ...run, algo }, embedder) }
}
