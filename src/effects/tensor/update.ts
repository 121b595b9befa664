/**
 * The EMPO² update on the transformer: rows of (update-prompt tokens, action tokens, recorded old
 * log-probs, advantage, off-policy flag) become the core loss's `LossInputs` on tensors, with
 * `logProbs` (and `entropy`) differentiable through the model. The loss itself is the one definition
 * of src/core/loss/loss.ts, evaluated with the tensor `Numeric`.
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  empo2Loss,
  omittable,
  omittedRows,
  type LossOutput,
  type LossSettings
} from '../../core/loss/loss.ts'
import type { OmittedRows } from '../../core/loss/aggregate.ts'
import { render, removeTips } from '../../core/agent/prompt.ts'
import { promptTokens } from '../../core/agent/tokenizer.ts'
import type { UpdateRowSpec } from '../../core/train/train.ts'
import { tensorNumeric } from './numeric.ts'
import { scoreActions, scoreTensor, type Transformer } from './transformer.ts'

/** One training row. `prompt` is the UPDATE prompt: tips removed for an off-policy row. */
export interface UpdateRow {
  readonly prompt: ReadonlyArray<number>
  readonly action: ReadonlyArray<number>
  /** `[T]` log π_θold(a_t | rollout prompt), recorded at sampling. */
  readonly oldLogProbs: ReadonlyArray<number>
  /** The sequence's advantage (broadcast over its tokens). */
  readonly advantage: number
  readonly offPolicy: boolean
  /** `[T]` tip-free current log-probs for an on-policy row sampled with tips (the paper mask's input); omit otherwise. */
  readonly tipFreeLogProbs?: ReadonlyArray<number>
  /** `[T]` reference-policy log-probs, needed when kl.beta > 0. */
  readonly refLogProbs?: ReadonlyArray<number>
}

/** Whether a row of advantage `advantage` is left out of the forward pass (see {@link miniBatchObjective}). */
const skipped =
  (s: LossSettings, skipZeroAdvantage: boolean) =>
  (advantage: number): boolean =>
    skipZeroAdvantage && omittable(s)(advantage)

/**
 * The tensor rows of an iteration's update rows: update-prompt tokens, and the inputs the loss needs
 * besides the current policy's differentiable log-probs, scored here without gradient:
 * - the paper mask's tip-free log-probs `log π_θ(a | s, u)` for the on-policy rows sampled with tips,
 *   when the mask reads them (enabled, `tokenProb` rule, scope `all`); every other row's update
 *   prompt is already tip-free, so the loss takes its tip-free log-probs from its own scoring;
 *   (not for the rows `skipZeroAdvantage` leaves out of the forward pass, see {@link miniBatchObjective});
 * - the reference policy's log-probs under the update prompt, when `kl.beta > 0` and a reference is
 *   given.
 */
export const tensorUpdateRows = (
  model: Transformer,
  reference: Transformer | null,
  s: LossSettings,
  specs: ReadonlyArray<UpdateRowSpec>,
  skipZeroAdvantage = false
): ReadonlyArray<UpdateRow> => {
  const needTipFree = s.mask.enabled && s.mask.rule === 'tokenProb' && s.mask.scope === 'all'
  const tipped = specs.flatMap((r, i) =>
    needTipFree && r.mode === 'onPolicyWithTips' && !skipped(s, skipZeroAdvantage)(r.advantage) ? [i] : []
  )
  const tipFreeScores = scoreActions(
    model,
    tipped.map((i) => {
      const r = specs[i] as UpdateRowSpec
      return { prompt: render(removeTips(r.rolloutPrompt)), actionTokens: r.actionTokens }
    })
  )
  const tipFree = new Map(tipped.map((i, k) => [i, tipFreeScores[k] as ReadonlyArray<number>]))
  const ref =
    s.kl.beta > 0 && reference !== null
      ? scoreActions(
          reference,
          specs.map((r) => ({ prompt: render(r.updatePrompt), actionTokens: r.actionTokens }))
        )
      : null
  return specs.map((r, i) => {
    const free = tipFree.get(i)
    return {
      prompt: promptTokens(model.tokenizer)(render(r.updatePrompt)),
      action: r.actionTokens,
      oldLogProbs: r.oldLogProbs,
      advantage: r.advantage,
      offPolicy: r.mode === 'offPolicy',
      ...(free !== undefined ? { tipFreeLogProbs: free } : {}),
      ...(ref !== null ? { refLogProbs: ref[i] } : {})
    }
  })
}

const padded = (rows: ReadonlyArray<ReadonlyArray<number>>, T: number): tf.Tensor2D =>
  tf.tensor2d(Float32Array.from(rows.flatMap((r) => Array.from({ length: T }, (_, j) => r[j] ?? 0))), [
    rows.length,
    T
  ])

/**
 * The EMPO² loss and diagnostics of a minibatch; `loss` is differentiable in the model's parameters.
 * `omitted`: the denominator counts of rows of the minibatch left out of `rows` (see
 * {@link miniBatchObjective}).
 */
export const empo2Objective =
  (m: Transformer, s: LossSettings) =>
  (rows: ReadonlyArray<UpdateRow>, omitted?: OmittedRows): LossOutput<tf.Tensor> => {
    const scored = scoreTensor(
      m,
      rows.map((r) => ({ prompt: r.prompt, action: r.action })),
      s.entropyCoef > 0
    )
    const T = scored.logProbs.shape[1]
    const tipFreeGiven = rows.some((r) => r.tipFreeLogProbs !== undefined)
    const tipFree = tipFreeGiven
      ? tf.where(
          tf.tensor2d(
            rows.flatMap((r) => Array.from({ length: T }, () => (r.tipFreeLogProbs !== undefined ? 1 : 0))),
            [rows.length, T],
            'bool'
          ),
          padded(
            rows.map((r) => r.tipFreeLogProbs ?? []),
            T
          ),
          scored.logProbs
        )
      : scored.logProbs
    return empo2Loss(tensorNumeric)(s)({
      logProbs: scored.logProbs,
      oldLogProbs: padded(
        rows.map((r) => r.oldLogProbs),
        T
      ),
      tipFreeLogProbs: tipFree,
      refLogProbs:
        s.kl.beta > 0
          ? padded(
              rows.map((r) => r.refLogProbs ?? []),
              T
            )
          : null,
      advantages: tf.mul(tf.tensor2d(rows.map((r) => [r.advantage])), scored.mask),
      responseMask: scored.mask,
      offPolicy: tf.tensor2d(rows.map((r) => [r.offPolicy ? 1 : 0])),
      entropy: scored.entropy,
      ...(omitted !== undefined ? { omitted } : {})
    })
  }

/**
 * The objective of one minibatch, with `skipZeroAdvantage`: the rows for which `omittable` holds
 * (advantage 0, `β = 0`, no entropy bonus) are not scored and enter the loss through their
 * denominator counts only (`omittedRows`), so the loss and its gradient are those of the whole
 * minibatch. `output` is null when every row is left out: the loss is then exactly 0, and `loss` is a
 * zero connected to every parameter, so the optimiser still takes its step (Adam's moments move with
 * a zero gradient, as they would with the rows in). Without `skipZeroAdvantage` every row is scored.
 */
export const miniBatchObjective =
  (m: Transformer, s: LossSettings, skipZeroAdvantage: boolean) =>
  (
    rows: ReadonlyArray<UpdateRow>
  ): { readonly loss: tf.Scalar; readonly output: LossOutput<tf.Tensor> | null } => {
    const skip = (r: UpdateRow): boolean => skipped(s, skipZeroAdvantage)(r.advantage)
    const scored = rows.filter((r) => !skip(r))
    const left = rows.filter(skip)
    if (scored.length === 0)
      return {
        loss: tf.mul<tf.Scalar>(
          0,
          m.params.map((p) => tf.sum(p.variable)).reduce((a, b) => tf.add(a, b))
        ),
        output: null
      }
    const output = empo2Objective(m, s)(scored, left.length > 0 ? omittedRows(s)(left) : undefined)
    return { loss: output.loss as tf.Scalar, output }
  }
