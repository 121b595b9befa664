/**
 * `npm run vectors` / `empo2 vectors`: write the conformance vectors (atomically) to `vectors/`, or
 * with `--check` compare the committed files with a fresh rendering and exit non-zero on any
 * difference.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { VECTORS_SEED, vectorFiles } from '../ports/vectors.ts'
import { writeFileAtomic } from '../effects/fs.ts'

/** Files that differ between `dir` and a fresh rendering at `seed` (missing, changed or extra). */
export const staleVectors = (dir: string, seed: number): ReadonlyArray<string> => {
  const fresh = vectorFiles(seed)
  const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []
  const problems = fresh.flatMap(({ path, text }) => {
    const p = join(dir, path)
    if (!existsSync(p)) return [`missing ${path}`]
    return readFileSync(p, 'utf8') === text ? [] : [`changed ${path}`]
  })
  const extra = have.filter((f) => !fresh.some((x) => x.path === f)).map((f) => `extra ${f}`)
  return [...problems, ...extra]
}

const seedArg = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1)
    throw new InvalidArgumentError('expected an integer in [0, 4294967295]')
  return n
}

export const vectorsCommand = (): Command =>
  new Command('vectors')
    .description('write the conformance vectors for ports (JSON, one file per core function)')
    .option('-o, --out <dir>', 'output directory', 'vectors')
    .option('--seed <n>', 'seed of the random cases', seedArg, VECTORS_SEED)
    .option('--check', 'compare the files in --out with a fresh rendering; exit 1 on any difference')
    .action((opts: { out: string; seed: number; check?: boolean }) => {
      const dir = resolve(opts.out)
      if (opts.check === true) {
        const stale = staleVectors(dir, opts.seed)
        if (stale.length > 0) {
          console.error(`vectors in ${dir} are not current (run npm run vectors):\n  ${stale.join('\n  ')}`)
          process.exitCode = 1
        } else console.log(`vectors in ${dir} are current`)
        return
      }
      const files = vectorFiles(opts.seed)
      for (const f of files) writeFileAtomic(join(dir, f.path), f.text)
      console.log(`wrote ${files.length} vector files to ${dir}`)
    })

if (import.meta.url === `file://${process.argv[1]}`) {
  await vectorsCommand().parseAsync(process.argv)
}
