/**
 * The generated documents are current, and docs/paper-map.md names every equation and every row
 * of the §5 table of empo2.md.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { renderConfigDoc } from '../../scripts/config-doc.ts'

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8')

test('docs/config.md is the rendering of the config codec’s documentation (run `npm run docs` if not)', () => {
  assert.equal(read('docs/config.md'), renderConfigDoc())
})
