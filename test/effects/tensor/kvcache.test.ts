/**
 * The key/value cache of the sampler: cached decoding equals the uncached reference (a full forward
 * pass per token) on mixed batches, sampled tokens re-score to the recorded log-probs, finished rows
 * cost no pass, and no tensor outlives a sampling call (also when it throws half-way).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import {
  mkTransformer,
  sampleActions,
  scoreActions,
  transformerPolicy,
  type SamplingPass
} from '../../../src/effects/tensor/transformer.ts'
import type { ModelConfig } from '../../../src/spec/model.ts'
import type { SampleRequest } from '../../../src/core/agent/policy.ts'
import { mkRng } from '../../../src/core/rng.ts'
import { close, property } from '../../support/property.ts'
import { tinyModelConfig } from '../../support/model.ts'

await selectBackend({ log: () => undefined })

// two blocks (the cache of a later block is fed by the cached outputs of an earlier one), a context
// short enough that the arbitrary prompts below are often left-truncated
const config: ModelConfig = tinyModelConfig({
  depth: 2,
  initStd: 0.5, // large weights: peaked, position-dependent distributions, so mistakes are visible
  seed: 11
})
const model = mkTransformer(config)

const word = fc.string({ unit: fc.constantFrom(...'abcde '.split('')), minLength: 1, maxLength: 5 })
const request: fc.Arbitrary<SampleRequest> = fc.record(
  {
    // 0 … 40 characters: prompts of 2 … 42 tokens against a budget of 24 (size 'max': ~40 % of them are
    // truncated), so both padding and truncation occur within a batch
    prompt: fc.string({ unit: fc.constantFrom(...'abcdefgh ?'.split('')), maxLength: 40, size: 'max' }),
    admissible: fc.uniqueArray(word, { minLength: 1, maxLength: 6 }),
    maxTokens: fc.integer({ min: 1, max: 16 }),
    temperature: fc.double({ min: 0.3, max: 3, noNaN: true })
  },
  { requiredKeys: ['prompt', 'maxTokens', 'temperature'] }
)
const batch = fc.array(request, { minLength: 1, maxLength: 5 })
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })

// Tolerance of cached vs uncached log-probs: both paths evaluate the same expressions in float32; they
// differ only in the shapes handed to the matmul/softmax kernels (one query position against S cached
// slots, vs L positions against L), hence in summation order: a few ulps (2^-24 ≈ 6e-8 relative) per
// op, through 2 blocks. Measured on 2332 rows (9890 tokens) of these arbitraries: ≤ 4.4e-6 for
// logProbs (|logProbs| ≤ 12.5), ≤ 9.3e-6 for samplingLogProbs (temperature ≥ 0.3 scales logit
// errors by 1/T); no token differed. Allowed: 1e-4 + 1e-5·|x|, ≥ 10× the measured worst case.
const RTOL = 1e-5
const ATOL = 1e-4

property<[SampleRequest[], number]>(
  'cached decoding gives the same tokens and per-token logProbs / samplingLogProbs as the uncached path (float32), on mixed batches',
  [batch, seed],
  (reqs, s) => {
    const cached = sampleActions(model, reqs, mkRng(s))
    const uncached = sampleActions(model, reqs, mkRng(s), { kvCache: false })
    cached.forEach((c, i) => {
      const u = uncached[i]
      assert.ok(u !== undefined)
      assert.deepEqual(c.tokens, u.tokens, `row ${i}: tokens differ`)
      assert.equal(c.finished, u.finished)
      assert.equal(c.text, u.text)
      // the first token comes from the prefill, the very computation of the uncached first pass
      assert.equal(c.logProbs[0], u.logProbs[0], `row ${i}: first log-prob not bit-identical`)
      c.logProbs.forEach((x, t) =>
        assert.ok(
          close(x, u.logProbs[t] as number, RTOL, ATOL),
          `row ${i} token ${t}: ${x} vs ${u.logProbs[t]}`
        )
      )
      c.samplingLogProbs.forEach((x, t) =>
        assert.ok(
          close(x, u.samplingLogProbs[t] as number, RTOL, ATOL),
          `row ${i} token ${t}: sampling ${x} vs ${u.samplingLogProbs[t]}`
        )
      )
    })
  },
  {
    numRuns: 60,
    regressions: [
      [
        'prompts of 2, 9 and 42 tokens (one truncated); free and constrained rows',
        [
          [
            { prompt: '', maxTokens: 16, temperature: 1 },
            { prompt: 'abc ?defg', admissible: ['a', 'ab', 'b c'], maxTokens: 16, temperature: 0.5 },
            { prompt: 'abcdefgh ?'.repeat(4), maxTokens: 7, temperature: 2 }
          ],
          3
        ]
      ]
    ]
  }
)

property(
  'a token sampled with the cache gets its recorded log-prob when the batch is re-scored teacher-forced (float32)',
  [batch, seed],
  (reqs, s) => {
    const out = sampleActions(model, reqs, mkRng(s))
    const scored = scoreActions(
      model,
      reqs.map((r, i) => ({ prompt: r.prompt, actionTokens: out[i]?.tokens ?? [] }))
    )
    out.forEach((o, i) =>
      o.logProbs.forEach((x, t) =>
        assert.ok(
          close(x, scored[i]?.[t] as number, RTOL, ATOL),
          `row ${i} token ${t}: sampled ${x} vs scored ${scored[i]?.[t]}`
        )
      )
    )
  },
  { numRuns: 30 }
)

property(
  'the cached sampler runs one prefill, then one single-position pass per further token over exactly the rows still running, and none once all are finished',
  [batch, seed],
  (reqs, s) => {
    const passes: SamplingPass[] = []
    sampleActions(model, reqs, mkRng(s), { onPass: (p) => passes.push(p) })
    // the expected work is read off the reference path's samples (same tokens, by the law above)
    const lengths = sampleActions(model, reqs, mkRng(s), { kvCache: false }).map((o) => o.tokens.length)
    const budget = config.contextLength - config.maxNewTokens
    assert.deepEqual(passes, [
      {
        kind: 'prefill',
        rows: reqs.length,
        positions: Math.max(...reqs.map((r) => Math.min(r.prompt.length + 2, budget)))
      },
      ...Array.from({ length: Math.max(...lengths) - 1 }, (_, j) => ({
        kind: 'step',
        rows: lengths.filter((n) => n > j + 1).length,
        positions: 1
      }))
    ])
  },
  { numRuns: 40 }
)

test('no leaks: the live-tensor count returns to its baseline after cached, uncached and failing sampling', async () => {
  const reqs: SampleRequest[] = [
    { prompt: 'hello there', maxTokens: 6, temperature: 1 },
    { prompt: 'x', admissible: ['ab', 'abc', 'b'], maxTokens: 6, temperature: 0.7 },
    { prompt: 'a much longer prompt that is truncated', maxTokens: 2, temperature: 1.5 }
  ]
  const base = tf.memory().numTensors
  sampleActions(model, reqs, mkRng(1))
  assert.equal(tf.memory().numTensors, base, 'after cached sampling')
  sampleActions(model, reqs, mkRng(1), { kvCache: false })
  assert.equal(tf.memory().numTensors, base, 'after uncached sampling')
  await transformerPolicy(model).generate([{ prompt: 'tip', maxTokens: 5, temperature: 1 }], mkRng(2))
  assert.equal(tf.memory().numTensors, base, 'after generate')
  // a failure between decoding steps (here: the probe throws after the 2nd pass) frees the cache
  let n = 0
  const boom = (): void => {
    if (++n === 2) throw new Error('boom')
  }
  assert.throws(() => sampleActions(model, reqs, mkRng(1), { onPass: boom }), /boom/)
  assert.equal(tf.memory().numTensors, base, 'after a sampling call that threw between steps')
})

test('bad sampling requests are rejected with a message naming the request and the field', () => {
  const ok: SampleRequest = { prompt: 'a', maxTokens: 2, temperature: 1 }
  assert.throws(
    () => sampleActions(model, [ok, { ...ok, temperature: 0 }], mkRng(0)),
    /request 1: temperature/
  )
  assert.throws(() => sampleActions(model, [{ ...ok, maxTokens: 0 }], mkRng(0)), /request 0: maxTokens/)
  assert.throws(() => sampleActions(model, [{ ...ok, admissible: [] }], mkRng(0)), /request 0: admissible/)
  assert.deepEqual(sampleActions(model, [], mkRng(0)), [])
})
