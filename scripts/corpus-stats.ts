/**
 * Statistics of the prior's default corpus (docs/prior.md): examples per kind and family, the share
 * of `go to` targets per kind, prompt lengths, how many examples show an alias (and which of the
 * out-of-distribution objects' names), and a few sample examples. `npx tsx scripts/corpus-stats.ts [seed]`
 */
import { aliasLexicon, corpus, defaultCorpusOptions } from '../src/core/prior/corpus.ts'

const seed = Number(process.argv[2] ?? 0)
const c = corpus(defaultCorpusOptions, seed)
if (c._tag === 'Left') {
  console.error(c.left)
  process.exit(2)
}
const xs = c.right
const kinds = ['act', 'act-with-tips', 'tip'] as const
const rows = defaultCorpusOptions.families.map((f) => [
  f,
  ...kinds.map((k) => xs.filter((e) => e.task === f && e.kind === k).length)
])
console.log(`| family | ${kinds.join(' | ')} |`)
console.log(`| --- | ${kinds.map(() => '---:').join(' | ')} |`)
for (const r of rows) console.log(`| ${r.join(' | ')} |`)
console.log(`| total | ${kinds.map((k) => xs.filter((e) => e.kind === k).length).join(' | ')} |`)
for (const k of ['act', 'act-with-tips'] as const) {
  const ks = xs.filter((e) => e.kind === k)
  const go = ks.filter((e) => e.target.startsWith('go to')).length
  const rnd = ks.filter((e) => e.source === 'random').length
  console.log(
    `${k}: ${ks.length} examples, go-to targets ${((100 * go) / ks.length).toFixed(1)} %, random-share targets ${((100 * rnd) / ks.length).toFixed(1)} %`
  )
}
const len = (k: string) => xs.filter((e) => e.kind === k).map((e) => e.prompt.length)
for (const k of kinds) {
  const l = len(k)
  console.log(
    `${k} prompt chars: mean ${(l.reduce((a, b) => a + b, 0) / l.length).toFixed(0)}, max ${Math.max(...l)}`
  )
}
const shows = (text: string, w: string): boolean => new RegExp(`\\b${w}\\b`, 'u').test(text)
const aliases = [...new Set(aliasLexicon.flatMap(([, as]) => as))]
const aliased = xs.filter((e) => aliases.some((a) => shows(e.prompt, a)))
console.log(
  `examples showing an alias: ${aliased.length} (${((100 * aliased.length) / xs.length).toFixed(1)} %); showing ${['fan', 'battery', 'parcel', 'letter', 'vase'].map((w) => `${w} ${xs.filter((e) => shows(e.prompt, w)).length}`).join(', ')}`
)
const tips = new Set(xs.filter((e) => e.kind === 'tip').map((e) => e.target))
console.log(`distinct tips: ${tips.size}; longest ${Math.max(...[...tips].map((t) => t.length))} chars`)
for (const k of kinds) {
  const e = xs.find(
    (x) => x.kind === k && x.source === 'rule' && (k !== 'act-with-tips' || x.target.startsWith('go'))
  )
  if (e !== undefined) console.log(`\n--- ${k} (${e.task} ${e.variant})\n${e.prompt} ${e.target}`)
}
