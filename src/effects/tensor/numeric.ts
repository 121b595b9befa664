/**
 * The tfjs instance of the core's `Numeric` interface, so the loss written once in `src/core` runs on
 * tensors and is differentiated by tfjs. Values are float32.
 *
 * Workarounds (documented in docs/tensor-layer.md): tfjs has no `stopGradient`, and `less` /
 * `greaterEqual` have no registered gradient (tfjs throws if one lies on the differentiated path), so
 * all three are `customGrad`s whose gradient is zero; `where` broadcasts its three arguments
 * explicitly; `clamp` is a max and a min (wasm's clamp kernel fails when lo = hi in float32).
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Numeric } from '../../core/loss/numeric.ts'
import { customGrad } from './grad.ts'

const broadcastAll = (xs: ReadonlyArray<tf.Tensor>): tf.Tensor[] => {
  const shape = xs.map((x) => x.shape).reduce((a, b) => tf.broadcast_util.assertAndGetBroadcastShape(a, b))
  return xs.map((x) => (tf.util.arraysEqual(x.shape, shape) ? x : tf.add(x, tf.zeros(shape, x.dtype))))
}

// `f(a, b)` with a zero gradient for both inputs
const noGrad2 = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
  customGrad((a: tf.Tensor, b: tf.Tensor) => ({
    value: f(a, b),
    gradFunc: (_dy: tf.Tensor, [sa, sb]: [tf.Tensor, tf.Tensor]) => [tf.zerosLike(sa), tf.zerosLike(sb)]
  }))

const lessNoGrad = noGrad2((a, b) => tf.cast(tf.less(a, b), 'float32'))
const greaterEqualNoGrad = noGrad2((a, b) => tf.cast(tf.greaterEqual(a, b), 'float32'))
const stop = customGrad((a: tf.Tensor) => ({
  value: tf.clone(a),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy)
}))

/** The float32 tfjs instance of {@link Numeric}. */
export const tensorNumeric: Numeric<tf.Tensor> = {
  scalar: (x) => tf.scalar(x, 'float32'),
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  neg: (a) => tf.neg(a),
  exp: (a) => tf.exp(a),
  log: (a) => tf.log(a),
  square: (a) => tf.square(a),
  minimum: (a, b) => tf.minimum(a, b),
  maximum: (a, b) => tf.maximum(a, b),
  // max-then-min rather than tf.clipByValue: wasm's XNNPACK clamp fails (silently returning its
  // input) when lo and hi are equal in float32, e.g. a clip range [1 − 0, 1 + 1e-16]. The gradient
  // passes where lo ≤ a ≤ hi, as clipByValue's does.
  clamp: (a, lo, hi) => tf.minimum(tf.maximum(a, lo), hi),
  where: (c, a, b) => {
    // broadcast by adding zeros (its gradient is Add's) so tf.where's own broadcastTo is a no-op
    const [cb, ab, bb] = broadcastAll([c, a, b]) as [tf.Tensor, tf.Tensor, tf.Tensor]
    return tf.where(tf.notEqual(cb, 0), ab, bb)
  },
  less: (a, b) => lessNoGrad(a, b),
  greaterEqual: (a, b) => greaterEqualNoGrad(a, b),
  sumLast: (a) => tf.sum(a, -1),
  minLast: (a) => tf.min(a, -1),
  sumAll: (a) => tf.sum(a),
  expandLast: (a) => tf.expandDims(a, -1),
  stopGradient: (a) => stop(a)
}

/** A float32 tensor from the core's float64 `NDArray`. */
export const fromNDArray = (a: {
  readonly shape: ReadonlyArray<number>
  readonly data: Float64Array
}): tf.Tensor => tf.tensor(Float32Array.from(a.data), [...a.shape], 'float32')

/** The core's `NDArray` (float64) from a tensor (reads the data synchronously). */
export const toNDArray = (
  t: tf.Tensor
): { readonly shape: ReadonlyArray<number>; readonly data: Float64Array } => ({
  shape: [...t.shape],
  data: Float64Array.from(t.dataSync())
})
