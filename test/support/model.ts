/**
 * The tiny transformer the tensor tests run: width 16, 2 heads, a 40-token context, 16 new tokens,
 * one block unless `overrides` say otherwise.
 */
import { defaultModelConfig, modelConfigOrThrow, type ModelConfig } from '../../src/spec/model.ts'

export const tinyModelConfig = (overrides: { readonly [K in keyof ModelConfig]?: unknown }): ModelConfig =>
  modelConfigOrThrow({
    ...defaultModelConfig,
    width: 16,
    depth: 1,
    heads: 2,
    contextLength: 40,
    maxNewTokens: 16,
    ...overrides
  })
