import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { VectorFile } from '../../src/spec/vectors.ts'
import { VECTORS_SEED, vectorFiles } from '../../src/core/vectors.ts'
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
