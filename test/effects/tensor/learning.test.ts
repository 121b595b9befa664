/**
 * Learning is real: on a two-armed choice rewarded by a fixed rule, a few dozen EMPO² updates
 * (sample a group, group-relative advantages, the core loss on tensors, Adam) raise the probability
 * of the rewarded action from about one half to well above chance.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import { mkTransformer, sampleActions, scoreActions } from '../../../src/effects/tensor/transformer.ts'
import { adamStep, disposeAdam, mkAdam } from '../../../src/effects/tensor/optimizer.ts'
import { empo2Objective } from '../../../src/effects/tensor/update.ts'
import { lossSettings } from '../../../src/core/loss/loss.ts'
import { groupAdvantages } from '../../../src/core/advantage/advantage.ts'
import { paperPreset } from '../../../src/spec/config.ts'
import { defaultModelConfig, modelConfigOrThrow } from '../../../src/spec/model.ts'
import { fork, mkRng } from '../../../src/core/rng.ts'
import { actionTokens, byteTokenizer, promptTokens } from '../../../src/core/agent/tokenizer.ts'

await selectBackend({ log: () => undefined })

test('a few dozen EMPO² updates make the rewarded arm likely (> 0.9 from ≈ 0.5)', (t) => {
  const m = mkTransformer(
    modelConfigOrThrow({
      ...defaultModelConfig,
      width: 32,
      depth: 1,
      heads: 2,
      contextLength: 48,
      maxNewTokens: 8,
      seed: 11
    })
  )
  const opt = mkAdam(
    m.params.map((p) => p.variable),
    { learningRate: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradClip: 1 }
  )
  const settings = { ...lossSettings(paperPreset), kl: { ...lossSettings(paperPreset).kl, beta: 0 } }
  const prompt = 'You stand before two doors. Which one do you open?'
  const arms = ['left', 'right']
  const reward = (a: string): number => (a === 'right' ? 1 : 0)
  // the probability that constrained sampling picks "right": the arms differ at their first token
  // and the rest of each is forced, so it is π(r)/(π(l) + π(r)) at the first position
  const pRight = (): number => {
    const [l, r] = scoreActions(
      m,
      arms.map((a) => ({ prompt, actionTokens: actionTokens(byteTokenizer)(a).slice(0, 1) }))
    ).map((lp) => lp[0] as number) as [number, number]
    return 1 / (1 + Math.exp(l - r))
  }
  const before = pRight()
  const objective = empo2Objective(m, settings)
  const root = mkRng(2024)
  for (let it = 0; it < 30; it++) {
    const group = sampleActions(
      m,
      Array.from({ length: 8 }, () => ({ prompt, admissible: arms, maxTokens: 8, temperature: 1 })),
      fork(root, it)
    )
    const adv = groupAdvantages(paperPreset.advantage)(group.map((g) => reward(g.text)))
    const rows = group.map((g, i) => ({
      prompt: promptTokens(byteTokenizer)(prompt),
      action: g.tokens,
      oldLogProbs: g.logProbs,
      advantage: adv[i] as number,
      offPolicy: false
    }))
    adamStep(opt, () => objective(rows).loss as tf.Scalar)
  }
  const after = pRight()
  disposeAdam(opt)
  m.params.forEach((p) => p.variable.dispose())
  t.diagnostic(`P(right): ${before.toFixed(3)} before, ${after.toFixed(3)} after 30 updates`)
  assert.ok(before > 0.2 && before < 0.8, `initial P(right) = ${before}`)
  assert.ok(after > 0.9, `P(right) after 30 updates = ${after} (before ${before})`)
})
