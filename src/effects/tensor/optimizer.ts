/**
 * Optimisation: Adam (Kingma & Ba; the same update as `torch.optim.Adam`) with gradient-norm
 * clipping (as `torch.nn.utils.clip_grad_norm_`), minibatches and several epochs per batch. The
 * optimiser state (step count, first and second moments) is plain tensors so checkpoints can save it.
 */
import * as tf from '@tensorflow/tfjs-core'
import { fork, nextInt, type Rng } from '../../core/rng.ts'

/** Adam's hyperparameters (the `optim` section of the config). */
export interface AdamSettings {
  readonly learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  /** Clip the global gradient norm to this value; `null`: no clipping. */
  readonly gradClip: number | null
}

/** An Adam optimiser over a fixed, ordered list of variables. */
export interface Adam {
  readonly settings: AdamSettings
  readonly vars: ReadonlyArray<tf.Variable>
  readonly m: ReadonlyArray<tf.Variable>
  readonly v: ReadonlyArray<tf.Variable>
  /** Number of updates applied so far (`t` of Adam's bias correction). */
  step: number
}

/** A fresh optimiser (moments at zero). */
export const mkAdam = (vars: ReadonlyArray<tf.Variable>, settings: AdamSettings): Adam => ({
  settings,
  vars,
  m: vars.map((x) => tf.variable(tf.zerosLike(x), false)),
  v: vars.map((x) => tf.variable(tf.zerosLike(x), false)),
  step: 0
})

/** Free the optimiser's moments. */
export const disposeAdam = (o: Adam): void => [...o.m, ...o.v].forEach((x) => x.dispose())

/** What one update reports. */
export interface StepReport {
  readonly loss: number
  /** Global gradient norm before clipping. */
  readonly gradNorm: number
}

/**
 * One update: the gradient of `lossFn` with respect to the optimiser's variables, global-norm
 * clipping, then Adam. All intermediate tensors are freed, also when `lossFn` throws.
 */
export const adamStep = (o: Adam, lossFn: () => tf.Scalar): StepReport => {
  const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, gradClip } = o.settings
  // tfjs leaks the tape's saved tensors when the function differentiated throws: so the loss is
  // evaluated under a guard that records the error and returns a zero connected to every variable,
  // the gradient completes normally (and frees its tape), tidy ends normally (it leaks too when its
  // function throws after a gradient), and only then is the error rethrown
  let failure: { readonly error: unknown } | undefined
  const guarded = (): tf.Scalar => {
    try {
      return lossFn()
    } catch (error) {
      failure = { error }
      return tf.mul<tf.Scalar>(
        0,
        o.vars.map((x) => tf.sum(x)).reduce((a, b) => tf.add(a, b))
      )
    }
  }
  const [loss, norm] = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(guarded, [...o.vars])
    if (failure !== undefined) return [NaN, NaN] as const
    const gs = o.vars.map((x) => grads[x.name] ?? tf.zerosLike(x))
    const gradNorm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))))
    const scale = gradClip === null ? tf.scalar(1) : tf.minimum(tf.div(gradClip, tf.add(gradNorm, 1e-6)), 1)
    const t = o.step + 1
    const stepSize = lr / (1 - b1 ** t)
    const sqrtBias = Math.sqrt(1 - b2 ** t)
    o.vars.forEach((x, i) => {
      const g = tf.mul(gs[i] as tf.Tensor, scale)
      const m = o.m[i] as tf.Variable
      const v = o.v[i] as tf.Variable
      m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)))
      v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)))
      x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.div(tf.sqrt(v), sqrtBias), eps)), stepSize)))
    })
    return [value.dataSync()[0] as number, gradNorm.dataSync()[0] as number] as const
  })
  if (failure !== undefined) throw failure.error
  o.step += 1
  return { loss, gradNorm: norm }
}

/** Minibatching: `epochs` passes, each over a fresh permutation cut into minibatches. */
export interface EpochSettings {
  readonly epochs: number
  readonly miniBatchSize: number
}

/** A permutation of `0..n-1` (Fisher–Yates from the Rng). */
export const permutation = (n: number, rng: Rng): ReadonlyArray<number> => {
  const p = Array.from({ length: n }, (_, i) => i)
  let r = rng
  for (let i = n - 1; i > 0; i--) {
    const [j, next] = nextInt(r, 0, i)
    r = next
    ;[p[i], p[j]] = [p[j] as number, p[i] as number]
  }
  return p
}

/**
 * Train on `rows`: for each epoch, shuffle (epoch `e` uses `fork(rng, e)`), cut into minibatches of
 * `miniBatchSize`, and take one {@link adamStep} per minibatch with `lossOf(minibatch)`.
 */
export const trainEpochs = <R>(
  o: Adam,
  rows: ReadonlyArray<R>,
  s: EpochSettings,
  rng: Rng,
  lossOf: (minibatch: ReadonlyArray<R>) => tf.Scalar
): ReadonlyArray<StepReport> => {
  const reports: StepReport[] = []
  for (let e = 0; e < s.epochs; e++) {
    const order = permutation(rows.length, fork(rng, e))
    for (let k = 0; k < order.length; k += s.miniBatchSize) {
      const mb = order.slice(k, k + s.miniBatchSize).map((i) => rows[i] as R)
      reports.push(adamStep(o, () => lossOf(mb)))
    }
  }
  return reports
}
