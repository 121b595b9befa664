/**
 * Optimisation, leaks, checkpoints: Adam with clipping against a float64 reference; the live-tensor
 * count returns to its baseline after a training step, a rollout step and a failing step; checkpoints
 * round-trip exactly and corrupt, truncated or mismatched ones are rejected with a clear message.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import {
  mkTransformer,
  scoreActions,
  scoreTensor,
  transformerPolicy,
  type TokenRow,
  type Transformer
} from '../../../src/effects/tensor/transformer.ts'
import {
  adamStep,
  mkAdam,
  trainEpochs,
  disposeAdam,
  type AdamSettings
} from '../../../src/effects/tensor/optimizer.ts'
import { loadCheckpoint, restoreAdam, saveCheckpoint } from '../../../src/effects/tensor/checkpoint.ts'
import { modelConfigOrThrow, type ModelConfig } from '../../../src/spec/model.ts'
import { mkRng } from '../../../src/core/rng.ts'
import { close, property } from '../../support/property.ts'
import { tinyModelConfig } from '../../support/model.ts'

await selectBackend({ log: () => undefined })

const cfg: ModelConfig = tinyModelConfig({ seed: 3 })
const settings: AdamSettings = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradClip: 1 }
const rows = [
  { prompt: [257, 104, 105, 259], action: [111, 107, 258] },
  { prompt: [257, 120, 259], action: [110, 258] }
]
const nll =
  (m: Transformer, rs: ReadonlyArray<TokenRow> = rows) =>
  (): tf.Scalar =>
    tf.neg(tf.sum(scoreTensor(m, rs).logProbs)) as tf.Scalar

// a float64 Adam with global-norm clipping (torch.optim.Adam + clip_grad_norm_)
const refAdam = (x0: number[], grads: number[][], s: AdamSettings): number[] => {
  const x = [...x0]
  const m = x.map(() => 0)
  const v = x.map(() => 0)
  grads.forEach((g0, k) => {
    const t = k + 1
    const norm = Math.sqrt(g0.reduce((a, g) => a + g * g, 0))
    const scale = s.gradClip === null ? 1 : Math.min(1, s.gradClip / (norm + 1e-6))
    g0.forEach((gi, i) => {
      const g = gi * scale
      m[i] = s.beta1 * (m[i] as number) + (1 - s.beta1) * g
      v[i] = s.beta2 * (v[i] as number) + (1 - s.beta2) * g * g
      const mhat = m[i] / (1 - s.beta1 ** t)
      const vhat = v[i] / (1 - s.beta2 ** t)
      x[i] = (x[i] as number) - (s.learningRate * mhat) / (Math.sqrt(vhat) + s.epsilon)
    })
  })
  return x
}

property(
  'Adam with gradient-norm clipping matches a float64 reference over several steps',
  [
    fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }).chain((x0) =>
      fc.tuple(
        fc.constant(x0),
        fc.array(
          fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
            minLength: x0.length,
            maxLength: x0.length
          }),
          { minLength: 1, maxLength: 4 }
        )
      )
    ),
    fc.oneof(fc.constant(null), fc.double({ min: 0.1, max: 10, noNaN: true }))
  ],
  ([x0, cs], gradClip) => {
    // loss_k(x) = Σ c_k·x: its gradient at every x is c_k
    const s = { ...settings, gradClip }
    const x = tf.variable(tf.tensor1d(x0.map(Math.fround)))
    const opt = mkAdam([x], s)
    const cv = cs.map((c) => c.map(Math.fround))
    for (const c of cv) adamStep(opt, () => tf.sum<tf.Scalar>(tf.mul(x, tf.tensor1d(c))))
    const got = Array.from(x.dataSync())
    const want = refAdam(x0.map(Math.fround), cv, s)
    x.dispose()
    disposeAdam(opt)
    // float32 parameters: each step moves by ≤ lr, rounded at ~6e-8 relative
    got.forEach((g, i) => assert.ok(close(g, want[i] as number, 1e-5, 1e-5), `x[${i}]: ${g} vs ${want[i]}`))
  },
  { numRuns: 50 }
)

test('no leaks: the live-tensor count returns to its baseline after training, rollout, and a failing step', async () => {
  const m = mkTransformer(cfg)
  const opt = mkAdam(
    m.params.map((p) => p.variable),
    settings
  )
  const policy = transformerPolicy(m)
  const base = tf.memory().numTensors
  trainEpochs(opt, rows, { epochs: 2, miniBatchSize: 1 }, mkRng(0), (mb) => nll(m, mb)())
  assert.equal(tf.memory().numTensors, base, 'after a training step')
  await policy.sample(
    [
      { prompt: 'hello', maxTokens: 5, temperature: 1 },
      { prompt: 'x', admissible: ['a', 'b'], maxTokens: 5, temperature: 1 }
    ],
    mkRng(1)
  )
  await policy.score([{ prompt: 'hello', actionTokens: [1, 2, 3] }])
  await policy.generate([{ prompt: 'tip', maxTokens: 4, temperature: 1 }], mkRng(2))
  assert.equal(tf.memory().numTensors, base, 'after a rollout step')
  assert.throws(() =>
    adamStep(opt, () => {
      tf.sum(scoreTensor(m, rows).logProbs)
      throw new Error('boom')
    })
  )
  assert.equal(tf.memory().numTensors, base, 'after a step that threw')
  disposeAdam(opt)
  m.params.forEach((p) => p.variable.dispose())
})

test('a checkpoint round-trips: identical outputs and optimiser state; the write is atomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-ckpt-'))
  const path = join(dir, 'model.ckpt')
  const m = mkTransformer(cfg)
  const opt = mkAdam(
    m.params.map((p) => p.variable),
    settings
  )
  adamStep(opt, nll(m))
  saveCheckpoint(path, m, opt)
  assert.deepEqual(readdirSync(dir), ['model.ckpt'], 'no temporary file left behind')
  const loaded = loadCheckpoint(path, cfg)
  const req = [{ prompt: 'hi there', actionTokens: [111, 107, 258] }]
  assert.deepEqual(scoreActions(loaded.model, req), scoreActions(m, req))
  assert.ok(loaded.optimizer !== null)
  const opt2 = restoreAdam(loaded.model, loaded.optimizer)
  assert.equal(opt2.step, 1)
  // one more identical step on both gives identical weights
  adamStep(opt, nll(m))
  adamStep(opt2, nll(loaded.model))
  m.params.forEach((p, i) =>
    assert.deepEqual(loaded.model.params[i]?.variable.dataSync(), p.variable.dataSync())
  )
  ;[m, loaded.model].forEach((x) => x.params.forEach((p) => p.variable.dispose()))
  disposeAdam(opt)
  disposeAdam(opt2)
})

test('corrupt, truncated and mismatched checkpoints are rejected with a message naming the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-ckpt-'))
  const path = join(dir, 'model.ckpt')
  const m = mkTransformer(cfg)
  saveCheckpoint(path, m)
  const text = readFileSync(path, 'utf8')
  const bad = join(dir, 'bad.ckpt')
  writeFileSync(bad, text.slice(0, text.length - 100))
  assert.throws(() => loadCheckpoint(bad), /truncated/)
  const k = text.length - 200
  writeFileSync(bad, text.slice(0, k) + (text[k] === 'A' ? 'B' : 'A') + text.slice(k + 1))
  assert.throws(() => loadCheckpoint(bad), /checksum mismatch/)
  writeFileSync(bad, 'hello\nworld')
  assert.throws(() => loadCheckpoint(bad), /header line is not JSON/)
  assert.throws(
    () => loadCheckpoint(path, modelConfigOrThrow({ ...cfg, width: 32, heads: 2 })),
    /model config mismatch: width: checkpoint has 16, expected 32/
  )
  assert.throws(() => loadCheckpoint(join(dir, 'missing.ckpt')), /cannot read it/)
  m.params.forEach((p) => p.variable.dispose())
})
