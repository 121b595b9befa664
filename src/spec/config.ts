/**
 * The complete EMPO² configuration: one typed record holding every hyperparameter of the method
 * (docs/method.md), with two presets — `paper` (the default) and `official` (the authors' released
 * implementation, per the differences in docs/method.md §7). Every field is documented in
 * {@link configDocs} (meaning, default in each preset, range, paper symbol); `docs/config.md` is
 * generated from that table.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeOrThrow, decodeWith, isPlainObject, strict, type DecodeError } from './codec.ts'
import {
  NonNegative,
  NonNegativeInt,
  Positive,
  PositiveInt,
  Probability,
  Seed,
  UnitInterval,
  Cosine,
  LogClamp,
  StepSize
} from './brands.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export const PresetName = t.keyof({ paper: null, official: null })
/** @since 0.1.0 @category model */
export type PresetName = t.TypeOf<typeof PresetName>

/** @since 0.1.0 @category model */
export const RolloutConfig = strict(
  {
    groupSize: PositiveInt,
    tasksPerBatch: PositiveInt,
    maxSteps: PositiveInt,
    maxResponseTokens: PositiveInt,
    temperature: Positive,
    evalTemperature: Positive
  },
  'RolloutConfig'
)

/** @since 0.1.0 @category model */
export const ModeRule = t.keyof({ perStep: null, perIteration: null })
/** @since 0.1.0 @category model */
export type ModeRule = t.TypeOf<typeof ModeRule>

/** @since 0.1.0 @category model */
export const ModesConfig = strict(
  {
    rule: ModeRule,
    memoryProb: Probability,
    offPolicyProb: Probability,
    offPolicyBelow: Probability,
    withTipsBelow: Probability
  },
  'ModesConfig'
)

/** @since 0.1.0 @category model */
export const AdvantageEstimator = t.keyof({ grpo: null, gigpo: null })
/** @since 0.1.0 @category model */
export const GigpoEpisodeStats = t.keyof({ perTrajectory: null, allStepRows: null })
/** @since 0.1.0 @category model */
export type GigpoEpisodeStats = t.TypeOf<typeof GigpoEpisodeStats>
/** @since 0.1.0 @category model */
export const AdvantageConfig = strict(
  {
    estimator: AdvantageEstimator,
    normalizeByStd: t.boolean,
    stdEpsilon: NonNegative,
    gamma: UnitInterval,
    stepWeight: NonNegative,
    stepNormalizeByStd: t.boolean,
    gigpoEpisodeStats: GigpoEpisodeStats
  },
  'AdvantageConfig'
)

/** @since 0.1.0 @category model */
export const ClipConfig = strict(
  {
    epsLow: UnitInterval,
    epsHigh: NonNegative,
    dualClip: t.union([t.null, Positive]),
    logRatioClamp: LogClamp
  },
  'ClipConfig'
)

/** @since 0.1.0 @category model */
export const MaskRule = t.keyof({ tokenProb: null, sequenceMinOldLogProb: null })
/** @since 0.1.0 @category model */
export type MaskRule = t.TypeOf<typeof MaskRule>
/** @since 0.1.0 @category model */
export const MaskScope = t.keyof({ all: null, offPolicy: null })
/** @since 0.1.0 @category model */
export type MaskScope = t.TypeOf<typeof MaskScope>
/** @since 0.1.0 @category model */
export const MaskConfig = strict(
  {
    enabled: t.boolean,
    rule: MaskRule,
    scope: MaskScope,
    delta: Probability,
    minOldLogProb: t.number,
    droppedRowsCount: t.boolean
  },
  'MaskConfig'
)

/** @since 0.1.0 @category model */
export const KlEstimator = t.keyof({ k1: null, k2: null, k3: null })
/** @since 0.1.0 @category model */
export type KlEstimator = t.TypeOf<typeof KlEstimator>
/** @since 0.1.0 @category model */
export const KlConfig = strict(
  {
    beta: NonNegative,
    estimator: KlEstimator,
    logRatioClamp: LogClamp,
    valueClamp: Positive
  },
  'KlConfig'
)

/** @since 0.1.0 @category model */
export const AggregationMode = t.keyof({
  'token-mean': null,
  'seq-mean-token-sum': null,
  'seq-mean-token-mean': null,
  'seq-mean-token-sum-norm': null
})
/** @since 0.1.0 @category model */
export type AggregationMode = t.TypeOf<typeof AggregationMode>
/** @since 0.1.0 @category model */
export const LossConfig = strict(
  {
    aggregation: AggregationMode,
    normLength: PositiveInt,
    entropyCoef: NonNegative
  },
  'LossConfig'
)

/** @since 0.1.0 @category model */
export const RetrievalRule = t.keyof({ topK: null, thresholdThenScore: null })
/** @since 0.1.0 @category model */
export type RetrievalRule = t.TypeOf<typeof RetrievalRule>
/** Where memory entries live: one global list, one per task, or one per task variant. @since 0.1.0 @category model */
export const MemoryScope = t.keyof({ global: null, perTask: null, perVariant: null })
/** @since 0.1.0 @category model */
export type MemoryScope = t.TypeOf<typeof MemoryScope>
/** @since 0.1.0 @category model */
export const MemoryConfig = strict(
  {
    retrieval: RetrievalRule,
    maxTips: NonNegativeInt,
    similarityThreshold: Cosine,
    capacity: PositiveInt,
    dedup: t.boolean,
    scope: MemoryScope,
    write: t.keyof({ perEpisode: null, perStep: null }),
    embed: t.keyof({ state: null, history: null }),
    tipPlacement: t.keyof({ currentStep: null, history: null }),
    scoreTies: t.keyof({ cosineThenNewest: null, oldestFirst: null }),
    entryText: t.keyof({ tip: null, tipActionScore: null }),
    tipPromptShowsTips: t.boolean
  },
  'MemoryConfig'
)

/** @since 0.1.0 @category model */
export const NoveltyRule = t.keyof({ stateNovelty: null, retrievedCount: null })
/** @since 0.1.0 @category model */
export type NoveltyRule = t.TypeOf<typeof NoveltyRule>
/** @since 0.1.0 @category model */
export const NoveltyBatchUpdate = t.keyof({ afterBatch: null, sequential: null })
/** @since 0.1.0 @category model */
export type NoveltyBatchUpdate = t.TypeOf<typeof NoveltyBatchUpdate>
/** @since 0.1.0 @category model */
export const NoveltyConfig = strict(
  {
    rule: NoveltyRule,
    similarityThreshold: Cosine,
    coef: NonNegative,
    batchUpdate: NoveltyBatchUpdate
  },
  'NoveltyConfig'
)

/** What `optim.miniBatchSize` counts: update rows, or groups of `rollout.groupSize` rows. @since 0.1.0 @category model */
export const MiniBatchUnit = t.keyof({ rows: null, groups: null })
/** @since 0.1.0 @category model */
export type MiniBatchUnit = t.TypeOf<typeof MiniBatchUnit>
/** @since 0.1.0 @category model */
export const OptimConfig = strict(
  {
    learningRate: Positive,
    epochs: PositiveInt,
    miniBatchSize: PositiveInt,
    miniBatchUnit: MiniBatchUnit,
    gradClip: t.union([t.null, Positive]),
    adamBeta1: UnitInterval,
    adamBeta2: UnitInterval,
    adamEpsilon: Positive
  },
  'OptimConfig'
)

/** How REMEMBERER makes room for a new (observation, task) key when its pool is full. @since 0.1.0 @category model */
export const RemembererEviction = t.keyof({ closestPair: null, oldest: null })
/** @since 0.1.0 @category model */
export type RemembererEviction = t.TypeOf<typeof RemembererEviction>
/**
 * REMEMBERER's experience memory (docs/method.md §10): its capacity and eviction, the Q-value target
 * and step size, the retrieval's similarity weights and what the prompt shows. Read only by the
 * `rememberer` method.
 *
 * @since 0.1.0
 * @category model
 */
export const RemembererConfig = strict(
  {
    capacity: PositiveInt,
    actionsPerEntry: PositiveInt,
    eviction: RemembererEviction,
    nStep: t.union([t.null, PositiveInt]),
    gamma: UnitInterval,
    learningRate: t.union([t.null, StepSize]),
    observationWeight: UnitInterval,
    exemplars: NonNegativeInt,
    discouraged: NonNegativeInt
  },
  'RemembererConfig'
)
/** @since 0.1.0 @category model */
export type RemembererConfig = t.TypeOf<typeof RemembererConfig>

/** How memory-driven prior refinement combines a new return with a pair's stored Q. @since 0.1.0 @category model */
export const MdsiCombine = t.keyof({ mean: null, max: null, overwrite: null })
/** @since 0.1.0 @category model */
export type MdsiCombine = t.TypeOf<typeof MdsiCombine>
/** How the neighbours of an unseen pair weigh in its Q estimate. @since 0.1.0 @category model */
export const MdsiWeighting = t.keyof({ similarity: null, uniform: null })
/** @since 0.1.0 @category model */
export type MdsiWeighting = t.TypeOf<typeof MdsiWeighting>
/** The weight of a candidate's row in the prior-refinement update. @since 0.1.0 @category model */
export const MdsiUpdateWeight = t.keyof({ posterior: null, centred: null })
/** @since 0.1.0 @category model */
export type MdsiUpdateWeight = t.TypeOf<typeof MdsiUpdateWeight>
/**
 * Memory-driven prior refinement (docs/method.md §11): the Q-memory's capacity, return and combine
 * rule, the neighbour estimate of an unseen pair, the posterior's candidates and temperature, and the
 * weight of the prior-refinement update. Read only by the `mdsi` method.
 *
 * @since 0.1.0
 * @category model
 */
export const MdsiConfig = strict(
  {
    capacity: PositiveInt,
    gamma: UnitInterval,
    combine: MdsiCombine,
    neighbours: PositiveInt,
    minSimilarity: UnitInterval,
    weighting: MdsiWeighting,
    stateWeight: UnitInterval,
    candidates: PositiveInt,
    alpha: Positive,
    updateWeight: MdsiUpdateWeight
  },
  'MdsiConfig'
)
/** @since 0.1.0 @category model */
export type MdsiConfig = t.TypeOf<typeof MdsiConfig>

/**
 * The complete configuration.
 *
 * @since 0.1.0
 * @category model
 */
export const Config = strict(
  {
    preset: PresetName,
    seed: Seed,
    rollout: RolloutConfig,
    modes: ModesConfig,
    advantage: AdvantageConfig,
    clip: ClipConfig,
    mask: MaskConfig,
    kl: KlConfig,
    loss: LossConfig,
    memory: MemoryConfig,
    novelty: NoveltyConfig,
    optim: OptimConfig,
    rememberer: RemembererConfig,
    mdsi: MdsiConfig
  },
  'Config'
)
/** @since 0.1.0 @category model */
export type Config = t.TypeOf<typeof Config>

// -------------------------------------------------------------------------------------
// documentation
// -------------------------------------------------------------------------------------

/**
 * The documentation of one field: its meaning, valid range, paper symbol (`—` where the paper has
 * none) and, where it matters, why the default is what it is.
 *
 * @since 0.1.0
 * @category model
 */
export interface FieldDoc {
  readonly meaning: string
  readonly range: string
  readonly symbol: string
  readonly note?: string
}

/**
 * Every leaf field of {@link Config}, by its dotted path. A test checks that this table and the codec
 * have exactly the same fields.
 *
 * @since 0.1.0
 * @category documentation
 */
export const configDocs: Readonly<Record<string, FieldDoc>> = {
  preset: {
    meaning: 'Which preset the values started from (informational).',
    range: 'paper | official',
    symbol: '—'
  },
  seed: { meaning: 'Root seed of every random draw of a run.', range: 'uint32', symbol: '—' },
  'rollout.groupSize': { meaning: 'Rollouts per task in a GRPO group.', range: '≥ 1', symbol: 'N' },
  'rollout.tasksPerBatch': { meaning: 'Tasks drawn per training iteration.', range: '≥ 1', symbol: '—' },
  'rollout.maxSteps': { meaning: 'Step limit of an episode.', range: '≥ 1', symbol: 'T (episode)' },
  'rollout.maxResponseTokens': { meaning: 'Token limit of one action.', range: '≥ 1', symbol: '—' },
  'rollout.temperature': {
    meaning: 'Sampling temperature during training rollouts.',
    range: '> 0',
    symbol: '—'
  },
  'rollout.evalTemperature': {
    meaning: 'Sampling temperature at evaluation (no memory).',
    range: '> 0',
    symbol: '—'
  },
  'modes.rule': {
    meaning:
      'When rollout and update modes are drawn: per step with p and q (paper), or once per iteration from one uniform draw (official).',
    range: 'perStep | perIteration',
    symbol: '—',
    note: 'docs/method.md §7'
  },
  'modes.memoryProb': {
    meaning: 'Probability that a step is memory-augmented (perStep rule).',
    range: '[0, 1]',
    symbol: 'p'
  },
  'modes.offPolicyProb': {
    meaning: 'Probability that a memory-augmented step is updated off-policy (perStep rule).',
    range: '[0, 1]',
    symbol: 'q'
  },
  'modes.offPolicyBelow': {
    meaning: 'perIteration rule: a uniform draw x below this is off-policy.',
    range: '[0, 1]',
    symbol: '—',
    note: 'official 0.17'
  },
  'modes.withTipsBelow': {
    meaning:
      'perIteration rule: x below this (and not off-policy) is on-policy with tips; otherwise no memory.',
    range: '[offPolicyBelow, 1]',
    symbol: '—',
    note: 'official 0.25'
  },
  'advantage.estimator': {
    meaning: 'GRPO episode-level advantage, or GiGPO episode + step-level.',
    range: 'grpo | gigpo',
    symbol: 'A'
  },
  'advantage.normalizeByStd': {
    meaning:
      'Divide by the group’s unbiased standard deviation (false: Dr. GRPO, A = R − mean). Under gigpo this is the episode level only; verl-agent’s GiGPO has one switch for both levels (mode mean_std_norm: this and stepNormalizeByStd both true; mean_norm, its default: both false).',
    range: 'boolean',
    symbol: 'σ(R)'
  },
  'advantage.stdEpsilon': {
    meaning: 'Added to σ in the denominator.',
    range: '≥ 0',
    symbol: '—',
    note: 'reference code: 1e-6'
  },
  'advantage.gamma': {
    meaning: 'Discount of returns-to-go (GiGPO step level).',
    range: '[0, 1]',
    symbol: 'γ'
  },
  'advantage.stepWeight': { meaning: 'Weight of GiGPO’s step-level advantage.', range: '≥ 0', symbol: 'ω' },
  'advantage.stepNormalizeByStd': {
    meaning:
      'GiGPO: divide step-level advantages by their cluster’s unbiased σ + ε (a cluster of one step gets 0 either way). verl-agent ties this to normalizeByStd (see there); both presets and configs/gigpo.json set σ at the episode level only, configs/gigpo-verl-agent.json at both.',
    range: 'boolean',
    symbol: '—'
  },
  'advantage.gigpoEpisodeStats': {
    meaning:
      'GiGPO’s episode level (docs/method.md §8): the group’s mean and σ over one return per trajectory (perTrajectory: the GiGPO paper’s episode-relative advantage) or over every step row, each trajectory’s return counted once per step it took (allStepRows: verl-agent’s default, compute_mean_std_cross_all_data = True, so longer trajectories weigh more; a group with a single row uses mean 0 and σ 1). Not read by grpo. Both presets and configs/gigpo.json: perTrajectory; configs/gigpo-verl-agent.json: allStepRows.',
    range: 'perTrajectory | allStepRows',
    symbol: '—'
  },
  'clip.epsLow': {
    meaning: 'Lower clip range: ratio clipped below at 1 − ε_low.',
    range: '[0, 1]',
    symbol: 'ε (ε_low)'
  },
  'clip.epsHigh': {
    meaning: 'Upper clip range: ratio clipped above at 1 + ε_high.',
    range: '≥ 0',
    symbol: 'ε (ε_high)'
  },
  'clip.dualClip': {
    meaning: 'Dual clip: for A < 0 the per-token loss is capped at −c·A; null disables.',
    range: 'null | > 1',
    symbol: 'c'
  },
  'clip.logRatioClamp': {
    meaning: 'The log-ratio is clamped to ±this before exp.',
    range: '(0, 80]',
    symbol: '—',
    note: 'reference code: 20'
  },
  'mask.enabled': { meaning: 'Apply the low-probability mask.', range: 'boolean', symbol: '1[·] of Eq. 2' },
  'mask.rule': {
    meaning:
      'tokenProb: per token, mask the advantage term where π_θ(a_t | s_t, u) (tip-free, current) < δ (paper). sequenceMinOldLogProb: drop the whole response from the response mask when min_t log π_old < minOldLogProb (official).',
    range: 'tokenProb | sequenceMinOldLogProb',
    symbol: 'Eq. 2',
    note: 'docs/method.md §5, §7'
  },
  'mask.scope': {
    meaning:
      'tokenProb rule: the indicator multiplies the surrogate of every row (all), or of off-policy rows only (offPolicy).',
    range: 'all | offPolicy',
    symbol: '1[π_θ(a|s,u) ≥ δ] of Eq. 2',
    note: 'The paper motivates the mask by off-policy updates but writes it into the loss of every row: “the loss in Eq. 1 is modified as” Eq. 2, whose indicator 1[π_θ(a_t|s_t,u) ≥ δ] multiplies every row’s clipped surrogate. The paper preset reads Eq. 2 as written (all); for an on-policy row sampled with tips the indicator reads the tip-free current policy, scored without gradient. offPolicy is the narrower reading, kept as a switch. No effect under the sequenceMinOldLogProb rule, which applies to every row. docs/method.md §5.'
  },
  'mask.delta': { meaning: 'tokenProb rule: probability threshold.', range: '[0, 1]', symbol: 'δ' },
  'mask.minOldLogProb': {
    meaning: 'sequenceMinOldLogProb rule: log-probability threshold.',
    range: 'any number',
    symbol: '—',
    note: 'official −5.0'
  },
  'mask.droppedRowsCount': {
    meaning:
      'sequenceMinOldLogProb rule: a dropped row contributes 0 to every term but still counts in every denominator (its tokens in token-mean, the row in the seq-mean-* modes), as in the authors’ code (true), or leaves the denominators too (false).',
    range: 'boolean',
    symbol: '—',
    note: 'The authors’ code zeroes the row’s response mask; verl 0.5.0’s actor, with one row per micro-batch, gives that row the loss 0/(0 + 1e-8) = 0 and divides the mini-batch’s sum of micro-batch losses by their number, the dropped row included. Under the official aggregation (seq-mean-token-mean) this is the row counted in the mean over rows; the other modes count the row the same way (its tokens in token-mean’s count, though verl’s token-mean over a micro-batch of several rows would not count them: the authors run one row per micro-batch). No effect under the tokenProb rule, whose masked tokens always count (Eq. 2’s 1/(N·T)); the paper preset sets true to match. docs/method.md §7.'
  },
  'kl.beta': { meaning: 'Weight of the KL penalty to the reference policy.', range: '≥ 0', symbol: 'β' },
  'kl.estimator': {
    meaning:
      'Per-token KL estimator: k1 = logp − logp_ref, k2 = ½(logp − logp_ref)², k3 = exp(d) − d − 1 with d = logp_ref − logp.',
    range: 'k1 | k2 | k3',
    symbol: 'KL'
  },
  'kl.logRatioClamp': { meaning: 'k3: d is clamped to ±this.', range: '(0, 80]', symbol: '—', note: '20' },
  'kl.valueClamp': {
    meaning:
      'k3: the estimate is clamped to [0, this] (verl clamps to [−this, this]; k3 ≥ 0 except for rounding, so only the upper bound binds).',
    range: '> 0',
    symbol: '—',
    note: '10'
  },
  'loss.aggregation': {
    meaning: 'How per-token losses are reduced to one number.',
    range: 'token-mean | seq-mean-token-sum | seq-mean-token-mean | seq-mean-token-sum-norm',
    symbol: '1/(N·T) Σ'
  },
  'loss.normLength': {
    meaning: 'seq-mean-token-sum-norm: the fixed length the total is divided by.',
    range: '≥ 1',
    symbol: '—'
  },
  'loss.entropyCoef': {
    meaning: 'Weight of the entropy bonus (subtracted from the loss).',
    range: '≥ 0',
    symbol: '—'
  },
  'memory.retrieval': {
    meaning:
      'topK: the maxTips most similar tips by cosine (paper). thresholdThenScore: keep entries with cosine > similarityThreshold, sort by stored score, take maxTips (official).',
    range: 'topK | thresholdThenScore',
    symbol: 'Retr(s_t; M)'
  },
  'memory.maxTips': {
    meaning: 'At most this many tips are retrieved.',
    range: '≥ 0',
    symbol: '|tips_t| ≤ 10'
  },
  'memory.similarityThreshold': {
    meaning: 'thresholdThenScore: cosine similarity an entry must exceed.',
    range: '[−1, 1]',
    symbol: '—',
    note: 'official 0.5'
  },
  'memory.capacity': {
    meaning: 'Entries kept per partition; the oldest is dropped first.',
    range: '≥ 1',
    symbol: '—',
    note: 'official 1000'
  },
  'memory.dedup': {
    meaning:
      'Skip an entry equal to a stored one of its partition: the same tip and action (entryText tip), or the same whole shown text, rounded score included (entryText tipActionScore, as the authors).',
    range: 'boolean',
    symbol: '—'
  },
  'memory.scope': {
    meaning: 'One memory for all tasks, one per task, or one per task variant.',
    range: 'global | perTask | perVariant',
    symbol: 'M'
  },
  'memory.write': {
    meaning: 'One tip per episode (paper) or one entry per step with the action and final score (official).',
    range: 'perEpisode | perStep',
    symbol: '—'
  },
  'memory.embed': {
    meaning:
      'What is embedded as the retrieval query and key: the current state (paper) or the whole tip-free history (official).',
    range: 'state | history',
    symbol: '—'
  },
  'memory.tipPlacement': {
    meaning:
      'Tips in the current step’s prompt only (paper), or appended to each step’s message so later steps see them in the history (official).',
    range: 'currentStep | history',
    symbol: 'tips_t'
  },
  'memory.entryText': {
    meaning:
      'The text a retrieved entry shows the policy, and what de-duplication compares: the bare tip (tip, paper; duplicates are equal tip and action), or the tip followed by "; At that timestep, the specific action your took was <action>; Eventually you got the score <R to 0.1>/100." (tipActionScore, official: the authors\' text, typo included; duplicates are equal texts).',
    range: 'tip | tipActionScore',
    symbol: 'tips_t',
    note: 'docs/method.md §7'
  },
  'memory.tipPromptShowsTips': {
    meaning:
      "The tip-writing prompt after an episode shows, after each step's observation, the tips that step's prompt showed (true, official: the authors append each step's retrieved memories to that step's message), or the tip-free history (false, paper).",
    range: 'boolean',
    symbol: '—',
    note: 'docs/method.md §7'
  },
  'memory.scoreTies': {
    meaning:
      'thresholdThenScore: how entries of equal stored score are ordered — by higher cosine, then newer first (cosineThenNewest), or in insertion order, oldest first (oldestFirst, official: the authors sort their oldest-first list with a stable sort by score). Not read by topK, which always orders by cosine, ties newer first.',
    range: 'cosineThenNewest | oldestFirst',
    symbol: '—',
    note: 'docs/method.md §7'
  },
  'novelty.rule': {
    meaning:
      'stateNovelty: r = 1/n over similar past states (paper). retrievedCount: r = 1/(count + 1) over retrieved tips (official).',
    range: 'stateNovelty | retrievedCount',
    symbol: 'r_intrinsic'
  },
  'novelty.similarityThreshold': {
    meaning:
      'stateNovelty: cosine similarity at or above which two states count as the same (cosine ≥ θ); a state is novel iff its cosine to every stored state is strictly below θ.',
    range: '[−1, 1]',
    symbol: '—'
  },
  'novelty.batchUpdate': {
    meaning:
      'stateNovelty (docs/method.md §6): the paper keeps a list of distinct states and rewards a state 1/n by the similar states seen before it, without saying what “before” means for states reached at the same step. A batch is the states reached at one step by the episodes played in parallel. afterBatch: every state of a batch is scored against the memory as it stood before the batch (n counts visits before the batch, never a batch-mate), then the batch is inserted (the similar stored states gain one per similar state; novel states are stored once per distinct vector, with their multiplicity as count): rewards and memory do not depend on the order of the episodes. sequential: the states of a batch are scored and inserted one after another in episode order, so identical states reached together earn 1, 1/2, 1/3, … by their index. Not read by retrievedCount.',
    range: 'afterBatch | sequential',
    symbol: '—'
  },
  'novelty.coef': {
    meaning: 'Weight of the intrinsic reward added to the extrinsic return (0: computed, not added).',
    range: '≥ 0',
    symbol: '—'
  },
  'optim.learningRate': { meaning: 'Adam learning rate.', range: '> 0', symbol: '—' },
  'optim.epochs': { meaning: 'Passes over each batch.', range: '≥ 1', symbol: '—' },
  'optim.miniBatchSize': {
    meaning:
      'Mini-batch size of one optimiser step, in the unit optim.miniBatchUnit names: rows, or groups (verl’s prompts, each multiplied by rollout.groupSize).',
    range: '≥ 1',
    symbol: '—',
    note: 'official 16 (ppo_mini_batch_size), that is 16 × 8 = 128 rows per step'
  },
  'optim.miniBatchUnit': {
    meaning:
      'What optim.miniBatchSize counts: update rows (rows), or groups (groups: verl’s ppo_mini_batch_size × n), so one optimiser step takes miniBatchSize × rollout.groupSize rows; a row is one step of one episode, so this is a row multiplier, not a count of whole groups.',
    range: 'rows | groups',
    symbol: '—',
    note: 'verl 0.5.0 multiplies ppo_mini_batch_size by the rollout count n before it splits the batch (fsdp_workers.py), so the authors’ 16 is 128 rows per optimiser step: official groups. The paper states no mini-batch size; the paper preset fills the gap with the verl semantics the authors built on: groups. The main job sets rows (64 rows per step; docs/main-job.md).'
  },
  'optim.gradClip': {
    meaning: 'Global gradient-norm clip; null disables.',
    range: 'null | > 0',
    symbol: '—'
  },
  'optim.adamBeta1': { meaning: 'Adam β₁.', range: '[0, 1]', symbol: '—' },
  'optim.adamBeta2': { meaning: 'Adam β₂.', range: '[0, 1]', symbol: '—' },
  'optim.adamEpsilon': { meaning: 'Adam ε.', range: '> 0', symbol: '—' },
  'rememberer.capacity': {
    meaning:
      'REMEMBERER (docs/method.md §10): how many (observation, task) keys the experience memory keeps; a new key beyond it is placed by rememberer.eviction.',
    range: '≥ 1',
    symbol: '—',
    note: 'the source’s example value; not an EMPO² setting, so both presets share it'
  },
  'rememberer.actionsPerEntry': {
    meaning:
      'REMEMBERER: how many actions one key keeps, each with its Q, mean reward and visit count; a new action at a full key replaces the least-visited stored one (ties: the lower Q, then the older).',
    range: '≥ 1',
    symbol: '—',
    note: 'the source’s example value; which action leaves is this project’s choice (the source names none)'
  },
  'rememberer.eviction': {
    meaning:
      'REMEMBERER: the rule for a new key when the pool holds rememberer.capacity keys. closestPair (the source’s): with s_new the new key’s highest similarity to a stored key and s_pair the highest similarity of two stored keys, the new key is dropped when s_new > s_pair, otherwise the more-visited key of that closest pair leaves (ties: the older); with fewer than two keys stored there is no pair and the new key is dropped. oldest: the first-inserted key leaves. Similarity is the retrieval’s (rememberer.observationWeight).',
    range: 'closestPair | oldest',
    symbol: '—'
  },
  'rememberer.nStep': {
    meaning:
      'REMEMBERER: the n of the n-step target G_t = Σ_{i<n} γ^i r_{t+i} + γ^n max_a Q(key_{t+n}, a) (bootstrapped from the memory as it stood before the episode, only when the episode lasts beyond t + n); null: the Monte-Carlo return, never bootstrapped.',
    range: 'null | ≥ 1',
    symbol: 'n',
    note: 'the source leaves n unset by default, i.e. Monte-Carlo'
  },
  'rememberer.gamma': {
    meaning: 'REMEMBERER: discount of the n-step target.',
    range: '[0, 1]',
    symbol: 'γ',
    note: 'the source’s default 1'
  },
  'rememberer.learningRate': {
    meaning:
      'REMEMBERER: the step of Q ← Q + α (target − Q); null: α = 1/N with N the action’s visit count after the visit (Q is the running mean of its targets).',
    range: 'null | (0, 1]',
    symbol: 'α',
    note: 'the source’s default is 1/N'
  },
  'rememberer.observationWeight': {
    meaning:
      'REMEMBERER: similarity of two keys (and of a key to the current decision) = w · cos(observations) + (1 − w) · cos(task names), each text embedded by the run’s embedder; retrieval takes the highest, ties the older key first.',
    range: '[0, 1]',
    symbol: '—',
    note: 'the source weighs both halves equally: 0.5'
  },
  'rememberer.exemplars': {
    meaning:
      'REMEMBERER: how many retrieved keys the prompt shows, one exemplar text each (its encouraged and discouraged actions with their Q).',
    range: '≥ 0',
    symbol: '—',
    note: 'the source shows 2'
  },
  'rememberer.discouraged': {
    meaning:
      'REMEMBERER: at most this many discouraged actions per exemplar: the stored actions whose Q is below the encouraged (highest-Q) action’s, lowest Q first (ties: the older).',
    range: '≥ 0',
    symbol: '—',
    note: 'the source shows “actions with low Q” without a count; 2 is this project’s choice'
  },
  'mdsi.capacity': {
    meaning:
      'Memory-driven prior refinement (docs/method.md §11): how many (state, action) pairs the Q-memory keeps; beyond it the oldest-inserted pair leaves.',
    range: '≥ 1',
    symbol: '—',
    note: 'the source names no bound; this project’s choice'
  },
  'mdsi.gamma': {
    meaning:
      'MDSI: discount of the Monte-Carlo return-to-go G_t = Σ_{i ≥ 0} γ^i r_{t+i} written for each step’s (state, action).',
    range: '[0, 1]',
    symbol: 'γ',
    note: 'the predecessor method’s 0.99'
  },
  'mdsi.combine': {
    meaning:
      'MDSI: how a new return G joins a stored pair’s Q. mean: Q ← Q + (G − Q)/N, N its visits after this one (the running mean of its returns); max: Q ← max(Q, G); overwrite: Q ← G.',
    range: 'mean | max | overwrite',
    symbol: '—',
    note: 'the source leaves it open; mean is this project’s choice'
  },
  'mdsi.neighbours': {
    meaning:
      'MDSI: an unseen (state, action) pair’s Q is estimated from at most this many stored pairs, the most similar first (ties: the older), among those at least mdsi.minSimilarity similar.',
    range: '≥ 1',
    symbol: 'k',
    note: 'the source leaves k open; 5 is this project’s choice'
  },
  'mdsi.minSimilarity': {
    meaning:
      'MDSI: a stored pair less similar than this is no neighbour; a pair with no neighbour has Q = 0, the return of an episode that scores nothing.',
    range: '[0, 1]',
    symbol: '—',
    note: 'this project’s choice: above ½, so that an action sharing no word with a stored one in the same state (similarity ½ at the default weights) borrows nothing'
  },
  'mdsi.weighting': {
    meaning:
      'MDSI: the neighbours’ Q values are averaged weighted by their similarity (similarity) or equally (uniform).',
    range: 'similarity | uniform',
    symbol: '—',
    note: 'the source leaves the weighting open'
  },
  'mdsi.stateWeight': {
    meaning:
      'MDSI: similarity of two pairs = w · cos(states) + (1 − w) · cos(actions), a state being the task name and the observation on two lines, each text embedded by the run’s embedder.',
    range: '[0, 1]',
    symbol: '—',
    note: 'this project’s choice, as REMEMBERER weighs its halves'
  },
  'mdsi.candidates': {
    meaning:
      'MDSI: how many actions the policy samples at a step that consults the memory; the step acts with one of the distinct ones, drawn from the posterior q(a|s) ∝ p(a|s) · exp(Q(s, a)/α).',
    range: '≥ 1',
    symbol: '—',
    note: 'the predecessor method sampled 5 to 15'
  },
  'mdsi.alpha': {
    meaning:
      'MDSI: temperature α of the posterior q(a|s) ∝ p(a|s) · exp(Q(s, a)/α); smaller trusts the memory more.',
    range: '> 0',
    symbol: 'α',
    note: 'the predecessor method’s 10: on this suite’s scores (0 to 100) a return gap of 10 is worth a factor e'
  },
  'mdsi.updateWeight': {
    meaning:
      'MDSI: the prior-refinement update fits the policy to the posterior with one row per distinct candidate of every step that consulted the memory, its advantage the candidate’s posterior probability q (posterior: the q-weighted log-likelihood) or q − 1/n for n candidates (centred: the same direction, zero-sum per step).',
    range: 'posterior | centred',
    symbol: '—',
    note: 'the source names a q-weighted log-likelihood without the exact weighting'
  }
}

// -------------------------------------------------------------------------------------
// presets
// -------------------------------------------------------------------------------------

/**
 * The paper's configuration (the default). Where the paper gives no value, the choice is stated in
 * `docs/config.md` and follows the verl GRPO defaults the authors built on.
 *
 * @since 0.1.0
 * @category presets
 */
const paperRaw = {
  preset: 'paper',
  seed: 0,
  rollout: {
    groupSize: 8,
    tasksPerBatch: 16,
    maxSteps: 30,
    maxResponseTokens: 32,
    temperature: 1,
    evalTemperature: 0.4
  },
  modes: {
    rule: 'perStep',
    memoryProb: 0.25,
    offPolicyProb: 0.68,
    offPolicyBelow: 0.17,
    withTipsBelow: 0.25
  },
  advantage: {
    estimator: 'grpo',
    normalizeByStd: true,
    stdEpsilon: 1e-6,
    gamma: 0.95,
    stepWeight: 1,
    stepNormalizeByStd: false,
    gigpoEpisodeStats: 'perTrajectory'
  },
  clip: { epsLow: 0.2, epsHigh: 0.2, dualClip: null, logRatioClamp: 20 },
  mask: {
    enabled: true,
    rule: 'tokenProb',
    scope: 'all',
    delta: 1e-3,
    minOldLogProb: -5,
    droppedRowsCount: true
  },
  kl: { beta: 0.001, estimator: 'k3', logRatioClamp: 20, valueClamp: 10 },
  loss: { aggregation: 'token-mean', normLength: 32, entropyCoef: 0 },
  memory: {
    retrieval: 'topK',
    maxTips: 10,
    similarityThreshold: 0.5,
    capacity: 1000,
    dedup: true,
    scope: 'perTask',
    write: 'perEpisode',
    embed: 'state',
    tipPlacement: 'currentStep',
    scoreTies: 'cosineThenNewest',
    entryText: 'tip',
    tipPromptShowsTips: false
  },
  novelty: { rule: 'stateNovelty', similarityThreshold: 0.9, coef: 0.1, batchUpdate: 'afterBatch' },
  optim: {
    learningRate: 1e-6,
    epochs: 1,
    miniBatchSize: 16,
    miniBatchUnit: 'groups',
    gradClip: 1,
    adamBeta1: 0.9,
    adamBeta2: 0.999,
    adamEpsilon: 1e-8
  },
  rememberer: {
    capacity: 500,
    actionsPerEntry: 20,
    eviction: 'closestPair',
    nStep: null,
    gamma: 1,
    learningRate: null,
    observationWeight: 0.5,
    exemplars: 2,
    discouraged: 2
  },
  mdsi: {
    capacity: 4000,
    gamma: 0.99,
    combine: 'mean',
    neighbours: 5,
    minSimilarity: 0.6,
    weighting: 'similarity',
    stateWeight: 0.5,
    candidates: 5,
    alpha: 10,
    updateWeight: 'posterior'
  }
}

/**
 * The authors' released implementation (docs/method.md §7): modes drawn once per iteration, the
 * per-sequence mask (switched off as released), threshold-then-score retrieval per task variant,
 * per-step entries, retrieved-count intrinsic reward not added, β = 0, asymmetric and dual clip,
 * seq-mean-token-mean aggregation.
 *
 * @since 0.1.0
 * @category presets
 */
const officialRaw = {
  ...paperRaw,
  preset: 'official',
  modes: { ...paperRaw.modes, rule: 'perIteration' },
  clip: { ...paperRaw.clip, epsLow: 0.2, epsHigh: 0.3, dualClip: 10 },
  mask: { ...paperRaw.mask, enabled: false, rule: 'sequenceMinOldLogProb', minOldLogProb: -5 },
  kl: { ...paperRaw.kl, beta: 0 },
  loss: { ...paperRaw.loss, aggregation: 'seq-mean-token-mean', entropyCoef: 0 },
  memory: {
    ...paperRaw.memory,
    retrieval: 'thresholdThenScore',
    similarityThreshold: 0.5,
    scope: 'perVariant',
    write: 'perStep',
    embed: 'history',
    tipPlacement: 'history',
    scoreTies: 'oldestFirst',
    entryText: 'tipActionScore',
    tipPromptShowsTips: true
  },
  novelty: { ...paperRaw.novelty, rule: 'retrievedCount', coef: 0 }
}

/** @since 0.1.0 @category presets */
export const paperPreset: Config = decodeOrThrow(Config, 'paper preset')(paperRaw)
/** @since 0.1.0 @category presets */
export const officialPreset: Config = decodeOrThrow(Config, 'official preset')(officialRaw)

/**
 * The presets by name.
 *
 * @since 0.1.0
 * @category presets
 */
export const presets: Readonly<Record<PresetName, Config>> = { paper: paperPreset, official: officialPreset }

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

const deepMerge = (base: unknown, over: unknown): unknown => {
  if (!isPlainObject(base) || !isPlainObject(over)) return over
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v
  return out
}

/**
 * Constraints between fields that a per-field codec cannot state; each problem names its fields.
 *
 * @since 0.1.0
 * @category decoding
 */
export const crossFieldProblems = (c: Config): ReadonlyArray<string> => [
  ...(c.modes.withTipsBelow < c.modes.offPolicyBelow
    ? [
        `at modes.withTipsBelow: must be ≥ modes.offPolicyBelow (${c.modes.offPolicyBelow}), got ${c.modes.withTipsBelow}`
      ]
    : []),
  ...(c.clip.dualClip !== null && c.clip.dualClip <= 1
    ? [`at clip.dualClip: must be null or > 1, got ${c.clip.dualClip}`]
    : [])
]

/**
 * Decode a (possibly partial) configuration merged field by field onto a full one, `base`: the
 * result is decoded strictly and checked across fields. Unknown or misspelled keys at any depth are
 * errors naming their path, with the closest known key suggested. A `preset` in `overrides` other
 * than `base.preset` is an error: merging cannot turn one preset into another, and silently starting
 * over from the named preset would drop every setting `base` made.
 *
 * @example
 * import { decodeConfigOver, paperPreset } from './config.ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * const base = { ...paperPreset, optim: { ...paperPreset.optim, learningRate: 2e-4 } }
 * const ok = decodeConfigOver(base)({ clip: { dualClip: 10 } })
 * assert.ok(E.isRight(ok) && ok.right.clip.dualClip === 10 && ok.right.optim.learningRate === 2e-4)
 * const other = decodeConfigOver(base)({ preset: 'official' })
 * assert.ok(E.isLeft(other) && other.left.problems[0]!.startsWith('at preset:'))
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeConfigOver =
  (base: Config) =>
  (overrides: unknown): E.Either<DecodeError, Config> => {
    const named = isPlainObject(overrides) ? overrides['preset'] : undefined
    if (named !== undefined && named !== base.preset)
      return E.left({
        _tag: 'DecodeError',
        what: 'config',
        problems: [
          `at preset: these overrides apply to a config made from the ${base.preset} preset and cannot name another (${JSON.stringify(named)}); choose the preset where the base config is made (e.g. \`--preset\`)`
        ]
      })
    return pipe(
      decodeWith(Config, 'config')(deepMerge(base, overrides)),
      E.chain((c) => {
        const problems = crossFieldProblems(c)
        return problems.length === 0
          ? E.right(c)
          : E.left({ _tag: 'DecodeError' as const, what: 'config', problems })
      })
    )
  }

/**
 * Decode a (possibly partial) configuration: `overrides` is merged field by field onto the preset it
 * names (`preset`, default `paper`) with {@link decodeConfigOver}.
 *
 * @example
 * import { decodeConfig } from './config.ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * const ok = decodeConfig({ preset: 'official', clip: { epsHigh: 0.28 } })
 * assert.ok(E.isRight(ok) && ok.right.clip.epsHigh === 0.28 && ok.right.memory.retrieval === 'thresholdThenScore')
 * const bad = decodeConfig({ clip: { epsHihg: 0.3 } })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]!.includes('clip.epsHihg'))
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeConfig = (overrides: unknown): E.Either<DecodeError, Config> => {
  const presetName: unknown = isPlainObject(overrides) ? (overrides['preset'] ?? 'paper') : 'paper'
  return pipe(
    decodeWith(PresetName, 'config')(presetName),
    E.mapLeft((e) => ({ ...e, problems: e.problems.map((p) => p.replace('(root)', 'preset')) })),
    E.chain((name) => decodeConfigOver(presets[name])(overrides))
  )
}

/**
 * The dotted paths of every leaf field of a strict codec (used to check {@link configDocs}).
 *
 * @since 0.1.0
 * @category destructors
 */
export const leafPaths = (props: t.Props, prefix = ''): ReadonlyArray<string> =>
  Object.entries(props).flatMap(([k, c]) => {
    const inner = (c as { props?: t.Props; _tag?: string }).props
    return (c as { _tag?: string })._tag === 'StrictType' && inner !== undefined
      ? leafPaths(inner, `${prefix}${k}.`)
      : [`${prefix}${k}`]
  })

// -------------------------------------------------------------------------------------
// decoding stored configs
// -------------------------------------------------------------------------------------

/**
 * The switches added after runs had already been stored, each with the value that reproduces how a
 * run stored before it behaved: a run resumed across the change goes on as it started. (The
 * `skipZeroAdvantage` optimisation changed without a switch: such a run goes on with the exact rule.)
 * A section added later (`rememberer`, `mdsi`) lists each of its fields; a run stored before it gets the
 * whole section.
 *
 * @since 0.1.0
 * @category decoding
 */
export const switchesAddedLater: ReadonlyArray<readonly [path: string, before: unknown]> = [
  ['mask.droppedRowsCount', false],
  ['optim.miniBatchUnit', 'rows'],
  ['memory.entryText', 'tip'],
  ['memory.scoreTies', 'cosineThenNewest'],
  ['memory.tipPromptShowsTips', false],
  ['novelty.batchUpdate', 'sequential'],
  ['advantage.gigpoEpisodeStats', 'perTrajectory'],
  // REMEMBERER's section came after runs were stored; no stored run read it, so its defaults
  ...Object.entries(paperRaw.rememberer).map(([k, v]) => [`rememberer.${k}`, v] as const),
  ...Object.entries(paperRaw.mdsi).map(([k, v]) => [`mdsi.${k}`, v] as const)
]

/**
 * A stored algorithm config (not yet decoded) with every switch of {@link switchesAddedLater} that it
 * lacks set to its value from before (a section it lacks altogether is created); a field it has, and
 * anything that is not an object, is left as it is. The paths of the switches added, in order, come
 * with it (to tell the user).
 *
 * @example
 * import { withSwitchesAddedLater, paperPreset } from './config.ts'
 * const { mask, ...rest } = paperPreset
 * const { droppedRowsCount, ...oldMask } = mask
 * const filled = withSwitchesAddedLater({ ...rest, mask: oldMask })
 * assert.deepEqual(filled.added, ['mask.droppedRowsCount'])
 * assert.equal((filled.config as typeof paperPreset).mask.droppedRowsCount, false)
 * const { rememberer, ...older } = paperPreset
 * assert.deepEqual((withSwitchesAddedLater(older).config as typeof paperPreset).rememberer, rememberer)
 * assert.deepEqual(withSwitchesAddedLater(paperPreset), { config: paperPreset, added: [] })
 *
 * @since 0.1.0
 * @category decoding
 */
export const withSwitchesAddedLater = (
  algo: unknown
): { readonly config: unknown; readonly added: ReadonlyArray<string> } =>
  switchesAddedLater.reduce<{ readonly config: unknown; readonly added: ReadonlyArray<string> }>(
    (acc, [path, before]) => {
      const [section, field] = path.split('.') as [string, string]
      const c = acc.config
      if (!isPlainObject(c)) return acc
      const sub = c[section] ?? {}
      if (!isPlainObject(sub) || field in sub) return acc
      return { config: { ...c, [section]: { ...sub, [field]: before } }, added: [...acc.added, path] }
    },
    { config: algo, added: [] }
  )
