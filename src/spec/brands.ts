/**
 * Branded numbers: quantities that a mix-up would silently corrupt get their own type. A `LogProb`
 * cannot be passed where a `Probability` is expected, an intrinsic reward cannot be passed as an
 * extrinsic one.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import { bounded, brand } from './codec.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface LogProbBrand {
  readonly LogProb: unique symbol
}
/**
 * Natural log of a probability: a finite number ≤ 0.
 *
 * @since 0.1.0
 * @category model
 */
export const LogProb = bounded<'LogProb', LogProbBrand>('LogProb', { max: 0 })
/** @since 0.1.0 @category model */
export type LogProb = t.TypeOf<typeof LogProb>

/** @since 0.1.0 @category model */
export interface ProbabilityBrand {
  readonly Probability: unique symbol
}
/**
 * A probability in [0, 1].
 *
 * @since 0.1.0
 * @category model
 */
export const Probability = bounded<'Probability', ProbabilityBrand>('Probability', { min: 0, max: 1 })
/** @since 0.1.0 @category model */
export type Probability = t.TypeOf<typeof Probability>

/** @since 0.1.0 @category model */
export interface RewardBrand {
  readonly Reward: unique symbol
}
/**
 * An extrinsic (environment) reward: any finite number.
 *
 * @since 0.1.0
 * @category model
 */
export const Reward = bounded<'Reward', RewardBrand>('Reward', {})
/** @since 0.1.0 @category model */
export type Reward = t.TypeOf<typeof Reward>

/** @since 0.1.0 @category model */
export interface IntrinsicRewardBrand {
  readonly IntrinsicReward: unique symbol
}
/**
 * An intrinsic (novelty) reward, before its coefficient: a number in [0, 1] (0 when none is earned).
 *
 * @since 0.1.0
 * @category model
 */
export const IntrinsicReward = bounded<'IntrinsicReward', IntrinsicRewardBrand>('IntrinsicReward', {
  min: 0,
  max: 1
})
/** @since 0.1.0 @category model */
export type IntrinsicReward = t.TypeOf<typeof IntrinsicReward>

/** @since 0.1.0 @category model */
export interface ScoreBrand {
  readonly Score: unique symbol
}
/**
 * An environment's progress score in [0, 100] (ScienceWorld convention).
 *
 * @since 0.1.0
 * @category model
 */
export const Score = bounded<'Score', ScoreBrand>('Score', { min: 0, max: 100 })
/** @since 0.1.0 @category model */
export type Score = t.TypeOf<typeof Score>

/** @since 0.1.0 @category model */
export interface TokenIdBrand {
  readonly TokenId: unique symbol
}
/**
 * A token id: an integer ≥ 0.
 *
 * @since 0.1.0
 * @category model
 */
export const TokenId = bounded<'TokenId', TokenIdBrand>('TokenId', {
  min: 0,
  max: 2 ** 31 - 1,
  integer: true
})
/** @since 0.1.0 @category model */
export type TokenId = t.TypeOf<typeof TokenId>

/** @since 0.1.0 @category model */
export interface SeedBrand {
  readonly Seed: unique symbol
}
/**
 * A PRNG seed: an unsigned 32-bit integer.
 *
 * @since 0.1.0
 * @category model
 */
export const Seed = bounded<'Seed', SeedBrand>('Seed', { min: 0, max: 2 ** 32 - 1, integer: true })
/** @since 0.1.0 @category model */
export type Seed = t.TypeOf<typeof Seed>

/** @since 0.1.0 @category model */
export interface PositiveIntBrand {
  readonly PositiveInt: unique symbol
}
/**
 * An integer ≥ 1 (group size, capacity, step limits, …).
 *
 * @since 0.1.0
 * @category model
 */
export const PositiveInt = bounded<'PositiveInt', PositiveIntBrand>('PositiveInt', {
  min: 1,
  max: 2 ** 31 - 1,
  integer: true
})
/** @since 0.1.0 @category model */
export type PositiveInt = t.TypeOf<typeof PositiveInt>

/** @since 0.1.0 @category model */
export interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol
}
/**
 * An integer ≥ 0.
 *
 * @since 0.1.0
 * @category model
 */
export const NonNegativeInt = bounded<'NonNegativeInt', NonNegativeIntBrand>('NonNegativeInt', {
  min: 0,
  max: 2 ** 31 - 1,
  integer: true
})
/** @since 0.1.0 @category model */
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>

/** @since 0.1.0 @category model */
export interface NonNegativeBrand {
  readonly NonNegative: unique symbol
}
/**
 * A finite number ≥ 0 (coefficients such as β or the entropy coefficient).
 *
 * @since 0.1.0
 * @category model
 */
export const NonNegative = bounded<'NonNegative', NonNegativeBrand>('NonNegative', { min: 0 })
/** @since 0.1.0 @category model */
export type NonNegative = t.TypeOf<typeof NonNegative>

/** @since 0.1.0 @category model */
export interface PositiveBrand {
  readonly Positive: unique symbol
}
/**
 * A finite number > 0 (temperatures, learning rates, clamps).
 *
 * @since 0.1.0
 * @category model
 */
export const Positive = bounded<'Positive', PositiveBrand>('Positive', { min: 0, minExclusive: true })
/** @since 0.1.0 @category model */
export type Positive = t.TypeOf<typeof Positive>

/** @since 0.1.0 @category model */
export interface StepSizeBrand {
  readonly StepSize: unique symbol
}
/**
 * A number in (0, 1]: a constant step size of a running estimate (`x ← x + α (target − x)`), where 0
 * would never move and above 1 would overshoot.
 *
 * @since 0.1.0
 * @category model
 */
export const StepSize = bounded<'StepSize', StepSizeBrand>('StepSize', { min: 0, minExclusive: true, max: 1 })
/** @since 0.1.0 @category model */
export type StepSize = t.TypeOf<typeof StepSize>

/** @since 0.1.0 @category model */
export interface UnitIntervalBrand {
  readonly UnitInterval: unique symbol
}
/**
 * A number in [0, 1] that is not a probability of an event (a threshold on cosine similarity, a
 * discount factor, …).
 *
 * @since 0.1.0
 * @category model
 */
export const UnitInterval = bounded<'UnitInterval', UnitIntervalBrand>('UnitInterval', { min: 0, max: 1 })
/** @since 0.1.0 @category model */
export type UnitInterval = t.TypeOf<typeof UnitInterval>

/** @since 0.1.0 @category model */
export interface CosineBrand {
  readonly Cosine: unique symbol
}
/**
 * A cosine similarity in [-1, 1].
 *
 * @since 0.1.0
 * @category model
 */
export const Cosine = bounded<'Cosine', CosineBrand>('Cosine', { min: -1, max: 1 })
/** @since 0.1.0 @category model */
export type Cosine = t.TypeOf<typeof Cosine>

/** @since 0.1.0 @category model */
export interface LogClampBrand {
  readonly LogClamp: unique symbol
}
/**
 * A clamp on a log-ratio, in (0, 80]: `exp(80)` is finite in float32 (whose limit is `exp(88.7)`),
 * so a clamped ratio can never overflow on any backend.
 *
 * @since 0.1.0
 * @category model
 */
export const LogClamp = bounded<'LogClamp', LogClampBrand>('LogClamp', {
  min: 0,
  minExclusive: true,
  max: 80
})
/** @since 0.1.0 @category model */
export type LogClamp = t.TypeOf<typeof LogClamp>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------
// One per brand, for numbers the code itself makes (a literal, a count, a computed score): the
// number unchanged, typed as the brand, or a RangeError naming the brand, its bounds and the value.
// The check is the codec's `is` (see `brand` in codec.ts). Input from outside is decoded instead.

/**
 * A {@link LogProb}, checked.
 *
 * @example
 * import { logProb } from './brands.ts'
 * assert.equal(logProb(-0.5), -0.5)
 * assert.throws(() => logProb(0.5), /LogProb: expected a finite number in \(-∞, 0\], got 0.5/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const logProb: (x: number) => LogProb = brand(LogProb)

/**
 * A {@link Probability}, checked.
 *
 * @example
 * import { probability } from './brands.ts'
 * assert.equal(probability(0.3), 0.3)
 * assert.throws(() => probability(1.5), /Probability: expected a finite number in \[0, 1\], got 1.5/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const probability: (x: number) => Probability = brand(Probability)

/**
 * A {@link Reward}, checked.
 *
 * @example
 * import { reward } from './brands.ts'
 * assert.equal(reward(-2), -2)
 * assert.throws(() => reward(Infinity), /Reward: expected a finite number in \(-∞, ∞\), got Infinity/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const reward: (x: number) => Reward = brand(Reward)

/**
 * A {@link IntrinsicReward}, checked.
 *
 * @example
 * import { intrinsicReward } from './brands.ts'
 * assert.equal(intrinsicReward(0.5), 0.5)
 * assert.throws(() => intrinsicReward(-0.1), /IntrinsicReward: expected a finite number in \[0, 1\], got -0.1/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const intrinsicReward: (x: number) => IntrinsicReward = brand(IntrinsicReward)

/**
 * A {@link Score}, checked.
 *
 * @example
 * import { score } from './brands.ts'
 * assert.equal(score(100), 100)
 * assert.throws(() => score(101), /Score: expected a finite number in \[0, 100\], got 101/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const score: (x: number) => Score = brand(Score)

/**
 * A {@link TokenId}, checked.
 *
 * @example
 * import { tokenId } from './brands.ts'
 * assert.equal(tokenId(7), 7)
 * assert.throws(() => tokenId(-1), /TokenId: expected an integer in \[0, 2147483647\], got -1/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenId: (x: number) => TokenId = brand(TokenId)

/**
 * A {@link Seed}, checked.
 *
 * @example
 * import { seed } from './brands.ts'
 * assert.equal(seed(42), 42)
 * assert.throws(() => seed(0.5), /Seed: expected an integer in \[0, 4294967295\], got 0.5/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const seed: (x: number) => Seed = brand(Seed)

/**
 * A {@link PositiveInt}, checked.
 *
 * @example
 * import { positiveInt } from './brands.ts'
 * assert.equal(positiveInt(1), 1)
 * assert.throws(() => positiveInt(0), /PositiveInt: expected an integer in \[1, 2147483647\], got 0/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const positiveInt: (x: number) => PositiveInt = brand(PositiveInt)

/**
 * A {@link StepSize}, checked.
 *
 * @example
 * import { stepSize } from './brands.ts'
 * assert.equal(stepSize(1), 1)
 * assert.throws(() => stepSize(0), /StepSize: expected a finite number in \(0, 1\], got 0/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const stepSize: (x: number) => StepSize = brand(StepSize)

/**
 * A {@link NonNegativeInt}, checked.
 *
 * @example
 * import { nonNegativeInt } from './brands.ts'
 * assert.equal(nonNegativeInt(0), 0)
 * assert.throws(() => nonNegativeInt(-1), /NonNegativeInt: expected an integer in \[0, 2147483647\], got -1/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const nonNegativeInt: (x: number) => NonNegativeInt = brand(NonNegativeInt)

/**
 * A {@link NonNegative}, checked.
 *
 * @example
 * import { nonNegative } from './brands.ts'
 * assert.equal(nonNegative(0), 0)
 * assert.throws(() => nonNegative(-1), /NonNegative: expected a finite number in \[0, ∞\), got -1/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const nonNegative: (x: number) => NonNegative = brand(NonNegative)

/**
 * A {@link Positive}, checked.
 *
 * @example
 * import { positive } from './brands.ts'
 * assert.equal(positive(0.4), 0.4)
 * assert.throws(() => positive(0), /Positive: expected a finite number in \(0, ∞\), got 0/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const positive: (x: number) => Positive = brand(Positive)

/**
 * A {@link UnitInterval}, checked.
 *
 * @example
 * import { unitInterval } from './brands.ts'
 * assert.equal(unitInterval(0.9), 0.9)
 * assert.throws(() => unitInterval(NaN), /UnitInterval: expected a finite number in \[0, 1\], got NaN/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const unitInterval: (x: number) => UnitInterval = brand(UnitInterval)

/**
 * A {@link Cosine}, checked.
 *
 * @example
 * import { cosine } from './brands.ts'
 * assert.equal(cosine(-1), -1)
 * assert.throws(() => cosine(2), /Cosine: expected a finite number in \[-1, 1\], got 2/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const cosine: (x: number) => Cosine = brand(Cosine)

/**
 * A {@link LogClamp}, checked.
 *
 * @example
 * import { logClamp } from './brands.ts'
 * assert.equal(logClamp(20), 20)
 * assert.throws(() => logClamp(81), /LogClamp: expected a finite number in \(0, 80\], got 81/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const logClamp: (x: number) => LogClamp = brand(LogClamp)
