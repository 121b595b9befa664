/**
 * One line of a run's `metrics.jsonl`: what one training iteration did, under stable names grouped by
 * kind as CleanRL logs them (`charts/…`, `losses/…`, …). docs/metrics.md defines each one. A value
 * that was not computed in an iteration is `null` (e.g. the losses of an iteration without update rows,
 * the evaluation fields between evaluations), never absent; unknown keys are rejected.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { strict } from './codec.ts'

const num = t.number
const maybe = t.union([t.number, t.null])

/**
 * The metrics of one iteration.
 *
 * @example
 * import { MetricsLine, emptyMetrics } from './metrics.ts'
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, iteration: 3 })._tag, 'Right')
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, 'charts/sucess': 1 })._tag, 'Left')
 *
 * @since 0.1.0
 * @category model
 */
export const MetricsLine = strict(
  {
    iteration: t.number,
    method: t.string,
    seed: t.number,
    'env/steps': num,
    'time/wall_s': num,
    'charts/success': num,
    'charts/score': num,
    'charts/return': num,
    'charts/intrinsic': num,
    'losses/policy': maybe,
    'losses/clipfrac': maybe,
    'losses/maskfrac': maybe,
    'losses/approx_kl': maybe,
    'losses/entropy': maybe,
    'losses/grad_norm': maybe,
    'update/rows': num,
    'memory/size': num,
    'memory/tips_per_step': num,
    'modes/on_nomem': num,
    'modes/on_mem': num,
    'modes/off': num,
    'eval/success': maybe,
    'eval/score': maybe
  },
  'MetricsLine'
)
/** @since 0.1.0 @category model */
export type MetricsLine = t.TypeOf<typeof MetricsLine>

/**
 * A line with every number 0 and every optional value null (a base for tests and fixtures).
 *
 * @example
 * import { emptyMetrics } from './metrics.ts'
 * assert.equal(emptyMetrics['eval/success'], null)
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyMetrics: MetricsLine = {
  iteration: 0,
  method: 'empo2',
  seed: 0,
  'env/steps': 0,
  'time/wall_s': 0,
  'charts/success': 0,
  'charts/score': 0,
  'charts/return': 0,
  'charts/intrinsic': 0,
  'losses/policy': null,
  'losses/clipfrac': null,
  'losses/maskfrac': null,
  'losses/approx_kl': null,
  'losses/entropy': null,
  'losses/grad_norm': null,
  'update/rows': 0,
  'memory/size': 0,
  'memory/tips_per_step': 0,
  'modes/on_nomem': 0,
  'modes/on_mem': 0,
  'modes/off': 0,
  'eval/success': null,
  'eval/score': null
}

/**
 * The result of a run's final evaluation (`eval.json`): held-out success without memory per family
 * and overall, and out-of-distribution success with memory per trial.
 *
 * @example
 * import { EvalSummary } from './metrics.ts'
 * const s = { method: 'grpo', seed: 0, envSteps: 10, heldOut: { success: 0.5, score: 60, episodes: 4, perFamily: { collect: { success: 0.5, score: 60 } } }, ood: [] }
 * assert.equal(EvalSummary.decode(s)._tag, 'Right')
 *
 * @since 0.1.0
 * @category model
 */
export const EvalSummary = strict(
  {
    method: t.string,
    seed: t.number,
    envSteps: t.number,
    heldOut: t.type({
      success: t.number,
      score: t.number,
      episodes: t.number,
      perFamily: t.record(t.string, t.type({ success: t.number, score: t.number }))
    }),
    ood: t.readonlyArray(
      t.type({
        success: t.number,
        score: t.number,
        episodes: t.number,
        perFamily: t.record(t.string, t.type({ success: t.number, score: t.number }))
      })
    )
  },
  'EvalSummary'
)
/** @since 0.1.0 @category model */
export type EvalSummary = t.TypeOf<typeof EvalSummary>
