/**
 * Every link in the repository's Markdown resolves: each relative `[text](target)`, `![alt](target)`
 * and `[label]: target` of a tracked `.md` file names a file or folder of the repository, and every
 * `docs/…` or `proofs/…` path a tracked text file mentions exists. Anchors (`#…`) are not checked.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

const tracked = (): ReadonlyArray<string> =>
  execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(root, f)))

/** The text with fenced code blocks and inline code spans blanked out (links there are not links). */
const withoutCode = (md: string): string =>
  md
    .replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\2[^\n]*$/gm, '')
    .replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length))

/** The link targets of a Markdown text: inline links and images, and reference definitions. */
export const linkTargets = (md: string): ReadonlyArray<string> => {
  const text = withoutCode(md)
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] as string
  )
  const defined = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map(
    (m) => m[1] as string
  )
  return [...inline, ...defined]
}

/** Whether a target points into the repository (not a URL, not an anchor of the same page). */
const isRelative = (target: string): boolean => !/^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target)

/** The repository path a relative target of `file` names, or null when it leaves the repository. */
export const resolveTarget = (file: string, target: string): string | null => {
  const path = decodeURIComponent(target.replace(/[#?].*$/, ''))
  const joined = normalize(path.startsWith('/') ? path.slice(1) : join(dirname(file), path)).replace(
    /[\\/]+$/,
    ''
  )
  return joined === '..' || joined.startsWith(`..${sep}`) ? null : joined === '' ? '.' : joined
}

/** `file: target` for each relative link of `file` that does not resolve to an existing path. */
export const brokenLinks = (file: string, md: string, exists: (p: string) => boolean): string[] =>
  linkTargets(md)
    .filter(isRelative)
    .flatMap((t) => {
      const p = resolveTarget(file, t)
      return p === null ? [`${file}: ${t} (outside the repository)`] : exists(p) ? [] : [`${file}: ${t}`]
    })

/** `docs/…` and `proofs/…` paths a text mentions, links or not (globs and placeholders skipped). */
export const mentionedDocPaths = (text: string): ReadonlyArray<string> =>
  [...text.matchAll(/(?<![\w./-])((?:docs|proofs)\/[\w./-]*\.(?:md|svg|json))(?![\w*<\\])/g)].map(
    (m) => m[1] as string
  )

const existsInRepo = (p: string): boolean => existsSync(join(root, p))

test('every relative link in a tracked Markdown file names a file or folder of the repository', () => {
  const files = tracked().filter((f) => f.endsWith('.md'))
  assert.ok(files.includes('README.md') && files.some((f) => f.startsWith('docs/experiments/')))
  const links = files.flatMap((f) => linkTargets(readFileSync(join(root, f), 'utf8')).filter(isRelative))
  assert.ok(links.length >= 100, `only ${links.length} relative links found`)
  const broken = files.flatMap((f) => brokenLinks(f, readFileSync(join(root, f), 'utf8'), existsInRepo))
  assert.deepEqual(broken, [], 'links that do not resolve')
})

test('every docs/… or proofs/… path a tracked text file mentions exists', () => {
  // this file is left out: its checks of the checker mention paths that do not exist on purpose
  const self = relative(root, fileURLToPath(import.meta.url))
    .split(sep)
    .join('/')
  const files = tracked().filter((f) => /\.(?:md|ts|mjs|js|json|py)$/.test(f) && f !== self)
  const missing = files.flatMap((f) =>
    mentionedDocPaths(readFileSync(join(root, f), 'utf8'))
      .filter((p) => !existsInRepo(p))
      .map((p) => `${f}: ${p}`)
  )
  assert.deepEqual(missing, [], 'paths that do not exist')
})

test('the link checker finds links, skips code, URLs and anchors, and resolves from the linking file', () => {
  const md = [
    'See [the method](method.md#sec) and ![a plot](img/a.svg "title"), [web](https://example.org),',
    '[here](#top), `[code](nope.md)` and [up](../README.md).',
    '```md',
    '[fenced](nope.md)',
    '```',
    '[ref]: experiments/README.md'
  ].join('\n')
  assert.deepEqual(linkTargets(md), [
    'method.md#sec',
    'img/a.svg',
    'https://example.org',
    '#top',
    '../README.md',
    'experiments/README.md'
  ])
  const present = new Set(['docs/method.md', 'docs/img/a.svg', 'README.md'])
  assert.deepEqual(
    brokenLinks('docs/x.md', md, (p) => present.has(p)),
    ['docs/x.md: experiments/README.md']
  )
  assert.equal(resolveTarget('docs/experiments/a.md', '../main-job.md'), join('docs', 'main-job.md'))
  assert.equal(resolveTarget('README.md', 'docs/'), 'docs')
  assert.equal(resolveTarget('README.md', '../elsewhere.md'), null)
  assert.deepEqual(
    brokenLinks('README.md', '[x](../../outside.md)', () => true),
    ['README.md: ../../outside.md (outside the repository)']
  )
  assert.deepEqual(mentionedDocPaths('see docs/method.md §7, docs/img/a-\\*.svg, `docs/x.md`; mydocs/y.md'), [
    'docs/method.md',
    'docs/x.md'
  ])
})
