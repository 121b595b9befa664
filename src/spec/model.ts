/**
 * The configuration of the policy model: the shape of the decoder-only transformer (vocabulary,
 * width, depth, heads, context length) and of its tokenizer. One typed record, decoded with io-ts,
 * stored in every checkpoint so that a checkpoint and the code that loads it must agree.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeOrThrow, decodeWith, showDecodeError, strict, type DecodeError } from './codec.ts'
import { NonNegative, NonNegativeInt, PositiveInt, Seed } from './brands.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The tokenizer: UTF-8 bytes, plus an optional list of multi-byte pieces matched greedily (longest
 * first). `pieces` are JSON strings; their ids follow the 256 byte ids and the 5 special ids.
 *
 * @since 0.1.0
 * @category model
 */
export const TokenizerConfig = strict(
  {
    kind: t.literal('bytePieces'),
    pieces: t.readonlyArray(t.string)
  },
  'TokenizerConfig'
)
/** @since 0.1.0 @category model */
export type TokenizerConfig = t.TypeOf<typeof TokenizerConfig>

/**
 * A decoder-only transformer: `vocabSize` rows of the embedding and of the output head (at least the
 * tokenizer's size), `width` the residual width `d`, `depth` the number of blocks, `heads` the
 * attention heads (`width` must divide by it), `contextLength` the longest token sequence (prompts are
 * left-truncated to fit), `mlpRatio` the hidden width of each MLP as a multiple of `width`, `initStd`
 * the standard deviation of the initial weights, `seed` the seed of the initial weights.
 *
 * @since 0.1.0
 * @category model
 */
export const ModelConfig = strict(
  {
    vocabSize: PositiveInt,
    width: PositiveInt,
    depth: NonNegativeInt,
    heads: PositiveInt,
    contextLength: PositiveInt,
    maxNewTokens: PositiveInt,
    mlpRatio: PositiveInt,
    initStd: NonNegative,
    seed: Seed,
    tokenizer: TokenizerConfig
  },
  'ModelConfig'
)
/** @since 0.1.0 @category model */
export type ModelConfig = t.TypeOf<typeof ModelConfig>

// -------------------------------------------------------------------------------------
// presets
// -------------------------------------------------------------------------------------

/**
 * The default policy model: small enough that a training step on a `[32 × 64]` batch takes well under
 * a second on the wasm backend (vocab 264 ≥ 256 bytes + 5 specials, d 128, 2 blocks, 4 heads,
 * context 256).
 *
 * @example
 * import { defaultModelConfig } from './model.ts'
 * assert.equal(defaultModelConfig.width % defaultModelConfig.heads, 0)
 *
 * @since 0.1.0
 * @category presets
 */
export const defaultModelConfig: ModelConfig = decodeOrThrow(
  ModelConfig,
  'default model config'
)({
  vocabSize: 264,
  width: 128,
  depth: 2,
  heads: 4,
  contextLength: 256,
  maxNewTokens: 64,
  mlpRatio: 4,
  initStd: 0.02,
  seed: 0,
  tokenizer: { kind: 'bytePieces', pieces: [] }
})

/**
 * The architecture of the committed prior (`prior/default.ckpt`, docs/prior.md): width 64, 2 blocks,
 * 4 heads, a 160-token context (the longest prompt of the prior's corpus is 139 tokens) and at most 16
 * new tokens (actions have at most 7, tips at most 8). `empo2 pretrain` learns the tokenizer's pieces
 * and sets `vocabSize`; a run that starts from a checkpoint takes the checkpoint's config.
 *
 * @example
 * import { priorModelConfig } from './model.ts'
 * assert.equal(priorModelConfig.width, 64)
 *
 * @since 0.1.0
 * @category presets
 */
export const priorModelConfig: ModelConfig = decodeOrThrow(
  ModelConfig,
  'prior model config'
)({ ...defaultModelConfig, width: 64, depth: 2, heads: 4, contextLength: 160, maxNewTokens: 16 })

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * Decode a model config and check the cross-field rules: `width` divisible by `heads`, and
 * `vocabSize` at least `261 + pieces.length` (256 bytes, 5 specials, the pieces).
 *
 * @example
 * import { decodeModelConfig, defaultModelConfig } from './model.ts'
 * assert.equal(decodeModelConfig({ ...defaultModelConfig, heads: 3 })._tag, 'Left')
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeModelConfig = (u: unknown): E.Either<DecodeError, ModelConfig> =>
  pipe(
    decodeWith(ModelConfig, 'model config')(u),
    E.chain((c) => {
      const problems: string[] = []
      if (c.maxNewTokens >= c.contextLength)
        problems.push(
          `at maxNewTokens: ${c.maxNewTokens} leaves no room for a prompt in contextLength = ${c.contextLength}`
        )
      if (c.width % c.heads !== 0)
        problems.push(`at width: ${c.width} is not divisible by heads = ${c.heads}`)
      const needed = 261 + c.tokenizer.pieces.length
      if (c.vocabSize < needed)
        problems.push(
          `at vocabSize: ${c.vocabSize} is smaller than the tokenizer's ${needed} ids (256 bytes, 5 specials, ${c.tokenizer.pieces.length} pieces)`
        )
      return problems.length === 0
        ? E.right(c)
        : E.left({ _tag: 'DecodeError' as const, what: 'model config', problems })
    })
  )

/**
 * Decode a model config (with the cross-field rules) or throw an `Error` naming every problem; for
 * tests and entry points. Overrides of the default are written `{ ...defaultModelConfig, width: 64 }`.
 *
 * @example
 * import { defaultModelConfig, modelConfigOrThrow } from './model.ts'
 * assert.equal(modelConfigOrThrow({ ...defaultModelConfig, width: 64 }).width, 64)
 * assert.throws(() => modelConfigOrThrow({ ...defaultModelConfig, heads: 3 }), /not divisible/)
 *
 * @since 0.1.0
 * @category decoding
 */
export const modelConfigOrThrow = (u: unknown): ModelConfig =>
  pipe(
    decodeModelConfig(u),
    E.getOrElse<DecodeError, ModelConfig>((e) => {
      throw new Error(showDecodeError(e))
    })
  )
