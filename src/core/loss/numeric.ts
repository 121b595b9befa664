/**
 * The small numeric interface every loss formula is written against, once. `numberNumeric` evaluates
 * it on plain float64 arrays (property tests, conformance vectors); the effect layer gives a tfjs
 * instance so training differentiates the very same definition.
 *
 * Arrays have rank 0 (scalars), 1 (`[B]`, one value per sequence), 2 (`[B, T]`, one per token) or 3
 * (`[B, T, V]`, a distribution per token). Binary operations broadcast as NumPy does (trailing axes
 * aligned, size-1 axes stretched); masks are arrays of 0 and 1.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A numeric backend over array type `T`.
 *
 * @since 0.1.0
 * @category model
 */
export interface Numeric<T> {
  /** A rank-0 constant. */
  readonly scalar: (x: number) => T
  readonly add: (a: T, b: T) => T
  readonly sub: (a: T, b: T) => T
  readonly mul: (a: T, b: T) => T
  /** Elementwise division; the caller guarantees a non-zero divisor. */
  readonly div: (a: T, b: T) => T
  readonly neg: (a: T) => T
  readonly exp: (a: T) => T
  /** Natural log; the caller guarantees a positive argument. */
  readonly log: (a: T) => T
  readonly square: (a: T) => T
  readonly minimum: (a: T, b: T) => T
  readonly maximum: (a: T, b: T) => T
  /** Clamp into [lo, hi]; the gradient passes where lo ≤ a ≤ hi. */
  readonly clamp: (a: T, lo: number, hi: number) => T
  /** `cond ? a : b` elementwise, `cond` a 0/1 mask. */
  readonly where: (cond: T, a: T, b: T) => T
  /** 1 where a < b, else 0 (no gradient). */
  readonly less: (a: T, b: T) => T
  /** 1 where a ≥ b, else 0 (no gradient). */
  readonly greaterEqual: (a: T, b: T) => T
  /** Sum over the last axis: `[B, T] → [B]`. */
  readonly sumLast: (a: T) => T
  /** Minimum over the last axis: `[B, T] → [B]` (no gradient needed). */
  readonly minLast: (a: T) => T
  /** Sum of every element, a rank-0 result. */
  readonly sumAll: (a: T) => T
  /** Append a size-1 axis: `[B] → [B, 1]`, to broadcast per-sequence values over tokens. */
  readonly expandLast: (a: T) => T
  /** The value, with no gradient flowing back through it. */
  readonly stopGradient: (a: T) => T
}

/**
 * A dense float64 array with its shape, row-major.
 *
 * @since 0.1.0
 * @category model
 */
export interface NDArray {
  readonly shape: ReadonlyArray<number>
  readonly data: Float64Array
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/**
 * An {@link NDArray} from a shape and values (checked to agree).
 *
 * @example
 * import { ndarray } from './numeric.ts'
 * assert.deepEqual(ndarray([2], [1, 2]).shape, [2])
 *
 * @since 0.1.0
 * @category constructors
 */
export const ndarray = (shape: ReadonlyArray<number>, values: ArrayLike<number>): NDArray => {
  if (values.length !== size(shape))
    throw new RangeError(
      `ndarray: shape [${shape.join(', ')}] needs ${size(shape)} values, got ${values.length}`
    )
  return { shape: [...shape], data: Float64Array.from(values) }
}

/**
 * A `[B, T]` array from rows of equal length.
 *
 * @example
 * import { fromRows, toRows } from './numeric.ts'
 * assert.deepEqual(toRows(fromRows([[1, 2], [3, 4]])), [[1, 2], [3, 4]])
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRows = (rows: ReadonlyArray<ReadonlyArray<number>>): NDArray => {
  const cols = rows[0]?.length ?? 0
  rows.forEach((r, i) => {
    if (r.length !== cols)
      throw new RangeError(`fromRows: row ${i} has ${r.length} values, row 0 has ${cols}`)
  })
  return ndarray([rows.length, cols], rows.flat())
}

/**
 * A `[B]` array.
 *
 * @example
 * import { fromVector } from './numeric.ts'
 * assert.deepEqual(fromVector([1, 2, 3]).shape, [3])
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromVector = (xs: ReadonlyArray<number>): NDArray => ndarray([xs.length], xs)

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The rows of a rank-2 array.
 *
 * @example
 * import { ndarray, toRows } from './numeric.ts'
 * assert.deepEqual(toRows(ndarray([2, 1], [5, 6])), [[5], [6]])
 *
 * @since 0.1.0
 * @category destructors
 */
export const toRows = (a: NDArray): ReadonlyArray<ReadonlyArray<number>> => {
  if (a.shape.length !== 2) throw new RangeError(`toRows: expected rank 2, got shape [${a.shape.join(', ')}]`)
  const [b, t] = a.shape as [number, number]
  return Array.from({ length: b }, (_, i) => Array.from(a.data.subarray(i * t, (i + 1) * t)))
}

/**
 * The single value of a rank-0 (or one-element) array.
 *
 * @example
 * import { numberNumeric as N, toScalar } from './numeric.ts'
 * assert.equal(toScalar(N.scalar(2.5)), 2.5)
 *
 * @since 0.1.0
 * @category destructors
 */
export const toScalar = (a: NDArray): number => {
  if (a.data.length !== 1)
    throw new RangeError(`toScalar: expected one value, got shape [${a.shape.join(', ')}]`)
  return a.data[0] as number
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

const broadcastShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): ReadonlyArray<number> => {
  const n = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1
    const db = b[b.length - n + i] ?? 1
    if (da !== db && da !== 1 && db !== 1)
      throw new RangeError(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`)
    out.push(Math.max(da, db))
  }
  return out
}

const strides = (shape: ReadonlyArray<number>, outRank: number): ReadonlyArray<number> => {
  // strides of `shape` aligned to an output of rank `outRank`, 0 on broadcast axes
  const s = new Array<number>(outRank).fill(0)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] as number
    s[outRank - shape.length + i] = d === 1 ? 0 : acc
    acc *= d
  }
  return s
}

const map1 = (a: NDArray, f: (x: number) => number): NDArray => ({ shape: a.shape, data: a.data.map(f) })

const mapN = (arrays: ReadonlyArray<NDArray>, f: (xs: ReadonlyArray<number>) => number): NDArray => {
  const shape = arrays.map((x) => x.shape).reduce(broadcastShape)
  const rank = shape.length
  const st = arrays.map((x) => strides(x.shape, rank))
  const n = size(shape)
  const out = new Float64Array(n)
  const idx = new Array<number>(rank).fill(0)
  const args = new Array<number>(arrays.length)
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < arrays.length; j++) {
      let off = 0
      const s = st[j] as ReadonlyArray<number>
      for (let d = 0; d < rank; d++) off += (idx[d] as number) * (s[d] as number)
      args[j] = (arrays[j] as NDArray).data[off] as number
    }
    out[k] = f(args)
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1
      if ((idx[d] as number) < (shape[d] as number)) break
      idx[d] = 0
    }
  }
  return { shape, data: out }
}

const map2 = (a: NDArray, b: NDArray, f: (x: number, y: number) => number): NDArray =>
  mapN([a, b], (xs) => f(xs[0] as number, xs[1] as number))

const reduceLast = (a: NDArray, f: (acc: number, x: number) => number, init: number): NDArray => {
  if (a.shape.length === 0) throw new RangeError('reduce over the last axis of a scalar')
  const last = a.shape[a.shape.length - 1] as number
  const outer = a.data.length / Math.max(last, 1)
  const out = new Float64Array(last === 0 ? size(a.shape.slice(0, -1)) : outer)
  for (let i = 0; i < out.length; i++) {
    let acc = init
    for (let j = 0; j < last; j++) acc = f(acc, a.data[i * last + j] as number)
    out[i] = acc
  }
  return { shape: a.shape.slice(0, -1), data: out }
}

/**
 * The {@link Numeric} instance over plain float64 arrays.
 *
 * @example
 * import { numberNumeric as N, fromRows, toScalar } from './numeric.ts'
 * assert.equal(toScalar(N.sumAll(N.mul(fromRows([[1, 2]]), N.scalar(3)))), 9)
 *
 * @since 0.1.0
 * @category instances
 */
export const numberNumeric: Numeric<NDArray> = {
  scalar: (x) => ({ shape: [], data: Float64Array.of(x) }),
  add: (a, b) => map2(a, b, (x, y) => x + y),
  sub: (a, b) => map2(a, b, (x, y) => x - y),
  mul: (a, b) => map2(a, b, (x, y) => x * y),
  div: (a, b) => map2(a, b, (x, y) => x / y),
  neg: (a) => map1(a, (x) => -x),
  exp: (a) => map1(a, Math.exp),
  log: (a) => map1(a, Math.log),
  square: (a) => map1(a, (x) => x * x),
  minimum: (a, b) => map2(a, b, Math.min),
  maximum: (a, b) => map2(a, b, Math.max),
  clamp: (a, lo, hi) => map1(a, (x) => Math.min(Math.max(x, lo), hi)),
  where: (c, a, b) =>
    mapN([c, a, b], (xs) => ((xs[0] as number) !== 0 ? (xs[1] as number) : (xs[2] as number))),
  less: (a, b) => map2(a, b, (x, y) => (x < y ? 1 : 0)),
  greaterEqual: (a, b) => map2(a, b, (x, y) => (x >= y ? 1 : 0)),
  sumLast: (a) => reduceLast(a, (acc, x) => acc + x, 0),
  minLast: (a) => reduceLast(a, Math.min, Infinity),
  sumAll: (a) => ({ shape: [], data: Float64Array.of(a.data.reduce((s, x) => s + x, 0)) }),
  expandLast: (a) => ({ shape: [...a.shape, 1], data: a.data }),
  stopGradient: (a) => a
}
