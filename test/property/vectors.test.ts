import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { VectorFile } from '../../src/spec/vectors.ts'
import { VECTORS_SEED, vectorFiles } from '../../src/ports/vectors.ts'
import { staleVectors } from '../../src/cli/vectors.ts'
import { formatErrors } from '../../src/spec/codec.ts'

const dir = fileURLToPath(new URL('../../vectors', import.meta.url))

test('the committed vectors equal a fresh rendering at the fixed seed (run `npm run vectors` if not)', () => {
  assert.deepEqual(staleVectors(dir, VECTORS_SEED), [])
})

test('vector rendering is deterministic', () => {
  assert.deepEqual(vectorFiles(VECTORS_SEED), vectorFiles(VECTORS_SEED))
})

test('every committed vector file decodes with the VectorFile codec and has at least one case', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  assert.ok(files.length > 0)
  for (const f of files) {
    const d = VectorFile.decode(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')))
    assert.ok(E.isRight(d), `${f}: ${E.isLeft(d) ? formatErrors(d.left).join('; ') : ''}`)
    assert.ok(d.right.cases.length > 0, `${f} has no cases`)
    assert.equal(f, `${d.right.module}.${d.right.function}.json`)
  }
})

// The registry in order: a spec's position is part of its seed (fork(mkRng(seed), index)), so new
// specs are appended here and in src/ports/vectors.ts, never inserted.
const registry = [
  'rng.nextFloats.json',
  'rng.fork.json',
  'loss.empo2Loss.json',
  'surrogate.clippedSurrogate.json',
  'kl.klPerToken.json',
  'aggregate.aggregate.json',
  'entropy.entropy.json',
  // appended after the loss family (returns, advantages, modes, text, memory, novelty)
  'returns.discountedReturns.json',
  'advantage.grpoAdvantages.json',
  'advantage.gigpoAdvantages.json',
  'modes.drawModes.json',
  'modes.modeProbabilities.json',
  'tokenizer.learnPieces.json',
  'tokenizer.mkTokenizer.json',
  'prompt.assemble.json',
  'embedding.embedWith.json',
  'embedding.cosine.json',
  'memory.insertAll.json',
  'memory.retrieveScored.json',
  'novelty.intrinsicReward.json',
  // appended with the switches' rules (omitted rows, batch novelty)
  'aggregate.aggregationWeights.json',
  'loss.omittedRows.json',
  'novelty.batchIntrinsicRewards.json',
  // appended with the memory text switches (entry text, tip-writing prompt)
  'memory.entryText.json',
  'prompt.tipGenerationPrompt.json'
]

test('the vector registry only grows at its end: every file keeps its position, and names are unique', () => {
  const paths = vectorFiles(VECTORS_SEED).map((f) => f.path)
  assert.deepEqual(paths.slice(0, registry.length), registry)
  assert.equal(new Set(paths).size, paths.length)
})

test('every pure core module a port must reproduce has a conformance vector file', () => {
  const modules = new Set(vectorFiles(VECTORS_SEED).map((f) => f.path.split('.')[0]))
  const required = [
    'rng',
    'returns',
    'advantage',
    'surrogate',
    'kl',
    'entropy',
    'aggregate',
    'loss',
    'modes',
    'tokenizer',
    'prompt',
    'embedding',
    'memory',
    'novelty'
  ]
  assert.deepEqual(
    required.filter((m) => !modules.has(m)),
    []
  )
})

test('docs/porting.md lists every vector file', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/porting.md', import.meta.url)), 'utf8')
  const missing = vectorFiles(VECTORS_SEED)
    .map((f) => f.path)
    .filter((p) => !doc.includes(`\`${p}\``))
  assert.deepEqual(missing, [], `docs/porting.md does not list ${missing.join(', ')}`)
})
