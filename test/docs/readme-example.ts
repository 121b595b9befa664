import assert from 'node:assert/strict'
import { grpoAdvantages } from '../../src/core/advantage/advantage.ts'
import { empo2Loss, lossSettings } from '../../src/core/loss/loss.ts'
import { fromRows, numberNumeric, toScalar } from '../../src/core/loss/numeric.ts'
import { paperPreset } from '../../src/spec/config.ts'

// One task, four rollouts scoring 0, 100, 0, 100: GRPO's group-relative advantages (Eq. 1).
const [advantages = []] = grpoAdvantages(paperPreset.advantage)([[0, 100, 0, 100]])
assert.deepEqual(
  advantages.map((a) => a.toFixed(3)),
  ['-0.866', '0.866', '-0.866', '0.866']
)

// The EMPO² loss (Eq. 2) of a one-token action per rollout, in plain numbers. The last row is
// off-policy: sampled with tips (old), scored now without them (now), where its probability is
// below δ = 0.001, so the low-probability mask removes its policy-gradient term.
const now = fromRows([[-0.5], [-0.7], [-0.4], [-8]])
const old = fromRows([[-0.6], [-0.6], [-0.5], [-0.3]])
const out = empo2Loss(numberNumeric)(lossSettings(paperPreset))({
  logProbs: now,
  oldLogProbs: old,
  tipFreeLogProbs: now,
  refLogProbs: old,
  advantages: fromRows(advantages.map((a) => [a])),
  responseMask: fromRows([[1], [1], [1], [1]]),
  offPolicy: fromRows([[0], [0], [0], [1]]),
  entropy: null
})
assert.equal(toScalar(out.maskedFraction), 0.25)
console.log(`loss ${toScalar(out.loss).toFixed(4)}, tokens clipped ${toScalar(out.clipFraction)}`)
