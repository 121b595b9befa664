/**
 * The LLM policy `π_θ` as an interface (docs/method.md §1, §4): a record of asynchronous, batched
 * operations, so the trainer never depends on how the model is implemented. The small tfjs
 * transformer of `src/effects/tensor/transformer.ts` is one implementation; a larger model (a
 * process serving a real LLM) is another value of the same type.
 *
 * Log-probabilities are always those of the policy itself at temperature 1, without any
 * admissible-action constraint: `log π_θ(a_t | prompt, a_<t)`. So `sample(…).logProbs` and
 * `score(…)` on the same prompt and tokens agree (the importance ratio of docs/method.md §2 is 1 before an
 * update). The sampling distribution (temperature, admissible actions) is reported apart, in
 * `samplingLogProbs`.
 *
 * @since 0.1.0
 */
import type { Rng } from '../rng.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One action to sample: the prompt text (tips included for a memory rollout), the admissible
 * actions if the environment lists them (sampling is then restricted to exactly those strings), a
 * token limit and a temperature (> 0).
 *
 * @since 0.1.0
 * @category model
 */
export interface SampleRequest {
  readonly prompt: string
  readonly admissible?: ReadonlyArray<string>
  readonly maxTokens: number
  readonly temperature: number
}

/**
 * A sampled sequence: its text (without the end token), its token ids (ending with the end token
 * when the model stopped before `maxTokens`), and per token, `[T]`, the policy's log-probability
 * (temperature 1, unconstrained) and the log-probability under the distribution actually sampled.
 *
 * @since 0.1.0
 * @category model
 */
export interface Sampled {
  readonly text: string
  readonly tokens: ReadonlyArray<number>
  readonly logProbs: ReadonlyArray<number>
  readonly samplingLogProbs: ReadonlyArray<number>
  /** Whether the sequence ended with the end token (false: cut at `maxTokens`). */
  readonly finished: boolean
}

/**
 * A teacher-forced scoring request: given action tokens under a prompt (with or without tips).
 *
 * @since 0.1.0
 * @category model
 */
export interface ScoreRequest {
  readonly prompt: string
  readonly actionTokens: ReadonlyArray<number>
}

/**
 * Free-text generation (a tip, docs/method.md §3).
 *
 * @since 0.1.0
 * @category model
 */
export interface GenerateRequest {
  readonly prompt: string
  readonly maxTokens: number
  readonly temperature: number
}

/**
 * What a policy says about itself.
 *
 * @since 0.1.0
 * @category model
 */
export interface PolicyInfo {
  /** e.g. `transformer(d=128, L=2, H=4, ctx=256)`. */
  readonly name: string
  readonly vocabSize: number
  readonly contextLength: number
  readonly parameterCount: number
}

/**
 * The policy. Every operation is batched (one result per request, in order) and deterministic given
 * the `rng` (request `i` draws from `fork(rng, i)`, so a result does not depend on the rest of the
 * batch). `encode`/`decode` expose the tokenizer so action texts and token ids can be converted.
 *
 * @since 0.1.0
 * @category model
 */
export interface Policy {
  readonly info: PolicyInfo
  readonly encode: (text: string) => ReadonlyArray<number>
  readonly decode: (tokens: ReadonlyArray<number>) => string
  /** Sample one action per request; `[B]` results, each with `[T_b]` tokens and log-probs. */
  readonly sample: (requests: ReadonlyArray<SampleRequest>, rng: Rng) => Promise<ReadonlyArray<Sampled>>
  /** Teacher-forced per-token log-probs `[B][T_b]` of the given action tokens. */
  readonly score: (requests: ReadonlyArray<ScoreRequest>) => Promise<ReadonlyArray<ReadonlyArray<number>>>
  /** Free text (tips) up to `maxTokens` tokens, stopping at the end token. */
  readonly generate: (requests: ReadonlyArray<GenerateRequest>, rng: Rng) => Promise<ReadonlyArray<Sampled>>
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The log-probability of a whole sequence: the sum of its per-token log-probs (docs/method.md §1).
 *
 * @example
 * import { sequenceLogProb } from './policy.ts'
 * assert.equal(sequenceLogProb({ text: 'a', tokens: [97, 258], logProbs: [-1, -0.5], samplingLogProbs: [-1, -0.5], finished: true }), -1.5)
 *
 * @since 0.1.0
 * @category destructors
 */
export const sequenceLogProb = (s: Sampled): number => s.logProbs.reduce((a, b) => a + b, 0)
