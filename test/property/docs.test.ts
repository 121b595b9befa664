/**
 * The repository stands on its own: the generated documents are current; docs/method.md §7 has
 * every difference between the paper and the authors' code, each with a switch that is a real config
 * field; docs/paper-map.md has a row for each and names only real exports; and no tracked file
 * refers to a document outside the repository or to an issue number.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { renderConfigDoc } from '../../scripts/config-doc.ts'
import { configDocs, officialPreset, paperPreset } from '../../src/spec/config.ts'
import { ScheduleConfig } from '../../src/spec/run.ts'

const root = new URL('../../', import.meta.url)
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8')

test('docs/config.md is the rendering of the config codec’s documentation (run `npm run docs` if not)', () => {
  assert.equal(read('docs/config.md'), renderConfigDoc())
})

// ---------------------------------------------------------------------------------------------
// docs/method.md §7 and docs/paper-map.md
// ---------------------------------------------------------------------------------------------

// Every point where the authors' code differs from the paper (or the paper leaves a reading open),
// as the first column of the §7 table of docs/method.md. Removing a row there fails a test below.
const section7RowsRequired: ReadonlyArray<string> = [
  'when the rollout mode is drawn',
  'low-probability mask',
  'scope of the mask',
  'rows dropped by the sequence mask',
  'tips in the prompt',
  'text of a retrieved entry',
  'retrieval',
  'retrieval ties',
  'what is embedded',
  'memory entry written',
  'tip-writing prompt',
  'intrinsic reward',
  'novelty within a batch',
  'KL term',
  'clip',
  'loss aggregation',
  'mini-batch size',
  'rows with zero advantage',
  'GiGPO episode-level normalisation',
  'other settings'
]

/** The rows (cells split on `|`) of the first table under the heading that starts with `heading`. */
const tableUnder = (doc: string, heading: string): ReadonlyArray<ReadonlyArray<string>> => {
  const start = doc.split('\n').findIndex((l) => l.startsWith(heading))
  if (start < 0) throw new Error(`no heading "${heading}"`)
  const rest = doc.split('\n').slice(start + 1)
  const end = rest.findIndex((l) => l.startsWith('## '))
  const section = end < 0 ? rest : rest.slice(0, end)
  const first = section.findIndex((l) => l.startsWith('|'))
  if (first < 0) return []
  const after = section.slice(first)
  const stop = after.findIndex((l) => !l.startsWith('|'))
  return (
    (stop < 0 ? after : after.slice(0, stop))
      .slice(2) // header, separator
      // cells split on `|` that is not escaped as `\|`
      .map((l) =>
        l
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((c) => c.replace(/\\\|/g, '|').trim())
      )
  )
}

const section7 = (): ReadonlyArray<ReadonlyArray<string>> => tableUnder(read('docs/method.md'), '## §7')

/** Backticked dotted config paths in a cell, e.g. `mask.scope` (values such as `perStep` are not). */
const switchesIn = (cell: string): ReadonlyArray<string> =>
  [...cell.matchAll(/`([a-z]+\.[A-Za-z<>]+)`/g)].map((m) => m[1] as string)

const scheduleFields = new Set(Object.keys(ScheduleConfig.props).map((k) => `schedule.${k}`))
const isField = (path: string): boolean => path in configDocs || scheduleFields.has(path)

test('docs/method.md §7 has a row for every difference between the paper and the authors’ code', () => {
  const rows = new Set(section7().map((r) => r[0]))
  const missing = section7RowsRequired.filter((r) => !rows.has(r))
  assert.deepEqual(missing, [], `docs/method.md §7 lacks rows: ${missing.join('; ')}`)
})

test('every row of docs/method.md §7 names its switch, and every switch named is a config field', () => {
  const rows = section7()
  assert.ok(rows.length >= section7RowsRequired.length)
  for (const r of rows) {
    const switches = switchesIn(r[r.length - 1] ?? '')
    assert.ok(switches.length > 0, `§7 row "${r[0]}" names no switch`)
    const unknown = switches.filter((s) => !isField(s))
    assert.deepEqual(unknown, [], `§7 row "${r[0]}" names switches that are not config fields`)
  }
})

// the value of a dotted path in a preset, as the docs write it (`true`, `groups`, 0.001)
const presetValue = (preset: object, path: string): string =>
  String(path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], preset))

test('the values docs/method.md §7 states for each preset, `field`: `paper` / `official`, are the presets’', () => {
  const claims = section7().flatMap((r) =>
    [...(r[r.length - 1] ?? '').matchAll(/`([a-z]+\.[A-Za-z]+)`: `([^`]+)` \/ `([^`]+)`/g)].map(
      (m) => [m[1] as string, m[2] as string, m[3] as string] as const
    )
  )
  assert.ok(claims.length >= 15, `only ${claims.length} "field: paper / official" claims found`)
  const wrong = claims
    .filter(([path]) => path in configDocs)
    .filter(
      ([path, paper, official]) =>
        presetValue(paperPreset, path) !== paper || presetValue(officialPreset, path) !== official
    )
  assert.deepEqual(wrong, [], 'docs/method.md §7 states preset values the presets do not have')
})

test('docs/paper-map.md §7: where a row names one field, its first `value` in each preset column is that preset’s', () => {
  const rows = tableUnder(read('docs/paper-map.md'), '## §7').filter(
    (r) => switchesIn(r[1] ?? '').length === 1
  )
  assert.ok(rows.length >= 10, `only ${rows.length} single-field rows`)
  const firstValue = (cell: string): string | undefined => /`([^`]+)`/.exec(cell)?.[1]
  const wrong = rows.flatMap((r) => {
    const path = switchesIn(r[1] ?? '')[0] as string
    if (!(path in configDocs)) return []
    const [paper, official] = [firstValue(r[2] ?? ''), firstValue(r[3] ?? '')]
    return (paper === undefined || paper === presetValue(paperPreset, path)) &&
      (official === undefined || official === presetValue(officialPreset, path))
      ? []
      : [[path, paper, official]]
  })
  assert.deepEqual(wrong, [], 'docs/paper-map.md §7 states preset values the presets do not have')
})

test('docs/paper-map.md has a row for every row of the §7 table of docs/method.md (first column verbatim)', () => {
  const firstCells = new Set(
    read('docs/paper-map.md')
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) => (l.split('|')[1] ?? '').trim())
  )
  const missing = section7()
    .map((r) => r[0] as string)
    .filter((row) => !firstCells.has(row))
  assert.deepEqual(missing, [], `paper-map.md lacks §7 rows: ${missing.join('; ')}`)
})

// `file#name` references in backticks, e.g. `src/core/loss/ratio.ts#ratio`
const references = (doc: string): ReadonlyArray<readonly [string, string]> =>
  [...doc.matchAll(/`((?:src|scripts)\/[\w./-]+\.ts)#(\w+)`/g)].map((m) => [m[1] as string, m[2] as string])

const exportsName = (source: string, name: string): boolean =>
  new RegExp(`^export (?:const|function|async function|type|interface|class|let) ${name}\\b`, 'm').test(
    source
  ) || new RegExp(`^export \\{[^}]*\\b${name}\\b[^}]*\\}`, 'm').test(source)

test('every file#function named in docs/paper-map.md and docs/glossary.md is an export of that file', () => {
  for (const d of ['docs/paper-map.md', 'docs/glossary.md']) {
    const refs = references(read(d))
    if (d === 'docs/paper-map.md') assert.ok(refs.length >= 60, `only ${refs.length} references in ${d}`)
    const bad = refs.filter(([file, name]) => {
      const url = new URL(file, root)
      return !existsSync(url) || !exportsName(readFileSync(url, 'utf8'), name)
    })
    assert.deepEqual(
      bad.map(([f, n]) => `${f}#${n}`),
      [],
      `${d} names exports that do not exist`
    )
  }
})

test('the reference checker rejects a missing export, a missing file, a missing §7 row and an unknown switch', () => {
  assert.equal(exportsName('export const ratio = 1', 'ratio'), true)
  assert.equal(exportsName('export const ratios = 1', 'ratio'), false)
  assert.equal(exportsName('const ratio = 1', 'ratio'), false)
  assert.deepEqual(references('see `src/core/loss/ratio.ts#ratio` and `src/core/nope.ts#x`'), [
    ['src/core/loss/ratio.ts', 'ratio'],
    ['src/core/nope.ts', 'x']
  ])
  const doc =
    '## §7 Diff\n\ntext\n\n| point | a | switch |\n| --- | --- | --- |\n| clip | x \\| y | `clip.epsHigh` |\n| KL term | x | `kl.beta` |\n\n## §8 Next\n\n| z | 1 |'
  assert.deepEqual(tableUnder(doc, '## §7'), [
    ['clip', 'x | y', '`clip.epsHigh`'],
    ['KL term', 'x', '`kl.beta`']
  ])
  assert.deepEqual(switchesIn('`modes.rule`: `perStep` / `perIteration`; `schedule.skipZeroAdvantage`'), [
    'modes.rule',
    'schedule.skipZeroAdvantage'
  ])
  assert.equal(isField('modes.rule'), true)
  assert.equal(isField('schedule.skipZeroAdvantage'), true)
  assert.equal(isField('modes.rules'), false)
})

// ---------------------------------------------------------------------------------------------
// no reference to a document outside the repository, no issue number
// ---------------------------------------------------------------------------------------------

// The patterns are assembled from pieces so that this file does not match them itself.
const dot = '\\.'
const outsideReferences: ReadonlyArray<readonly [string, RegExp]> = [
  ['a spec document outside the repository', new RegExp(`\\b(?:empo2|related)${dot}md\\b`, 'i')],
  ['a house document outside the repository', new RegExp(`\\b(?:ARCHITECTURE|STYLE)${dot}md\\b`)],
  ['a path outside the repository', new RegExp(`${dot}${dot}/shared\\b`)],
  ['an issue number', new RegExp('\\bissues?\\s*(?:#\\s*)?\\d+', 'i')],
  ['a pull-request number', new RegExp('\\b(?:PR\\s*#|[Pp]ull request\\s*#?)\\s*\\d+')],
  ['a GitHub-style number', new RegExp('\\(\\s*#\\d+\\s*\\)')]
]

/** What `text` refers to that is not in the repository: `line: what` for each offending line. */
const outsideRefsIn = (text: string): ReadonlyArray<string> =>
  text
    .split('\n')
    .flatMap((line, i) =>
      outsideReferences
        .filter(([, re]) => re.test(line))
        .map(([what]) => `${i + 1}: ${what}: ${line.trim().slice(0, 100)}`)
    )

const trackedTextFiles = (): ReadonlyArray<string> =>
  execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\0')
    .filter((f) => f !== '' && existsSync(new URL(f, root)))
    // checkpoints are weights (base64 after a JSON header); other binary files contain a NUL byte
    .filter((f) => !f.endsWith('.ckpt') && !readFileSync(new URL(f, root)).subarray(0, 8000).includes(0))

test('no tracked file refers to a document outside the repository or to an issue number', () => {
  const files = trackedTextFiles()
  assert.ok(files.length > 100, `only ${files.length} tracked text files found`)
  const offending = files.flatMap((f) => outsideRefsIn(read(f)).map((hit) => `${f}:${hit}`))
  assert.deepEqual(offending, [], 'references to documents outside the repository or to issues')
})

test('the outside-reference check flags each kind of reference and not ordinary words', () => {
  const flagged = [
    'see empo2' + '.md §4.3',
    'as in related' + '.md',
    'ARCHITECTURE' + '.md "Where other memory methods fit"',
    'per STYLE' + '.md',
    'read ../' + 'shared/spec/x.md',
    'fixed in iss' + 'ue 5',
    'the corpus (iss' + 'ue 5 §3)',
    'Iss' + 'ue #12 again',
    'iss' + 'ues 3 and 4',
    '(iss' + 'ue 21 §2)',
    'merged in P' + 'R #7',
    'see pull req' + 'uest 12',
    'closes (' + '#118)'
  ]
  for (const s of flagged) assert.ok(outsideRefsIn(s).length > 0, `not flagged: ${s}`)
  const fine = [
    'docs/method.md §5 and docs/paper-map.md',
    'the issue of stale claims, the issues below',
    'tissue 5 samples',
    'an empo2 run writes run.md',
    'the #1 reason; colour #1f77b4; `file#export`; item 14',
    'fill="#123456"',
    'base64 …Pr5Xq/PR2…',
    'shared/spec is not a path here; STYLE guide; architecture'
  ]
  for (const s of fine) assert.deepEqual(outsideRefsIn(s), [], `flagged: ${s}`)
})
