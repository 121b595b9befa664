import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cosine, embed, embedWith, fnv1a32, norm, tokenize } from '../../src/core/memory/embedding.ts'
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
  'the embedding is deterministic: the same text gives the same vector, whatever was embedded before',
  [text, text, dimension, ngram],
  (s, other, d, n) => {
    const f = embedWith({ dimension: d, charNgram: n })
    const first = f(s)
    f(other) // an embedder keeps no state between calls
    assert.deepEqual(f(s), first)
    assert.deepEqual(embedWith({ dimension: d, charNgram: n })(s), first)
    assert.deepEqual(embed(s), embed(s.slice()))
  },
  {
    regressions: [
      ['a different text in between (state leaking between calls)', ['red bulb', 'go to hall', 16, 3]]
    ]
  }
)

property(
  'the embedding depends only on the token sequence (ASCII case and separators, non-ASCII included, do not matter)',
  [text],
  (s) => {
    assert.deepEqual(embed(s), embed(tokenize(s).join(' ')))
    // every code unit outside [A-Za-z0-9] is a separator, whatever tokenize does
    assert.deepEqual(embed(s), embed(s.replace(/[^A-Za-z0-9]+/g, ' ')))
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
    assert.ok(e.every(Number.isFinite))
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

// v and its scaled copy w have only normal (not subnormal) non-zero entries in the same places: the
// scaling then lost no relative precision (subnormals lose bits, underflow to 0 loses all)
const normal = (x: number): boolean => Math.abs(x) >= 2 ** -1022
const scaledExactly = (v: ReadonlyArray<number>, w: ReadonlyArray<number>): boolean =>
  v.every((x, i) => (x === 0 ? w[i] === 0 : normal(x) && normal(w[i] as number)))

property<[[number[], number[], number], number, number]>(
  'cosine is scale-invariant: cosine(a, c·a) = sign(c) and cosine(α·a, β·b) = sign(αβ)·cosine(a, b), at any magnitude',
  [vecPair, fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true })],
  ([a, b, c], alpha, beta) => {
    const s = (k: number, v: ReadonlyArray<number>): number[] => v.map((x) => k * x)
    const ca = s(c, a)
    if (a.some((x) => x !== 0) && scaledExactly(a, ca))
      assert.ok(close(cosine(a, ca), Math.sign(c), 1e-12, 1e-12), `cosine(a, ${c}·a) = ${cosine(a, ca)}`)
    const [sa, sb] = [s(alpha, a), s(beta, b)]
    if (scaledExactly(a, sa) && scaledExactly(b, sb)) {
      const base = cosine(a, b)
      assert.ok(close(cosine(sa, sb), base, 1e-9, 1e-9))
      assert.ok(close(cosine(s(-1, sa), sb), -base, 1e-9, 1e-9))
    }
  },
  {
    regressions: [
      ['a vector against twice itself', [[[3, 4], [1, 0], 2], 1, 1]],
      // found with seed 42: the squared norm underflowed to 0, so cosine(a, c·a) was 0
      [
        'tiny vectors whose squared norm underflows',
        [[[0, -1e-100, 0, 0], [0, 0, 0, 0], -1e-100], 0.01, 0.01]
      ],
      ['huge vectors whose dot product overflows', [[[1e200, 1e200], [1e200, 0], 1e100], 100, 100]]
    ]
  }
)

property(
  'cosine rejects a non-finite entry with an error naming it',
  [vecPair, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)],
  ([a, b], i, bad) => {
    const j = i % a.length
    const broken = a.map((x, k) => (k === j ? bad : x))
    assert.throws(() => cosine(broken, b), new RegExp(`cosine: a\\[${j}\\] is ${String(bad)}`))
    assert.throws(() => cosine(b, broken), new RegExp(`cosine: b\\[${j}\\] is ${String(bad)}`))
  },
  { numRuns: 30 }
)

property('cosine is 0 when either vector has zero norm', [vecPair], ([a]) => {
  const zero = a.map(() => 0)
  assert.equal(cosine(a, zero), 0)
  assert.equal(cosine(zero, a), 0)
})

property(
  'embedWith rejects a dimension that is not an integer ≥ 4 and a charNgram that is not an integer ≥ 1, naming the option',
  [
    fc.oneof(
      fc.integer({ min: -5, max: 3 }),
      fc.double({ min: 4.01, max: 9.99, noNaN: true }),
      fc.constant(NaN)
    ),
    fc.oneof(fc.integer({ min: -3, max: 0 }), fc.constant(1.5))
  ],
  (d, n) => {
    assert.throws(
      () => embedWith({ dimension: d, charNgram: 3 })('x'),
      /embed: dimension must be an integer ≥ 4/
    )
    assert.throws(
      () => embedWith({ dimension: 8, charNgram: n })('x'),
      /embed: charNgram must be an integer ≥ 1/
    )
  },
  { numRuns: 30 }
)
