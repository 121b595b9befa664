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
import type { ModeCombination } from '../spec/data.ts'
import { paperPreset, officialPreset } from '../spec/config.ts'
import { numberNumeric as N, fromRows, toRows, toScalar, type NDArray } from './numeric.ts'
import { empo2Loss, lossSettings, type LossInputs, type LossSettings } from './loss.ts'
import { lossGradient } from './gradient.ts'
import { clippedSurrogate } from './surrogate.ts'
import { klPerToken } from './kl.ts'
import { aggregate } from './aggregate.ts'
import { entropy } from './entropy.ts'
import { offPolicyColumn } from './ratio.ts'

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

// a random [B, T] loss batch drawn from `rng` (B = 3, T = 5, right padding, all three modes)
const randomBatch = (rng: Rng): LossInputs<NDArray> & { readonly labels: ReadonlyArray<ModeCombination> } => {
  const B = 3
  const T = 5
  const [u] = nextFloats(rng, B * T * 8 + B * 3)
  let i = 0
  const next = (): number => u[i++] as number
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * next()
  const labels: ModeCombination[] = ['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy']
  const lengths = labels.map(() => 1 + Math.floor(next() * T))
  const grid = (f: (b: number, t: number) => number): number[][] =>
    Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => f(b, t)))
  const mask = grid((b, t) => (t < (lengths[b] as number) ? 1 : 0))
  const logp = grid(() => uniform(-9, 0))
  const old = grid((b, t) => Math.min(0, (logp[b]?.[t] as number) + uniform(-1.5, 1.5)))
  const tipFree = grid((b, t) =>
    labels[b] === 'onPolicyWithTips'
      ? Math.min(0, (logp[b]?.[t] as number) + uniform(-8, 1))
      : (logp[b]?.[t] as number)
  )
  const ref = grid((b, t) => Math.min(0, (logp[b]?.[t] as number) + uniform(-1, 1)))
  const rowAdv = labels.map(() => uniform(-2, 2))
  return {
    labels,
    logProbs: fromRows(logp),
    oldLogProbs: fromRows(old),
    tipFreeLogProbs: fromRows(tipFree),
    refLogProbs: fromRows(ref),
    advantages: fromRows(grid((b) => rowAdv[b] as number)),
    responseMask: fromRows(mask),
    offPolicy: fromRows(offPolicyColumn(labels)),
    entropy: fromRows(grid(() => uniform(0, 3)))
  }
}

const rowsInput = (x: LossInputs<NDArray> & { readonly labels: ReadonlyArray<ModeCombination> }) => ({
  labels: x.labels,
  logProbs: toRows(x.logProbs),
  oldLogProbs: toRows(x.oldLogProbs),
  tipFreeLogProbs: toRows(x.tipFreeLogProbs),
  refLogProbs: x.refLogProbs === null ? null : toRows(x.refLogProbs),
  advantages: toRows(x.advantages),
  responseMask: toRows(x.responseMask),
  offPolicy: toRows(x.offPolicy),
  entropy: x.entropy === null ? null : toRows(x.entropy)
})

const settingsCases: ReadonlyArray<readonly [string, LossSettings]> = [
  ['paper preset (token-mean, δ mask on off-policy rows, k3 β = 0.001)', lossSettings(paperPreset)],
  [
    'official preset (ε 0.2/0.3, dual clip 10, seq-mean-token-mean, no mask, β = 0)',
    lossSettings(officialPreset)
  ],
  [
    'official sequence mask on (min old log-prob −9), β = 0.1 with k1, entropy bonus 0.01, seq-mean-token-sum',
    {
      ...lossSettings(officialPreset),
      mask: { ...lossSettings(officialPreset).mask, enabled: true, minOldLogProb: -9 },
      kl: { ...lossSettings(officialPreset).kl, beta: 0.1, estimator: 'k1' },
      entropyCoef: 0.01,
      aggregation: 'seq-mean-token-sum'
    }
  ],
  [
    'paper mask on every row (scope all, δ = 0.05), k2 β = 0.05, seq-mean-token-sum-norm (normLength 5)',
    {
      ...lossSettings(paperPreset),
      mask: { ...lossSettings(paperPreset).mask, scope: 'all', delta: 0.05 },
      kl: { ...lossSettings(paperPreset).kl, beta: 0.05, estimator: 'k2' },
      aggregation: 'seq-mean-token-sum-norm',
      normLength: 5
    }
  ]
]

/**
 * Vectors of the token-level pieces and of the whole loss and its analytic gradient.
 *
 * @since 0.1.0
 * @category instances
 */
export const lossSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'loss',
    function: 'empo2Loss',
    signature:
      'empo2Loss(numberNumeric)(input.settings)(input.batch as LossInputs) — every output field a number; plus lossGradient(input.settings)(input.batch) as dLogProbs, dEntropy',
    description:
      'The EMPO² loss (Eq. 1 / Eq. 2) on random [3, 5] batches with one row of each mode combination (labels), right padding, under four settings. Expected: the LossOutput fields and the analytic gradient with respect to every token log-prob (and entropy).',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: (rng) =>
      settingsCases.flatMap(([name, settings], k) =>
        [0, 1].map((j) => {
          const batch = randomBatch(fork(rng, 10 * k + j))
          const out = empo2Loss(N)(settings)(batch)
          const grad = lossGradient(settings)(batch)
          return mkCase(
            `${name} #${j}`,
            { settings, batch: rowsInput(batch) },
            {
              loss: toScalar(out.loss),
              policyLoss: toScalar(out.policyLoss),
              klLoss: toScalar(out.klLoss),
              entropy: toScalar(out.entropy),
              clipFraction: toScalar(out.clipFraction),
              maskedFraction: toScalar(out.maskedFraction),
              approxKl: toScalar(out.approxKl),
              tokenCount: toScalar(out.tokenCount),
              dLogProbs: toRows(grad.dLogProbs),
              dEntropy: grad.dEntropy === null ? null : toRows(grad.dEntropy)
            }
          )
        })
      )
  },
  {
    module: 'surrogate',
    function: 'clippedSurrogate',
    signature:
      'toRows(clippedSurrogate(numberNumeric)(input.clip)(fromRows(input.advantage), fromRows(input.ratio)))',
    description:
      'Per-token clipped surrogate loss max(−A·ρ, −A·clip(ρ, 1−ε_low, 1+ε_high)), capped at −c·A for A < 0 when dualClip is set; ratios on both sides of every clip.',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: () => {
      const advantage = [
        [1, 1, 1, 1, 1],
        [-1, -1, -1, -1, -1],
        [0, 2.5, -2.5, 0.3, -0.3]
      ]
      const ratio = [
        [0.5, 0.8, 1, 1.2, 2],
        [0.5, 0.8, 1, 1.3, 12],
        [3, 1.25, 0.7, 0.79, 11]
      ]
      const clips = [
        { epsLow: 0.2, epsHigh: 0.2, dualClip: null },
        { epsLow: 0.2, epsHigh: 0.3, dualClip: 10 },
        { epsLow: 0.1, epsHigh: 0.28, dualClip: 3 }
      ]
      return clips.map((clip) =>
        mkCase(
          `ε_low ${clip.epsLow}, ε_high ${clip.epsHigh}, dual clip ${String(clip.dualClip)}`,
          { clip, advantage, ratio },
          toRows(clippedSurrogate(N)(clip)(fromRows(advantage), fromRows(ratio)))
        )
      )
    }
  },
  {
    module: 'kl',
    function: 'klPerToken',
    signature:
      'toRows(klPerToken(numberNumeric)(input.kl)(fromRows(input.logProbs), fromRows(input.refLogProbs)))',
    description:
      'Per-token KL estimators k1, k2, k3 (k3 with d clamped to ±20 and the value to ±10), including far-apart log-probs that hit both clamps.',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: () => {
      const logProbs = [[-1, -2, -0.1, -30, -1e-9]]
      const refLogProbs = [[-2, -2, -5, -0.5, -40]]
      return (['k1', 'k2', 'k3'] as const).map((estimator) => {
        const kl = { beta: 0.001, estimator, logRatioClamp: 20, valueClamp: 10 }
        return mkCase(
          estimator,
          { kl, logProbs, refLogProbs },
          toRows(klPerToken(N)(kl)(fromRows(logProbs), fromRows(refLogProbs)))
        )
      })
    }
  },
  {
    module: 'aggregate',
    function: 'aggregate',
    signature:
      'toScalar(aggregate(numberNumeric)(input.settings)(fromRows(input.loss), fromRows(input.mask)))',
    description: 'The four aggregation modes on a [3, 4] loss with ragged rows and one empty row.',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: (rng) => {
      const [u] = nextFloats(rng, 12)
      const loss = [0, 1, 2].map((b) =>
        [0, 1, 2, 3].map((t) => Math.round(((u[b * 4 + t] as number) * 4 - 2) * 1000) / 1000)
      )
      const mask = [
        [1, 1, 1, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0]
      ]
      return (
        ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const
      ).map((aggregation) => {
        const settings = { aggregation, normLength: 4 }
        return mkCase(
          aggregation,
          { settings, loss, mask },
          toScalar(aggregate(N)(settings)(fromRows(loss), fromRows(mask)))
        )
      })
    }
  },
  {
    module: 'entropy',
    function: 'entropy',
    signature: 'entropy(numberNumeric)(ndarray([1, T, V], input.logProbs.flat())).data',
    description:
      'Per-token entropy −Σ_v p_v·log p_v from log-probabilities over the last axis (one row of T distributions over V = 4 outcomes, one of them with a zero-probability outcome).',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: () => {
      const dists = [
        [0.25, 0.25, 0.25, 0.25],
        [0.7, 0.1, 0.1, 0.1],
        [0.5, 0.5, 0, 0]
      ]
      const logProbs = dists.map((d) => d.map((p) => (p === 0 ? -Infinity : Math.log(p))))
      const x: NDArray = { shape: [1, 3, 4], data: Float64Array.from(logProbs.flat()) }
      return [mkCase('three distributions', { logProbs }, Array.from(entropy(N)(x).data))]
    }
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
export const allSpecs: ReadonlyArray<VectorSpec> = [...rngSpecs, ...lossSpecs]

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
