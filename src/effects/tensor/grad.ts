/**
 * Gradients for tfjs, and a typed `customGrad`.
 *
 * `@tensorflow/tfjs-core` on its own registers NO gradient: the `@tensorflow/tfjs` bundle does it by
 * importing `dist/register_all_gradients`, an ES module tree with extension-less imports that Node
 * cannot load. So this module registers, at import, the gradients of the kernels the tensor layer
 * differentiates through (the loss's `Numeric` ops and the transformer), each the textbook rule,
 * written with public tfjs ops. A gradient already registered (e.g. by `@tensorflow/tfjs-node`,
 * which brings the full bundle) is left alone. Every rule is checked by the differential tests
 * (test/effects/tensor: against the pure analytic gradient and against finite differences).
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * `f` with the gradient `gradFunc` (one gradient per input, in order). Every input is saved for the
 * backward pass and handed to `gradFunc` as `saved` (tfjs may have disposed the originals by then,
 * e.g. when the forward pass ran inside `tf.tidy`): use `saved`, never the closure's inputs.
 */
export const customGrad = <A extends tf.Tensor[]>(
  f: (...xs: A) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: A) => tf.Tensor | tf.Tensor[] }
): ((...xs: A) => tf.Tensor) =>
  tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as (ts: tf.Tensor[]) => void
    const xs = args.slice(0, -1) as A
    save(xs)
    const { value, gradFunc } = f(...xs)
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradFunc(dy, saved as A) }
  })

// sum `dy` (of the broadcast output shape) back to `shape`
const unbroadcast = (dy: tf.Tensor, shape: ReadonlyArray<number>): tf.Tensor => {
  const axes = tf.backend_util.getReductionAxes([...shape], dy.shape)
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy
  return tf.reshape(summed, [...shape])
}

// `dy` of a reduction over `axis` broadcast back to the input's shape
const expandReduced = (dy: tf.Tensor, x: tf.Tensor, axis: number | number[] | undefined): tf.Tensor => {
  const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape)
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
  return tf.mul(tf.reshape(dy, kept), tf.onesLike(x))
}

type Saved = tf.Tensor[]
type Attrs = Record<string, unknown>
type GradFn = (dy: tf.Tensor | tf.Tensor[], saved: Saved, attrs: Attrs) => Record<string, () => tf.Tensor>

interface Rule {
  readonly kernelName: string
  readonly inputsToSave?: string[]
  readonly outputsToSave?: boolean[]
  readonly gradFunc: GradFn
}

const binary = (
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor
): Rule => ({
  kernelName,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => ({
    a: () => unbroadcast(da(dy as tf.Tensor, a as tf.Tensor, b as tf.Tensor), (a as tf.Tensor).shape),
    b: () => unbroadcast(db(dy as tf.Tensor, a as tf.Tensor, b as tf.Tensor), (b as tf.Tensor).shape)
  })
})

const unary = (kernelName: string, dx: (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.Tensor): Rule => ({
  kernelName,
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({ x: () => dx(dy as tf.Tensor, x as tf.Tensor, y as tf.Tensor) })
})

const f32 = (b: tf.Tensor): tf.Tensor => tf.cast(b, 'float32')

/** The gradient rules registered here, by kernel name. */
export const gradientRules: ReadonlyArray<Rule> = [
  binary(
    'Add',
    (dy) => dy,
    (dy) => dy
  ),
  binary(
    'Sub',
    (dy) => dy,
    (dy) => tf.neg(dy)
  ),
  binary(
    'Multiply',
    (dy, _a, b) => tf.mul(dy, b),
    (dy, a) => tf.mul(dy, a)
  ),
  binary(
    'RealDiv',
    (dy, _a, b) => tf.div(dy, b),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))
  ),
  // ties go to `a`, as in tfjs's own rules
  binary(
    'Minimum',
    (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b)))
  ),
  binary(
    'Maximum',
    (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.less(a, b)))
  ),
  unary('Neg', (dy) => tf.neg(dy)),
  unary('Exp', (dy, _x, y) => tf.mul(dy, y)),
  unary('Log', (dy, x) => tf.div(dy, x)),
  unary('Square', (dy, x) => tf.mul(tf.mul(dy, x), 2)),
  unary('Rsqrt', (dy, _x, y) => tf.mul(dy, tf.mul(tf.mul(tf.square(y), y), -0.5))),
  unary('Tanh', (dy, _x, y) => tf.mul(dy, tf.sub(1, tf.square(y)))),
  unary('Identity', (dy) => dy),
  unary('Cast', (dy) => tf.clone(dy)),
  {
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () =>
        tf.where(
          tf.logicalAnd(
            tf.greaterEqual(x as tf.Tensor, attrs['clipValueMin'] as number),
            tf.lessEqual(x as tf.Tensor, attrs['clipValueMax'] as number)
          ),
          dy as tf.Tensor,
          tf.zerosLike(dy as tf.Tensor)
        )
    })
  },
  {
    kernelName: 'Select',
    inputsToSave: ['condition'],
    gradFunc: (dy, [c]) => ({
      condition: () => tf.zerosLike(c as tf.Tensor),
      t: () => tf.mul(dy as tf.Tensor, f32(c as tf.Tensor)),
      e: () => tf.mul(dy as tf.Tensor, f32(tf.logicalNot(c as tf.Tensor)))
    })
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => expandReduced(dy as tf.Tensor, x as tf.Tensor, attrs['axis'] as number | number[])
    })
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => {
        const axes = tf.util.parseAxisParam(
          (attrs['axis'] as number | number[] | undefined) ?? (x as tf.Tensor).shape.map((_, i) => i),
          (x as tf.Tensor).shape
        )
        const n = axes.reduce((s, a) => s * ((x as tf.Tensor).shape[a] as number), 1)
        return tf.div(expandReduced(dy as tf.Tensor, x as tf.Tensor, axes), n)
      }
    })
  },
  ...(['Min', 'Max'] as const).map((kernelName): Rule => ({
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => ({
      x: () => {
        const axis = attrs['reductionIndices'] as number | number[]
        const yb = expandReduced(y as tf.Tensor, x as tf.Tensor, axis)
        return tf.mul(expandReduced(dy as tf.Tensor, x as tf.Tensor, axis), f32(tf.equal(x as tf.Tensor, yb)))
      }
    })
  })),
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, (x as tf.Tensor).shape) })
  },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, [x]) => ({ input: () => tf.reshape(dy as tf.Tensor, (x as tf.Tensor).shape) })
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _s, attrs) => {
      const perm = attrs['perm'] as number[]
      const inv = perm.map((_, i) => perm.indexOf(i))
      return { x: () => tf.transpose(dy as tf.Tensor, inv) }
    }
  },
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _s, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs['axis'] as number) })
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => ({
      logits: () => {
        const dim = attrs['dim'] as number
        const dyy = tf.mul(dy as tf.Tensor, y as tf.Tensor)
        return tf.sub(dyy, tf.mul(tf.sum(dyy, [dim], true), y as tf.Tensor))
      }
    })
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => {
        // dy has shape [r0·s0, r1·s1, …]: view it as [r0, s0, r1, s1, …] and sum the r axes
        const reps = attrs['reps'] as number[]
        const s = (x as tf.Tensor).shape
        const split = s.flatMap((d, i) => [reps[i] as number, d])
        return tf.sum(
          tf.reshape(dy as tf.Tensor, split),
          s.map((_, i) => 2 * i)
        )
      }
    })
  }
]

// tfjs answers undefined for a kernel with no gradient yet, which its declared type leaves out
const registeredGradient = tf.getGradient as (kernelName: string) => tf.GradConfig | undefined
for (const rule of gradientRules)
  if (registeredGradient(rule.kernelName) === undefined) tf.registerGradient(rule)
