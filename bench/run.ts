/**
 * `npm run bench`: throughput of the tensor layer, printed and written to bench/results/*.json.
 *   1. loss + gradient on a [32 × 64] batch: the pure float64 path (empo2Loss + lossGradient on
 *      numbers) vs the tensor path (empo2Loss on tfjs tensors + tfjs autograd), tokens/s;
 *   2. the default policy's training step (forward + backward + Adam, EMPO² loss) on 32 rows × 64
 *      tokens (32 prompt + 32 action), tokens/s;
 *   3. sampling throughput, actions/s, with the KV cache and without it (a full forward pass per
 *      token) side by side in the same run, and their ratio: 64 prompts of ~120 tokens, 4-token
 *      actions (3 letters + EOS) from an admissible list of 10, at width 64 and at the default width;
 *      and free generation (32 prompts, up to 16 tokens) at the default width;
 * on each backend available (`--backend <name>` or EMPO2_BACKEND restricts to one), and, if Debian's
 * python3-torch is installed, the same training step in PyTorch on the CPU (bench/torch_ref.py).
 *
 * `--only sampling` runs part 3 alone (no PyTorch); its results go to bench/results/bench-<date>.json
 * and bench/results/latest-sampling.json (latest.json keeps the last full run).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import * as tf from '@tensorflow/tfjs-core'
import {
  backendFromArgv,
  selectBackend,
  backendOrder,
  type BackendName
} from '../src/effects/tensor/backend.ts'
import { tensorNumeric as TN, fromNDArray } from '../src/effects/tensor/numeric.ts'
import {
  mkTransformer,
  sampleActions,
  disposeTransformer,
  type SamplingPass
} from '../src/effects/tensor/transformer.ts'
import type { Sampled, SampleRequest } from '../src/core/agent/policy.ts'
import { adamStep, mkAdam, disposeAdam } from '../src/effects/tensor/optimizer.ts'
import { empo2Objective } from '../src/effects/tensor/update.ts'
import { empo2Loss, lossSettings, type LossInputs } from '../src/core/loss/loss.ts'
import { lossGradient } from '../src/core/loss/gradient.ts'
import { fromRows, numberNumeric as N, type NDArray } from '../src/core/loss/numeric.ts'
import { officialPreset } from '../src/spec/config.ts'
import { defaultModelConfig, modelConfigOrThrow } from '../src/spec/model.ts'
import { mkRng, nextFloats } from '../src/core/rng.ts'

const B = 32
const T = 64
const settings = lossSettings(officialPreset)

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const timeIt = (reps: number, f: () => void): { median: number; min: number } => {
  f() // warm-up
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    f()
    ts.push((performance.now() - t0) / 1000)
  }
  return { median: median(ts), min: Math.min(...ts) }
}

const lossBatch = (): LossInputs<NDArray> => {
  const [u] = nextFloats(mkRng(1), B * T * 4)
  const at = (k: number) => u[k] as number
  const rows = (f: (b: number, t: number) => number) =>
    Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => f(b, t)))
  const lp = rows((b, t) => -8 * at(b * T + t))
  return {
    logProbs: fromRows(lp),
    oldLogProbs: fromRows(lp.map((r, b) => r.map((x, t) => x + (at(B * T + b * T + t) - 0.5)))),
    tipFreeLogProbs: fromRows(lp),
    refLogProbs: null,
    advantages: fromRows(rows((b) => at(2 * B * T + b) * 2 - 1)),
    responseMask: fromRows(rows((b, t) => (t < T - (b % 16) ? 1 : 0))),
    offPolicy: fromRows(Array.from({ length: B }, (_, b) => [b % 3 === 0 ? 1 : 0])),
    entropy: null
  }
}

// -------------------------------------------------------------------------------------
// sampling: KV cache vs a full forward pass per token
// -------------------------------------------------------------------------------------

const admissible = ['run', 'eat', 'get', 'put', 'hit', 'dig', 'sit', 'cry', 'fly', 'nap']

/** `n` prompts of 112 … 126 bytes (114 … 128 tokens with BOS and SEP), all different. */
const roomPrompts = (n: number): string[] =>
  Array.from({ length: n }, (_, i) =>
    `Room ${i}. You see a lamp, a door to the north and a key. Exits: north, south, east. Your inventory is empty. What now?`
      .repeat(2)
      .slice(0, 112 + (i % 15))
  )

interface SamplingCase {
  readonly name: string
  readonly width: number
  readonly requests: ReadonlyArray<SampleRequest>
}

const samplingCases = (slow: boolean): ReadonlyArray<SamplingCase> => {
  const constrained = roomPrompts(64).map((prompt) => ({ prompt, admissible, maxTokens: 8, temperature: 1 }))
  const free = Array.from({ length: 32 }, (_, i) => ({
    prompt: `You are in room ${i}. Exits: north, south. What now?`,
    maxTokens: 16,
    temperature: 1
  }))
  const all: SamplingCase[] = [
    { name: 'admissible(10) × 64, prompts ~120 tokens', width: 64, requests: constrained },
    {
      name: 'admissible(10) × 64, prompts ~120 tokens',
      width: defaultModelConfig.width,
      requests: constrained
    },
    { name: 'free generation × 32, ≤ 16 tokens', width: defaultModelConfig.width, requests: free }
  ]
  return slow ? all.slice(0, 1) : all
}

const measureSampling = (c: SamplingCase, kvCache: boolean, reps: number) => {
  const m = mkTransformer(modelConfigOrThrow({ ...defaultModelConfig, width: c.width }))
  const passes: SamplingPass[] = []
  let out: ReadonlyArray<Sampled> = []
  try {
    const t = timeIt(reps, () => {
      passes.length = 0
      out = sampleActions(m, c.requests, mkRng(7), { kvCache, onPass: (p) => passes.push(p) })
    })
    const tokens = out.reduce((a, o) => a + o.tokens.length, 0)
    return {
      result: {
        medianS: t.median,
        minS: t.min,
        actionsPerS: c.requests.length / t.median,
        tokensPerS: tokens / t.median,
        passes: passes.map((p) => `${p.kind} ${p.rows}×${p.positions}`)
      },
      tokens: out.map((o) => o.tokens)
    }
  } finally {
    disposeTransformer(m)
  }
}

const benchSampling = (name: BackendName) => {
  const slow = name === 'cpu'
  return samplingCases(slow).map((c) => {
    const cached = measureSampling(c, true, slow ? 1 : 3)
    const uncached = measureSampling(c, false, slow ? 1 : 3)
    const r = {
      case: c.name,
      width: c.width,
      batch: c.requests.length,
      promptTokens: c.requests.map((q) => Buffer.byteLength(q.prompt) + 2),
      meanActionTokens: cached.tokens.reduce((a, t) => a + t.length, 0) / c.requests.length,
      sameTokens: JSON.stringify(cached.tokens) === JSON.stringify(uncached.tokens),
      cached: cached.result,
      uncached: uncached.result,
      speedup: uncached.result.medianS / cached.result.medianS
    }
    const { min, max } = { min: Math.min(...r.promptTokens), max: Math.max(...r.promptTokens) }
    console.log(
      `sampling [${name}] ${c.name}, width ${c.width}: cached ${r.cached.actionsPerS.toFixed(1)} actions/s, ` +
        `uncached ${r.uncached.actionsPerS.toFixed(1)} actions/s, ratio ${r.speedup.toFixed(2)}× ` +
        `(prompt tokens ${min}…${max}, ${r.meanActionTokens.toFixed(2)} tokens/action, same tokens: ${r.sameTokens})`
    )
    return { ...r, promptTokens: { min, max } }
  })
}

// -------------------------------------------------------------------------------------
// the whole bench
// -------------------------------------------------------------------------------------

const benchBackend = (name: BackendName) => {
  const slow = name === 'cpu'
  const x = lossBatch()
  const pure = timeIt(slow ? 3 : 10, () => {
    empo2Loss(N)(settings)(x)
    lossGradient(settings)(x)
  })
  const tensor = timeIt(slow ? 3 : 10, () =>
    tf.tidy(() => {
      const lp = fromNDArray(x.logProbs)
      const rest = {
        ...x,
        oldLogProbs: fromNDArray(x.oldLogProbs),
        tipFreeLogProbs: fromNDArray(x.tipFreeLogProbs),
        advantages: fromNDArray(x.advantages),
        responseMask: fromNDArray(x.responseMask),
        offPolicy: fromNDArray(x.offPolicy),
        refLogProbs: null,
        entropy: null
      }
      const g = tf.grad((l: tf.Tensor) => empo2Loss(TN)(settings)({ ...rest, logProbs: l }).loss)(lp)
      g.dataSync()
    })
  )
  // training step of the default model
  const m = mkTransformer(defaultModelConfig)
  const opt = mkAdam(
    m.params.map((p) => p.variable),
    { learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradClip: 1 }
  )
  const [u] = nextFloats(mkRng(2), B * T)
  const rows = Array.from({ length: B }, (_, b) => ({
    prompt: Array.from({ length: T / 2 }, (_, i) => Math.floor((u[b * T + i] as number) * 256)),
    action: Array.from({ length: T / 2 }, (_, i) => Math.floor((u[b * T + T / 2 + i] as number) * 256)),
    oldLogProbs: new Array<number>(T / 2).fill(-5.5),
    advantage: (b % 2) * 2 - 1,
    offPolicy: b % 3 === 0
  }))
  const objective = empo2Objective(m, settings)
  const train = timeIt(slow ? 1 : 5, () => {
    adamStep(opt, () => objective(rows).loss as tf.Scalar)
  })
  disposeAdam(opt)
  disposeTransformer(m)
  return {
    backend: name,
    lossAndGradient: {
      batch: [B, T],
      pureTokensPerS: (B * T) / pure.median,
      tensorTokensPerS: (B * T) / tensor.median,
      pureMedianS: pure.median,
      tensorMedianS: tensor.median
    },
    trainStep: { batch: [B, T], medianS: train.median, minS: train.min, tokensPerS: (B * T) / train.median },
    sampling: benchSampling(name)
  }
}

const torchRef = (): Record<string, unknown> | null => {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['bench/torch_ref.py'], { encoding: 'utf8', timeout: 600_000 })
    if (r.status === 0) {
      const line = r.stdout.trim().split('\n').pop() ?? ''
      try {
        return { python: py, ...(JSON.parse(line) as Record<string, unknown>) }
      } catch {
        continue
      }
    }
  }
  return null
}

const parts = ['sampling'] as const
type Part = (typeof parts)[number]

/** The part named by `--only <part>` or `--only=<part>`, if any. */
const onlyFromArgv = (argv: ReadonlyArray<string>): Part | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    const v = a === '--only' ? argv[i + 1] : a.startsWith('--only=') ? a.slice(7) : undefined
    if (a === '--only' || v !== undefined) {
      if (!(parts as ReadonlyArray<string | undefined>).includes(v))
        throw new Error(`--only: unknown part ${JSON.stringify(v ?? '')}; known: ${parts.join(', ')}`)
      return v as Part
    }
  }
  return undefined
}

const main = async () => {
  const argv = process.argv.slice(2)
  const only = onlyFromArgv(argv)
  const explicit = backendFromArgv(argv) ?? (process.env['EMPO2_BACKEND'] as BackendName | undefined)
  const candidates =
    explicit !== undefined
      ? [explicit]
      : (['wasm', 'cpu', 'node', 'node-gpu'] as const).filter((b) => backendOrder.includes(b))
  const results: unknown[] = []
  for (const name of candidates) {
    try {
      await selectBackend({ prefer: name, force: true })
    } catch (e) {
      console.log(`skip ${name}: ${e instanceof Error ? e.message : String(e)}`)
      continue
    }
    const r = only === 'sampling' ? { backend: name, sampling: benchSampling(name) } : benchBackend(name)
    console.log(JSON.stringify(r, null, 2))
    results.push(r)
  }
  const torch = only !== undefined || argv.includes('--no-torch') ? null : torchRef()
  const first = results[0] as { trainStep: { medianS: number } } | undefined
  const ratio =
    torch !== null && first !== undefined
      ? (torch['trainStepMedianS'] as number) / first.trainStep.medianS
      : null
  if (torch !== null)
    console.log(
      `PyTorch CPU: ${JSON.stringify(torch)}\ntfjs train-step speed / PyTorch: ${ratio?.toFixed(2)}× (> 1: tfjs faster)`
    )
  else if (only === undefined)
    console.log('PyTorch reference not run (install Debian python3-torch to compare)')
  const out = {
    date: new Date().toISOString(),
    ...(only !== undefined ? { only } : {}),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    results,
    torch,
    speedupVsTorch: ratio
  }
  mkdirSync('bench/results', { recursive: true })
  const file = `bench/results/bench-${out.date.replace(/[:.]/g, '-')}.json`
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`)
  writeFileSync(
    `bench/results/latest${only === undefined ? '' : `-${only}`}.json`,
    `${JSON.stringify(out, null, 2)}\n`
  )
  console.log(`written ${file}`)
}

await main()
