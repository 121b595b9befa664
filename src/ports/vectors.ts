/**
 * Conformance vectors: for every core function, cases of inputs with the outputs this implementation
 * computes, at a fixed seed. `npm run vectors` writes them as JSON (format: `VectorFile` in
 * src/spec/vectors.ts, described in docs/porting.md); a test regenerates them and checks the committed
 * files are unchanged. Building the cases is pure; writing them is the effect layer's job.
 *
 * @since 0.1.0
 */
import type { Json, VectorCase, VectorFile } from '../spec/vectors.ts'
import { fork, mkRng, nextFloats, type Rng } from '../core/rng.ts'
import type { Mode } from '../spec/data.ts'
import { paperPreset, officialPreset } from '../spec/config.ts'
import { numberNumeric as N, fromRows, toRows, toScalar, type NDArray } from '../core/loss/numeric.ts'
import {
  empo2Loss,
  lossSettings,
  omittable,
  omittedRows,
  type LossInputs,
  type LossSettings
} from '../core/loss/loss.ts'
import { lossGradient } from '../core/loss/gradient.ts'
import { clippedSurrogate } from '../core/loss/surrogate.ts'
import { klPerToken } from '../core/loss/kl.ts'
import { aggregate, aggregationWeights } from '../core/loss/aggregate.ts'
import { entropy } from '../core/loss/entropy.ts'
import { offPolicyColumn } from '../core/loss/ratio.ts'
import { discountedReturns, episodeReturn } from '../core/advantage/returns.ts'
import {
  gigpoAdvantages,
  gigpoStepAdvantages,
  grpoAdvantages,
  type GigpoConfig,
  type GigpoStep,
  type GrpoConfig
} from '../core/advantage/advantage.ts'
import { drawModes, modeProbabilities, type ModesConfig } from '../core/train/modes.ts'
import type { TokenizerConfig } from '../spec/model.ts'
import type { Probability } from '../spec/brands.ts'
import { byteTokenizer, learnPieces, mkTokenizer } from '../core/agent/tokenizer.ts'
import {
  assemble,
  type PromptInput,
  promptTokens,
  removeSpans,
  removeTips,
  render,
  tipCharSpans,
  tipGenerationPrompt,
  tipTokenSpans
} from '../core/agent/prompt.ts'
import { cosine, embed, embedWith, features, fnv1a32, tokenize } from '../core/memory/embedding.ts'
import {
  emptyMemory,
  entryText,
  insertAll,
  retrieveScored,
  scoreText,
  type InsertConfig,
  type NewEntry,
  type RetrieveConfig
} from '../core/memory/memory.ts'
import { batchIntrinsicRewards, emptyNovelty, intrinsicReward } from '../core/memory/novelty.ts'
import {
  exemplarText,
  retrievalScores,
  writeEpisode,
  type RemembererEntry,
  type RemembererSettings,
  type RemembererStore
} from '../core/methods/rememberer.ts'
import {
  posterior,
  qEstimates,
  stateText as mdsiStateText,
  writeEpisode as mdsiWriteEpisode,
  type MdsiSettings,
  type MdsiStore
} from '../core/methods/mdsi.ts'
import { drawIndex } from '../core/methods/record.ts'

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
const randomBatch = (rng: Rng): LossInputs<NDArray> & { readonly labels: ReadonlyArray<Mode> } => {
  const B = 3
  const T = 5
  const [u] = nextFloats(rng, B * T * 8 + B * 3)
  let i = 0
  const next = (): number => u[i++] as number
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * next()
  const labels: Mode[] = ['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy']
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

const rowsInput = (x: LossInputs<NDArray> & { readonly labels: ReadonlyArray<Mode> }) => ({
  labels: x.labels,
  logProbs: toRows(x.logProbs),
  oldLogProbs: toRows(x.oldLogProbs),
  tipFreeLogProbs: toRows(x.tipFreeLogProbs),
  refLogProbs: x.refLogProbs === null ? null : toRows(x.refLogProbs),
  advantages: toRows(x.advantages),
  responseMask: toRows(x.responseMask),
  offPolicy: toRows(x.offPolicy),
  entropy: x.entropy === null ? null : toRows(x.entropy),
  omitted: x.omitted
})

const settingsCases: ReadonlyArray<readonly [string, LossSettings]> = [
  ['paper preset (token-mean, δ mask on every row, k3 β = 0.001)', lossSettings(paperPreset)],
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
    'paper mask on every row (scope all, as the paper preset), δ = 0.05, k2 β = 0.05, seq-mean-token-sum-norm (normLength 5)',
    {
      ...lossSettings(paperPreset),
      mask: { ...lossSettings(paperPreset).mask, scope: 'all', delta: 0.05 },
      kl: { ...lossSettings(paperPreset).kl, beta: 0.05, estimator: 'k2' },
      aggregation: 'seq-mean-token-sum-norm',
      normLength: 5
    }
  ]
]

// a loss case: the LossOutput fields and the analytic gradient of `batch` under `settings`
const lossCase = (
  name: string,
  settings: LossSettings,
  batch: LossInputs<NDArray> & { readonly labels: ReadonlyArray<Mode> }
): VectorCase => {
  const out = empo2Loss(N)(settings)(batch)
  const grad = lossGradient(settings)(batch)
  return mkCase(
    name,
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
}

// -------------------------------------------------------------------------------------
// edge cases: every clamp, kink, tie and threshold of the loss, hit exactly
// -------------------------------------------------------------------------------------

// Log-ratios r (multiples of 2⁻²⁰, so `old + r` and `(old + r) − old` are exact) whose exp lies within
// 1.3e-4 ulp of a double (found with 60-digit arithmetic): any exp with error below 0.99 ulp returns
// that double, so a port's ratio equals these bounds bit for bit and the tie is reached exactly.
const R_HIGH = 0.2599821090698242 // exp = 1.2969068835877113 = 1 + EPS_HIGH_AT
const R_LOW = -0.2213153839111328 // exp = 0.8014638716159347 = 1 − EPS_LOW_AT
const R_DUAL = 2.3040332794189453 // exp = 10.014492355532436 = DUAL_AT
const EPS_HIGH_AT = Math.exp(R_HIGH) - 1 // exact (Sterbenz)
const EPS_LOW_AT = 1 - Math.exp(R_LOW) // exact (Sterbenz)
const DUAL_AT = Math.exp(R_DUAL)
// δ = 0.0010086540132761002: its log lies within 2e-7 ulp of the double LOG_DELTA_AT, and
// exp(LOG_DELTA_AT) rounds back to δ, so log-space and probability-space comparisons agree at the tie
const DELTA_AT = 0.0010086540132761002
const LOG_DELTA_AT = Math.log(DELTA_AT) // −6.89913849703286
// d = ref − logp where exp(d) − d − 1 rounds to −2⁻⁵³ (exp(d) within 0.26 ulp of its double)
const D_K3_NEGATIVE = 1.2898123125577172e-9
const BELOW = 2 ** -40 // a step that keeps −5 and LOG_DELTA_AT − step exact

interface EdgeBatch {
  readonly labels: ReadonlyArray<Mode>
  readonly logProbs: ReadonlyArray<ReadonlyArray<number>>
  readonly oldLogProbs: ReadonlyArray<ReadonlyArray<number>>
  readonly tipFreeLogProbs?: ReadonlyArray<ReadonlyArray<number>>
  readonly refLogProbs?: ReadonlyArray<ReadonlyArray<number>>
  readonly rowAdvantages: ReadonlyArray<number>
  readonly responseMask?: ReadonlyArray<ReadonlyArray<number>>
}

// a loss batch from hand-written rows (tip-free log-probs default to logProbs, mask to all ones)
const edgeBatch = (e: EdgeBatch): LossInputs<NDArray> & { readonly labels: ReadonlyArray<Mode> } => ({
  labels: e.labels,
  logProbs: fromRows(e.logProbs),
  oldLogProbs: fromRows(e.oldLogProbs),
  tipFreeLogProbs: fromRows(e.tipFreeLogProbs ?? e.logProbs),
  refLogProbs: e.refLogProbs === undefined ? null : fromRows(e.refLogProbs),
  advantages: fromRows(e.logProbs.map((r, b) => r.map(() => e.rowAdvantages[b] as number))),
  responseMask: fromRows(e.responseMask ?? e.logProbs.map((r) => r.map(() => 1))),
  offPolicy: fromRows(offPolicyColumn(e.labels)),
  entropy: null
})

// logProbs/oldLogProbs rows with the given exact log-ratios r = logp − old (old = −2 − k)
const withRatios = (rows: ReadonlyArray<ReadonlyArray<number>>) => ({
  logProbs: rows.map((r) => r.map((x, t) => -2 - t + x)),
  oldLogProbs: rows.map((r) => r.map((_, t) => -2 - t))
})

// token-mean, no mask, no KL, no entropy: only the policy term
const plain = (clip: { epsLow: number; epsHigh: number; dualClip: number | null }): LossSettings => ({
  ...lossSettings(paperPreset),
  ...clip,
  logRatioClamp: 20,
  mask: { ...lossSettings(paperPreset).mask, enabled: false },
  kl: { ...lossSettings(paperPreset).kl, beta: 0 },
  aggregation: 'token-mean',
  entropyCoef: 0
})

const edgeLossCases: ReadonlyArray<readonly [string, LossSettings, ReturnType<typeof edgeBatch>]> = [
  [
    'edge: log-ratio 25 and exactly 20 with A < 0, no dual clip (ρ = e²⁰, zero gradient beyond the clamp, gradient at it)',
    plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
    edgeBatch({
      labels: ['onPolicyNoMemory'],
      logProbs: [[-1, -1, -3, -1]],
      oldLogProbs: [[-26, -21, -1, -1.5]],
      rowAdvantages: [-1]
    })
  ],
  [
    'edge: log-ratio −25 and exactly −20 with A > 0 (ρ = e⁻²⁰, zero gradient beyond the clamp, gradient at it)',
    plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
    edgeBatch({
      labels: ['onPolicyNoMemory'],
      logProbs: [[-26, -21]],
      oldLogProbs: [[-1, -1]],
      rowAdvantages: [1]
    })
  ],
  [
    'edge: dual clip c = exp(r) exactly; A < 0 with ρ above c (capped at −c·A), exactly c (tie: gradient kept, not counted), below c; A > 0 never capped',
    plain({ epsLow: 0.2, epsHigh: 0.3, dualClip: DUAL_AT }),
    edgeBatch({
      labels: ['onPolicyNoMemory', 'onPolicyWithTips'],
      ...withRatios([
        [3, R_DUAL, 2, 25],
        [3, -3, R_DUAL, 0]
      ]),
      rowAdvantages: [-1, 1]
    })
  ],
  [
    'edge: ratio exactly 1 + ε_high and 1 − ε_low (both surrogate branches equal: gradient kept, clip not counted), for A > 0 and A < 0',
    plain({ epsLow: EPS_LOW_AT, epsHigh: EPS_HIGH_AT, dualClip: null }),
    edgeBatch({
      labels: ['onPolicyNoMemory', 'offPolicy'],
      ...withRatios([
        [R_HIGH, R_LOW, 0.5, -0.5],
        [R_HIGH, R_LOW, 0.5, -0.5]
      ]),
      rowAdvantages: [1, -1]
    })
  ],
  [
    'edge: ε_low = ε_high = 0, ratio exactly 1 (exp(0) = 1 in every runtime): both clip bounds tie at once',
    plain({ epsLow: 0, epsHigh: 0, dualClip: null }),
    edgeBatch({
      labels: ['onPolicyNoMemory', 'offPolicy'],
      ...withRatios([
        [0, 0.1, -0.1],
        [0, 0.1, -0.1]
      ]),
      rowAdvantages: [1, -1]
    })
  ],
  [
    'edge: δ mask, tip-free log-prob exactly log δ (kept: ≥), just below (masked), on every row (scope all)',
    {
      ...plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
      mask: {
        enabled: true,
        rule: 'tokenProb',
        scope: 'all',
        delta: DELTA_AT,
        minOldLogProb: -5,
        droppedRowsCount: true
      }
    },
    edgeBatch({
      labels: ['offPolicy', 'onPolicyWithTips'],
      logProbs: [
        [LOG_DELTA_AT, LOG_DELTA_AT - BELOW, -1],
        [-1, -2, -1]
      ],
      oldLogProbs: [
        [-7, -7, -1.1],
        [-1.05, -2.1, -0.9]
      ],
      tipFreeLogProbs: [
        [LOG_DELTA_AT, LOG_DELTA_AT - BELOW, -1],
        [LOG_DELTA_AT, LOG_DELTA_AT - BELOW, -20]
      ],
      rowAdvantages: [1, 1]
    })
  ],
  [
    'edge: δ = 1, tip-free log-prob exactly 0 (kept) and −1e-3 (masked); off-policy scope, so the on-policy row is untouched',
    {
      ...plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
      mask: {
        enabled: true,
        rule: 'tokenProb',
        scope: 'offPolicy',
        delta: 1,
        minOldLogProb: -5,
        droppedRowsCount: true
      }
    },
    edgeBatch({
      labels: ['offPolicy', 'onPolicyNoMemory'],
      logProbs: [
        [0, -1e-3],
        [0, -1e-3]
      ],
      oldLogProbs: [
        [-0.1, -0.1],
        [-0.1, -0.1]
      ],
      rowAdvantages: [1, -1]
    })
  ],
  [
    'edge: sequence mask, row minimum exactly minOldLogProb −5 (kept: strict <), just below (row dropped), below only on padding (kept)',
    {
      ...lossSettings(officialPreset),
      mask: { ...lossSettings(officialPreset).mask, enabled: true, minOldLogProb: -5 }
    },
    edgeBatch({
      labels: ['onPolicyNoMemory', 'onPolicyWithTips', 'offPolicy'],
      logProbs: [
        [-4.5, -1, -1],
        [-4.5, -1, -1],
        [-1, -1, -1]
      ],
      oldLogProbs: [
        [-5, -1.2, -0.8],
        [-5 - BELOW, -1.2, -0.8],
        [-1.2, -0.8, -50]
      ],
      responseMask: [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 0]
      ],
      rowAdvantages: [1, -1, 0.5]
    })
  ],
  [
    'edge: k3 (β = 1, A = 0) beyond its clamps: d = ±25 (d clamped, value clamped to 10), value above 10, just below 10, below 0 by rounding (clamped to 0, zero gradient)',
    {
      ...plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
      kl: { beta: 1, estimator: 'k3', logRatioClamp: 20, valueClamp: 10 }
    },
    edgeBatch({
      labels: ['onPolicyNoMemory'],
      logProbs: [[-26, -1, -4, -3, -11, -12, -2 * D_K3_NEGATIVE]],
      oldLogProbs: [[-26, -1, -4, -3, -11, -12, -2 * D_K3_NEGATIVE]],
      refLogProbs: [[-1, -26, -1, -1, -21.5, -23, -D_K3_NEGATIVE]],
      rowAdvantages: [0]
    })
  ],
  [
    'edge: k3 with valueClamp 1e12, so only the d clamp binds: d = ±25 (clamped, zero gradient) and exactly ±20 (gradient kept)',
    {
      ...plain({ epsLow: 0.2, epsHigh: 0.2, dualClip: null }),
      kl: { beta: 1, estimator: 'k3', logRatioClamp: 20, valueClamp: 1e12 }
    },
    edgeBatch({
      labels: ['onPolicyNoMemory'],
      logProbs: [[-26, -21, -1, -1]],
      oldLogProbs: [[-26, -21, -1, -1]],
      refLogProbs: [[-1, -1, -26, -21]],
      rowAdvantages: [0]
    })
  ]
]

// -------------------------------------------------------------------------------------
// switch cases: both settings of every loss switch, so a port with one reading only fails
// -------------------------------------------------------------------------------------

// the official sequence mask with β = 0.1 (k1) and an entropy bonus, as in the third random setting
const seqMaskSettings = settingsCases[2]?.[1] as LossSettings
const withMask = (s: LossSettings, m: Partial<LossSettings['mask']>): LossSettings => ({
  ...s,
  mask: { ...s.mask, ...m }
})

// rows left out of the evaluation (advantage 0, β = 0, no entropy bonus): a row dropped by the
// sequence mask (−10 < −9), a kept row and an empty row, so rows, rowsWithTokens and tokens all differ
const omittedOldLogProbs: ReadonlyArray<ReadonlyArray<number>> = [[-1, -10, -2], [-0.5, -3], []]

// `batch` with the omitted rows scored: advantage 0, logp = old (ratio 1), on-policy, padded to T
const withRowsIn = (
  batch: ReturnType<typeof edgeBatch>,
  rows: ReadonlyArray<ReadonlyArray<number>>
): ReturnType<typeof edgeBatch> => {
  const T = batch.logProbs.shape[1] as number
  const pad = (r: ReadonlyArray<number>): number[] => Array.from({ length: T }, (_, t) => r[t] ?? 0)
  const more = (a: NDArray, f: (r: ReadonlyArray<number>) => number[]): NDArray =>
    fromRows([...toRows(a), ...rows.map(f)])
  const ones = (r: ReadonlyArray<number>): number[] =>
    Array.from({ length: T }, (_, t) => (t < r.length ? 1 : 0))
  return {
    labels: [...batch.labels, ...rows.map((): Mode => 'onPolicyNoMemory')],
    logProbs: more(batch.logProbs, pad),
    oldLogProbs: more(batch.oldLogProbs, pad),
    tipFreeLogProbs: more(batch.tipFreeLogProbs, pad),
    refLogProbs: batch.refLogProbs === null ? null : more(batch.refLogProbs, pad),
    advantages: more(batch.advantages, (r) => pad(r).map(() => 0)),
    responseMask: more(batch.responseMask, ones),
    offPolicy: more(batch.offPolicy, () => [0]),
    entropy: batch.entropy === null ? null : more(batch.entropy, (r) => pad(r).map(() => 0))
  }
}

// OmittedRows whose three counts differ, so a port adding the wrong one to a denominator fails
const omittedCounts = [
  { rows: 2, rowsWithTokens: 1, tokens: 3 },
  { rows: 1, rowsWithTokens: 0, tokens: 0 }
] as const

const aggregationModes = [
  'token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-mean',
  'seq-mean-token-sum-norm'
] as const

const switchLossCases = (rng: Rng): ReadonlyArray<VectorCase> => {
  // the sequence-mask example: the third setting's batch #1 (rows dropped by minOldLogProb −9)
  const seqBatch = randomBatch(fork(rng, 21))
  const seqCases = (['seq-mean-token-sum', 'seq-mean-token-mean', 'token-mean'] as const).flatMap(
    (aggregation) =>
      [true, false].map((droppedRowsCount) =>
        lossCase(
          `switch: official sequence mask on (−9), β = 0.1 k1, entropy 0.01, ${aggregation}, droppedRowsCount ${droppedRowsCount} (${droppedRowsCount ? 'dropped rows count in every denominator: denominator mask ≠ terms mask' : 'dropped rows leave the denominators'}), batch of the third setting #1`,
          { ...withMask(seqMaskSettings, { droppedRowsCount }), aggregation },
          seqBatch
        )
      )
  )
  // the paper's δ mask restricted to off-policy rows (the paper preset masks every row)
  const scopeCases = [0, 1].map((j) =>
    lossCase(
      `switch: paper preset with mask scope offPolicy (δ mask on off-policy rows only) #${j}`,
      withMask(lossSettings(paperPreset), { scope: 'offPolicy' }),
      randomBatch(fork(rng, 10 * settingsCases.length + j))
    )
  )
  // omitted rows in every aggregation mode, with the same rows scored for comparison
  const base = {
    ...withMask(lossSettings(officialPreset), { enabled: true, minOldLogProb: -9 }),
    kl: { ...lossSettings(officialPreset).kl, beta: 0 },
    entropyCoef: 0,
    normLength: 5
  }
  const batch = randomBatch(fork(rng, 10 * settingsCases.length + 2))
  const omittedCases = aggregationModes.flatMap((aggregation) =>
    [true, false].flatMap((droppedRowsCount) => {
      const s = { ...withMask(base, { droppedRowsCount }), aggregation }
      const omitted = omittedRows(s)(omittedOldLogProbs.map((oldLogProbs) => ({ oldLogProbs })))
      const tag = `official sequence mask on (−9), β = 0, ${aggregation}, droppedRowsCount ${droppedRowsCount}`
      return [
        lossCase(
          `switch: omitted rows ${JSON.stringify(omitted)} (old log-probs [[−1, −10, −2], [−0.5, −3], []]), ${tag}`,
          s,
          { ...batch, omitted }
        ),
        lossCase(
          `switch: the same three rows scored with advantage 0 (equal loss), ${tag}`,
          s,
          withRowsIn(batch, omittedOldLogProbs)
        )
      ]
    })
  )
  return [...seqCases, ...scopeCases, ...omittedCases]
}

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
      'The EMPO² loss (docs/method.md §2 Eq. 1, §5 Eq. 2) on random [3, 5] batches with one row of each mode combination (labels), right padding, under four settings, then hand-built edge batches that hit every clamp, kink, tie and threshold exactly (log-ratio beyond and at ±20, ratio at 1 ± ε and at the dual-clip constant, tip-free log-prob at log δ, row minimum at minOldLogProb, k3 beyond its clamps and below 0 by rounding). Expected: the LossOutput fields (formulas in docs/porting.md) and the analytic gradient with respect to every token log-prob (and entropy).',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: (rng) =>
      settingsCases
        .flatMap(([name, settings], k) =>
          [0, 1].map((j) => lossCase(`${name} #${j}`, settings, randomBatch(fork(rng, 10 * k + j))))
        )
        .concat(edgeLossCases.map(([name, settings, batch]) => lossCase(name, settings, batch)))
        .concat(switchLossCases(rng))
  },
  {
    module: 'surrogate',
    function: 'clippedSurrogate',
    signature:
      'toRows(clippedSurrogate(numberNumeric)(input.clip)(fromRows(input.advantage), fromRows(input.ratio)))',
    description:
      'Per-token clipped surrogate loss max(−A·ρ, −A·clip(ρ, 1−ε_low, 1+ε_high)), capped at −c·A for A < 0 when dualClip is set; ratios on both sides of every clip, and (edge cases) exactly at 1 − ε_low, 1 + ε_high and c, including ε = 0.',
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
      const atBounds = (clip: { epsLow: number; epsHigh: number; dualClip: number | null }) => {
        // ratios exactly at 1 − ε_low, 1 + ε_high and c, as the loss computes the bounds
        const lo = 1 - clip.epsLow
        const hi = 1 + clip.epsHigh
        const c = clip.dualClip ?? 2 * hi
        return {
          advantage: [
            [1, 1, 1, 1, 1],
            [-1, -1, -1, -1, -1],
            [-2, -2, -2, 0, 0]
          ],
          ratio: [
            [lo, hi, 1, c, 2 * c],
            [lo, hi, 1, c, 2 * c],
            [c, 2 * c, c / 2, lo, c]
          ]
        }
      }
      return clips
        .map((clip) =>
          mkCase(
            `ε_low ${clip.epsLow}, ε_high ${clip.epsHigh}, dual clip ${String(clip.dualClip)}`,
            { clip, advantage, ratio },
            toRows(clippedSurrogate(N)(clip)(fromRows(advantage), fromRows(ratio)))
          )
        )
        .concat(
          [
            { epsLow: 0.2, epsHigh: 0.3, dualClip: 10 },
            { epsLow: 0, epsHigh: 0, dualClip: 3 },
            { epsLow: 0.1, epsHigh: 0.28, dualClip: null }
          ].map((clip) => {
            const x = atBounds(clip)
            return mkCase(
              `edge: ratios exactly at 1 − ε_low, 1 + ε_high and c: ε_low ${clip.epsLow}, ε_high ${clip.epsHigh}, dual clip ${String(clip.dualClip)}`,
              { clip, ...x },
              toRows(clippedSurrogate(N)(clip)(fromRows(x.advantage), fromRows(x.ratio)))
            )
          })
        )
    }
  },
  {
    module: 'kl',
    function: 'klPerToken',
    signature:
      'toRows(klPerToken(numberNumeric)(input.kl)(fromRows(input.logProbs), fromRows(input.refLogProbs)))',
    description:
      'Per-token KL estimators k1 = logp − ref, k2 = ½(logp − ref)², k3 = clamp(exp(d) − d − 1, 0, valueClamp) with d = clamp(ref − logp, ±logRatioClamp) (20 and 10 by default), including far-apart log-probs that hit both clamps; the edge cases raise one clamp so the other is seen alone, and one d makes exp(d) − d − 1 round to −2⁻⁵³ (clamped to 0).',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: () => {
      const logProbs = [[-1, -2, -0.1, -30, -1e-9]]
      const refLogProbs = [[-2, -2, -5, -0.5, -40]]
      const base = (['k1', 'k2', 'k3'] as const).map((estimator) => {
        const kl = { beta: 0.001, estimator, logRatioClamp: 20, valueClamp: 10 }
        return mkCase(
          estimator,
          { kl, logProbs, refLogProbs },
          toRows(klPerToken(N)(kl)(fromRows(logProbs), fromRows(refLogProbs)))
        )
      })
      // d = ref − logp: ±25, exactly ±20, 3, 2, −10.5, −11, 4.5 and a d where exp(d) − d − 1 rounds below 0
      const lp = [[-26, -21, -1, -1, -4, -3, -11, -12, -5.5, -2 * D_K3_NEGATIVE]]
      const ref = [[-1, -1, -26, -21, -1, -1, -21.5, -23, -1, -D_K3_NEGATIVE]]
      const edges = [
        ['edge: k3, value clamp 1e12 (only the d clamp binds)', { logRatioClamp: 20, valueClamp: 1e12 }],
        ['edge: k3, d clamp 3, value clamp 10', { logRatioClamp: 3, valueClamp: 10 }],
        ['edge: k3, d clamp 20, value clamp 10 (the defaults)', { logRatioClamp: 20, valueClamp: 10 }]
      ] as const
      return base.concat(
        edges.map(([name, clamps]) => {
          const kl = { beta: 0.001, estimator: 'k3' as const, ...clamps }
          return mkCase(
            name,
            { kl, logProbs: lp, refLogProbs: ref },
            toRows(klPerToken(N)(kl)(fromRows(lp), fromRows(ref)))
          )
        })
      )
    }
  },
  {
    module: 'aggregate',
    function: 'aggregate',
    signature:
      'toScalar(aggregate(numberNumeric)(input.settings)(fromRows(input.loss), fromRows(input.mask), input.omitted ?? { rows: 0, rowsWithTokens: 0, tokens: 0 }))',
    description:
      'The four aggregation modes on a [3, 4] loss with ragged rows and one empty row; then the same with OmittedRows (rows left out of the arrays that still count): token-mean adds omitted.tokens to ΣM, seq-mean-token-sum adds omitted.rows to B, seq-mean-token-mean adds omitted.rowsWithTokens to its row count, seq-mean-token-sum-norm ignores them.',
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
      const plain = aggregationModes.map((aggregation) => {
        const settings = { aggregation, normLength: 4 }
        return mkCase(
          aggregation,
          { settings, loss, mask },
          toScalar(aggregate(N)(settings)(fromRows(loss), fromRows(mask)))
        )
      })
      // omitted rows: their counts join each mode's denominator (rows, rowsWithTokens, tokens differ)
      const withOmitted = aggregationModes.flatMap((aggregation) =>
        omittedCounts.map((omitted) => {
          const settings = { aggregation, normLength: 4 }
          return mkCase(
            `${aggregation}, omitted ${JSON.stringify(omitted)}`,
            { settings, loss, mask, omitted },
            toScalar(aggregate(N)(settings)(fromRows(loss), fromRows(mask), omitted))
          )
        })
      )
      return plain.concat(withOmitted)
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

// -------------------------------------------------------------------------------------
// instances: the non-differentiable parts (appended after the loss family, never inserted)
// -------------------------------------------------------------------------------------

// `n` uniforms from `rng` as a pull-one-at-a-time stream
const stream = (rng: Rng, n: number): (() => number) => {
  const [u] = nextFloats(rng, n)
  let i = 0
  return () => {
    if (i >= u.length) throw new RangeError(`vectors: stream of ${n} uniforms exhausted`)
    return u[i++] as number
  }
}
// an integer uniform in [lo, hi] from one uniform
const intIn = (next: () => number, lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
// a value rounded to 1/1000, so that the inputs print short and exactly
const milli = (x: number): number => Math.round(x * 1000) / 1000

// A case whose ranking compares cosines must not hinge on the last bits of a cosine: distinct
// similarities that a port could round differently (closer than 1e-9) or a similarity within 1e-9 of a
// threshold make the builder fail, so the committed vectors never contain such a near-tie.
const assertNoNearTie = (
  what: string,
  xs: ReadonlyArray<number>,
  thresholds: ReadonlyArray<number>
): void => {
  const s = [...xs].sort((a, b) => a - b)
  s.slice(1).forEach((x, i) => {
    const prev = s[i] as number
    if (x !== prev && x - prev < 1e-9) throw new RangeError(`vectors: ${what}: near-tie ${prev} vs ${x}`)
  })
  for (const t of thresholds)
    for (const x of xs)
      if (Math.abs(x - t) < 1e-9) throw new RangeError(`vectors: ${what}: cosine ${x} at threshold ${t}`)
}

const grpoConventions: ReadonlyArray<readonly [string, GrpoConfig]> = [
  ['σ + 1e-6 (verl default)', { normalizeByStd: true, stdEpsilon: 1e-6 }],
  ['σ + 0', { normalizeByStd: true, stdEpsilon: 0 }],
  ['no σ (Dr. GRPO)', { normalizeByStd: false, stdEpsilon: 1e-6 }]
]

/**
 * Vectors of returns, GRPO advantages (every σ convention, groups of one, all-equal returns, no σ)
 * and GiGPO advantages.
 *
 * @since 0.1.0
 * @category instances
 */
export const advantageSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'returns',
    function: 'discountedReturns',
    signature:
      'expected.returnsToGo = discountedReturns(input.gamma)(input.rewards); expected.episodeReturn = episodeReturn(input.rewards)',
    description:
      'Returns-to-go G_t = r_t + γ G_{t+1}, G_T = 0, computed right to left by that recursion, and the undiscounted return R = Σ_t r_t (summed left to right), for γ ∈ {0, 0.5, 0.95, 1}, including an empty episode.',
    tolerance: { abs: 1e-12, rel: 1e-12 },
    cases: (rng) => {
      const next = stream(rng, 64)
      const episodes = [
        [],
        [1],
        [0, 0, 1],
        Array.from({ length: 6 }, () => milli(next() * 4 - 2)),
        Array.from({ length: 9 }, () => milli(next() * 20 - 10))
      ]
      return [0, 0.5, 0.95, 1].flatMap((gamma) =>
        episodes.map((rewards) =>
          mkCase(
            `γ ${gamma}, T = ${rewards.length}`,
            { gamma, rewards },
            { returnsToGo: discountedReturns(gamma)(rewards), episodeReturn: episodeReturn(rewards) }
          )
        )
      )
    }
  },
  {
    module: 'advantage',
    function: 'grpoAdvantages',
    signature: 'grpoAdvantages(input.config)(input.groups)',
    description:
      'GRPO advantages per group, [G][N] → [G][N]: A_i = (R_i − mean)/(σ + ε) with σ the unbiased standard deviation (N − 1); a group of one uses mean 0 and σ 1 (A = R/(1 + ε)); a group whose returns are all equal gives exactly 0 (the mean is computed shifted by the first return: m = R_0 + Σ(R_i − R_0)/N); normalizeByStd false gives A = R − mean (Dr. GRPO). Every convention on the same groups.',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: (rng) => {
      const next = stream(rng, 64)
      const groups = [
        Array.from({ length: 8 }, () => milli(next() * 10)),
        [0, 0, 1, 0, 1, 1, 0, 0],
        [0.1, 0.1, 0.1],
        [3.5],
        [-2],
        [0, 100],
        Array.from({ length: 5 }, () => milli(next() * 2 - 1))
      ]
      return grpoConventions.map(([name, config]) =>
        mkCase(name, { config, groups }, grpoAdvantages(config)(groups))
      )
    }
  },
  {
    module: 'advantage',
    function: 'gigpoAdvantages',
    signature:
      'expected.advantages = gigpoAdvantages(input.config)(input.groups); expected.stepAdvantages = input.groups.map(gigpoStepAdvantages(input.config))',
    description:
      'GiGPO, [G][N][T_i] steps {anchor, reward} → [G][N][T_i]: episode-level GRPO advantage of R = Σ_t r_t (undiscounted) + ω · step-level advantage, where steps of one group with equal anchor strings form a cluster and each step’s discounted return-to-go is centred on its cluster mean (optionally divided by the cluster’s unbiased σ + ε; a cluster of one step gets 0). ω = 0 gives exactly the episode-level advantage. config.gigpoEpisodeStats (absent: perTrajectory) selects the rows of the episode level’s mean and σ: perTrajectory, one return per trajectory (GRPO’s group rule: a group of one uses mean 0, σ 1); allStepRows (verl-agent), every step row carrying its trajectory’s return, so a trajectory weighs by its length, a group with a single row uses mean 0 and σ 1, and a trajectory without steps has no row (and no advantage).',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: (rng) => {
      const next = stream(rng, 400)
      const anchors = ['hall', 'kitchen', 'lab', 'garden']
      const group = (n: number): ReadonlyArray<ReadonlyArray<GigpoStep>> =>
        Array.from({ length: n }, () =>
          Array.from({ length: intIn(next, 1, 5) }, () => ({
            anchor: anchors[intIn(next, 0, anchors.length - 1)] as string,
            reward: next() < 0.6 ? 0 : milli(next() * 2)
          }))
        )
      const groups = [group(4), group(3)]
      const configs: ReadonlyArray<readonly [string, GigpoConfig]> = [
        [
          'ω 1, γ 0.95, mean-only step level, σ + 1e-6 episode level',
          { normalizeByStd: true, stdEpsilon: 1e-6, gamma: 0.95, stepWeight: 1, stepNormalizeByStd: false }
        ],
        [
          'ω 0.5, γ 1, step level divided by σ + 1e-6',
          { normalizeByStd: true, stdEpsilon: 1e-6, gamma: 1, stepWeight: 0.5, stepNormalizeByStd: true }
        ],
        [
          'ω 0 (episode level only), no σ',
          { normalizeByStd: false, stdEpsilon: 1e-6, gamma: 0.95, stepWeight: 0, stepNormalizeByStd: false }
        ]
      ]
      const gigpoCase = (name: string, config: GigpoConfig, gs: typeof groups): VectorCase =>
        mkCase(
          name,
          { config, groups: gs },
          { advantages: gigpoAdvantages(config)(gs), stepAdvantages: gs.map(gigpoStepAdvantages(config)) }
        )
      // gigpoEpisodeStats allStepRows (verl-agent): one σ switch for both levels, on the random groups
      const verlAgent = (byStd: boolean): GigpoConfig => ({
        normalizeByStd: byStd,
        stdEpsilon: 1e-6,
        gamma: 0.95,
        stepWeight: 1,
        stepNormalizeByStd: byStd,
        gigpoEpisodeStats: 'allStepRows'
      })
      // episode level alone (ω = 0) on groups where the two statistics differ
      const s = (anchor: string, reward: number): GigpoStep => ({ anchor, reward })
      const edgeGroups = [
        [[s('a', 0), s('b', 0), s('c', 1)], [s('a', 0)], [s('a', 0.5), s('d', 0)]],
        [[s('a', 0), s('b', 1), s('c', 0.5)]],
        [[s('a', 2)]],
        [[s('a', 1), s('b', 0)], [], [s('a', 0)]]
      ]
      const episodeOnly = (stats: 'perTrajectory' | 'allStepRows', byStd: boolean): GigpoConfig => ({
        normalizeByStd: byStd,
        stdEpsilon: 1e-6,
        gamma: 1,
        stepWeight: 0,
        stepNormalizeByStd: false,
        gigpoEpisodeStats: stats
      })
      return configs
        .map(([name, config]) => gigpoCase(name, config, groups))
        .concat(
          [true, false].map((byStd) =>
            gigpoCase(
              `gigpoEpisodeStats allStepRows (verl-agent), ω 1, γ 0.95, σ + 1e-6 at both levels: ${byStd}`,
              verlAgent(byStd),
              groups
            )
          ),
          (['allStepRows', 'perTrajectory'] as const).flatMap((stats) =>
            [true, false].map((byStd) =>
              gigpoCase(
                `edge: gigpoEpisodeStats ${stats}, episode level alone (ω 0), σ + 1e-6: ${byStd}; groups: unequal lengths [3, 1, 2], a lone 3-step trajectory, a lone 1-step trajectory, lengths [2, 0, 1]`,
                episodeOnly(stats, byStd),
                edgeGroups
              )
            )
          )
        )
    }
  }
]

const prob = (x: number): Probability => x as Probability
const modeConfigs: ReadonlyArray<readonly [string, ModesConfig]> = [
  ['paper perStep p 0.25, q 0.68', paperPreset.modes],
  ['perStep p 0.5, q 0.5', { ...paperPreset.modes, memoryProb: prob(0.5), offPolicyProb: prob(0.5) }],
  ['official perIteration 0.17 / 0.25', officialPreset.modes],
  ['perIteration 0.4 / 0.9', { ...officialPreset.modes, offPolicyBelow: prob(0.4), withTipsBelow: prob(0.9) }]
]

/**
 * Vectors of the rollout/update mode draws and their probabilities.
 *
 * @since 0.1.0
 * @category instances
 */
export const modesSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'modes',
    function: 'drawModes',
    signature: 'drawModes(input.modes)(mkRng(input.seed), input.count)[0]',
    description:
      'Mode combinations of `count` steps from the seeded generator (see rng.nextFloats). perStep: per step two uniforms u1, u2 (always both): memory iff u1 < memoryProb, then off-policy iff u2 < offPolicyProb. perIteration: one uniform x for the whole batch: x < offPolicyBelow → offPolicy, else x < withTipsBelow → onPolicyWithTips, else onPolicyNoMemory. Exact (a port must share the generator to reproduce these; otherwise compare frequencies with modeProbabilities).',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      modeConfigs.flatMap(([name, modes]) =>
        [0, 1, 42, 20260223].map((seed) =>
          mkCase(`${name}, seed ${seed}`, { modes, seed, count: 12 }, drawModes(modes)(mkRng(seed), 12)[0])
        )
      )
  },
  {
    module: 'modes',
    function: 'modeProbabilities',
    signature: 'modeProbabilities(input.modes)',
    description:
      'Probability of each mode combination: perStep P(noMemory) = 1 − p, P(withTips) = p(1 − q), P(off) = pq; perIteration P(off) = a, P(withTips) = max(a, b) − a, P(noMemory) = 1 − max(a, b) for thresholds a = offPolicyBelow, b = withTipsBelow.',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: () =>
      [
        ...modeConfigs,
        ['perStep p 0 (GRPO)', { ...paperPreset.modes, memoryProb: prob(0) }] as const,
        [
          'perIteration b < a',
          { ...officialPreset.modes, offPolicyBelow: prob(0.3), withTipsBelow: prob(0.1) }
        ] as const
      ].map(([name, modes]) => mkCase(name, { modes }, modeProbabilities(modes)))
  }
]

// the learnt-pieces tokenizer of the tokenizer and prompt vectors
const pieceCorpus: ReadonlyArray<string> = [
  'Task: turn on the red light bulb',
  'Current observation: you are in the hall. The bulb is in the workshop.',
  'Next action: go to the workshop',
  'Next action: look around',
  'Tips from your previous attempts: the bulb is in the workshop, go to the workshop first'
]
const piecesConfig: TokenizerConfig = learnPieces(pieceCorpus, 12)
const piecesTokenizer = mkTokenizer(piecesConfig)

/**
 * Vectors of the tokenizer (byte-level and learnt pieces) and of prompt assembly with tip removal.
 *
 * @since 0.1.0
 * @category instances
 */
export const textSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'tokenizer',
    function: 'learnPieces',
    signature: 'learnPieces(input.corpus, input.maxPieces, input.minCount).pieces',
    description:
      'Pieces learnt from a corpus: words with their leading space (/ ?[^\\s]+/gu), at least 2 UTF-8 bytes and minCount occurrences, ranked by count·(bytes − 1) descending, ties by code-point order of the word.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      [
        [12, 2],
        [4, 2],
        [20, 1]
      ].map(([maxPieces, minCount]) =>
        mkCase(
          `maxPieces ${maxPieces}, minCount ${minCount}`,
          { corpus: pieceCorpus, maxPieces, minCount },
          learnPieces(pieceCorpus, maxPieces as number, minCount).pieces
        )
      )
  },
  {
    module: 'tokenizer',
    function: 'mkTokenizer',
    signature:
      'const tok = mkTokenizer({ kind: "bytePieces", pieces: input.pieces }); expected = { ids: tok.encode(input.text), decoded: tok.decode(tok.encode(input.text)), decodedIds: tok.decode(input.ids) }',
    description:
      'Encode (UTF-8 bytes are ids 0–255; pieces are ids 261, 262, … in list order, matched greedily longest first; a lone surrogate is encoded as U+FFFD) and decode (PAD 256, BOS 257, EOS 258, SEP 259 dropped; UNK 260 and any unknown id become U+FFFD; invalid UTF-8 decodes with replacement). Byte tokenizer (pieces []) and a learnt-pieces tokenizer.',
    tolerance: { abs: 0, rel: 0 },
    cases: () => {
      const texts = [
        '',
        'Next action: go to the workshop',
        'the bulb is in the workshop, the red bulb',
        'café — 電球 🔴',
        'lone \ud800 surrogate'
      ]
      const ids = [104, 105, 256, 257, 258, 259, 260, 999, -1, 0xe2, 0x82, 261]
      return [
        ['byte tokenizer', [] as ReadonlyArray<string>, byteTokenizer] as const,
        ['learnt pieces', piecesConfig.pieces, piecesTokenizer] as const
      ].flatMap(([name, pieces, tok]) =>
        texts.map((text, i) =>
          mkCase(
            `${name}: text ${i}`,
            { pieces, text, ids },
            { ids: tok.encode(text), decoded: tok.decode(tok.encode(text)), decodedIds: tok.decode(ids) }
          )
        )
      )
    }
  },
  {
    module: 'prompt',
    function: 'assemble',
    signature:
      'const p = assemble(input.placement)(input.prompt); const enc = mkTokenizer({ kind: "bytePieces", pieces: input.pieces }).encode; expected = { rendered: render(p), tipFree: render(removeTips(p)), tipCharSpans: tipCharSpans(p), tokens: promptTokens(enc)(p), tipTokenSpans: tipTokenSpans(enc)(p), tokensWithoutTips: removeSpans(tipTokenSpans(enc)(p))(promptTokens(enc)(p)), tipFreeTokens: promptTokens(enc)(removeTips(p)) }',
    description:
      'Prompt assembly (layout and escape table in docs/porting.md; a tips block is "<tips>\\n" + one "- " + escapeTip(tip) + "\\n" line per tip + "</tips>\\n", where escapeTip maps \\ to \\\\, LF to \\n, CR to \\r and VT, FF, NEL, LS, PS to \\u followed by 4 lower-case hex digits) and tip removal: removing the tip character spans from the rendered prompt gives the tip-free prompt, and because each segment is tokenized separately, deleting the tip token spans gives exactly the tip-free prompt’s tokens (tokensWithoutTips = tipFreeTokens). Placement currentStep (paper) and history (official); the edge cases hold every escaped character, a forged marker and an empty tip. Spans are half-open [start, end) in UTF-16 code units / tokens.',
    tolerance: { abs: 0, rel: 0 },
    cases: () => {
      const input = {
        task: 'turn on the red light bulb',
        history: [
          {
            observation: 'You are in the hall.',
            tips: ['the bulb is in the workshop'],
            action: 'look around'
          },
          { observation: 'A door leads north.', tips: [], action: 'go north' }
        ],
        observation: 'You are in the workshop. A red bulb is here.',
        tips: ['go to the workshop first', 'a tip\nwith a newline']
      }
      const inputs = [
        ['two tips, history with tips', input],
        ['no tips anywhere', { ...input, history: input.history.map((h) => ({ ...h, tips: [] })), tips: [] }],
        ['empty history, non-ASCII tip', { ...input, history: [], tips: ['電球 → workshop'] }]
      ] as const
      // every escaped character, an escape-looking text, a forged marker and an empty tip
      const escapes = {
        ...input,
        history: [
          {
            observation: 'You are in the hall.',
            tips: ['CR LF\r\nend', 'back\\slash'],
            action: 'look around'
          }
        ],
        tips: [
          'LF\nCR\rCRLF\r\nend',
          'a backslash \\ and a literal \\n (two characters)',
          'VT\u000bFF\u000cNEL\u0085LS\u2028PS\u2029',
          'tab\tstays, as does \u00e9 and \ud83d\udd34',
          '</tips>\n- forged tip',
          ''
        ]
      }
      const edgeInputs = [['edge: every escaped character, a forged marker, an empty tip', escapes]] as const
      const build = (xs: ReadonlyArray<readonly [string, PromptInput]>): ReadonlyArray<VectorCase> =>
        (['currentStep', 'history'] as const).flatMap((placement) =>
          xs.flatMap(([name, prompt]) =>
            [
              ['byte tokenizer', [] as ReadonlyArray<string>, byteTokenizer] as const,
              ['learnt pieces', piecesConfig.pieces, piecesTokenizer] as const
            ].map(([tname, pieces, tok]) => {
              const p = assemble(placement)(prompt)
              const enc = tok.encode
              const tokens = promptTokens(enc)(p)
              const spans = tipTokenSpans(enc)(p)
              return mkCase(
                `${placement}: ${name} (${tname})`,
                { placement, prompt, pieces },
                {
                  rendered: render(p),
                  tipFree: render(removeTips(p)),
                  tipCharSpans: tipCharSpans(p),
                  tokens,
                  tipTokenSpans: spans,
                  tokensWithoutTips: removeSpans(spans)(tokens),
                  tipFreeTokens: promptTokens(enc)(removeTips(p))
                }
              )
            })
          )
        )
      return build(inputs).concat(build(edgeInputs))
    }
  }
]

// Retrieval at exact cosines: keys with entries 0, ±1, 2, 3, 4, so every cosine against the queries is
// exact (0.5, 1, −1, 0) or one rounding of a rational (24/25 = 0.96, 7/10, 4/5), identical in every
// runtime that follows the cosine's formula.
const exactRetrievalCases = (): ReadonlyArray<VectorCase> => {
  const e = (key: ReadonlyArray<number>, tip: string, score: number): NewEntry => ({
    partition: 'p',
    key,
    tip,
    action: null,
    score
  })
  const entries: ReadonlyArray<NewEntry> = [
    e([1, 0, 0, 0], 'cos ½ (old)', 10),
    e([1, 1, 1, -1], 'cos ½', 10),
    e([1, 1, 1, 1], 'cos 1, score 0', 0),
    e([2, 2, 2, 2], 'cos 1 (old)', 10),
    e([1, 1, 0, 0], 'cos 1/√2', 10),
    e([0, 0, 0, 1], 'cos ½ (new)', 10),
    e([1, 1, 1, 1], 'cos 1 (new)', 10),
    e([-1, -1, -1, -1], 'cos −1', 100),
    e([3, 4, 0, 0], 'cos 24/25 with [4, 3, 0, 0]', 50),
    e([1, 0, 0, 0], 'other partition', 10)
  ].map((x, i) => (i === 9 ? { ...x, partition: 'q' } : x))
  const memory = insertAll({ capacity: 1000, dedup: false })(entries)(emptyMemory)
  const settings: ReadonlyArray<
    readonly [RetrieveConfig['retrieval'], number, number, ReadonlyArray<number>]
  > = [
    ['thresholdThenScore', 10, 0.5, [1, 1, 1, 1]],
    ['thresholdThenScore', 10, -1, [1, 1, 1, 1]],
    ['thresholdThenScore', 10, 0, [0, 0, 0, 1]],
    ['thresholdThenScore', 10, 0.96, [4, 3, 0, 0]],
    ['thresholdThenScore', 2, 0.5, [1, 1, 1, 1]],
    ['topK', 3, 0.5, [1, 1, 1, 1]],
    ['topK', 6, 0.5, [1, 1, 1, 1]]
  ]
  return settings.map(([retrieval, maxTips, similarityThreshold, query]) => {
    const config = { retrieval, maxTips, similarityThreshold }
    return mkCase(
      `edge: ${retrieval}, k = ${maxTips}, threshold ${similarityThreshold}, query [${query.join(', ')}] (exact cosines)`,
      { config, query, partition: 'p', entries },
      retrieveScored(config)(
        query,
        'p'
      )(memory).map((s) => ({ seq: s.entry.seq, tip: s.entry.tip, similarity: s.similarity }))
    )
  })
}

// De-duplication under both entry texts: one episode's per-step entries written twice with scores
// printed differently (40 and 50: two texts) or alike (40 and 40.04: both "40.0"), and a tip that
// spells out another entry's action clause, so the two texts coincide while tip and action differ.
const entryTextDedupCases = (): ReadonlyArray<VectorCase> => {
  const e = (tip: string, action: string | null, score: number, key: ReadonlyArray<number>): NewEntry => ({
    partition: 'p',
    key,
    tip,
    action,
    score
  })
  const scenarios: ReadonlyArray<readonly [string, ReadonlyArray<NewEntry>]> = [
    [
      'same tip and action, scores 40 then 50 (printed 40.0 and 50.0)',
      [e('boil water first', 'go to kitchen', 40, [1, 0]), e('boil water first', 'go to kitchen', 50, [0, 1])]
    ],
    [
      'same tip and action, scores 40 then 40.04 (both printed 40.0)',
      [
        e('boil water first', 'go to kitchen', 40, [1, 0]),
        e('boil water first', 'go to kitchen', 40.04, [0, 1])
      ]
    ],
    [
      'a tip holding another entry’s action clause, no action (texts equal, tip and action differ), then the same tip with another action',
      [
        e('open the door', 'go north', 40, [1, 0]),
        e('open the door; At that timestep, the specific action your took was go north', null, 40, [0, 1]),
        e('open the door', 'look', 40, [1, 1])
      ]
    ]
  ]
  return (['tip', 'tipActionScore'] as const).flatMap((text) =>
    scenarios.map(([name, entries]) => {
      const config: InsertConfig = { capacity: 1000, dedup: true, entryText: text }
      return mkCase(
        `edge: entryText ${text}, dedup: ${name}`,
        { config, entries },
        insertAll(config)(entries)(emptyMemory)
      )
    })
  )
}

// Retrieval ties of thresholdThenScore under both memory.scoreTies: one episode's per-step entries
// share score and key (seq 0, 2, 3), one of them has a slightly different key (seq 1, cosine
// 3.5/√13 ≈ 0.97 < 1), a second episode ties at a higher score (seq 4, 5) and a third scores lower.
// cosineThenNewest gives 5, 4, 3, 2, 0, 1, 6; oldestFirst 4, 5, 0, 1, 2, 3, 6.
const scoreTieCases = (): ReadonlyArray<VectorCase> => {
  const e = (key: ReadonlyArray<number>, tip: string, action: string, score: number): NewEntry => ({
    partition: 'p',
    key,
    tip,
    action,
    score
  })
  const k = [1, 1, 1, 1]
  const entries: ReadonlyArray<NewEntry> = [
    e(k, 'episode A', 'look', 50),
    e([1, 1, 1, 0.5], 'episode A', 'go north', 50),
    e(k, 'episode A', 'open door', 50),
    e(k, 'episode A', 'take key', 50),
    e(k, 'episode B', 'look', 70),
    e(k, 'episode B', 'go south', 70),
    e(k, 'episode C', 'look', 30)
  ]
  const memory = insertAll({ capacity: 1000, dedup: false })(entries)(emptyMemory)
  const settings: ReadonlyArray<
    readonly [RetrieveConfig['retrieval'], number, 'cosineThenNewest' | 'oldestFirst']
  > = [
    ['thresholdThenScore', 10, 'cosineThenNewest'],
    ['thresholdThenScore', 10, 'oldestFirst'],
    ['thresholdThenScore', 4, 'cosineThenNewest'],
    ['thresholdThenScore', 4, 'oldestFirst'],
    ['topK', 4, 'oldestFirst']
  ]
  return settings.map(([retrieval, maxTips, scoreTies]) => {
    const config: RetrieveConfig = { retrieval, maxTips, similarityThreshold: 0.5, scoreTies }
    return mkCase(
      `edge: ${retrieval}, k = ${maxTips}, scoreTies ${scoreTies}: per-step entries of one episode (equal score and key, one key slightly off)`,
      { config, query: k, partition: 'p', entries },
      retrieveScored(config)(
        k,
        'p'
      )(memory).map((s) => ({ seq: s.entry.seq, tip: s.entry.tip, similarity: s.similarity }))
    )
  })
}

// intrinsicReward folded over visits from the empty novelty memory: the rewards in order and the memory
// left at the end (the expected output of the novelty.intrinsicReward vectors).
const foldIntrinsic =
  (config: Parameters<typeof intrinsicReward>[0]) =>
  (visits: ReadonlyArray<Parameters<ReturnType<typeof intrinsicReward>>[0]>) =>
    visits.reduce<{ readonly rewards: ReadonlyArray<number>; readonly memory: typeof emptyNovelty }>(
      (acc, v) => {
        const [r, m] = intrinsicReward(config)(v)(acc.memory)
        return { rewards: [...acc.rewards, r], memory: m }
      },
      { rewards: [], memory: emptyNovelty }
    )

// Novelty at exact cosines: θ equal to a cosine that occurs (≥ makes the state similar).
const exactNoveltyCases = (): ReadonlyArray<VectorCase> => {
  const [a, b, c, a2, p, q, z] = [
    [1, 1, 1, 1, 0],
    [1, 1, 1, -1, 0],
    [1, 1, -1, -1, 0],
    [2, 2, 2, 2, 0],
    [0, 0, 0, 4, 3],
    [0, 0, 0, 3, 4],
    [0, 0, 0, 0, 0]
  ] as const
  // cos(a, b) = cos(b, c) = ½, cos(a, c) = 0, cos(a, a2) = 1, cos(p, q) = 24/25
  const visits = [a, b, c, b, a2, z, p, q, a, c, q].map((state) => ({ state, retrievedCount: 0 }))
  return [1, 0.96, 0.5, 0].map((similarityThreshold) => {
    const config = { rule: 'stateNovelty' as const, similarityThreshold }
    return mkCase(
      `edge: stateNovelty, θ = ${similarityThreshold} equal to a cosine that occurs (exact)`,
      { config, visits },
      foldIntrinsic(config)(visits)
    )
  })
}

/**
 * Vectors of the embedding, cosine, the tip memory (insert and both retrieval rules) and the novelty
 * reward (both rules).
 *
 * @since 0.1.0
 * @category instances
 */
export const memorySpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'embedding',
    function: 'embedWith',
    signature:
      'expected = { tokens: tokenize(input.text), features: features(input.text, input.charNgram), hashes: features(…).map(fs => fs.map(fnv1a32)), vector: embedWith({ dimension: input.dimension, charNgram: input.charNgram })(input.text) }',
    description:
      'The default hashed embedding (algorithm in docs/porting.md): tokens, the three feature lists, their FNV-1a 32-bit hashes and the L2-normalised vector, at small dimensions so every entry can be compared. A text without tokens gives the zero vector. Edge cases: tokens shorter than n − 2 (the padded token is one n-gram), n = 1 (the padding spaces are grams), and d = 10, 7 (not multiples of 4: the character block is d − 2⌊d/4⌋).',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: () =>
      [
        ['Turn on the red light bulb', 16, 3],
        ['go to the workshop; the BULB is red!', 16, 3],
        ['café 42 電球', 8, 2],
        ['a', 4, 3],
        ['  ...  ', 8, 3],
        ['turn on the red light bulb', 256, 3],
        ['a go to it', 16, 5],
        ['Go TO x9', 10, 1],
        ['the red bulb is on', 10, 3],
        ['the red bulb is on', 7, 4]
      ].map(([text, dimension, charNgram]) => {
        const fs = features(text as string, charNgram as number)
        return mkCase(
          `“${text}” at d = ${dimension}, n = ${charNgram}`,
          { text, dimension, charNgram },
          {
            tokens: tokenize(text as string),
            features: fs,
            hashes: fs.map((f) => f.map(fnv1a32)),
            vector: embedWith({ dimension: dimension as number, charNgram: charNgram as number })(
              text as string
            )
          }
        )
      })
  },
  {
    module: 'embedding',
    function: 'cosine',
    signature: 'cosine(input.a, input.b)',
    description:
      'Cosine similarity dot/(√sa·√sb) clamped to [−1, 1], 0 when either vector is zero; each vector is first scaled by a power of two bringing its largest entry to about [½, 2] (exact), so tiny and huge vectors work. The edge cases are exact: every intermediate is a dyadic rational until the one final division, so the thresholds of retrieval and novelty can be hit exactly.',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: (rng) => {
      const next = stream(rng, 64)
      const v = (n: number): number[] => Array.from({ length: n }, () => milli(next() * 2 - 1))
      const a = v(6)
      const b = v(6)
      return [
        ['random', a, b],
        ['random, other pair', v(6), v(6)],
        ['parallel', a, a.map((x) => 3 * x)],
        ['anti-parallel', a, a.map((x) => -0.5 * x)],
        ['orthogonal', [1, 0, 0], [0, 2, 0]],
        ['zero vector', a, a.map(() => 0)],
        ['tiny entries (squared norm underflows)', [1e-200, 2e-200], [2e-200, 1e-200]],
        ['huge entries (dot product overflows)', [1e200, -3e200], [2e200, 1e200]],
        ['two texts', embed('turn on the red light bulb'), embed('turn on the red bulb')],
        ['edge: exactly 0.5 ([1, 1, 1, 1] and [1, 0, 0, 0])', [1, 1, 1, 1], [1, 0, 0, 0]],
        ['edge: exactly 0.5 ([1, 1, 1, 1] and [1, 1, 1, −1])', [1, 1, 1, 1], [1, 1, 1, -1]],
        ['edge: 24/25 rounded once ([4, 3] and [3, 4])', [4, 3], [3, 4]],
        ['edge: exactly 1 (parallel, norms 2 and 4)', [1, 1, 1, 1], [2, 2, 2, 2]]
      ].map(([name, x, y]) => mkCase(name as string, { a: x, b: y }, cosine(x as number[], y as number[])))
    }
  },
  {
    module: 'memory',
    function: 'insertAll',
    signature: 'insertAll(input.config)(input.entries)(emptyMemory)',
    description:
      'Tip memory writes from empty: with dedup an entry equal to a stored one of its partition is skipped (memory unchanged, seq not consumed); otherwise it is appended with seq = nextSeq; a partition holding more than capacity entries drops its oldest. Equal means the same tip and action under entryText tip (the default when config.entryText is absent), the same entry text (memory.entryText) under tipActionScore, where the printed score counts: scores 40 and 50 give two entries, 40 and 40.04 (both printed 40.0) one, and a tip that spells out another entry’s action clause can equal it. Entries of several partitions interleaved.',
    tolerance: { abs: 0, rel: 0 },
    cases: (rng) => {
      const next = stream(rng, 400)
      const entries: ReadonlyArray<NewEntry> = Array.from({ length: 24 }, () => ({
        partition: ['boil#0', 'boil#1', 'bulb#0'][intIn(next, 0, 2)] as string,
        key: [intIn(next, -2, 2) / 2, intIn(next, -2, 2) / 2, intIn(next, -2, 2) / 2],
        tip: ['look around', 'go to the kitchen', 'open the door'][intIn(next, 0, 2)] as string,
        action: [null, 'look', 'go north'][intIn(next, 0, 2)] as string | null,
        score: intIn(next, 0, 100)
      }))
      return [
        { capacity: 1000, dedup: true },
        { capacity: 3, dedup: true },
        { capacity: 2, dedup: false }
      ]
        .map((config) =>
          mkCase(
            `capacity ${config.capacity}, dedup ${config.dedup}`,
            { config, entries },
            insertAll(config)(entries)(emptyMemory)
          )
        )
        .concat(entryTextDedupCases())
    }
  },
  {
    module: 'memory',
    function: 'retrieveScored',
    signature:
      'retrieveScored(input.config)(input.query, input.partition)(insertAll({ capacity: 1000, dedup: false })(input.entries)(emptyMemory)).map(s => ({ seq: s.entry.seq, tip: s.entry.tip, similarity: s.similarity }))',
    description:
      'Retrieval inside one partition. topK (paper): the maxTips entries with the highest cosine, ties newer first (higher seq). thresholdThenScore (official): entries with cosine strictly above the threshold, by stored score descending, equal scores by config.scoreTies; at most maxTips. Among the random cases no two distinct cosines lie within 1e-9 and no cosine within 1e-9 of the threshold, so the order does not depend on the last bits of a cosine. The edge cases use integer keys whose cosines are exact (0.5, 1, −1, 0 and 24/25 rounded once): cosines exactly at the threshold (excluded: strict >), equal cosines (newer first), equal score and cosine (newer first). config.scoreTies (absent: cosineThenNewest) orders equal scores under thresholdThenScore: cosineThenNewest by cosine descending, then newer first; oldestFirst by seq ascending whatever the cosine; topK does not read it. The scoreTies cases hold one episode’s per-step entries (equal score and key, one key slightly off).',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: (rng) => {
      const next = stream(rng, 600)
      const texts = [
        'you are in the hall',
        'you are in the kitchen, a stove is here',
        'the workshop has a red light bulb',
        'a door leads north to the workshop',
        'the hall is empty',
        'kitchen stove water pot'
      ]
      const entries: ReadonlyArray<NewEntry> = Array.from({ length: 14 }, (_, i) => ({
        partition: i % 5 === 4 ? 'other' : 'p',
        key: embedWith({ dimension: 16, charNgram: 3 })(texts[intIn(next, 0, texts.length - 1)] as string),
        tip: `tip ${i}`,
        action: null,
        score: intIn(next, 0, 3) * 10
      }))
      const memory = insertAll({ capacity: 1000, dedup: false })(entries)(emptyMemory)
      const queries = ['you are in the hall', 'the red bulb in the workshop', 'nothing matches 123']
      return (['topK', 'thresholdThenScore'] as const)
        .flatMap((retrieval) =>
          queries.flatMap((q) =>
            [
              [3, 0.5],
              [10, 0.2]
            ].map(([maxTips, similarityThreshold]) => {
              const config = {
                retrieval,
                maxTips: maxTips as number,
                similarityThreshold: similarityThreshold as number
              }
              const query = embedWith({ dimension: 16, charNgram: 3 })(q)
              const sims = memory.entries.filter((e) => e.partition === 'p').map((e) => cosine(query, e.key))
              assertNoNearTie(`retrieveScored “${q}”`, sims, [similarityThreshold as number])
              return mkCase(
                `${retrieval}, k = ${maxTips}, threshold ${similarityThreshold}, query “${q}”`,
                { config, query, partition: 'p', entries },
                retrieveScored(config)(
                  query,
                  'p'
                )(memory).map((s) => ({
                  seq: s.entry.seq,
                  tip: s.entry.tip,
                  similarity: s.similarity
                }))
              )
            })
          )
        )
        .concat(exactRetrievalCases())
        .concat(scoreTieCases())
    }
  },
  {
    module: 'novelty',
    function: 'intrinsicReward',
    signature:
      'input.visits.reduce(([rs, m], v) => { const [r, m2] = intrinsicReward(input.config)(v)(m); return [[...rs, r], m2] }, [[], emptyNovelty]) → expected = { rewards, memory }',
    description:
      'Intrinsic rewards of a sequence of visits from an empty novelty memory. stateNovelty (paper): S = stored states with cosine ≥ θ; none → store (x, 1), r = 1; else every similar count + 1 and r = 1/(1 + Σ_S counts before). retrievedCount (official): r = 1/(count + 1), memory unchanged. In the random cases no cosine lies within 1e-9 of θ; the edge cases use integer states whose cosines are exact (1, 0.5, 0, 24/25 rounded once) with θ equal to them (similar: ≥).',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: (rng) => {
      const next = stream(rng, 200)
      const pool = [
        [1, 0, 0],
        [0.5, 0.5, 0],
        [0, 1, 0],
        [0, 0, 1],
        [-1, 0.5, 0],
        [0, 0, 0]
      ]
      const visits = Array.from({ length: 16 }, () => ({
        state: pool[intIn(next, 0, pool.length - 1)] as number[],
        retrievedCount: intIn(next, 0, 10)
      }))
      return [
        { rule: 'stateNovelty' as const, similarityThreshold: 0.9 },
        { rule: 'stateNovelty' as const, similarityThreshold: 0.6 },
        { rule: 'retrievedCount' as const, similarityThreshold: 0.9 }
      ]
        .map((config) => {
          for (const a of pool)
            for (const b of pool) assertNoNearTie('novelty', [cosine(a, b)], [config.similarityThreshold])
          return mkCase(
            `${config.rule}, θ = ${config.similarityThreshold}`,
            { config, visits },
            foldIntrinsic(config)(visits)
          )
        })
        .concat(exactNoveltyCases())
    }
  }
]

// Novelty batches: identical states in one batch, an order witness and cosines exactly at θ. States are
// small integer vectors, so every cosine is exact or one rounding of a rational:
// cos(A, B) = cos(B, C) = 0.8, cos(A, C) = 0.28; cos(a, b) = cos(b', c) = 0.5 exactly, cos(a, a2) = 1.
type NoveltyBatchConfig = Parameters<typeof batchIntrinsicRewards>[0]
type NoveltyBatchCase = readonly [
  string,
  NoveltyBatchConfig,
  ReadonlyArray<ReadonlyArray<{ readonly state: ReadonlyArray<number>; readonly retrievedCount: number }>>
]
const noveltyBatchScenarios: ReadonlyArray<
  readonly [string, number, ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>]
> = [
  [
    'identical states in one batch (and [2, 2, 2, 2], cosine exactly 1 with [1, 1, 1, 1] but another vector), then a second batch',
    0.9,
    [
      [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [0, 0, 0, 1],
        [1, 1, 1, 1],
        [2, 2, 2, 2]
      ],
      [
        [1, 1, 1, 1],
        [0, 0, 0, 1],
        [1, 1, 1, 1]
      ]
    ]
  ],
  [
    'order witness A, B, C (cos(A, B) = cos(B, C) = 0.8 ≥ θ = 0.7 > cos(A, C) = 0.28)',
    0.7,
    [
      [
        [4, 3],
        [1, 0],
        [4, -3]
      ]
    ]
  ],
  [
    'order witness B, A, C (the same states reordered)',
    0.7,
    [
      [
        [1, 0],
        [4, 3],
        [4, -3]
      ]
    ]
  ],
  [
    'cosines exactly θ = 0.5: a batch state at 0.5 to a stored one, two new states at 0.5 to each other',
    0.5,
    [
      [[1, 1, 1, 1]],
      [
        [1, 1, 1, -1],
        [1, 1, -1, -1],
        [1, 0, 0, 0]
      ]
    ]
  ]
]

/**
 * Vectors of the rules added as switches after the first vector set: the aggregation weights with
 * omitted rows, the denominator counts of omitted rows, and the novelty reward of a batch of states
 * under both `novelty.batchUpdate` settings.
 *
 * @since 0.1.0
 * @category instances
 */
export const switchSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'aggregate',
    function: 'aggregationWeights',
    signature:
      'aggregationWeights(input.settings)(input.mask, input.omitted ?? { rows: 0, rowsWithTokens: 0, tokens: 0 })',
    description:
      'The weights w [B, T] with aggregate(L, M, omitted) = Σ w·L for every L, the derivative of the aggregate with respect to each per-token loss (the analytic gradient’s w): token-mean M/max(ΣM + o.tokens, 1); seq-mean-token-sum M/max(B + o.rows, 1); seq-mean-token-mean M_bt/(max(Σ_t M_b, 1)·max(#rows with a token + o.rowsWithTokens, 1)); seq-mean-token-sum-norm M/normLength. Every mode with no omitted rows and with two OmittedRows whose three counts differ.',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: () => {
      const mask = [
        [1, 1, 1, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0]
      ]
      return aggregationModes.flatMap((aggregation) =>
        [undefined, ...omittedCounts].map((omitted) => {
          const settings = { aggregation, normLength: 4 }
          return mkCase(
            `${aggregation}, ${omitted === undefined ? 'no omitted rows' : `omitted ${JSON.stringify(omitted)}`}`,
            { settings, mask, omitted },
            aggregationWeights(settings)(mask, omitted)
          )
        })
      )
    }
  },
  {
    module: 'loss',
    function: 'omittedRows',
    signature:
      'expected = { omitted: omittedRows(input.settings)(input.rows), omittable: input.advantages.map(omittable(input.settings)) }',
    description:
      'Rows that may be left out of the loss’s evaluation (schedule.skipZeroAdvantage) and what they add to the denominators. omittable(A) = A === 0 ∧ β = 0 ∧ entropyCoef = 0. omittedRows: each row’s denominator mask (its oldLogProbs.length real tokens; under the official sequence mask a row whose minimum old log-prob is strictly below minOldLogProb is dropped unless droppedRowsCount, the δ mask never removes a token from the denominator) counted as { rows: number of rows, rowsWithTokens: rows with ≥ 1 counted token, tokens: counted tokens }.',
    tolerance: { abs: 0, rel: 0 },
    cases: () => {
      const rows = [[-1, -2], [-5, -0.5, -1], [-0.5, -5 - 2 ** -40], [], [-20], [-0.1, -0.2, -0.3, -0.4]].map(
        (oldLogProbs) => ({ oldLogProbs })
      )
      const advantages = [0, 0.5, -1e-300, 1e-300]
      const official = lossSettings(officialPreset)
      const on = withMask(official, { enabled: true })
      const settings: ReadonlyArray<readonly [string, LossSettings]> = [
        ['official preset (mask off, β = 0, no entropy bonus)', official],
        ['official sequence mask on (−5), droppedRowsCount true', withMask(on, { droppedRowsCount: true })],
        ['official sequence mask on (−5), droppedRowsCount false', withMask(on, { droppedRowsCount: false })],
        ['paper preset (δ mask on every row, β = 0.001: nothing omittable)', lossSettings(paperPreset)],
        ['official preset with entropy bonus 0.01 (nothing omittable)', { ...official, entropyCoef: 0.01 }]
      ]
      return settings
        .map(([name, s]) =>
          mkCase(
            `${name}; rows of lengths 2, 3, 2, 0, 1, 4, minima −2, −5 (kept: strict <), −5 − 2⁻⁴⁰, none, −20, −0.4`,
            { settings: s, rows, advantages },
            { omitted: omittedRows(s)(rows), omittable: advantages.map(omittable(s)) }
          )
        )
        .concat(
          mkCase(
            'no rows',
            { settings: on, rows: [], advantages: [0] },
            { omitted: omittedRows(on)([]), omittable: [true] }
          )
        )
    }
  },
  {
    module: 'novelty',
    function: 'batchIntrinsicRewards',
    signature:
      'input.batches.reduce(([rs, m], b) => { const [r, m2] = batchIntrinsicRewards(input.config)(b)(m); return [[...rs, r], m2] }, [[], emptyNovelty]) → expected = { rewards, memory }',
    description:
      'The novelty rewards of batches of states reached together (the states of one step of the episodes played in parallel), from an empty novelty memory. stateNovelty with batchUpdate afterBatch (order-independent): every state x_b is scored against the memory as it stood before the batch, S_b = stored states with cosine ≥ θ, r_b = 1 if S_b is empty else 1/(1 + Σ_{S_b} counts before the batch); then every stored state gains one count per batch state similar to it, and the novel states are appended once per distinct vector (element-wise equal), with their number of occurrences as count, in order of first occurrence. sequential: intrinsicReward folded over the batch in order, each state seeing those before it. retrievedCount: r = 1/(retrievedCount + 1), memory unchanged. Edge cases: identical states in one batch, an order witness (A, B, C and B, A, C with θ = 0.7), cosines exactly at θ.',
    tolerance: { abs: 1e-15, rel: 1e-12 },
    cases: () =>
      (['afterBatch', 'sequential'] as const).flatMap((batchUpdate) =>
        noveltyBatchScenarios
          .map(([name, similarityThreshold, states]): NoveltyBatchCase => {
            const config: NoveltyBatchConfig = { rule: 'stateNovelty', similarityThreshold, batchUpdate }
            const batches = states.map((b) => b.map((state, i) => ({ state, retrievedCount: i })))
            return [
              `edge: stateNovelty, ${batchUpdate}, θ = ${similarityThreshold}: ${name}`,
              config,
              batches
            ]
          })
          .concat([
            [
              `retrievedCount, ${batchUpdate}`,
              { rule: 'retrievedCount', similarityThreshold: 0.9, batchUpdate },
              [[0, 3, 1].map((retrievedCount) => ({ state: [1, 0], retrievedCount }))]
            ] as NoveltyBatchCase
          ])
          .map(([name, config, batches]) => {
            let memory = emptyNovelty
            const rewards: Array<ReadonlyArray<number>> = []
            for (const b of batches) {
              const [r, m] = batchIntrinsicRewards(config)(b)(memory)
              rewards.push(r)
              memory = m
            }
            return mkCase(name, { config, batches }, { rewards, memory })
          })
      )
  }
]

// Scores of the entry-text vectors: exact ties of Python's round(x, 1) (multiples of 0.25 that are not
// multiples of 0.5: to the even digit), decimals whose binary value lies above or below the tie
// (2.675, 99.95, 33.35, 0.35), negatives rounding to zero, −0, integers and a tie near 10^14.
const entryTextScores: ReadonlyArray<number> = [
  0.25,
  0.75,
  12.25,
  -0.25,
  1e14 + 0.25,
  2.675,
  99.95,
  33.35,
  0.35,
  0.05,
  -0.04,
  -0,
  -2.5,
  50,
  0,
  100
]

// Tip-writing prompts: steps with several tips, none, and tips holding escaped characters.
const tipPromptScenarios: ReadonlyArray<
  readonly [string, Omit<Parameters<typeof tipGenerationPrompt>[0], 'showTips'>]
> = [
  [
    'two steps, the first with two tips, the second with none; a final observation',
    {
      task: 'boil water',
      history: [
        { observation: 'a kitchen', tips: ['boil water first', 'look around'], action: 'go to stove' },
        { observation: 'a stove', tips: [], action: 'turn on stove' }
      ],
      finalObservation: 'the water boils'
    }
  ],
  [
    'one step whose tip holds a line feed, a backslash and an entry’s action clause; no final observation',
    {
      task: 'find the bulb',
      history: [
        {
          observation: 'a hall',
          tips: [
            'go east\nthen \\ look; At that timestep, the specific action your took was look; Eventually you got the score 40.0/100.'
          ],
          action: 'go east'
        }
      ]
    }
  ],
  ['no steps, a final observation', { task: 'wait', history: [], finalObservation: 'nothing happens' }]
]

/**
 * Vectors of the texts the memory switches change: the entry text shown for a retrieved entry under
 * both `memory.entryText` settings (with the score as the authors print it), and the tip-writing
 * prompt with and without each step's tips (`memory.tipPromptShowsTips`).
 *
 * @since 0.1.0
 * @category instances
 */
export const memoryTextSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'memory',
    function: 'entryText',
    signature:
      'expected = { scoreText: scoreText(input.entry.score), tip: entryText({ entryText: "tip" })(input.entry), tipActionScore: entryText({ entryText: "tipActionScore" })(input.entry) }, where the string "-0" in input.entry.score stands for negative zero',
    description:
      'The text a retrieved entry shows the policy. tip (paper): the bare tip. tipActionScore (official): tip + "; At that timestep, the specific action your took was " + action + "; Eventually you got the score " + scoreText(score) + "/100." (the typo is the authors’), the action clause left out when action is null. scoreText is Python’s str(round(score, 1)): the exact binary value rounded to one decimal, an exact tie (4·score an odd integer) to the even digit, always one decimal, "-0.0" for −0 and for a negative score rounding to zero. Edge cases: ties 0.25, 0.75, 12.25, −0.25, 10^14 + 0.25; 2.675, 99.95, 33.35, 0.35, 0.05 (binary value off the tie); −0.04, −0; integers.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      entryTextScores
        .map((score): readonly [number, string | null] => [score, 'go to kitchen'])
        .concat([
          [40, null],
          [-0.25, null],
          [99.95, null]
        ])
        .map(([score, action]) => {
          const entry = { tip: 'boil water first', action, score }
          const shown = Object.is(score, -0) ? '-0' : String(score)
          return mkCase(
            `score ${shown}, ${action === null ? 'no action' : 'an action'}`,
            { entry: { ...entry, score: Object.is(score, -0) ? '-0' : score } },
            {
              scoreText: scoreText(score),
              tip: entryText({ entryText: 'tip' })(entry),
              tipActionScore: entryText({ entryText: 'tipActionScore' })(entry)
            }
          )
        })
  },
  {
    module: 'prompt',
    function: 'tipGenerationPrompt',
    signature:
      'const p = tipGenerationPrompt(input.prompt); expected = { rendered: render(p), tipFree: render(removeTips(p)), tipCharSpans: tipCharSpans(p) }',
    description:
      'The tip-writing prompt after an episode: "Task: " + task + "\\n\\nYour attempt:\\n", then per step i (from 1) "Step i observation:\\n" + observation + "\\n", [with showTips (memory.tipPromptShowsTips, official) and a non-empty tip list: the tips block of the step’s tips, as in prompt.assemble], "Step i action: " + action + "\\n\\n"; then "Final observation:\\n" + finalObservation + "\\n\\n" when given; then the fixed request ending in "Tip:". showTips false or absent (paper): no tips block. Every scenario with showTips true, false and absent.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      tipPromptScenarios
        .flatMap(([name, prompt]) =>
          [true, false, undefined].map(
            (showTips): readonly [string, Parameters<typeof tipGenerationPrompt>[0]] => [
              `showTips ${showTips ?? 'absent'}: ${name}`,
              showTips === undefined ? prompt : { ...prompt, showTips }
            ]
          )
        )
        .map(([name, prompt]) => {
          const p = tipGenerationPrompt(prompt)
          return mkCase(
            name,
            { prompt },
            { rendered: render(p), tipFree: render(removeTips(p)), tipCharSpans: tipCharSpans(p) }
          )
        })
  }
]

// REMEMBERER: the paper preset's rememberer section, and stores built by hand
const remDefaults: RemembererSettings = paperPreset.rememberer
const remAction = (action: string, q: number, visits: number, meanReward = 0) => ({
  action,
  q,
  meanReward,
  visits
})
const remEntry = (
  observation: string,
  task: string,
  actions: RemembererEntry['actions'],
  bestHistory: ReadonlyArray<string> = []
): RemembererEntry => ({ observation, task, actions, bestHistory })
const remEpisode = (
  task: string,
  steps: ReadonlyArray<readonly [observation: string, action: string, reward: number]>
) => ({
  task,
  variant: 0,
  note: null,
  finalState: '',
  history: '',
  score: 0,
  success: false,
  steps: steps.map(([observation, action, reward]) => ({ observation, action, reward }))
})
const remPool: RemembererStore = {
  entries: [
    remEntry('You are in the hall. A door leads east.', 'collect', [remAction('go east', 10, 3)]),
    remEntry('You are in the hall. A door leads west.', 'collect', [remAction('go west', 0, 1)]),
    remEntry('You are in the kitchen. A stove is here.', 'boil', [remAction('take pot', 5, 2)])
  ]
}
const rememberWriteScenarios: ReadonlyArray<
  readonly [string, Partial<RemembererSettings>, RemembererStore, ReturnType<typeof remEpisode>]
> = [
  [
    'Monte-Carlo, 1/N: an empty memory, three steps, a repeated observation',
    {},
    { entries: [] },
    remEpisode('collect', [
      ['a hall', 'look', 0],
      ['a hall', 'go east', 10],
      ['a kitchen', 'take key', 40]
    ])
  ],
  [
    'Monte-Carlo with γ = 0.9 onto a stored key: its action’s Q is a running mean, the longer history is not kept',
    { gamma: 0.9 },
    { entries: [remEntry('a kitchen', 'collect', [remAction('take key', 20, 1, 20)], [])] },
    remEpisode('collect', [
      ['a hall', 'go east', 0],
      ['a kitchen', 'take key', 50]
    ])
  ],
  [
    'n = 1, γ = 0.5, constant rate 0.5: the bootstrap reads max Q of the memory before the episode',
    { nStep: 1, gamma: 0.5, learningRate: 0.5 },
    {
      entries: [
        remEntry('a kitchen', 'collect', [remAction('take key', 20, 2, 10), remAction('look', 30, 1)])
      ]
    },
    remEpisode('collect', [
      ['a hall', 'go east', 2],
      ['a kitchen', 'look', 4],
      ['a garden', 'wait', 1]
    ])
  ],
  [
    'a full key (2 actions): the least-visited action leaves, ties the lower Q',
    { actionsPerEntry: 2 },
    { entries: [remEntry('a hall', 'collect', [remAction('look', 5, 2), remAction('wait', 1, 2)])] },
    remEpisode('collect', [['a hall', 'go east', 7]])
  ],
  [
    'closestPair at capacity 3: a new key closer to the pool than its closest pair is dropped (the hall, east, in a text with a trailing space)',
    { capacity: 3 },
    remPool,
    remEpisode('collect', [['You are in the hall. A door leads east. ', 'go east', 1]])
  ],
  [
    'closestPair at capacity 3: otherwise the more-visited key of the closest pair leaves',
    { capacity: 3 },
    remPool,
    remEpisode('measure', [['a workshop with a ruler', 'take ruler', 30]])
  ],
  [
    'oldest at capacity 3: the first key leaves (the kitchen, where closestPair would evict the hall, east)',
    { capacity: 3, eviction: 'oldest' },
    {
      entries: [remPool.entries[2], remPool.entries[0], remPool.entries[1]] as ReadonlyArray<RemembererEntry>
    },
    remEpisode('measure', [['a workshop with a ruler', 'take ruler', 30]])
  ]
]

/**
 * Vectors of REMEMBERER's memory (docs/method.md §10): the write of an episode, the retrieval
 * scores and the exemplar text.
 *
 * @since 0.1.0
 * @category instances
 */
export const remembererSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'rememberer',
    function: 'writeEpisode',
    signature: 'expected = writeEpisode(input.settings, embed)(input.episode)(input.store)',
    description:
      'The memory after an episode (algorithm in docs/porting.md, "REMEMBERER"): targets by nStepTargets over the rewards, bootstrapped from max Q of the memory before the episode (0 for a key not stored); then per step in order the key (observation, episode task) gets its action’s Q moved toward the target (α = 1/N after the visit, or the constant rate), its mean reward updated by 1/N, and the step’s history (the actions before it) kept when shorter. A new action at a full key replaces the least-visited one (ties: lower Q, then older); a new key at capacity is placed by the eviction rule, similarity by the default embedding (embedding.embedWith at 256 dimensions, 3-grams). Cases: Monte-Carlo, γ < 1, n = 1 with a constant rate, a full key, closestPair dropping and evicting, oldest.',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: () =>
      rememberWriteScenarios.map(([name, over, store, episode]) => {
        const settings = { ...remDefaults, ...over }
        return mkCase(name, { settings, store, episode }, writeEpisode(settings, embed)(episode)(store))
      })
  },
  {
    module: 'rememberer',
    function: 'retrievalScores',
    signature: 'expected = retrievalScores(input.observationWeight, embed)(input.context)(input.store)',
    description:
      'The ranked retrieval scores of the stored keys for a decision: score = w · cosine(embed(observation), embed(context.state)) + (1 − w) · cosine(embed(task), embed(context.task)) with the default embedding; sorted by score descending, equal scores by store index ascending. Each item is { index, score }. Cases: the pool of three keys against states and tasks at w = 0.5, 0, 1, 0.3, and two identical keys (a tie).',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: () => {
      const twins: RemembererStore = {
        entries: [
          remEntry('a hall', 'boil', [remAction('look', 0, 1)]),
          remEntry('a kitchen', 'collect', [remAction('look', 0, 1)]),
          remEntry('a hall', 'boil', [remAction('wait', 0, 1)])
        ]
      }
      const contexts: ReadonlyArray<readonly [RemembererStore, number, string, string]> = [
        [remPool, 0.5, 'You are in the hall. A door leads east.', 'collect'],
        [remPool, 0.5, 'You are in the kitchen.', 'collect'],
        [remPool, 0, 'You are in the kitchen.', 'collect'],
        [remPool, 1, 'You are in the kitchen.', 'collect'],
        [remPool, 0.3, 'a stove in the hall', 'boil'],
        [twins, 0.5, 'a hall', 'boil']
      ]
      return contexts.map(([store, w, state, task]) => {
        const context = { task, variant: 0, state, history: '' }
        return mkCase(
          `w = ${w}, state “${state}”, task ${task}${store === twins ? ', a tie' : ''}`,
          { observationWeight: w, context, store },
          retrievalScores(w, embed)(context)(store)
        )
      })
    }
  },
  {
    module: 'rememberer',
    function: 'exemplarText',
    signature: 'expected = exemplarText(input.discouraged)(input.entry)',
    description:
      'The exemplar a retrieved key shows: "Encouraged: " + a + " (Q " + scoreText(Q) + ")" for the highest-Q action (ties: more visits, then older); then, if any stored action has a lower Q, ". Discouraged: " and up to `discouraged` of them, lowest Q first (ties: older), as a + " (Q " + scoreText(Q) + ")" joined by ", "; then ". Seen in task " + task + " at: " + observation. scoreText as in memory.entryText.json. Cases: one action, a tie on Q broken by visits, ties among the discouraged, discouraged 0 and more than there are, negative and rounding Q.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      (
        [
          ['one action', 2, [remAction('look', 12.25, 1)]],
          [
            'a tie on the highest Q: more visits wins',
            2,
            [remAction('look', 40, 1), remAction('go east', 40, 3), remAction('wait', -2.5, 1)]
          ],
          [
            'discouraged ties: the older first; only 2 shown',
            2,
            [
              remAction('take key', 0, 1),
              remAction('look', 0, 1),
              remAction('go east', 33.35, 2),
              remAction('wait', -0.04, 1)
            ]
          ],
          ['discouraged 0', 0, [remAction('look', 1, 1), remAction('wait', 0, 1)]],
          [
            'discouraged 5, two below the best',
            5,
            [remAction('a', 2.675, 1), remAction('b', 3, 1), remAction('c', 1, 4)]
          ],
          ['all equal: nothing discouraged', 2, [remAction('look', 5, 1), remAction('wait', 5, 1)]]
        ] as ReadonlyArray<readonly [string, number, RemembererEntry['actions']]>
      ).map(([name, discouraged, actions]) => {
        const entry = remEntry('You are in the hall. A door leads east.', 'collect', actions)
        return mkCase(name, { discouraged, entry }, exemplarText(discouraged)(entry))
      })
  }
]

// memory-driven prior refinement: the paper preset's mdsi section, and stores built by hand
const mdsiDefaults: MdsiSettings = paperPreset.mdsi
const mdsiPair = (task: string, observation: string, action: string, q: number, visits = 1) => ({
  state: mdsiStateText(task, observation),
  action,
  q,
  visits
})
const mdsiPool: MdsiStore = {
  pairs: [
    mdsiPair('collect', 'You are in the hall. A door leads east.', 'go east', 30, 2),
    mdsiPair('collect', 'You are in the hall. A door leads east.', 'look', 0, 3),
    mdsiPair('collect', 'You are in the kitchen. A key is here.', 'take key', 60, 1),
    mdsiPair('boil', 'You are in the kitchen. A stove is here.', 'take pot', 45, 2)
  ]
}

/**
 * Vectors of memory-driven prior refinement (docs/method.md §11): the write of an episode, the Q
 * estimates, the posterior, and the draw among candidates.
 *
 * @since 0.1.0
 * @category instances
 */
export const mdsiSpecs: ReadonlyArray<VectorSpec> = [
  {
    module: 'mdsi',
    function: 'writeEpisode',
    signature: 'expected = writeEpisode(input.settings)(input.episode)(input.store)',
    description:
      'The Q-memory after an episode (algorithm in docs/porting.md, "Memory-driven prior refinement"): each step’s return-to-go G_t = Σ_{i ≥ 0} γ^i r_{t+i} (γ^i as a running product) joins the pair (task + "\n" + observation, action) in step order: a new pair is appended with q = G, visits 1, and past capacity the first pair leaves; a stored pair gets visits + 1 and q by settings.combine (mean: q + (G − q)/visits after the increment; max; overwrite). Cases: an empty memory with a repeated pair, each combine rule onto a stored pair, γ = 1 and 0, capacity 2.',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: () =>
      (
        [
          ['mean, γ 0.99: an empty memory, a pair repeated in the episode', {}, { pairs: [] }],
          ['mean onto the stored pool', {}, mdsiPool],
          ['max onto the stored pool', { combine: 'max' }, mdsiPool],
          ['overwrite onto the stored pool, γ = 1', { combine: 'overwrite', gamma: 1 }, mdsiPool],
          ['γ = 0: each pair gets its immediate reward', { gamma: 0 }, mdsiPool],
          [
            'capacity 2 from an empty memory: the oldest of three pairs leaves',
            { capacity: 2 },
            { pairs: [] }
          ]
        ] as ReadonlyArray<readonly [string, Partial<MdsiSettings>, MdsiStore]>
      ).map(([name, over, store]) => {
        const settings = { ...mdsiDefaults, ...over }
        const episode = remEpisode('collect', [
          ['You are in the hall. A door leads east.', 'look', 0],
          ['You are in the hall. A door leads east.', 'go east', 5],
          ['You are in the kitchen. A key is here.', 'take key', 40],
          ['You are in the hall. A door leads east.', 'go east', 10]
        ])
        return mkCase(name, { settings, store, episode }, mdsiWriteEpisode(settings)(episode)(store))
      })
  },
  {
    module: 'mdsi',
    function: 'qEstimates',
    signature: 'expected = qEstimates(input.settings, embed)(input.store)(input.state, input.actions)',
    description:
      'Q of each action in a state: a stored pair (same state and action text) answers its q; otherwise every stored pair gets similarity w · cosine(embed(pair.state), embed(state)) + (1 − w) · cosine(embed(pair.action), embed(action)), w = stateWeight, the default embedding; pairs below minSimilarity are dropped, the rest sorted by similarity descending (ties: store index ascending) and cut to `neighbours`; none: 0; else the mean of their q weighted by similarity (weighting similarity, unless the weights sum to 0) or equally (uniform). Cases: stored, near and unrelated actions at the default settings, uniform weighting, k = 1, threshold 0, state weights 0 and 1.',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: () =>
      (
        [
          ['defaults', {}],
          ['uniform weighting', { weighting: 'uniform' }],
          ['one neighbour', { neighbours: 1 }],
          ['threshold 0: every pair a neighbour', { minSimilarity: 0 }],
          ['state weight 0: actions only', { stateWeight: 0 }],
          ['state weight 1: states only', { stateWeight: 1 }]
        ] as ReadonlyArray<readonly [string, Partial<MdsiSettings>]>
      ).map(([name, over]) => {
        const settings = { ...mdsiDefaults, ...over }
        const state = mdsiStateText('collect', 'You are in the hall. A door leads east.')
        const actions = ['go east', 'go west', 'take key', 'xyzzy', 'look']
        return mkCase(
          name,
          { settings, store: mdsiPool, state, actions },
          qEstimates(settings, embed)(mdsiPool)(state, actions)
        )
      })
  },
  {
    module: 'mdsi',
    function: 'posterior',
    signature: 'expected = posterior(input.alpha)(input.logProbs, input.qs)',
    description:
      'The posterior over candidates: z_j = logProbs_j + qs_j / alpha; q_j = exp(z_j − max z) / Σ_i exp(z_i − max z). Cases: equal Q (the policy renormalised), one candidate, a return gap of α (odds × e), log-probs of −1000 (no underflow), α small enough that one candidate takes almost all.',
    tolerance: { abs: 1e-12, rel: 1e-9 },
    cases: () =>
      (
        [
          ['equal Q', 10, [-1, -2, -3], [5, 5, 5]],
          ['one candidate', 10, [-4], [60]],
          ['a gap of α', 10, [Math.log(0.5), Math.log(0.5)], [10, 0]],
          ['log-probs of −1000', 1, [-1000, -1001], [0, 0]],
          ['α 0.1: the best return takes almost all', 0.1, [-0.5, -1, -3], [0, 5, 10]]
        ] as ReadonlyArray<readonly [string, number, ReadonlyArray<number>, ReadonlyArray<number>]>
      ).map(([name, alpha, logProbs, qs]) =>
        mkCase(name, { alpha, logProbs, qs }, posterior(alpha)(logProbs, qs))
      )
  },
  {
    module: 'record',
    function: 'drawIndex',
    signature: 'expected = drawIndex(input.weights, input.u)',
    description:
      'The index drawn from probabilities by one uniform u in [0, 1): the first i with u < Σ_{j ≤ i} weights_j (summed left to right in float64); if rounding leaves the sum at or below u, the last index with a positive weight. Cases: interior points, exact boundaries, zero weights, a sum rounded below u.',
    tolerance: { abs: 0, rel: 0 },
    cases: () =>
      (
        [
          ['u in the first interval', [0.2, 0.5, 0.3], 0.1],
          ['u on the first boundary: the second', [0.2, 0.5, 0.3], 0.2],
          ['u in the last interval', [0.2, 0.5, 0.3], 0.75],
          ['zero weights are skipped', [0, 0.4, 0, 0.6, 0], 0.4],
          ['a sum below u: the last positive index', [0.1, 0.2, 0.3 - 1e-9, 0], 0.6],
          ['u = 0', [0, 1], 0]
        ] as ReadonlyArray<readonly [string, ReadonlyArray<number>, number]>
      ).map(([name, weights, u]) => mkCase(name, { weights, u }, drawIndex(weights, u)))
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
 * The rng and loss files came first; returns, advantages, modes, tokenizer, prompt, embedding, memory
 * and novelty were appended after them, then the aggregation weights, the omitted rows' counts and the
 * batch novelty reward, then the memory entry text and the tip-writing prompt, then REMEMBERER's
 * write, retrieval scores and exemplar text, then memory-driven prior refinement's write, Q
 * estimates, posterior and draw.
 *
 * @since 0.1.0
 * @category instances
 */
export const allSpecs: ReadonlyArray<VectorSpec> = [
  ...rngSpecs,
  ...lossSpecs,
  ...advantageSpecs,
  ...modesSpecs,
  ...textSpecs,
  ...memorySpecs,
  ...switchSpecs,
  ...memoryTextSpecs,
  ...remembererSpecs,
  ...mdsiSpecs
]

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
