/**
 * One line of a run's `metrics.jsonl`: what one training iteration did, under stable names grouped by
 * kind as CleanRL logs them (`charts/…`, `losses/…`, …). docs/metrics.md defines each one. A value
 * that was not computed in an iteration is `null` (e.g. the losses of an iteration without update rows,
 * the evaluation fields between evaluations), never absent — except `eval/ood_success`, which a trainer
 * that never evaluates out-of-distribution families during training may leave out. Every number is
 * finite and within its range (a fraction in [0, 1], a score in [0, 100], a count a non-negative
 * integer); unknown keys are rejected, with a suggestion for a likely misspelling.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { inBounds, strict, type NumberBounds } from './codec.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A plain (unbranded) number codec with bounds: a metrics line is written by the trainer from plain
 * numbers, so a brand would only add casts. The bounds are kept on the codec (fast-check arbitraries
 * are derived from them) and the name states them, so an error reads "expected fraction in [0, 1]".
 *
 * @since 0.1.0
 * @category model
 */
export interface RangeC extends t.RefinementC<t.NumberC> {
  readonly bounds: NumberBounds
}

const range = (name: string, bounds: NumberBounds): RangeC => {
  const ok = inBounds(bounds)
  return Object.assign(
    new t.RefinementType(
      name,
      (u): u is number => t.number.is(u) && ok(u),
      (u, c) =>
        E.chain((n: number) => (ok(n) ? t.success(n) : t.failure<number>(u, c)))(t.number.validate(u, c)),
      t.identity,
      t.number,
      ok
    ),
    { bounds }
  )
}

const finite = range('finite number', {})
const nonNegative = range('finite number ≥ 0', { min: 0 })
const count = range('integer ≥ 0', { min: 0, integer: true })
const fraction = range('fraction in [0, 1]', { min: 0, max: 1 })
const score = range('score in [0, 100]', { min: 0, max: 100 })
const orNull = <C extends t.Mixed>(c: C) => t.union([c, t.null])

const required = {
  iteration: count,
  method: t.string,
  seed: count,
  'env/steps': count,
  'time/wall_s': nonNegative,
  'charts/success': fraction,
  'charts/score': score,
  'charts/return': finite,
  'charts/intrinsic': nonNegative,
  'losses/policy': orNull(finite),
  'losses/clipfrac': orNull(fraction),
  'losses/maskfrac': orNull(fraction),
  'losses/approx_kl': orNull(finite),
  // finite, not ≥ 0: a float32 entropy of a near-deterministic policy can round to a tiny negative
  'losses/entropy': orNull(finite),
  'losses/grad_norm': orNull(nonNegative),
  'update/rows': count,
  'memory/size': count,
  'memory/tips_per_step': nonNegative,
  'modes/on_nomem': count,
  'modes/on_mem': count,
  'modes/off': count,
  'eval/success': orNull(fraction),
  'eval/score': orNull(score)
}
const optional = { 'eval/ood_success': orNull(fraction) }

// every key, the optional ones allowed to be absent: rejects unknown keys and checks every value
const keys = strict(
  { ...required, 'eval/ood_success': t.union([fraction, t.null, t.undefined]) },
  'MetricsLine'
)
const shape = t.intersection([t.type(required), t.partial(optional)], 'MetricsLine')

/**
 * The metrics of one iteration.
 *
 * @example
 * import { MetricsLine, emptyMetrics } from './metrics.ts'
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, iteration: 3 })._tag, 'Right')
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, 'eval/ood_success': 0.5 })._tag, 'Right')
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, 'charts/sucess': 1 })._tag, 'Left')
 * assert.equal(MetricsLine.decode({ ...emptyMetrics, 'charts/success': 1.5 })._tag, 'Left')
 *
 * @since 0.1.0
 * @category model
 */
export const MetricsLine: t.Type<t.TypeOf<typeof shape>, t.OutputOf<typeof shape>> = new t.Type(
  'MetricsLine',
  shape.is,
  (u, c) => {
    const k = keys.validate(u, c)
    return E.isLeft(k) ? k : shape.validate(u, c)
  },
  shape.encode
)
/** @since 0.1.0 @category model */
export type MetricsLine = t.TypeOf<typeof MetricsLine>

/**
 * The names of a metrics line, required ones first, in the order of docs/metrics.md.
 *
 * @example
 * import { metricNames } from './metrics.ts'
 * assert.equal(metricNames[0], 'iteration')
 * assert.ok(metricNames.includes('eval/ood_success'))
 *
 * @since 0.1.0
 * @category model
 */
export const metricNames: ReadonlyArray<string> = [...Object.keys(required), ...Object.keys(optional)]

/**
 * The metric names that may be absent from a line.
 *
 * @example
 * import { optionalMetricNames } from './metrics.ts'
 * assert.deepEqual(optionalMetricNames, ['eval/ood_success'])
 *
 * @since 0.1.0
 * @category model
 */
export const optionalMetricNames: ReadonlyArray<string> = Object.keys(optional)

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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A line with every number 0 and every nullable value null (a base for tests and fixtures).
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
