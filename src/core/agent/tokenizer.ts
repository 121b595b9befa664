/**
 * The tokenizer of the policy model, pure so that a port can reproduce every token id.
 *
 * Ids `0..255` are the UTF-8 bytes, so any text an environment can produce is encodable (there is no
 * out-of-vocabulary input). Five special ids follow: `PAD 256`, `BOS 257` (start of a prompt),
 * `EOS 258` (end of an action or a tip), `SEP 259` (end of the prompt, the action starts after it),
 * `UNK 260` (decoded as U+FFFD; also what any id outside the vocabulary decodes to). Optional
 * multi-byte `pieces` (ids `261, 262, …` in list order) are matched greedily, longest first, on the
 * UTF-8 bytes; {@link learnPieces} builds such a list deterministically from a corpus. With no
 * pieces this is a plain byte-level tokenizer (the default). Text is well-formed Unicode: a lone
 * surrogate in a JavaScript string is encoded as U+FFFD, as `TextEncoder` does.
 *
 * @since 0.1.0
 */
import type { TokenizerConfig } from '../../spec/model.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A tokenizer: its serialisable config, its number of ids, and the two directions.
 *
 * @since 0.1.0
 * @category model
 */
export interface Tokenizer {
  readonly config: TokenizerConfig
  /** Number of ids: `261 + pieces.length`. */
  readonly size: number
  /** Text → ids (no specials added). */
  readonly encode: (text: string) => ReadonlyArray<number>
  /** Ids → text; special ids are dropped except UNK, which (like any unknown id) becomes U+FFFD. */
  readonly decode: (ids: ReadonlyArray<number>) => string
}

/**
 * The special token ids.
 *
 * @example
 * import { specialTokens } from './tokenizer.ts'
 * assert.equal(specialTokens.eos, 258)
 *
 * @since 0.1.0
 * @category constructors
 */
export const specialTokens = { pad: 256, bos: 257, eos: 258, sep: 259, unk: 260 } as const

/**
 * The first id of the pieces: `261`.
 *
 * @example
 * import { firstPieceId } from './tokenizer.ts'
 * assert.equal(firstPieceId, 261)
 *
 * @since 0.1.0
 * @category constructors
 */
export const firstPieceId = 261

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

interface Trie {
  readonly next: Map<number, Trie>
  id: number | null
}

const utf8 = new TextEncoder()
const REPLACEMENT = [0xef, 0xbf, 0xbd] as const

/**
 * The tokenizer of a config.
 *
 * @example
 * import { mkTokenizer } from './tokenizer.ts'
 * const tok = mkTokenizer({ kind: 'bytePieces', pieces: [' the'] })
 * assert.deepEqual(tok.encode('a the'), [97, 261])
 * assert.equal(tok.decode(tok.encode('héllo ✓ the')), 'héllo ✓ the')
 *
 * @since 0.1.0
 * @category constructors
 */
export const mkTokenizer = (config: TokenizerConfig): Tokenizer => {
  const root: Trie = { next: new Map(), id: null }
  const pieceBytes: ReadonlyArray<Uint8Array> = config.pieces.map((p) => utf8.encode(p))
  pieceBytes.forEach((bytes, i) => {
    if (bytes.length < 2) return // a single byte is already its own id
    let node = root
    for (const b of bytes) {
      let child = node.next.get(b)
      if (child === undefined) {
        child = { next: new Map(), id: null }
        node.next.set(b, child)
      }
      node = child
    }
    if (node.id === null) node.id = firstPieceId + i // the first occurrence of a duplicate wins
  })
  const size = firstPieceId + config.pieces.length
  const encode = (text: string): ReadonlyArray<number> => {
    const bytes = utf8.encode(text)
    const out: number[] = []
    let i = 0
    while (i < bytes.length) {
      // longest piece starting at i, else the byte itself
      let node: Trie | undefined = root
      let best = bytes[i] as number
      let bestLen = 1
      for (let j = i; j < bytes.length && node !== undefined; j++) {
        node = node.next.get(bytes[j] as number)
        if (node !== undefined && node.id !== null && j - i + 1 > bestLen) {
          best = node.id
          bestLen = j - i + 1
        }
      }
      out.push(best)
      i += bestLen
    }
    return out
  }
  const decode = (ids: ReadonlyArray<number>): string => {
    const bytes: number[] = []
    for (const id of ids) {
      if (Number.isInteger(id) && id >= 0 && id < 256) bytes.push(id)
      else if (id >= firstPieceId && id < size && Number.isInteger(id))
        bytes.push(...(pieceBytes[id - firstPieceId] as Uint8Array))
      else if (
        id === specialTokens.pad ||
        id === specialTokens.bos ||
        id === specialTokens.eos ||
        id === specialTokens.sep
      )
        continue
      else bytes.push(...REPLACEMENT)
    }
    return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes))
  }
  return { config, size, encode, decode }
}

/**
 * The plain byte-level tokenizer (no pieces): 261 ids.
 *
 * @example
 * import { byteTokenizer } from './tokenizer.ts'
 * assert.deepEqual(byteTokenizer.encode('hi'), [104, 105])
 *
 * @since 0.1.0
 * @category constructors
 */
export const byteTokenizer: Tokenizer = mkTokenizer({ kind: 'bytePieces', pieces: [] })

/**
 * Up to `maxPieces` pieces learnt from a corpus, deterministically: the corpus is split into words
 * with their leading space (`/ ?[^\s]+/gu`); words of at least 2 UTF-8 bytes seen at least
 * `minCount` times are ranked by the bytes they save, `count·(length − 1)`, ties broken by the
 * word's code-point order.
 *
 * @example
 * import { learnPieces } from './tokenizer.ts'
 * assert.deepEqual(learnPieces(['go north', 'go south', 'go north'], 2, 2).pieces, [' north', 'go'])
 *
 * @since 0.1.0
 * @category constructors
 */
export const learnPieces = (
  corpus: ReadonlyArray<string>,
  maxPieces: number,
  minCount = 2
): TokenizerConfig => {
  const counts = new Map<string, number>()
  for (const text of corpus)
    for (const m of text.matchAll(/ ?[^\s]+/gu)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1)
  const ranked = [...counts.entries()]
    .map(([w, c]) => ({ w, c, save: c * (utf8.encode(w).length - 1) }))
    .filter((x) => x.c >= minCount && x.save >= x.c)
    .sort((a, b) => b.save - a.save || (a.w < b.w ? -1 : a.w > b.w ? 1 : 0))
  return { kind: 'bytePieces', pieces: ranked.slice(0, Math.max(0, maxPieces)).map((x) => x.w) }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The token ids of a prompt: `BOS, encode(text)…, SEP`. The action's tokens follow `SEP`.
 *
 * @example
 * import { byteTokenizer, promptTokens } from './tokenizer.ts'
 * assert.deepEqual(promptTokens(byteTokenizer)('a'), [257, 97, 259])
 *
 * @since 0.1.0
 * @category combinators
 */
export const promptTokens =
  (tok: Tokenizer) =>
  (text: string): ReadonlyArray<number> => [specialTokens.bos, ...tok.encode(text), specialTokens.sep]

/**
 * The token ids of a complete action: `encode(text)…, EOS`.
 *
 * @example
 * import { byteTokenizer, actionTokens } from './tokenizer.ts'
 * assert.deepEqual(actionTokens(byteTokenizer)('go'), [103, 111, 258])
 *
 * @since 0.1.0
 * @category combinators
 */
export const actionTokens =
  (tok: Tokenizer) =>
  (text: string): ReadonlyArray<number> => [...tok.encode(text), specialTokens.eos]

/**
 * Keep the last `n` tokens (left truncation, used to fit a prompt in the context).
 *
 * @example
 * import { leftTruncate } from './tokenizer.ts'
 * assert.deepEqual(leftTruncate(2)([1, 2, 3]), [2, 3])
 *
 * @since 0.1.0
 * @category combinators
 */
export const leftTruncate =
  (n: number) =>
  (ids: ReadonlyArray<number>): ReadonlyArray<number> =>
    ids.length <= n ? ids : ids.slice(ids.length - Math.max(0, n))
