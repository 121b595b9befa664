/**
 * The README's library example is real code: its ```ts block is, import paths aside, the file
 * test/docs/readme-example.ts, which the type-check and lint of `npm test` cover and this test runs.
 * The README's test command is `npm test`, the command CI runs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
const readme = (): string => readFileSync(join(root, 'README.md'), 'utf8')

/** The bodies of the fenced code blocks of `md` in `lang`, in order. */
export const codeBlocks = (md: string, lang: string): ReadonlyArray<string> =>
  [...md.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2] as string)

/** The README's paths are from the repository root, the example file's from test/docs. */
const fromRoot = (code: string): string => code.replace(/from '\.\.\/\.\.\//g, "from './")

test('the README’s TypeScript example is test/docs/readme-example.ts, with imports from the root', () => {
  const blocks = codeBlocks(readme(), 'ts')
  assert.equal(blocks.length, 1, 'the README has one ```ts block')
  assert.equal(blocks[0], fromRoot(readFileSync(join(here, 'readme-example.ts'), 'utf8')))
})

test('the README’s example runs: it passes its own assertions and prints the loss', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'readme-example.ts')], {
    cwd: root,
    encoding: 'utf8'
  })
  assert.match(out, /^loss -?\d+\.\d{4}, tokens clipped 0\n$/)
})

test('the README’s set-up block runs the tests with exactly `npm test`', () => {
  const commands = codeBlocks(readme(), 'sh').flatMap((b) =>
    b.split('\n').map((l) => l.replace(/#.*$/, '').trim())
  )
  assert.ok(commands.includes('npm test'), `no line "npm test" among ${JSON.stringify(commands)}`)
})

test('codeBlocks finds the bodies of the fences of one language only', () => {
  const md = 'x\n```ts\nconst a = 1\n```\n\n```sh\nnpm test\n```\n```ts\nb\n```\n'
  assert.deepEqual(codeBlocks(md, 'ts'), ['const a = 1\n', 'b\n'])
  assert.deepEqual(codeBlocks(md, 'sh'), ['npm test\n'])
  assert.equal(
    fromRoot("import { x } from '../../src/core/loss/loss.ts'"),
    "import { x } from './src/core/loss/loss.ts'"
  )
})
