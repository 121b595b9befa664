/**
 * `npm run bench`: throughput of the tensor layer, printed and written to bench/results/*.json.
 *   1. loss + gradient on a [32 × 64] batch: the pure float64 path (empo2Loss + lossGradient on
 *      numbers) vs the tensor path (empo2Loss on tfjs tensors + tfjs autograd), tokens/s;
 *   2. the default policy's training step (forward + backward + Adam, EMPO² loss) on 32 rows × 64
 *      tokens (32 prompt + 32 action), tokens/s;
 *   3. sampling throughput: 32 prompts, up to 16 tokens each, actions/s;
 * on each backend available (`--backend <name>` or EMPO2_BACKEND restricts to one), and, if Debian's
 * python3-torch is installed, the same training step in PyTorch on the CPU (bench/torch_ref.py).
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
import { mkTransformer, sampleActions, disposeTransformer } from '../src/effects/tensor/transformer.ts'
import { adamStep, mkAdam, disposeAdam } from '../src/effects/tensor/optimizer.ts'
import { empo2Objective } from '../src/effects/tensor/update.ts'
import { empo2Loss, lossSettings, type LossInputs } from '../src/core/loss.ts'
import { lossGradient } from '../src/core/gradient.ts'
import { fromRows, numberNumeric as N, type NDArray } from '../src/core/numeric.ts'
import { officialPreset } from '../src/spec/config.ts'
import { defaultModelConfig } from '../src/spec/model.ts'
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
      const g = tf.grad(
        (l: tf.Tensor) => empo2Loss(TN)(settings)({ ...rest, logProbs: l }).loss as tf.Scalar
      )(lp)
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
  let actions = 0
  let sampledTokens = 0
  const prompts = Array.from({ length: B }, (_, i) => ({
    prompt: `You are in room ${i}. Exits: north, south. What now?`,
    maxTokens: 16,
    temperature: 1
  }))
  const sampling = timeIt(slow ? 1 : 3, () => {
    const out = sampleActions(m, prompts, mkRng(actions))
    actions += out.length
    sampledTokens += out.reduce((a, o) => a + o.tokens.length, 0)
  })
  const meanTokens = sampledTokens / actions
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
    sampling: {
      batch: B,
      maxTokens: 16,
      meanTokens,
      medianS: sampling.median,
      actionsPerS: B / sampling.median,
      tokensPerS: (B * meanTokens) / sampling.median
    }
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

const main = async () => {
  const explicit =
    backendFromArgv(process.argv.slice(2)) ?? (process.env['EMPO2_BACKEND'] as BackendName | undefined)
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
    const r = benchBackend(name)
    console.log(JSON.stringify(r, null, 2))
    results.push(r)
  }
  const torch = process.argv.includes('--no-torch') ? null : torchRef()
  const first = results[0] as { trainStep: { medianS: number } } | undefined
  const ratio =
    torch !== null && first !== undefined
      ? (torch['trainStepMedianS'] as number) / first.trainStep.medianS
      : null
  if (torch !== null)
    console.log(
      `PyTorch CPU: ${JSON.stringify(torch)}\ntfjs train-step speed / PyTorch: ${ratio?.toFixed(2)}× (> 1: tfjs faster)`
    )
  else console.log('PyTorch reference not run (install Debian python3-torch to compare)')
  const out = {
    date: new Date().toISOString(),
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
  writeFileSync('bench/results/latest.json', `${JSON.stringify(out, null, 2)}\n`)
  console.log(`written ${file}`)
}

await main()
