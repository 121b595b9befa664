import assert from 'node:assert/strict'
import fc from 'fast-check'
import { property } from '../support/property.ts'
import {
  byteTokenizer,
  firstPieceId,
  leftTruncate,
  learnPieces,
  mkTokenizer,
  promptTokens,
  specialTokens
} from '../../src/core/agent/tokenizer.ts'

// Well-formed Unicode text (no lone surrogates): either any graphemes (multi-byte, astral), or text
// over a small alphabet of 1- to 4-byte characters, so that pieces drawn from the same alphabet
// actually match (random pieces almost never occur in random text) and words repeat in a corpus.
const alphabet = fc.constantFrom('a', 'b', ' ', 'é', '✓', '😀')
const smallText = fc.string({ unit: alphabet, maxLength: 40 })
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), smallText)
const pieceList = fc.array(
  fc.oneof(
    fc.string({ unit: alphabet, minLength: 1, maxLength: 4 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
  ),
  { maxLength: 12 }
)

property(
  'decode ∘ encode is the identity on any well-formed text, with or without pieces',
  [text, pieceList],
  (s, pieces) => {
    const tok = mkTokenizer({ kind: 'bytePieces', pieces })
    assert.equal(tok.decode(tok.encode(s)), s)
  }
)

property('every id produced lies in [0, size) and is never a special id', [text, pieceList], (s, pieces) => {
  const tok = mkTokenizer({ kind: 'bytePieces', pieces })
  for (const id of tok.encode(s)) {
    assert.ok(Number.isInteger(id) && id >= 0 && id < tok.size)
    assert.ok(id < 256 || id >= firstPieceId)
  }
})

property('without pieces, the ids are exactly the UTF-8 bytes', [text], (s) => {
  assert.deepEqual([...byteTokenizer.encode(s)], [...new TextEncoder().encode(s)])
})

property(
  'a text that is one piece of ≥ 2 bytes encodes to that piece’s id (longest match; first duplicate wins)',
  [pieceList.filter((ps) => ps.some((p) => new TextEncoder().encode(p).length >= 2)), fc.nat()],
  (pieces, k) => {
    const long = pieces.filter((p) => new TextEncoder().encode(p).length >= 2)
    const p = long[k % long.length] as string
    const tok = mkTokenizer({ kind: 'bytePieces', pieces })
    const id = firstPieceId + pieces.indexOf(p)
    assert.deepEqual(tok.encode(p), [id])
    // p twice: its id twice, exactly when no piece longer than p is a prefix of pp (the greedy walk
    // would take that one at position 0)
    if (!pieces.some((q) => q.length > p.length && (p + p).startsWith(q)))
      assert.deepEqual(tok.encode(p + p), [id, id])
  },
  {
    regressions: [
      ['a longer piece starts with the text twice over (FC_RUNS=1000, seed 42)', [['b✓😀', 'b✓😀b'], 0]],
      ['a duplicate piece: the first one’s id', [['ab', 'cd', 'ab'], 2]],
      ['a shorter piece is a prefix of the text: the longer match', [['ab', 'abc'], 1]]
    ]
  }
)

property(
  'unknown and out-of-range ids decode to U+FFFD; PAD, BOS, EOS, SEP decode to nothing',
  [fc.integer({ min: 261, max: 10_000 }), text],
  (id, s) => {
    const ids = byteTokenizer.encode(s)
    assert.equal(byteTokenizer.decode([...ids, id, specialTokens.unk]), `${s}\uFFFD\uFFFD`)
    assert.equal(
      byteTokenizer.decode([
        specialTokens.bos,
        ...ids,
        specialTokens.sep,
        specialTokens.pad,
        specialTokens.eos
      ]),
      s
    )
  }
)

property(
  'learnPieces is deterministic and independent of the corpus order',
  [fc.array(smallText, { maxLength: 20 })],
  (corpus) => {
    const a = learnPieces(corpus, 16)
    assert.deepEqual(learnPieces([...corpus].reverse(), 16), a)
    assert.ok(a.pieces.length <= 16)
    const tok = mkTokenizer(a)
    for (const s of corpus) assert.equal(tok.decode(tok.encode(s)), s)
  }
)

property(
  'promptTokens frames the text with BOS…SEP; leftTruncate keeps the last n',
  [text, fc.nat(50)],
  (s, n) => {
    const p = promptTokens(byteTokenizer)(s)
    assert.equal(p[0], specialTokens.bos)
    assert.equal(p[p.length - 1], specialTokens.sep)
    const t = leftTruncate(n)(p)
    assert.equal(t.length, Math.min(n, p.length))
    assert.deepEqual(t, p.slice(p.length - t.length))
  }
)
