/**
 * Every `@example` in a doc comment of src/core and src/spec is executed here, so no example can rot;
 * and every exported value of src/core carries a doc comment with `@since`, a `@category` from the
 * closed list, and (unless it is a model or an instance) an `@example`.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { join, dirname, resolve } from 'node:path'
import { pathToFileURL, fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const categories = new Set([
  'model',
  'constructors',
  'destructors',
  'refinements',
  'combinators',
  'instances',
  'presets',
  'decoding',
  'documentation',
  'utils'
])

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })

interface Doc {
  readonly name: string
  readonly comment: string
}

/** Each exported declaration with the doc comment right above it ('' when there is none). */
const exportedDocs = (src: string): Doc[] => {
  const out: Doc[] = []
  const re = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export (?:const|function|interface|type) (\w+)/g
  for (let m = re.exec(src); m !== null; m = re.exec(src))
    out.push({ name: m[2] as string, comment: m[1] ?? '' })
  return out
}

const examples = (comment: string): string[] => {
  const body = comment
    .split('\n')
    .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ''))
    .join('\n')
  const parts = body.split('@example').slice(1)
  return parts.map((p) => (p.split(/\n@\w+/)[0] as string).trim()).filter((p) => p.length > 0)
}

const files = [...walk(join(root, 'src/core')), ...walk(join(root, 'src/spec'))]
// inside node_modules so that bare imports (fp-ts, io-ts) resolve from the generated files
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true })
const tmp = mkdtempSync(join(root, 'node_modules/.cache/empo2-examples-'))

describe('doc-comment examples run and pass', () => {
  for (const file of files) {
    const src = readFileSync(file, 'utf8')
    for (const { name, comment } of exportedDocs(src)) {
      examples(comment).forEach((code, i) => {
        const rel = file.slice(root.length + 1)
        test(`example ${rel}#${name}${i > 0 ? ` (${i + 1})` : ''}`, async () => {
          const fixed = code.replace(
            /from '(\.\.?\/[^']+)'/g,
            (_, p: string) => `from '${pathToFileURL(resolve(dirname(file), p)).href}'`
          )
          const mod = join(tmp, `${rel.replace(/[/.]/g, '_')}_${name}_${i}.ts`)
          writeFileSync(mod, `import assert from 'node:assert/strict'\n${fixed}\nexport {}\n`)
          await import(pathToFileURL(mod).href)
        })
      })
    }
  }
})

describe('every src/core export is documented', () => {
  for (const file of walk(join(root, 'src/core'))) {
    const rel = file.slice(root.length + 1)
    test(`${rel}: every export has @since, a known @category and (unless a model or instance) an @example`, () => {
      const problems: string[] = []
      for (const { name, comment } of exportedDocs(readFileSync(file, 'utf8'))) {
        if (comment === '') {
          problems.push(`${name}: no doc comment`)
          continue
        }
        if (!comment.includes('@since')) problems.push(`${name}: no @since`)
        const cat = /@category (\w+)/.exec(comment)?.[1]
        if (cat === undefined || !categories.has(cat))
          problems.push(`${name}: @category ${cat ?? 'missing'} is not one of ${[...categories].join(', ')}`)
        else if (cat !== 'model' && cat !== 'instances' && examples(comment).length === 0)
          problems.push(`${name}: no @example`)
      }
      assert.deepEqual(problems, [])
    })
  }
})
