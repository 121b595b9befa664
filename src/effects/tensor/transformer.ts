/**
 * A small decoder-only transformer in tfjs (GPT-2 style, pre-norm), and the {@link Policy} it
 * implements: differentiable scoring for the update, and sampling that decodes incrementally with a
 * key/value cache (`sampleActions(…, { kvCache: false })` keeps the uncached reference). Initial
 * weights come from the seeded core `Rng`, so a port can reproduce them. Matmuls and row gathers are
 * `customGrad`s to work around the wasm backend. The architecture, the cache and the workarounds:
 * docs/tensor-layer.md.
 */
import * as tf from '@tensorflow/tfjs-core'
import { customGrad } from './grad.ts'
import type { ModelConfig } from '../../spec/model.ts'
import { fork, nextFloats, type Rng } from '../../core/rng.ts'
import {
  actionTokens,
  leftTruncate,
  mkTokenizer,
  promptTokens,
  specialTokens,
  type Tokenizer
} from '../../core/agent/tokenizer.ts'
import type {
  GenerateRequest,
  Policy,
  Sampled,
  SampleRequest,
  ScoreRequest
} from '../../core/agent/policy.ts'
import { mkRng } from '../../core/rng.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A named trainable parameter. */
export interface Param {
  readonly name: string
  readonly variable: tf.Variable
}

/** The transformer: config, tokenizer, parameters in a fixed order (the checkpoint order). */
export interface Transformer {
  readonly config: ModelConfig
  readonly tokenizer: Tokenizer
  readonly params: ReadonlyArray<Param>
}

/** Shapes of every parameter, in order. */
export const paramShapes = (c: ModelConfig): ReadonlyArray<readonly [string, ReadonlyArray<number>]> => {
  const d = c.width
  const h = c.width * c.mlpRatio
  const out: [string, number[]][] = [
    ['tokEmb', [c.vocabSize, d]],
    ['posEmb', [c.contextLength, d]]
  ]
  for (let i = 0; i < c.depth; i++) {
    const p = `blocks.${i}.`
    out.push(
      [`${p}ln1.gain`, [d]],
      [`${p}ln1.bias`, [d]],
      [`${p}attn.wqkv`, [d, 3 * d]],
      [`${p}attn.bqkv`, [3 * d]],
      [`${p}attn.wo`, [d, d]],
      [`${p}attn.bo`, [d]],
      [`${p}ln2.gain`, [d]],
      [`${p}ln2.bias`, [d]],
      [`${p}mlp.w1`, [d, h]],
      [`${p}mlp.b1`, [h]],
      [`${p}mlp.w2`, [h, d]],
      [`${p}mlp.b2`, [d]]
    )
  }
  out.push(['lnF.gain', [d]], ['lnF.bias', [d]], ['head', [d, c.vocabSize]])
  return out
}

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** Initial values of the parameters, from the config's seed (normal(0, initStd) by Box–Muller). */
export const initialValues = (c: ModelConfig): ReadonlyArray<Float32Array> => {
  let rng = mkRng(c.seed)
  return paramShapes(c).map(([name, shape]) => {
    const n = size(shape)
    if (name.endsWith('.gain')) return new Float32Array(n).fill(1)
    if (name.endsWith('.bias') || /\.b(qkv|o|1|2)$/.test(name)) return new Float32Array(n)
    const [u, next] = nextFloats(rng, n + (n % 2))
    rng = next
    const out = new Float32Array(n)
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - (u[i] as number)))
      const th = 2 * Math.PI * (u[i + 1] as number)
      out[i] = c.initStd * r * Math.cos(th)
      if (i + 1 < n) out[i + 1] = c.initStd * r * Math.sin(th)
    }
    return out
  })
}

/** A transformer with fresh parameters (or the given values, in {@link paramShapes} order). */
export const mkTransformer = (config: ModelConfig, values?: ReadonlyArray<Float32Array>): Transformer => {
  const shapes = paramShapes(config)
  const vals = values ?? initialValues(config)
  if (vals.length !== shapes.length)
    throw new Error(`mkTransformer: expected ${shapes.length} parameter arrays, got ${vals.length}`)
  const params = shapes.map(([name, shape], i) => {
    const v = vals[i] as Float32Array
    if (v.length !== size(shape))
      throw new Error(
        `mkTransformer: parameter ${name} needs ${size(shape)} values [${shape.join(', ')}], got ${v.length}`
      )
    return { name, variable: tf.variable(tf.tensor(v, [...shape], 'float32'), true) }
  })
  return { config, tokenizer: mkTokenizer(config.tokenizer), params }
}

/** Free the parameters' memory. */
export const disposeTransformer = (m: Transformer): void => m.params.forEach((p) => p.variable.dispose())

/** Number of scalar parameters. */
export const parameterCount = (m: Transformer): number => m.params.reduce((s, p) => s + p.variable.size, 0)

// -------------------------------------------------------------------------------------
// differentiable building blocks (customGrad workarounds)
// -------------------------------------------------------------------------------------

/** `x [N, a] · w [a, b]` whose gradient uses explicit transposes. */
export const linear = customGrad((x: tf.Tensor, w: tf.Tensor) => ({
  value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
  gradFunc: (dy: tf.Tensor, [x, w]: [tf.Tensor, tf.Tensor]) => [
    tf.matMul(dy, tf.transpose(w as tf.Tensor2D)),
    tf.matMul(tf.transpose(x as tf.Tensor2D), dy)
  ]
})) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D

/** Batched `a [K, m, k] · b [K, k, n]` whose gradient uses explicit transposes. */
export const bmm = customGrad((a: tf.Tensor, b: tf.Tensor) => ({
  value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
  gradFunc: (dy: tf.Tensor, [a, b]: [tf.Tensor, tf.Tensor]) => [
    tf.matMul(dy, tf.transpose(b, [0, 2, 1])),
    tf.matMul(tf.transpose(a, [0, 2, 1]), dy)
  ]
})) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D

/** Rows `idx` of `table [R, d]` → `[n, d]`; gradient by `scatterND` (sums repeated rows). */
const gatherRowsGrad = customGrad((t: tf.Tensor, idx: tf.Tensor) => ({
  value: tf.gather(t, idx),
  gradFunc: (dy: tf.Tensor, [t, idx]: [tf.Tensor, tf.Tensor]) => [
    tf.scatterND(tf.reshape(idx, [-1, 1]), dy, t.shape),
    tf.zerosLike(idx)
  ]
}))
export const gatherRows = (table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D =>
  gatherRowsGrad(table, idx) as tf.Tensor2D

const layerNorm = (x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor2D => {
  const mean = tf.mean(x, -1, true)
  const xc = tf.sub(x, mean)
  const variance = tf.mean(tf.square(xc), -1, true)
  return tf.add<tf.Tensor2D>(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), gain), bias)
}

const gelu = (x: tf.Tensor): tf.Tensor => {
  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI))
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))
}

const causalBias = (L: number): tf.Tensor2D =>
  tf.tensor2d(
    Float32Array.from({ length: L * L }, (_, k) => (k % L > Math.floor(k / L) ? -1e9 : 0)),
    [L, L]
  )

/** One block's keys and values, heads first: `[B·H, S, dh]` each (`S` cached positions). */
// a type alias, not an interface: tf.tidy returns it inside a TensorContainer (needs an index signature)
type LayerKV = {
  readonly k: tf.Tensor3D
  readonly v: tf.Tensor3D
}

/** The parameters by name, and the pieces of a block both forward passes share (same ops, same order). */
const blockOps = (m: Transformer) => {
  const P = new Map(m.params.map((p) => [p.name, p.variable as tf.Tensor]))
  const p = (name: string): tf.Tensor => P.get(name) as tf.Tensor
  const d = m.config.width
  const H = m.config.heads
  const dh = d / H
  return {
    p,
    d,
    H,
    dh,
    /** `[N, d]` → q, k, v `[N, d]` each, from `LayerNorm₁(x)`. */
    qkv: (b: string, x: tf.Tensor2D): [tf.Tensor, tf.Tensor, tf.Tensor] => {
      const a = layerNorm(x, p(`${b}ln1.gain`), p(`${b}ln1.bias`))
      const qkv = tf.add(linear(a, p(`${b}attn.wqkv`) as tf.Tensor2D), p(`${b}attn.bqkv`))
      return tf.split(qkv, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor]
    },
    /** Softmax attention of `q [K, l, dh]` over `kT [K, dh, S]`, `v [K, S, dh]`, plus an additive mask. */
    attend: (q: tf.Tensor3D, kT: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor): tf.Tensor3D => {
      const scores = tf.add(tf.mul(bmm(q, kT), 1 / Math.sqrt(dh)), bias)
      return bmm(tf.softmax(scores) as tf.Tensor3D, v)
    },
    /** The residual updates after attention: `x + Wo·merged`, then `+ MLP(LayerNorm₂(·))`. */
    rest: (b: string, x: tf.Tensor2D, merged: tf.Tensor2D): tf.Tensor2D => {
      const x1 = tf.add<tf.Tensor2D>(
        x,
        tf.add(linear(merged, p(`${b}attn.wo`) as tf.Tensor2D), p(`${b}attn.bo`))
      )
      const a2 = layerNorm(x1, p(`${b}ln2.gain`), p(`${b}ln2.bias`))
      const h1 = gelu(tf.add(linear(a2, p(`${b}mlp.w1`) as tf.Tensor2D), p(`${b}mlp.b1`)))
      return tf.add<tf.Tensor2D>(
        x1,
        tf.add(linear(h1 as tf.Tensor2D, p(`${b}mlp.w2`) as tf.Tensor2D), p(`${b}mlp.b2`))
      )
    },
    final: (x: tf.Tensor2D): tf.Tensor2D => layerNorm(x, p('lnF.gain'), p('lnF.bias'))
  }
}

/** {@link hidden}, optionally pushing each block's keys and values `[B·H, L, dh]` onto `collect`. */
const forward = (m: Transformer, tokens: tf.Tensor2D, collect?: LayerKV[]): tf.Tensor2D => {
  const c = m.config
  const [B, L] = tokens.shape
  if (L > c.contextLength)
    throw new Error(`hidden: sequence length ${L} exceeds contextLength ${c.contextLength}`)
  const { p, d, H, dh, qkv, attend, rest, final } = blockOps(m)
  const N = B * L
  const posIdx = tf.tensor1d(
    Int32Array.from({ length: N }, (_, k) => k % L),
    'int32'
  )
  let x = tf.add<tf.Tensor2D>(
    gatherRows(p('tokEmb') as tf.Tensor2D, tf.reshape<tf.Rank.R1>(tokens, [N])),
    gatherRows(p('posEmb') as tf.Tensor2D, posIdx)
  )
  const bias = causalBias(L)
  const heads = (t: tf.Tensor): tf.Tensor3D =>
    tf.reshape<tf.Rank.R3>(tf.transpose(tf.reshape(t, [B, L, H, dh]), [0, 2, 1, 3]), [B * H, L, dh])
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}.`
    const [q, k, v] = qkv(b, x)
    const kh = heads(k)
    const vh = heads(v)
    collect?.push({ k: kh, v: vh })
    const o = attend(heads(q), tf.transpose<tf.Tensor3D>(kh, [0, 2, 1]), vh, bias)
    const merged = tf.reshape<tf.Rank.R2>(tf.transpose(tf.reshape(o, [B, H, L, dh]), [0, 2, 1, 3]), [N, d])
    x = rest(b, x, merged)
  }
  return final(x)
}

/**
 * The hidden states `[B·L, d]` (after the final LayerNorm) of token rows `[B, L]` (int32, padded).
 */
export const hidden = (m: Transformer, tokens: tf.Tensor2D): tf.Tensor2D => forward(m, tokens)

/** Logits `[n, V]` of selected hidden rows. */
const logitsOf = (m: Transformer, h: tf.Tensor2D): tf.Tensor2D =>
  linear(h, m.params[m.params.length - 1]?.variable as tf.Tensor as tf.Tensor2D)

// -------------------------------------------------------------------------------------
// batches
// -------------------------------------------------------------------------------------

/** One row to score: prompt token ids (BOS … SEP) and action token ids. */
export interface TokenRow {
  readonly prompt: ReadonlyArray<number>
  readonly action: ReadonlyArray<number>
}

/** The prompt budget: `contextLength − maxNewTokens` tokens. */
export const promptBudget = (c: ModelConfig): number => c.contextLength - c.maxNewTokens

interface Packed {
  readonly tokens: Int32Array // [B, L]
  readonly L: number
  readonly T: number
  readonly select: Int32Array // [B·T] flat position predicting each action token (0 for padding)
  readonly targets: Int32Array // [B·T]
  readonly mask: Float32Array // [B·T]
}

const pack = (c: ModelConfig, rows: ReadonlyArray<TokenRow>): Packed => {
  const budget = promptBudget(c)
  const seqs = rows.map((r, i) => {
    if (r.action.length > c.maxNewTokens)
      throw new Error(`row ${i}: ${r.action.length} action tokens exceed maxNewTokens = ${c.maxNewTokens}`)
    const prompt = leftTruncate(budget)(r.prompt.length === 0 ? [specialTokens.bos] : r.prompt)
    return { prompt, seq: [...prompt, ...r.action.slice(0, -1)] }
  })
  const L = Math.max(1, ...seqs.map((s) => s.seq.length))
  const T = Math.max(1, ...rows.map((r) => r.action.length))
  const B = rows.length
  const tokens = new Int32Array(B * L).fill(specialTokens.pad)
  const select = new Int32Array(B * T)
  const targets = new Int32Array(B * T)
  const mask = new Float32Array(B * T)
  seqs.forEach((s, b) => {
    tokens.set(s.seq, b * L)
    const a = (rows[b] as TokenRow).action
    for (let j = 0; j < a.length; j++) {
      select[b * T + j] = b * L + s.prompt.length + j - 1
      targets[b * T + j] = a[j] as number
      mask[b * T + j] = 1
    }
  })
  return { tokens, L, T, select, targets, mask }
}

/** What {@link scoreTensor} returns: `[B, T]` tensors, padded on the right (padding is 0). */
export interface Scored {
  readonly logProbs: tf.Tensor2D
  readonly entropy: tf.Tensor2D | null
  readonly mask: tf.Tensor2D
}

/**
 * Teacher-forced per-token log-probs `log π_θ(a_t | prompt, a_<t)` `[B, T]` of a batch of rows, and
 * optionally the per-token entropy of `π_θ` `[B, T]`; differentiable with respect to the parameters
 * (call inside a gradient scope, e.g. `tf.variableGrads`).
 */
export const scoreTensor = (m: Transformer, rows: ReadonlyArray<TokenRow>, withEntropy = false): Scored => {
  const pk = pack(m.config, rows)
  const B = rows.length
  const h = hidden(m, tf.tensor2d(pk.tokens, [B, pk.L], 'int32'))
  const logits = logitsOf(m, gatherRows(h, tf.tensor1d(pk.select, 'int32')))
  const logp = tf.logSoftmax(logits)
  // built on the host: wasm's OneHot kernel ignores the float32 dtype and returns int32 bits
  const V = m.config.vocabSize
  const hot = new Float32Array(pk.targets.length * V)
  pk.targets.forEach((t, k) => {
    hot[k * V + t] = 1
  })
  const oneHot = tf.tensor2d(hot, [pk.targets.length, V])
  const mask = tf.tensor2d(pk.mask, [B, pk.T])
  const logProbs = tf.mul<tf.Tensor2D>(tf.reshape(tf.sum(tf.mul(logp, oneHot), -1), [B, pk.T]), mask)
  const entropy = withEntropy
    ? tf.mul<tf.Tensor2D>(tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)), [B, pk.T]), mask)
    : null
  return { logProbs, entropy, mask }
}

// -------------------------------------------------------------------------------------
// sampling
// -------------------------------------------------------------------------------------

interface TrieNode {
  readonly next: Map<number, TrieNode>
}

const buildTrie = (seqs: ReadonlyArray<ReadonlyArray<number>>): TrieNode => {
  const root: TrieNode = { next: new Map() }
  for (const s of seqs) {
    let n = root
    for (const t of s) {
      let c = n.next.get(t)
      if (c === undefined) {
        c = { next: new Map() }
        n.next.set(t, c)
      }
      n = c
    }
  }
  return root
}

/** Host copy of a logits tensor, which is disposed. */
const download = (logits: tf.Tensor): Float32Array => {
  const data = logits.dataSync() as Float32Array
  logits.dispose()
  return data
}

/** Right-pad token rows into `[B, L]` (L ≥ 1); `last[b]` is the flat index of row b's last token. */
const padRows = (
  seqs: ReadonlyArray<ReadonlyArray<number>>
): { tokens: Int32Array; L: number; last: Int32Array } => {
  const B = seqs.length
  const L = Math.max(1, ...seqs.map((s) => s.length))
  const tokens = new Int32Array(B * L).fill(specialTokens.pad)
  const last = new Int32Array(B)
  seqs.forEach((s, b) => {
    tokens.set(s, b * L)
    last[b] = b * L + s.length - 1
  })
  return { tokens, L, last }
}

/** The float logits `[B, V]` at the last real position of each row (a full forward pass). */
const lastLogits = (m: Transformer, seqs: ReadonlyArray<ReadonlyArray<number>>): Float32Array => {
  const { tokens, L, last } = padRows(seqs)
  return download(
    tf.tidy(() => {
      const h = hidden(m, tf.tensor2d(tokens, [seqs.length, L], 'int32'))
      return logitsOf(m, tf.gather(h, tf.tensor1d(last, 'int32')))
    })
  )
}

/**
 * The key/value cache of a batch being decoded. Row `r` of the cache (rows `r·H … r·H + H − 1` of
 * each `[B·H, S, dh]` tensor) holds its right-padded prompt in slots `0 … P − 1` (its real tokens in
 * `0 … promptLen[r] − 1`, pads after, masked out) and its generated tokens in slots `P, P + 1, …`.
 * Slot order does not matter to attention: positions enter through the position embedding only.
 */
interface KVCache {
  readonly layers: ReadonlyArray<LayerKV>
  /** Padded prompt length `P`. */
  readonly promptSlots: number
  /** Real prompt length of each cached row. */
  readonly promptLen: ReadonlyArray<number>
}

const disposeCache = (c: KVCache | null): void =>
  c?.layers.forEach((l) => {
    l.k.dispose()
    l.v.dispose()
  })

/** One full pass over the right-padded prompts: logits at each row's last prompt token, and the cache. */
const prefill = (
  m: Transformer,
  prompts: ReadonlyArray<ReadonlyArray<number>>
): { logits: Float32Array; cache: KVCache } => {
  const { tokens, L, last } = padRows(prompts)
  const out = tf.tidy(() => {
    const collect: LayerKV[] = []
    const h = forward(m, tf.tensor2d(tokens, [prompts.length, L], 'int32'), collect)
    return { logits: logitsOf(m, tf.gather(h, tf.tensor1d(last, 'int32'))), layers: collect }
  })
  return {
    logits: download(out.logits),
    cache: { layers: out.layers, promptSlots: L, promptLen: prompts.map((p) => p.length) }
  }
}

/** The cache restricted to the given rows (in that order); the old cache is disposed. */
const keepRows = (m: Transformer, c: KVCache, rows: ReadonlyArray<number>): KVCache => {
  const H = m.config.heads
  const layers = tf.tidy(() => {
    const idx = tf.tensor1d(
      Int32Array.from(
        { length: rows.length * H },
        (_, k) => (rows[Math.floor(k / H)] as number) * H + (k % H)
      ),
      'int32'
    )
    return c.layers.map((l) => ({
      k: tf.gather<tf.Tensor3D>(l.k, idx),
      v: tf.gather<tf.Tensor3D>(l.v, idx)
    }))
  })
  disposeCache(c)
  return { ...c, layers, promptLen: rows.map((r) => c.promptLen[r] as number) }
}

/**
 * One decoding step: token `tokens[r]` of every cached row `r`, at position `positions[r]`, attends
 * to the cache and to itself. Returns its logits `[R, V]` and the cache with one more slot (the old
 * cache is disposed). Per block: `q, k, v [R, d]` → `[R·H, 1, dh]` by reshape alone (one position, so
 * no head transpose); k and v are appended to the cache on the slot axis; scores `q·Kᵀ`
 * `[R·H, 1, S + 1]` (Kᵀ by an explicit transpose: wasm's matMul with `transposeB` is the slow path),
 * with the pad slots of each row masked by −1e9, as the causal mask does in {@link hidden}.
 */
const decodeStep = (
  m: Transformer,
  c: KVCache,
  tokens: Int32Array,
  positions: Int32Array
): { logits: Float32Array; cache: KVCache } => {
  const { p, d, H, dh, qkv, attend, rest, final } = blockOps(m)
  const R = tokens.length
  const S = (c.layers[0]?.k.shape[1] ?? c.promptSlots) + 1
  const P = c.promptSlots
  const mask = new Float32Array(R * H * S)
  c.promptLen.forEach((len, r) => {
    for (let h = 0; h < H; h++) mask.fill(-1e9, (r * H + h) * S + len, (r * H + h) * S + P)
  })
  const out = tf.tidy(() => {
    const bias = tf.tensor3d(mask, [R * H, 1, S])
    let x = tf.add<tf.Tensor2D>(
      gatherRows(p('tokEmb') as tf.Tensor2D, tf.tensor1d(tokens, 'int32')),
      gatherRows(p('posEmb') as tf.Tensor2D, tf.tensor1d(positions, 'int32'))
    )
    const layers = c.layers.map((l, i) => {
      const b = `blocks.${i}.`
      const [q, k, v] = qkv(b, x)
      const kc = tf.concat<tf.Tensor3D>([l.k, tf.reshape(k, [R * H, 1, dh])], 1)
      const vc = tf.concat<tf.Tensor3D>([l.v, tf.reshape(v, [R * H, 1, dh])], 1)
      const o = attend(
        tf.reshape<tf.Rank.R3>(q, [R * H, 1, dh]),
        tf.transpose<tf.Tensor3D>(kc, [0, 2, 1]),
        vc,
        bias
      )
      x = rest(b, x, tf.reshape<tf.Rank.R2>(o, [R, d]))
      return { k: kc, v: vc }
    })
    return { logits: logitsOf(m, final(x)), layers }
  })
  disposeCache(c)
  return { logits: download(out.logits), cache: { ...c, layers: out.layers } }
}

interface Row {
  readonly prompt: ReadonlyArray<number>
  readonly maxTokens: number
  readonly temperature: number
  readonly trie: TrieNode | null
}

/** What one forward pass of the sampler computed: `rows × positions` new positions. */
export interface SamplingPass {
  readonly kind: 'full' | 'prefill' | 'step'
  readonly rows: number
  readonly positions: number
}

/** Internal sampling options: the KV cache (default on), and a probe called after every forward pass. */
export interface SamplingOptions {
  readonly kvCache?: boolean
  readonly onPass?: (pass: SamplingPass) => void
}

interface RowState {
  readonly prompt: ReadonlyArray<number>
  readonly tokens: number[]
  readonly logProbs: number[]
  readonly samplingLogProbs: number[]
  node: TrieNode | null
  done: boolean
  finished: boolean
  readonly uniforms: ReadonlyArray<number>
}

/**
 * Draw the next token of row `s` from its logits `z` `[V]` (float64 arithmetic on the host), and
 * record it with its policy log-prob (temperature 1, unconstrained) and sampling log-prob.
 */
const pickToken = (s: RowState, row: Row, z: Float32Array, lp: Float64Array, q: Float64Array): void => {
  const V = z.length
  const step = s.tokens.length
  // policy log-probs at temperature 1 (float64 log-sum-exp)
  let mx = -Infinity
  for (let v = 0; v < V; v++) mx = Math.max(mx, z[v] as number)
  let se = 0
  for (let v = 0; v < V; v++) se += Math.exp((z[v] as number) - mx)
  const lse = mx + Math.log(se)
  for (let v = 0; v < V; v++) lp[v] = (z[v] as number) - lse
  // sampling distribution: temperature, then the admissible tokens only
  const allowed = s.node?.next
  let qm = -Infinity
  for (let v = 0; v < V; v++) {
    q[v] = allowed === undefined || allowed.has(v) ? (z[v] as number) / row.temperature : -Infinity
    qm = Math.max(qm, q[v] as number)
  }
  let qs = 0
  for (let v = 0; v < V; v++) {
    q[v] = Math.exp((q[v] as number) - qm)
    qs += q[v] as number
  }
  const u = (s.uniforms[step] as number) * qs
  let pick = -1
  let acc = 0
  for (let v = 0; v < V; v++) {
    if ((q[v] as number) === 0) continue
    acc += q[v] as number
    pick = v
    if (u < acc) break
  }
  s.tokens.push(pick)
  s.logProbs.push(lp[pick] as number)
  s.samplingLogProbs.push(Math.log((q[pick] as number) / qs))
  s.node = s.node?.next.get(pick) ?? null
  if (pick === specialTokens.eos) {
    s.done = true
    s.finished = true
  } else if (s.tokens.length >= row.maxTokens) s.done = true
}

/**
 * Autoregressive sampling of a batch; each row draws its uniforms from `fork(rng, row)`.
 *
 * With the KV cache (the default): one prefill pass over the prompts, then one single-position pass
 * per new token over the rows still running (finished rows are dropped from the cache; no pass runs
 * once all are finished). Without it: one full pass over prompt + tokens so far per new token (the
 * reference the cache is tested against).
 */
const sampleRows = (
  m: Transformer,
  rows: ReadonlyArray<Row>,
  rng: Rng,
  options: SamplingOptions = {}
): ReadonlyArray<Sampled> => {
  const V = m.config.vocabSize
  const budget = promptBudget(m.config)
  const state: RowState[] = rows.map((r, i) => {
    if (!(r.temperature > 0)) throw new Error(`request ${i}: temperature must be > 0, got ${r.temperature}`)
    if (!(Number.isInteger(r.maxTokens) && r.maxTokens >= 1 && r.maxTokens <= m.config.maxNewTokens))
      throw new Error(
        `request ${i}: maxTokens must be an integer in [1, ${m.config.maxNewTokens}], got ${r.maxTokens}`
      )
    if (r.prompt.length === 0) throw new Error(`request ${i}: the prompt has no tokens (expected BOS … SEP)`)
    return {
      prompt: leftTruncate(budget)(r.prompt),
      tokens: [],
      logProbs: [],
      samplingLogProbs: [],
      node: r.trie,
      done: false,
      finished: false,
      uniforms: nextFloats(fork(rng, i), r.maxTokens)[0]
    }
  })
  const lp = new Float64Array(V)
  const q = new Float64Array(V)
  const onPass = options.onPass ?? (() => undefined)
  // rows `live[j]` own row j of the logits (and of the cache)
  const pickAll = (live: ReadonlyArray<number>, logits: Float32Array): void =>
    live.forEach((i, j) =>
      pickToken(state[i] as RowState, rows[i] as Row, logits.subarray(j * V, (j + 1) * V), lp, q)
    )
  const running = (): number[] => state.flatMap((s, i) => (s.done ? [] : [i]))
  if (options.kvCache === false) {
    for (let live = running(); live.length > 0; live = running()) {
      const seqs = live.map((i) => [...(state[i] as RowState).prompt, ...(state[i] as RowState).tokens])
      const logits = lastLogits(m, seqs)
      onPass({ kind: 'full', rows: live.length, positions: Math.max(...seqs.map((s) => s.length)) })
      pickAll(live, logits)
    }
  } else if (state.length > 0) {
    let cache: KVCache | null = null
    try {
      const first = prefill(
        m,
        state.map((s) => s.prompt)
      )
      cache = first.cache
      onPass({ kind: 'prefill', rows: state.length, positions: cache.promptSlots })
      let live = state.map((_, i) => i)
      pickAll(live, first.logits)
      for (;;) {
        const next = running()
        if (next.length === 0) break
        if (next.length < live.length) {
          const keep = next.map((i) => live.indexOf(i))
          cache = keepRows(m, cache, keep)
        }
        live = next
        const fed = Int32Array.from(live, (i) => (state[i] as RowState).tokens.at(-1) as number)
        const pos = Int32Array.from(live, (i) => {
          const s = state[i] as RowState
          return s.prompt.length + s.tokens.length - 1
        })
        const out: { logits: Float32Array; cache: KVCache } = decodeStep(m, cache, fed, pos)
        cache = out.cache
        onPass({ kind: 'step', rows: live.length, positions: 1 })
        pickAll(live, out.logits)
      }
    } finally {
      disposeCache(cache)
    }
  }
  return state.map((s) => ({
    text: m.tokenizer.decode(s.tokens),
    tokens: s.tokens,
    logProbs: s.logProbs,
    samplingLogProbs: s.samplingLogProbs,
    finished: s.finished
  }))
}

// -------------------------------------------------------------------------------------
// the policy
// -------------------------------------------------------------------------------------

/**
 * Sample actions (see {@link Policy.sample}), synchronously. `options.kvCache: false` selects the
 * uncached reference path (a full forward pass per new token); results are the same up to float32
 * rounding (see docs/tensor-layer.md).
 */
export const sampleActions = (
  m: Transformer,
  requests: ReadonlyArray<SampleRequest>,
  rng: Rng,
  options: SamplingOptions = {}
): ReadonlyArray<Sampled> =>
  sampleRows(
    m,
    requests.map((r, i) => {
      if (r.admissible !== undefined && r.admissible.length === 0)
        throw new Error(`request ${i}: admissible is empty; omit it for unconstrained sampling`)
      return {
        prompt: promptTokens(m.tokenizer)(r.prompt),
        maxTokens: r.maxTokens,
        temperature: r.temperature,
        trie: r.admissible === undefined ? null : buildTrie(r.admissible.map(actionTokens(m.tokenizer)))
      }
    }),
    rng,
    options
  )

/** Per-token log-probs of given action tokens (see {@link Policy.score}), synchronously. */
export const scoreActions = (
  m: Transformer,
  requests: ReadonlyArray<ScoreRequest>
): ReadonlyArray<ReadonlyArray<number>> => {
  if (requests.length === 0) return []
  const rows = requests.map((r) => ({ prompt: promptTokens(m.tokenizer)(r.prompt), action: r.actionTokens }))
  const lp = tf.tidy(() => scoreTensor(m, rows).logProbs)
  const data = lp.dataSync()
  const T = lp.shape[1]
  lp.dispose()
  return requests.map((r, b) => Array.from(data.subarray(b * T, b * T + r.actionTokens.length)))
}

/** The transformer as a {@link Policy}. */
export const transformerPolicy = (m: Transformer): Policy => ({
  info: {
    name: `transformer(d=${m.config.width}, L=${m.config.depth}, H=${m.config.heads}, ctx=${m.config.contextLength})`,
    vocabSize: m.config.vocabSize,
    contextLength: m.config.contextLength,
    parameterCount: parameterCount(m)
  },
  encode: m.tokenizer.encode,
  decode: m.tokenizer.decode,
  sample: async (requests, rng) => sampleActions(m, requests, rng),
  score: async (requests) => scoreActions(m, requests),
  generate: async (requests: ReadonlyArray<GenerateRequest>, rng) =>
    sampleRows(
      m,
      requests.map((r) => ({
        prompt: promptTokens(m.tokenizer)(r.prompt),
        maxTokens: r.maxTokens,
        temperature: r.temperature,
        trie: null
      })),
      rng
    )
})
