/**
 * Conformance vectors: for every core function, cases of inputs with the outputs this implementation
 * computes, at a fixed seed. `npm run vectors` writes them as JSON (format: `VectorFile` in
 * src/spec/vectors.ts, described in docs/porting.md); a test regenerates them and checks the committed
 * files are unchanged. Building the cases is pure; writing them is the effect layer's job.
 *
 * @since 0.1.0
 */
import type { Json, VectorCase, VectorFile } from '../spec/vectors.ts'
import { fork, mkRng, nextFloats, type Rng } from './rng.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How to build one vector file: everything but the seed and the cases, and a case builder that
 * draws its random inputs from the `Rng` it is given.
 *
 * @since 0.1.0
 * @category model
 */
export interface VectorSpec {
  readonly module: string
  readonly function: string
  readonly signature: string
  readonly description: string
  readonly tolerance: { readonly abs: number; readonly rel: number }
  readonly cases: (rng: Rng) => ReadonlyArray<VectorCase>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A case, with its input and output made plain JSON (typed arrays become arrays, `-0` becomes `0`,
 * non-finite numbers become the strings `"Infinity"`, `"-Infinity"`, `"NaN"`).
 *
 * @example
 * import { mkCase } from './vectors.ts'
 * assert.deepEqual(mkCase('x', { a: Float64Array.of(1, -0) }, Infinity), { name: 'x', input: { a: [1, 0] }, expected: 'Infinity' })
 *
 * @since 0.1.0
 * @category constructors
 */
export const mkCase = (name: string, input: unknown, expected: unknown): VectorCase => ({
  name,
  input: toJson(input),
  expected: toJson(expected)
})

/**
 * A value as JSON (see {@link mkCase}); `undefined` fields are dropped.
 *
 * @example
 * import { toJson } from './vectors.ts'
 * assert.deepEqual(toJson([NaN, 2, { b: undefined }]), ['NaN', 2, {}])
 *
 * @since 0.1.0
 * @category constructors
 */
export const toJson = (v: unknown): Json => {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN'
    if (v === Infinity) return 'Infinity'
    if (v === -Infinity) return '-Infinity'
    return Object.is(v, -0) ? 0 : v
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => toJson(x))
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v === 'object') {
    const out: Record<string, Json> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = toJson(x)
    return out
  }
  throw new TypeError(`toJson: cannot encode a ${typeof v}`)
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The vector file of `spec` at `seed`: the cases draw from `fork(mkRng(seed), index)` so adding a
 * spec never changes another spec's cases.
 *
 * @example
 * import { buildFile, rngSpecs } from './vectors.ts'
 * const f = buildFile(7)(rngSpecs[0]!, 0)
 * assert.equal(f.format, 'empo2-conformance-vectors')
 * assert.deepEqual(buildFile(7)(rngSpecs[0]!, 0), f)
 *
 * @since 0.1.0
 * @category combinators
 */
export const buildFile =
  (seed: number) =>
  (spec: VectorSpec, index: number): VectorFile =>
    ({
      format: 'empo2-conformance-vectors',
      version: 1,
      module: spec.module,
      function: spec.function,
      signature: spec.signature,
      description: spec.description,
      seed,
      tolerance: spec.tolerance,
      cases: spec.cases(fork(mkRng(seed), index))
    }) as VectorFile

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Vectors of src/core/rng.ts: the streams a port must reproduce bit for bit to share seeds.
 *
 * @since 0.1.0
 * @category instances
 */
export const rngSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'rng',
    function: 'nextFloats',
    signature: 'nextFloats(mkRng(input.seed), input.n)[0]',
    description:
      'Uniform floats in [0, 1) from a seed: xoroshiro128+ seeded with murmur3-fmix32(seed ^ 0x5bd1e995), jumped once; 53-bit floats (pure-rand uniformFloat64).',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      [0, 1, 42, 2 ** 31 - 1].map((seed) =>
        mkCase(`seed ${seed}`, { seed, n: 5 }, nextFloats(mkRng(seed), 5)[0])
      )
  },
  {
    module: 'rng',
    function: 'fork',
    signature: 'nextFloats(fork(mkRng(input.seed), input.label), input.n)[0]',
    description: 'The first floats of a forked stream.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      [
        [0, 0],
        [0, 1],
        [7, 123]
      ].map(([seed, label]) =>
        mkCase(
          `seed ${seed} label ${label}`,
          { seed, label, n: 3 },
          nextFloats(fork(mkRng(seed as number), label as number), 3)[0]
        )
      )
  }
]

/**
 * The fixed seed of the committed vectors.
 *
 * @since 0.1.0
 * @category model
 */
export const VECTORS_SEED = 20260223

/**
 * Every vector spec, in a fixed order (a spec's position is part of its seed: append, never insert).
 *
 * @since 0.1.0
 * @category instances
 */
export const allSpecs: ReadonlyArray<VectorSpec> = [...rngSpecs]

/**
 * The files of the vector set at `seed`: a path relative to the output directory
 * (`<module>.<function>.json`) and its JSON text (two-space indentation, trailing newline).
 *
 * @example
 * import { vectorFiles } from './vectors.ts'
 * const files = vectorFiles(1)
 * assert.ok(files.some((f) => f.path === 'rng.nextFloats.json'))
 * assert.deepEqual(vectorFiles(1), files)
 *
 * @since 0.1.0
 * @category combinators
 */
export const vectorFiles = (seed: number): ReadonlyArray<{ readonly path: string; readonly text: string }> =>
  allSpecs.map((spec, i) => ({
    path: `${spec.module}.${spec.function}.json`,
    text: `${JSON.stringify(buildFile(seed)(spec, i), null, 2)}\n`
  }))
