/**
 * The instruction-following prior (docs/prior.md): a tokenizer whose word pieces are learnt from the
 * corpus (src/core/prior/corpus.ts, training variants only), a fresh transformer, and supervised fitting of
 * every example's target given its prompt (teacher-forced negative log-likelihood, token mean) with
 * Adam. The result is a checkpoint plus a provenance file saying how it was made.
 */
import * as tf from '@tensorflow/tfjs-core'
import { learnPieces, mkTokenizer, promptTokens, actionTokens } from '../../core/agent/tokenizer.ts'
import { fork, type Rng } from '../../core/rng.ts'
import { permutation, mkAdam, adamStep, disposeAdam } from '../tensor/optimizer.ts'
import { mkTransformer, scoreTensor, type Transformer } from '../tensor/transformer.ts'
import { saveCheckpoint } from '../tensor/checkpoint.ts'
import { writeFileAtomic } from '../fs.ts'
import type { Example as CorpusExample } from '../../core/prior/corpus.ts'
import { modelConfigOrThrow, type ModelConfig } from '../../spec/model.ts'

/** What fitting reads of a corpus example (src/core/prior/corpus.ts): the prompt and the target text. */
export type Example = Pick<CorpusExample, 'kind' | 'prompt' | 'target'>

/** How to fit the prior. */
export interface PretrainSettings {
  /** The model's shape; `vocabSize` and `tokenizer` are replaced by the learnt tokenizer's. */
  readonly model: ModelConfig
  readonly maxPieces: number
  readonly steps: number
  readonly batchSize: number
  readonly learningRate: number
  readonly gradClip: number
}

/** What fitting reports. */
export interface PretrainReport {
  readonly model: Transformer
  readonly losses: ReadonlyArray<number>
  readonly pieces: number
}

/**
 * Fit the prior. `onStep(step, loss)` is called after each Adam step. Minibatches follow a fresh
 * permutation of the examples per epoch (epoch `e` from `fork(rng, e)`).
 */
export const fitPrior = (
  examples: ReadonlyArray<Example>,
  s: PretrainSettings,
  rng: Rng,
  onStep?: (step: number, loss: number) => void
): PretrainReport => {
  if (examples.length === 0) throw new Error('pretrain: the corpus is empty')
  const tokenizer = learnPieces(
    examples.flatMap((e) => [e.prompt, e.target]),
    s.maxPieces
  )
  const config = modelConfigOrThrow({ ...s.model, tokenizer, vocabSize: 261 + tokenizer.pieces.length })
  const tok = mkTokenizer(tokenizer)
  const model = mkTransformer(config)
  const rows = examples.map((e, i) => {
    const action = actionTokens(tok)(e.target)
    if (action.length > config.maxNewTokens)
      throw new Error(
        `pretrain: example ${i} (${e.kind}) has a ${action.length}-token target, above maxNewTokens = ${config.maxNewTokens}: "${e.target}"`
      )
    return { prompt: promptTokens(tok)(e.prompt), action }
  })
  const opt = mkAdam(
    model.params.map((p) => p.variable),
    { learningRate: s.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradClip: s.gradClip }
  )
  const losses: number[] = []
  let order: ReadonlyArray<number> = []
  let at = 0
  let epoch = 0
  try {
    for (let step = 0; step < s.steps; step++) {
      if (at + s.batchSize > order.length) {
        order = permutation(rows.length, fork(rng, epoch++))
        at = 0
      }
      const mb = order.slice(at, at + s.batchSize).map((i) => rows[i] as (typeof rows)[number])
      at += s.batchSize
      const { loss } = adamStep(opt, () => {
        const sc = scoreTensor(model, mb)
        return tf.neg(tf.div(tf.sum(tf.mul(sc.logProbs, sc.mask)), tf.sum(sc.mask))) as tf.Scalar
      })
      losses.push(loss)
      onStep?.(step, loss)
    }
  } finally {
    disposeAdam(opt)
  }
  return { model, losses, pieces: tokenizer.pieces.length }
}

/** Save the prior and its provenance (`<path>.provenance.json`), both atomically. */
export const savePrior = (
  path: string,
  report: PretrainReport,
  provenance: Record<string, unknown>
): void => {
  saveCheckpoint(path, report.model)
  writeFileAtomic(`${path}.provenance.json`, `${JSON.stringify(provenance, null, 2)}\n`)
}
