/**
 * The default text embedding: deterministic, model-free, reproducible bit for bit in any runtime
 * that has IEEE-754 doubles and 32-bit integer multiplication. It stands in for the sentence
 * embedding model of the authors' implementation (docs/method.md §7) wherever a model is not wanted
 * (tests, conformance vectors, CPU-only runs); the effect layer may supply a model with the same
 * {@link Embedder} type. Hashed word unigrams, bigrams and character n-grams, signed into three blocks
 * and normalised; text with a token never gives the zero vector (proofs/memory.md M1). The algorithm,
 * step by step as a port must follow it: docs/porting.md, "The embedding".
 *
 * @since 0.1.0
 */
import type { Embedding } from '../../spec/data.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A text embedder: any function from text to a vector of a fixed length. The default is
 * {@link embed}; a sentence-embedding model in the effect layer has the same type.
 *
 * @since 0.1.0
 * @category model
 */
export type Embedder = (text: string) => Embedding

/**
 * Options of the hashed embedding: `dimension` (`d ≥ 4`, the vector length) and `charNgram` (`n ≥ 1`,
 * the length of character n-grams).
 *
 * @since 0.1.0
 * @category model
 */
export interface EmbedOptions {
  readonly dimension: number
  readonly charNgram: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The default options: 256 dimensions, character 3-grams.
 *
 * @example
 * import { defaultEmbedOptions } from './embedding.ts'
 * assert.deepEqual(defaultEmbedOptions, { dimension: 256, charNgram: 3 })
 *
 * @since 0.1.0
 * @category presets
 */
export const defaultEmbedOptions: EmbedOptions = { dimension: 256, charNgram: 3 }

/**
 * The hashed embedding with the given options (the module's algorithm): a vector of length
 * `dimension`, of unit norm, or the zero vector when the text has no token. Bad options throw a
 * `RangeError` naming the option, when the embedder is made.
 *
 * @example
 * import { embedWith, norm } from './embedding.ts'
 * const e = embedWith({ dimension: 16, charNgram: 3 })('red bulb')
 * assert.equal(e.length, 16)
 * assert.ok(Math.abs(norm(e) - 1) < 1e-12)
 * assert.throws(() => embedWith({ dimension: 2, charNgram: 3 }), /dimension must be an integer ≥ 4, got 2/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const embedWith = (options: EmbedOptions): Embedder => {
  const d = options.dimension
  const n = options.charNgram
  if (!Number.isInteger(d) || d < 4) throw new RangeError(`embed: dimension must be an integer ≥ 4, got ${d}`)
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`embed: charNgram must be an integer ≥ 1, got ${n}`)
  const q = Math.floor(d / 4)
  // [offset, size] of the unigram, bigram and character n-gram blocks
  const blocks: ReadonlyArray<readonly [number, number]> = [
    [0, q],
    [q, q],
    [2 * q, d - 2 * q]
  ]
  return (text) => {
    const v = new Array<number>(d).fill(0)
    features(text, n).forEach((fs, k) => {
      const [offset, size] = blocks[k] as readonly [number, number]
      for (const f of fs) {
        const h = fnv1a32(f)
        const i = offset + (h % size)
        v[i] = (v[i] as number) + (h < 0x80000000 ? 1 : -1)
      }
    })
    const length = norm(v)
    return length === 0 ? v : v.map((x) => x / length)
  }
}

/**
 * The default embedding, {@link embedWith} {@link defaultEmbedOptions}: 256 dimensions, unit norm, the
 * zero vector for text without tokens.
 *
 * @example
 * import { embed, cosine } from './embedding.ts'
 * assert.ok(cosine(embed('turn on the red light bulb'), embed('turn on the red bulb')) > 0.5)
 * assert.ok(embed('!?').every((x) => x === 0))
 *
 * @since 0.1.0
 * @category constructors
 */
export const embed: Embedder = embedWith(defaultEmbedOptions)

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Cosine similarity `a·b / (‖a‖ ‖b‖)`, clamped to `[−1, 1]` against rounding; `0` when either vector
 * is zero (so the embedding of a text without tokens is similar to nothing, itself included).
 * Vectors must have the same length and finite entries (a `RangeError` names the first bad one).
 *
 * Each vector is first scaled by a power of two that brings its largest entry into `[½, 2)`: exact, so
 * the result is bit for bit the textbook formula's wherever that formula neither overflows nor
 * underflows, and stays right where it would (`[1e200]` or `[1e-200]` against itself give 1, not `NaN`
 * or 0).
 *
 * @example
 * import { cosine } from './embedding.ts'
 * assert.equal(cosine([1, 0], [0, 2]), 0)
 * assert.equal(cosine([3, 4], [6, 8]), 1)
 * assert.equal(cosine([0, 0], [0, 0]), 0)
 * assert.equal(cosine([1e200, 1e200], [1e-200, 1e-200]), 1)
 * assert.throws(() => cosine([1, NaN], [1, 0]), /cosine: a\[1\] is NaN/)
 *
 * @since 0.1.0
 * @category combinators
 */
export const cosine = (a: Embedding, b: Embedding): number => {
  if (a.length !== b.length) throw new RangeError(`cosine: lengths differ (${a.length} vs ${b.length})`)
  const ka = scaleExponent('cosine: a', a)
  const kb = scaleExponent('cosine: b', b)
  if (ka === null || kb === null) return 0
  let dot = 0
  let sa = 0
  let sb = 0
  for (let i = 0; i < a.length; i++) {
    const x = timesPow2(a[i] as number, ka)
    const y = timesPow2(b[i] as number, kb)
    dot += x * y
    sa += x * x
    sb += y * y
  }
  return Math.max(-1, Math.min(1, dot / (Math.sqrt(sa) * Math.sqrt(sb))))
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * FNV-1a 32-bit hash over the UTF-16 code units of `s`, as an unsigned integer in `[0, 2³²)`.
 * For ASCII strings this equals the standard FNV-1a of the bytes.
 *
 * @example
 * import { fnv1a32 } from './embedding.ts'
 * assert.equal(fnv1a32(''), 0x811c9dc5)
 * assert.equal(fnv1a32('a'), 0xe40c292c)
 * assert.equal(fnv1a32('foobar'), 0xbf9cf968)
 *
 * @since 0.1.0
 * @category utils
 */
export const fnv1a32 = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122)

/**
 * The tokens of a text: ASCII letters lowercased, every other code unit outside `[a-z0-9]` a
 * separator, maximal non-empty runs in order.
 *
 * @example
 * import { tokenize } from './embedding.ts'
 * assert.deepEqual(tokenize('Turn ON the red-light bulb!'), ['turn', 'on', 'the', 'red', 'light', 'bulb'])
 * assert.deepEqual(tokenize('café 42'), ['caf', '42'])
 * assert.deepEqual(tokenize('  ...  '), [])
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenize = (text: string): ReadonlyArray<string> => {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c >= 65 && c <= 90) c += 32
    if (isAlnum(c)) cur += String.fromCharCode(c)
    else if (cur !== '') {
      out.push(cur)
      cur = ''
    }
  }
  if (cur !== '') out.push(cur)
  return out
}

/**
 * The features of a text by namespace, before hashing (step 2 of the module's algorithm):
 * `[unigrams, bigrams, charNgrams]`.
 *
 * @example
 * import { features } from './embedding.ts'
 * assert.deepEqual(features('Red bulb', 3), [
 *   ['w|red', 'w|bulb'],
 *   ['b|red bulb'],
 *   ['c| re', 'c|red', 'c|ed ', 'c| bu', 'c|bul', 'c|ulb', 'c|lb ']
 * ])
 *
 * @since 0.1.0
 * @category utils
 */
export const features = (
  text: string,
  charNgram: number
): readonly [ReadonlyArray<string>, ReadonlyArray<string>, ReadonlyArray<string>] => {
  const tokens = tokenize(text)
  const words = tokens.map((w) => `w|${w}`)
  const bigrams = tokens.slice(1).map((w, i) => `b|${tokens[i] as string} ${w}`)
  const chars = tokens.flatMap((w) => {
    const padded = ` ${w} `
    if (padded.length < charNgram) return [`c|${padded}`]
    return Array.from(
      { length: padded.length - charNgram + 1 },
      (_, i) => `c|${padded.slice(i, i + charNgram)}`
    )
  })
  return [words, bigrams, chars]
}

/**
 * The Euclidean norm `‖x‖₂`, computed on `x` scaled by a power of two (exact) so that it neither
 * overflows nor underflows where the norm itself is representable. Entries must be finite.
 *
 * @example
 * import { norm } from './embedding.ts'
 * assert.equal(norm([3, 4]), 5)
 * assert.equal(norm([3e-200, 4e-200]), 5e-200)
 * assert.equal(norm([]), 0)
 *
 * @since 0.1.0
 * @category utils
 */
export const norm = (x: Embedding): number => {
  const k = scaleExponent('norm: x', x)
  if (k === null) return 0
  let s = 0
  for (const v of x) {
    const y = timesPow2(v, k)
    s += y * y
  }
  return timesPow2(Math.sqrt(s), -k)
}

// `k` such that `max |x_i| · 2^k` lies in about `[½, 2]`, or `null` for the zero vector; throws on a
// non-finite entry, naming it.
const scaleExponent = (what: string, x: Embedding): number | null => {
  let m = 0
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number
    if (!Number.isFinite(v)) throw new RangeError(`${what}[${i}] is ${v} (entries must be finite numbers)`)
    m = Math.max(m, Math.abs(v))
  }
  return m === 0 ? null : -Math.floor(Math.log2(m))
}

// `x · 2^k`, exact when no underflow: `2^k` is applied as two factors, so `|k|` up to 2046 is fine.
const timesPow2 = (x: number, k: number): number => {
  const h = Math.trunc(k / 2)
  return x * 2 ** h * 2 ** (k - h)
}

/**
 * An embedder that remembers the vectors it has computed (the same texts are embedded at every
 * retrieval and eviction). Same results as `embedder`.
 *
 * @example
 * import { memoEmbedder, embed } from './embedding.ts'
 * assert.deepEqual(memoEmbedder(embed)('a hall'), embed('a hall'))
 *
 * @since 0.1.0
 * @category combinators
 */
export const memoEmbedder = (embedder: Embedder): Embedder => {
  const seen = new Map<string, Embedding>()
  return (text) => {
    const hit = seen.get(text)
    if (hit !== undefined) return hit
    const v = embedder(text)
    seen.set(text, v)
    return v
  }
}
