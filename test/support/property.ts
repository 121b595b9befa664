/**
 * The one way property tests run here: `property(title, ...arbs, predicate)` registers a node:test
 * case that runs fast-check with a seed printed in the test's diagnostics (reproduce with
 * `FC_SEED=<seed> npm run test:property`). A failure report carries `{ seed, path }`: add it to the
 * test's `regressions` as a named example so it is checked forever.
 */
import { test } from 'node:test'
import fc from 'fast-check'

const envSeed = process.env['FC_SEED']
/** The seed of this process's run, printed with every property. */
export const runSeed: number = envSeed !== undefined ? Number(envSeed) : (Date.now() ^ (process.pid << 8)) | 0
const envRuns = process.env['FC_RUNS']
/** Runs per property (fast-check's default of 100 unless FC_RUNS says otherwise). */
export const numRuns: number = envRuns !== undefined ? Number(envRuns) : 100

export interface PropertyOptions<Ts extends unknown[]> {
  /** Named regression cases: each was once a failing counterexample, kept forever. */
  readonly regressions?: ReadonlyArray<readonly [name: string, args: Ts]>
  readonly numRuns?: number
}

/**
 * Register a property. The title states the law.
 */
export const property = <Ts extends [unknown, ...unknown[]]>(
  title: string,
  arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  // fast-check's own predicate type: false fails the run, returning nothing passes
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  predicate: (...args: Ts) => boolean | void,
  options: PropertyOptions<Ts> = {}
): void => {
  test(title, (t) => {
    t.diagnostic(`fast-check seed ${runSeed}`)
    fc.assert(
      fc.property(...(arbs as unknown as [fc.Arbitrary<Ts[0]>]), predicate as (...a: unknown[]) => boolean),
      {
        seed: runSeed,
        numRuns: options.numRuns ?? numRuns,
        examples: (options.regressions ?? []).map(([, args]) => args) as unknown as [Ts[0]][]
      }
    )
  })
}

/** Relative-or-absolute closeness: |a − b| ≤ atol + rtol·max(|a|, |b|). */
export const close = (a: number, b: number, rtol = 1e-9, atol = 1e-9): boolean =>
  a === b || Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b))
