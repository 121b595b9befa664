/**
 * The generated documents are current, and docs/paper-map.md names every equation and every row
 * of the §5 table of empo2.md.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { renderConfigDoc } from '../../scripts/config-doc.ts'

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8')

test('docs/config.md is the rendering of the config codec’s documentation (run `npm run docs` if not)', () => {
  assert.equal(read('docs/config.md'), renderConfigDoc())
})

// ---------------------------------------------------------------------------------------------
// docs/paper-map.md covers empo2.md §5 and names only real exports
// ---------------------------------------------------------------------------------------------

// The first column of the §5 table of empo2.md, used when ../shared/spec/empo2.md is not present.
const section5RowsFallback: ReadonlyArray<string> = [
  'when the rollout mode is drawn',
  'low-probability mask',
  'tips in the prompt',
  'retrieval',
  'what is embedded',
  'memory entry written',
  'intrinsic reward',
  'KL term',
  'clip',
  'loss aggregation',
  'other settings'
]

/** The first cells of the table under `## 5.` of empo2.md (header and separator rows skipped). */
const section5Rows = (spec: string): ReadonlyArray<string> => {
  const start = spec.search(/^## 5\./m)
  if (start < 0) throw new Error('empo2.md: no "## 5." section')
  const rest = spec.slice(start)
  const end = rest.slice(1).search(/^## /m)
  const lines = (end < 0 ? rest : rest.slice(0, end + 1)).split('\n').filter((l) => l.startsWith('|'))
  return lines
    .slice(2) // header, separator
    .map((l) => (l.split('|')[1] ?? '').trim())
    .filter((c) => c !== '')
}

const specPath = new URL('../../../shared/spec/empo2.md', import.meta.url)
const rowsUnderTest = (): ReadonlyArray<string> =>
  existsSync(specPath) ? section5Rows(readFileSync(specPath, 'utf8')) : section5RowsFallback

// `file#name` references in backticks, e.g. `src/core/ratio.ts#ratio`
const references = (doc: string): ReadonlyArray<readonly [string, string]> =>
  [...doc.matchAll(/`((?:src|scripts)\/[\w./-]+\.ts)#(\w+)`/g)].map((m) => [m[1] as string, m[2] as string])

const exportsName = (source: string, name: string): boolean =>
  new RegExp(`^export (?:const|function|async function|type|interface|class|let) ${name}\\b`, 'm').test(
    source
  ) || new RegExp(`^export \\{[^}]*\\b${name}\\b[^}]*\\}`, 'm').test(source)

test('the §5 rows are read from empo2.md when present, and agree with the built-in list', () => {
  assert.deepEqual(rowsUnderTest(), section5RowsFallback)
})

test('docs/paper-map.md has a row for every row of the §5 table of empo2.md (first column verbatim)', () => {
  const doc = read('docs/paper-map.md')
  const firstCells = new Set(
    doc
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) => (l.split('|')[1] ?? '').trim())
  )
  const missing = rowsUnderTest().filter((row) => !firstCells.has(row))
  assert.deepEqual(missing, [], `paper-map.md lacks §5 rows: ${missing.join('; ')}`)
})

test('every file#function named in docs/paper-map.md and docs/glossary.md is an export of that file', () => {
  for (const d of ['docs/paper-map.md', 'docs/glossary.md']) {
    const refs = references(read(d))
    if (d === 'docs/paper-map.md') assert.ok(refs.length >= 60, `only ${refs.length} references in ${d}`)
    const bad = refs.filter(([file, name]) => {
      const url = new URL(`../../${file}`, import.meta.url)
      return !existsSync(url) || !exportsName(readFileSync(url, 'utf8'), name)
    })
    assert.deepEqual(
      bad.map(([f, n]) => `${f}#${n}`),
      [],
      `${d} names exports that do not exist`
    )
  }
})

test('the reference checker rejects a missing export, a missing file and a missing §5 row', () => {
  assert.equal(exportsName('export const ratio = 1', 'ratio'), true)
  assert.equal(exportsName('export const ratios = 1', 'ratio'), false)
  assert.equal(exportsName('const ratio = 1', 'ratio'), false)
  assert.deepEqual(references('see `src/core/ratio.ts#ratio` and `src/core/nope.ts#x`'), [
    ['src/core/ratio.ts', 'ratio'],
    ['src/core/nope.ts', 'x']
  ])
  const spec =
    '## 5. Diff\n\n| point | a | b |\n|---|---|---|\n| clip | x | y |\n| KL term | x | y |\n\n## 6. Next\n| z | 1 |'
  assert.deepEqual(section5Rows(spec), ['clip', 'KL term'])
})
