/**
 * The transformer policy: sampling determinism, admissible-action constraint, agreement of sampled
 * and re-scored log-probs, padding/truncation invariance, and tfjs gradients of the model against
 * finite differences.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../../src/effects/tensor/backend.ts'
import {
  mkTransformer,
  paramShapes,
  scoreActions,
  scoreTensor,
  sampleActions,
  transformerPolicy,
  type TokenRow
} from '../../../src/effects/tensor/transformer.ts'
import {
  decodeModelConfig,
  defaultModelConfig,
  modelConfigOrThrow,
  type ModelConfig
} from '../../../src/spec/model.ts'
import { mkRng } from '../../../src/core/rng.ts'
import { actionTokens, byteTokenizer, specialTokens } from '../../../src/core/agent/tokenizer.ts'
import { close, property } from '../../support/property.ts'
import { tinyModelConfig } from '../../support/model.ts'

await selectBackend({ log: () => undefined })

const tinyConfig: ModelConfig = tinyModelConfig({
  initStd: 0.5, // large weights: peaked, prompt-dependent distributions, so mistakes are visible
  seed: 7
})
const model = mkTransformer(tinyConfig)
const policy = transformerPolicy(model)

const word = fc.string({ unit: fc.constantFrom(...'abcdefgh '.split('')), minLength: 1, maxLength: 6 })
const prompt = fc.string({ unit: 'grapheme', maxLength: 30 })

test('the default model config decodes and satisfies the cross-field rules', () => {
  assert.equal(decodeModelConfig(defaultModelConfig)._tag, 'Right')
  assert.equal(decodeModelConfig({ ...defaultModelConfig, maxNewTokens: 256 })._tag, 'Left')
})

property(
  'sampling is deterministic given the seed, and row i does not depend on the other rows',
  [prompt, prompt, fc.integer({ min: 0, max: 2 ** 31 - 1 })],
  (p, q, seed) => {
    const req = (text: string) => ({ prompt: text, maxTokens: 6, temperature: 1 })
    const a = sampleActions(model, [req(p), req(q)], mkRng(seed))
    const b = sampleActions(model, [req(p), req(q)], mkRng(seed))
    assert.deepEqual(a, b)
    const alone = sampleActions(model, [req(p)], mkRng(seed))
    assert.deepEqual(alone[0]?.tokens, a[0]?.tokens)
  },
  { numRuns: 15 }
)

property(
  'with admissible actions, a finished sample is exactly one of them (tokens end with EOS)',
  [
    prompt,
    fc.uniqueArray(word, { minLength: 1, maxLength: 5 }),
    fc.integer({ min: 0, max: 1000 }),
    fc.double({ min: 0.3, max: 3, noNaN: true })
  ],
  (p, admissible, seed, temperature) => {
    const [s] = sampleActions(model, [{ prompt: p, admissible, maxTokens: 16, temperature }], mkRng(seed))
    assert.ok(s !== undefined && s.finished)
    assert.ok(admissible.includes(s.text), `${JSON.stringify(s.text)} not in ${JSON.stringify(admissible)}`)
    assert.deepEqual(s.tokens, actionTokens(byteTokenizer)(s.text))
    // the sampling distribution is restricted to the trie: EOS after a complete action that prefixes
    // no other admissible action is forced (log-prob 0)
    s.samplingLogProbs.forEach((q) => assert.ok(q <= 1e-12))
    if (!admissible.some((a) => a !== s.text && a.startsWith(s.text)))
      assert.equal(s.samplingLogProbs[s.samplingLogProbs.length - 1], 0)
  },
  { numRuns: 25 }
)

property(
  'the log-probs recorded at sampling equal teacher-forced scoring of the same tokens (float32)',
  [prompt, fc.integer({ min: 0, max: 1000 }), fc.boolean()],
  (p, seed, constrained) => {
    const [s] = sampleActions(
      model,
      [
        {
          prompt: p,
          maxTokens: 8,
          temperature: 0.7,
          ...(constrained ? { admissible: ['look', 'go west'] } : {})
        }
      ],
      mkRng(seed)
    )
    const [scored] = scoreActions(model, [{ prompt: p, actionTokens: s?.tokens ?? [] }])
    s?.logProbs.forEach((lp, i) =>
      // float32 forward passes over different sequence lengths: ~1e-6 relative
      assert.ok(
        close(lp, scored?.[i] as number, 1e-4, 1e-4),
        `token ${i}: sampled ${lp} vs scored ${scored?.[i]}`
      )
    )
  },
  { numRuns: 20 }
)

const tokenRow = fc.record({
  prompt: fc.array(fc.integer({ min: 0, max: 260 }), { minLength: 1, maxLength: 60 }),
  action: fc.array(fc.integer({ min: 0, max: 260 }), { minLength: 1, maxLength: 16 })
})

property(
  'scoring a row alone or among other rows (right padding) gives the same log-probs; prompts are left-truncated',
  [tokenRow, fc.array(tokenRow, { maxLength: 3 })],
  (row, others) => {
    const lp = (rows: ReadonlyArray<TokenRow>, i: number): number[] =>
      tf.tidy(() => {
        const s = scoreTensor(model, rows)
        return Array.from(s.logProbs.dataSync()).slice(
          i * s.logProbs.shape[1],
          i * s.logProbs.shape[1] + (rows[i] as TokenRow).action.length
        )
      })
    const alone = lp([row], 0)
    const mixed = lp([...others, row], others.length)
    alone.forEach((x, i) => assert.ok(close(x, mixed[i] as number, 1e-5, 1e-5)))
    const budget = tinyConfig.contextLength - tinyConfig.maxNewTokens
    const cut = lp([{ prompt: row.prompt.slice(-budget), action: row.action }], 0)
    assert.deepEqual(cut, alone)
  },
  { numRuns: 25 }
)

test('per-token log-probs are a distribution: Σ over the vocabulary of exp(log-prob) is 1', () => {
  const V = tinyConfig.vocabSize
  const rows = Array.from({ length: V }, (_, v) => ({
    prompt: [specialTokens.bos, 104, 105, specialTokens.sep],
    action: [v]
  }))
  const total = tf.tidy(() => tf.sum(tf.exp(scoreTensor(model, rows).logProbs)).dataSync()[0] as number)
  assert.ok(close(total, 1, 1e-4, 0), `Σ p = ${total}`)
})

property(
  'tfjs gradients of the model equal central finite differences along a random direction',
  [fc.integer({ min: 0, max: 1000 })],
  (seed) => {
    // a float32 model, so: a small model, a step of 1e-2 along a unit direction, and 2 % tolerance
    const cfg: ModelConfig = modelConfigOrThrow({ ...tinyConfig, width: 8, heads: 2, initStd: 0.3, seed })
    const m = mkTransformer(cfg)
    const rows: TokenRow[] = [
      { prompt: [257, 1 + (seed % 200), 2, 259], action: [5, 6, 258] },
      { prompt: [257, 9, 259], action: [7, 258] }
    ]
    const vars = m.params.map((p) => p.variable)
    const f = (): tf.Scalar => {
      const s = scoreTensor(m, rows, true)
      return tf.add<tf.Scalar>(tf.sum(s.logProbs), tf.mul(0.3, tf.sum(s.entropy as tf.Tensor)))
    }
    try {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(f, vars)
        const dirs = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', seed * 31 + i))
        const norm = Math.sqrt(dirs.reduce((a, d) => a + (tf.sum(tf.square(d)).dataSync()[0] as number), 0))
        const analytic =
          vars.reduce(
            (a, v, i) =>
              a + (tf.sum(tf.mul(grads[v.name] as tf.Tensor, dirs[i] as tf.Tensor)).dataSync()[0] as number),
            0
          ) / norm
        const h = 1e-2
        const orig = vars.map((v) => tf.clone(v))
        const at = (t: number): number => {
          vars.forEach((v, i) =>
            v.assign(tf.add(orig[i] as tf.Tensor, tf.mul(dirs[i] as tf.Tensor, t / norm)))
          )
          return f().dataSync()[0] as number
        }
        const numeric = (at(h) - at(-h)) / (2 * h)
        vars.forEach((v, i) => v.assign(orig[i] as tf.Tensor))
        assert.ok(
          close(analytic, numeric, 2e-2, 2e-3),
          `analytic ${analytic} vs finite difference ${numeric}`
        )
      })
    } finally {
      m.params.forEach((p) => p.variable.dispose())
    }
  },
  { numRuns: 6 }
)

test('the policy interface: batched sample, score, generate; info reports the model', async () => {
  const out = await policy.sample(
    [
      { prompt: 'a', maxTokens: 3, temperature: 1 },
      { prompt: 'b', admissible: ['x'], maxTokens: 3, temperature: 1 }
    ],
    mkRng(1)
  )
  assert.equal(out.length, 2)
  assert.equal(out[1]?.text, 'x')
  const sc = await policy.score([{ prompt: 'a', actionTokens: out[0]?.tokens ?? [] }])
  assert.equal(sc[0]?.length, out[0]?.tokens.length)
  const tips = await policy.generate([{ prompt: 'summarise', maxTokens: 5, temperature: 1 }], mkRng(2))
  assert.ok((tips[0]?.tokens.length ?? 0) <= 5)
  assert.equal(
    policy.info.parameterCount,
    paramShapes(tinyConfig).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0)
  )
  assert.throws(
    () => sampleActions(model, [{ prompt: 'a', maxTokens: 99, temperature: 1 }], mkRng(0)),
    /maxTokens/
  )
})
