/**
 * The update's tensor rows and objective: which inputs are scored besides the differentiable
 * log-probs (the paper mask's tip-free log-probs under scope `all`), on a tiny random transformer.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import { mkTransformer, scoreActions, disposeTransformer } from '../../../src/effects/tensor/transformer.ts'
import * as tf from '@tensorflow/tfjs-core'
import { empo2Objective, miniBatchObjective, tensorUpdateRows } from '../../../src/effects/tensor/update.ts'
import { lossSettings, type LossSettings } from '../../../src/core/loss/loss.ts'
import { render, removeTips, text, tipsSegment } from '../../../src/core/agent/prompt.ts'
import type { UpdateRowSpec } from '../../../src/core/train/train.ts'
import { officialPreset, paperPreset } from '../../../src/spec/config.ts'
import type { Mode } from '../../../src/spec/data.ts'
import { tinyModelConfig } from '../../support/model.ts'

await selectBackend({ log: () => undefined })

const model = mkTransformer(tinyModelConfig({ seed: 5 }))
const spec = (combination: Mode, advantage: number, k: number): UpdateRowSpec => {
  const rolloutPrompt =
    combination === 'onPolicyNoMemory'
      ? [text(`room ${k}\n`)]
      : [text(`room ${k}\n`), tipsSegment([`tip ${k}`]), text('act:\n')]
  return {
    rolloutPrompt,
    updatePrompt: combination === 'offPolicy' ? removeTips(rolloutPrompt) : rolloutPrompt,
    actionTokens: [104 + k, 105, 106 + k].slice(0, 1 + (k % 3)),
    oldLogProbs: [-5.5, -5.4, -5.6].slice(0, 1 + (k % 3)),
    advantage,
    mode: combination
  }
}
const specs: ReadonlyArray<UpdateRowSpec> = [
  spec('onPolicyWithTips', 1, 0),
  spec('offPolicy', -1, 1),
  spec('onPolicyNoMemory', 0.5, 2),
  spec('onPolicyWithTips', -0.5, 3)
]
const paper = lossSettings(paperPreset)
const withMask = (m: Partial<LossSettings['mask']>): LossSettings => ({
  ...paper,
  kl: { ...paper.kl, beta: 0 },
  mask: { ...paper.mask, ...m }
})

test('scope all: exactly the on-policy rows sampled with tips carry tip-free log-probs, scored without their tips', () => {
  const rows = tensorUpdateRows(model, null, withMask({ scope: 'all' }), specs)
  const want = scoreActions(
    model,
    [0, 3].map((i) => ({
      prompt: render(removeTips((specs[i] as UpdateRowSpec).rolloutPrompt)),
      actionTokens: (specs[i] as UpdateRowSpec).actionTokens
    }))
  )
  assert.deepEqual(rows[0]?.tipFreeLogProbs, want[0])
  assert.deepEqual(rows[3]?.tipFreeLogProbs, want[1])
  assert.equal(rows[1]?.tipFreeLogProbs, undefined) // off-policy: the update prompt is tip-free
  assert.equal(rows[2]?.tipFreeLogProbs, undefined) // no memory: the prompt has no tips
  // tipped prompts score differently: the tip-free input is not the update's own scoring
  const tipped = scoreActions(model, [
    {
      prompt: render((specs[0] as UpdateRowSpec).rolloutPrompt),
      actionTokens: (specs[0] as UpdateRowSpec).actionTokens
    }
  ])
  assert.notDeepEqual(tipped[0], want[0])
  for (const m of [
    { scope: 'offPolicy' as const },
    { enabled: false },
    { rule: 'sequenceMinOldLogProb' as const }
  ])
    assert.ok(
      tensorUpdateRows(model, null, withMask(m), specs).every((r) => r.tipFreeLogProbs === undefined),
      JSON.stringify(m)
    )
})

test('scope all masks the on-policy rows sampled with tips by their tip-free probability; scope offPolicy does not', () => {
  // δ = 0.999: a tiny random model gives every token a probability below it
  const tippedOnly = [specs[0] as UpdateRowSpec, specs[3] as UpdateRowSpec]
  const masked = (scope: 'all' | 'offPolicy'): number => {
    const s = withMask({ scope, delta: 0.999 })
    const out = empo2Objective(model, s)(tensorUpdateRows(model, null, s, tippedOnly))
    return out.maskedFraction.dataSync()[0] as number
  }
  assert.equal(masked('all'), 1)
  assert.equal(masked('offPolicy'), 0)
})

// the loss value and the gradient of every parameter, with and without leaving rows out
const lossAndGrads = (
  s: LossSettings,
  skip: boolean,
  rows: ReturnType<typeof tensorUpdateRows>
): { loss: number; grads: Float32Array[] } => {
  const vars = model.params.map((p) => p.variable)
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => miniBatchObjective(model, s, skip)(rows).loss, vars)
    return {
      loss: value.dataSync()[0] as number,
      grads: vars.map((v) => (grads[v.name] ?? tf.zerosLike(v)).dataSync() as Float32Array)
    }
  })
}

test('skipZeroAdvantage is exact on the tensor layer: leaving the zero-advantage rows unscored gives the loss and parameter gradients of the minibatch with them scored, for every aggregation mode and both droppedRowsCount', () => {
  const official = lossSettings(officialPreset) // β = 0, no entropy bonus
  const mb = [
    spec('onPolicyNoMemory', 0, 0),
    spec('onPolicyWithTips', 1.3, 1),
    spec('offPolicy', 0, 2),
    spec('onPolicyNoMemory', -0.7, 3),
    spec('onPolicyWithTips', 0, 4),
    spec('offPolicy', 0.4, 5)
  ]
  for (const aggregation of [
    'token-mean',
    'seq-mean-token-sum',
    'seq-mean-token-mean',
    'seq-mean-token-sum-norm'
  ] as const)
    for (const droppedRowsCount of [true, false]) {
      // the sequence mask at −5.55 drops the rows with a −5.6 token (length 3: rows 2 and 5)
      const s: LossSettings = {
        ...official,
        aggregation,
        mask: { ...official.mask, enabled: true, minOldLogProb: -5.55, droppedRowsCount }
      }
      const rows = tensorUpdateRows(model, null, s, mb)
      const all = lossAndGrads(s, false, rows)
      const skipped = lossAndGrads(s, true, rows)
      const what = `${aggregation}, droppedRowsCount ${droppedRowsCount}`
      assert.ok(Math.abs(all.loss - skipped.loss) <= 1e-6 * Math.max(1, Math.abs(all.loss)), `${what}: loss`)
      all.grads.forEach((g, k) =>
        g.forEach((x, i) =>
          assert.ok(
            Math.abs(x - (skipped.grads[k]?.[i] as number)) <= 1e-6 + 1e-5 * Math.abs(x),
            `${what}: grad ${k}[${i}]`
          )
        )
      )
      assert.ok(
        all.grads.some((g) => g.some((x) => x !== 0)),
        `${what}: a non-trivial gradient`
      )
    }
  // a minibatch of zero-advantage rows only: loss 0 and a zero gradient connected to every parameter
  const zeros = tensorUpdateRows(model, null, official, [
    spec('offPolicy', 0, 1),
    spec('onPolicyNoMemory', 0, 2)
  ])
  const z = lossAndGrads(official, true, zeros)
  assert.equal(z.loss, 0)
  assert.ok(z.grads.every((g) => g.every((x) => x === 0)))
  assert.equal(miniBatchObjective(model, official, true)(zeros).output, null)
  // with β > 0 no row is left out
  const withKl = { ...official, kl: { ...official.kl, beta: 0.1 } }
  assert.notEqual(
    miniBatchObjective(model, withKl, true)(zeros.map((r) => ({ ...r, refLogProbs: [-1, -1, -1] }))).output,
    null
  )
})

test.after(() => disposeTransformer(model))
