import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cosine, embed, embedWith, fnv1a32, norm, tokenize } from '../../src/core/embedding.ts'
import { close, property } from '../support/property.ts'

// Texts: arbitrary ASCII strings, arbitrary UTF-16 strings (non-ASCII must act as separators), and
// sentences over a small vocabulary (so repeated words and shared n-grams are common).
const vocab = ['turn', 'on', 'the', 'red', 'light', 'bulb', 'go', 'to', 'hall', 'A', 'Z9', 'x']
const sentence = fc
  .array(fc.tuple(fc.constantFrom(...vocab), fc.constantFrom(' ', '  ', ', ', '-', '\n', '!é ')), {
    maxLength: 12
  })
  .map((ws) => ws.map(([w, sep]) => w + sep).join(''))
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), sentence)
// dimensions from the smallest allowed (4, where collisions are frequent) to a few hundred
const dimension = fc.integer({ min: 4, max: 300 })
const ngram = fc.integer({ min: 1, max: 5 })
// vectors for cosine: bounded magnitudes (±1e3) keep dot products far from overflow
const vecPair = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n }),
      fc.double({ min: -1e3, max: 1e3, noNaN: true })
    )
  )

test('FNV-1a 32-bit matches the published test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5)
  assert.equal(fnv1a32('a'), 0xe40c292c)
  assert.equal(fnv1a32('foobar'), 0xbf9cf968)
})

test('golden: the default embedding of a fixed sentence is unchanged (ports reproduce it)', () => {
  // 32 features (6 unigrams, 5 bigrams, 21 character 3-grams); two pairs collide with opposite signs
  // and cancel, leaving 28 entries of ±1 in the raw vector, hence ±1/√28 after normalisation.
  const e = embed('Turn on the red light bulb')
  const nz = e.flatMap((v, i) => (v === 0 ? [] : [[i, Math.sign(v)]]))
  assert.deepEqual(nz, [
    [5, -1],
    [23, -1],
    [34, -1],
    [61, 1],
    [65, -1],
    [66, -1],
    [100, 1],
    [130, 1],
    [137, 1],
    [145, 1],
    [146, 1],
    [147, 1],
    [155, -1],
    [161, 1],
    [173, 1],
    [176, -1],
    [179, 1],
    [185, 1],
    [187, 1],
    [193, 1],
    [195, -1],
    [201, -1],
    [214, 1],
    [215, 1],
    [226, 1],
    [246, 1],
    [249, -1],
    [253, -1]
  ])
  assert.ok(e.every((v) => v === 0 || close(Math.abs(v), 1 / Math.sqrt(28), 1e-12, 0)))
})

property(
  'the embedding is deterministic: the same text always gives the same vector',
  [text, dimension],
  (s, d) => {
    const f = embedWith({ dimension: d, charNgram: 3 })
    assert.deepEqual(f(s), f(`${s}`))
    assert.deepEqual(embed(s), embed(s.slice()))
  }
)

property(
  'the embedding depends only on the token sequence (case and separators do not matter)',
  [text],
  (s) => {
    assert.deepEqual(embed(s), embed(tokenize(s).join(' ')))
    // ASCII case only: the tokenizer maps A–Z, nothing else (toUpperCase would turn 'ß' into 'SS')
    const upper = s.replace(/[a-z]/g, (c) => c.toUpperCase())
    const lower = s.replace(/[A-Z]/g, (c) => c.toLowerCase())
    assert.deepEqual(embed(upper), embed(lower))
  },
  { numRuns: 60 }
)

property(
  'the embedding has unit norm when the text has a token, and is the zero vector otherwise',
  [text, dimension, ngram],
  (s, d, n) => {
    const e = embedWith({ dimension: d, charNgram: n })(s)
    assert.equal(e.length, d)
    // 1e-12: a sum of ≤ 300 squares of normalised values, each rounding ≤ 2⁻⁵³ relative
    if (tokenize(s).length > 0) assert.ok(close(norm(e), 1, 1e-12, 1e-12), `norm ${norm(e)}`)
    else assert.ok(e.every((x) => x === 0))
  }
)

property(
  'cosine(x, x) = 1 for every text with a token, at every dimension ≥ 4',
  [text, dimension, ngram],
  (s, d, n) => {
    fc.pre(tokenize(s).length > 0)
    const e = embedWith({ dimension: d, charNgram: n })(s)
    assert.ok(close(cosine(e, e), 1, 1e-12, 1e-12), `cosine ${cosine(e, e)}`)
  },
  { regressions: [['one short token at the smallest dimension', ['a', 4, 3]]] }
)

property(
  'cosine is symmetric and lies in [−1, 1] (also for parallel and anti-parallel vectors)',
  [vecPair],
  ([a, b, c]) => {
    const scaled = a.map((x) => c * x)
    for (const [u, v] of [
      [a, b],
      [a, scaled],
      [a, a]
    ] as const) {
      const x = cosine(u, v)
      assert.equal(x, cosine(v, u))
      assert.ok(x >= -1 && x <= 1, `cosine ${x}`)
    }
  }
)

property('cosine is 0 when either vector has zero norm', [vecPair], ([a]) => {
  const zero = a.map(() => 0)
  assert.equal(cosine(a, zero), 0)
  assert.equal(cosine(zero, a), 0)
})
