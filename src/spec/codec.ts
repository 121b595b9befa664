/**
 * Codec building blocks shared by every spec module: bounded, branded numbers that carry their bounds
 * (so fast-check arbitraries can be derived from them), strict records that reject unknown keys, and a
 * reporter that turns io-ts errors into messages naming the field path.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Bounds of a numeric codec. Inclusive unless the `…Exclusive` flag says otherwise.
 *
 * @since 0.1.0
 * @category model
 */
export interface NumberBounds {
  readonly min?: number
  readonly max?: number
  readonly minExclusive?: boolean
  readonly maxExclusive?: boolean
  readonly integer?: boolean
}

/**
 * A branded number codec that remembers its bounds.
 *
 * @since 0.1.0
 * @category model
 */
export interface BoundedC<B extends { readonly [K in keyof B]: symbol }> extends t.BrandC<t.NumberC, B> {
  readonly bounds: NumberBounds
  /** The brand alone (`NonNegativeInt`), where `name` also states the bounds. */
  readonly brandName: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const describeBounds = (b: NumberBounds): string => {
  const kind = b.integer === true ? 'integer' : 'finite number'
  const lo = b.min === undefined ? '(-∞' : `${b.minExclusive === true ? '(' : '['}${b.min}`
  const hi = b.max === undefined ? '∞)' : `${b.max}${b.maxExclusive === true ? ')' : ']'}`
  return `${kind} in ${lo}, ${hi}`
}

/**
 * Whether `n` satisfies `bounds` (always requires a finite number).
 *
 * @since 0.1.0
 * @category destructors
 */
export const inBounds =
  (bounds: NumberBounds) =>
  (n: number): boolean =>
    Number.isFinite(n) &&
    (bounds.integer !== true || Number.isInteger(n)) &&
    (bounds.min === undefined || (bounds.minExclusive === true ? n > bounds.min : n >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive === true ? n < bounds.max : n <= bounds.max))

/**
 * A branded number codec with bounds. The codec's name states the bounds, so a decoding error reads
 * "expected LogProb (finite number in (-∞, 0])".
 *
 * @since 0.1.0
 * @category constructors
 */
export const bounded = <N extends string, B extends { readonly [K in N]: symbol }>(
  name: N,
  bounds: NumberBounds
): BoundedC<B> => {
  const check = inBounds(bounds)
  const codec = t.brand(t.number, (n): n is t.Branded<number, B> => check(n), name)
  return Object.assign(
    new t.RefinementType(
      `${name} (${describeBounds(bounds)})`,
      codec.is,
      codec.validate,
      codec.encode,
      t.number,
      codec.predicate
    ),
    { bounds, brandName: name }
  )
}

/**
 * The constructor of a bounded brand: `x` itself, typed as the brand, when the codec accepts it; a
 * `RangeError` naming the brand, its bounds and `x` otherwise. The check is the codec's own `is`, so
 * the codec and the constructor cannot disagree. For values the code computes (a literal, a count);
 * input from outside is decoded with the codec, which reports every bad field.
 *
 * @example
 * import { bounded, brand } from './codec.ts'
 * interface HalfBrand {
 *   readonly Half: unique symbol
 * }
 * const half = brand(bounded<'Half', HalfBrand>('Half', { min: 0, max: 0.5 }))
 * assert.equal(half(0.25), 0.25)
 * assert.throws(() => half(1), /^RangeError: Half: expected a finite number in \[0, 0.5\], got 1$/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const brand =
  <B extends { readonly [K in keyof B]: symbol }>(codec: BoundedC<B>) =>
  (x: number): t.Branded<number, B> => {
    if (codec.is(x)) return x
    const what = describeBounds(codec.bounds)
    throw new RangeError(
      `${codec.brandName}: expected ${what.startsWith('i') ? 'an' : 'a'} ${what}, got ${x}`
    )
  }

/**
 * The props of a strict record, kept on the codec so arbitraries and partial decoders can walk it.
 *
 * @since 0.1.0
 * @category model
 */
export interface StrictC<P extends t.Props> extends t.Type<t.TypeOf<t.TypeC<P>>, t.OutputOf<t.TypeC<P>>> {
  readonly _tag: 'StrictType'
  readonly props: P
}

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
      prev = tmp
    }
  }
  return row[b.length] as number
}

/**
 * A JSON object (not `null`, not an array): what overrides files and config sections must be.
 *
 * @example
 * import { isPlainObject } from './codec.ts'
 * assert.ok(isPlainObject({ a: 1 }) && !isPlainObject([1]) && !isPlainObject(null))
 *
 * @since 0.1.0
 * @category refinements
 */
export const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The closest known key to a misspelled one, if it is close enough to be a likely typo.
 *
 * @since 0.1.0
 * @category destructors
 */
export const suggestKey = (key: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestD = Infinity
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = k
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

const unknownKeyMessage = (key: string, known: ReadonlyArray<string>): string => {
  const s = suggestKey(key, known)
  return `unknown key "${key}"${s === undefined ? '' : ` (did you mean "${s}"?)`}; known keys: ${known.join(', ')}`
}

/**
 * A record codec that rejects unknown keys (a misspelled hyperparameter is an error, never ignored)
 * and strips nothing silently.
 *
 * @since 0.1.0
 * @category constructors
 */
export const strict = <P extends t.Props>(props: P, name: string): StrictC<P> => {
  const inner = t.type(props, name)
  const known = Object.keys(props)
  const validate: t.Validate<unknown, t.TypeOf<t.TypeC<P>>> = (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, `expected an object (${name})`)
    const extra = Object.keys(u).filter((k) => !Object.prototype.hasOwnProperty.call(props, k))
    if (extra.length > 0) {
      return t.failures(
        extra.map((k) => ({
          value: (u as Record<string, unknown>)[k],
          context: [...c, { key: k, type: t.never, actual: (u as Record<string, unknown>)[k] }],
          message: unknownKeyMessage(k, known)
        }))
      )
    }
    return inner.validate(u, c)
  }
  return Object.assign(new t.Type(name, inner.is, validate, inner.encode), {
    _tag: 'StrictType' as const,
    props
  })
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const showValue = (v: unknown): string => {
  if (v === undefined) return 'nothing'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  const s = JSON.stringify(v) as string | undefined // undefined for a function or a symbol
  return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/**
 * The field path of an io-ts error, e.g. `clip.epsLow` or `steps[3].reward` (union branches and
 * refinements add no segment).
 *
 * @since 0.1.0
 * @category destructors
 */
export const errorPath = (ctx: t.Context): string => {
  let out = ''
  for (let i = 1; i < ctx.length; i++) {
    const entry = ctx[i] as t.ContextEntry
    const parent = (ctx[i - 1] as t.ContextEntry).type as { readonly _tag?: string }
    if (parent._tag === 'UnionType' || parent._tag === 'IntersectionType' || parent._tag === 'RefinementType')
      continue
    if (entry.key === '') continue
    out += /^\d+$/.test(entry.key) ? `[${entry.key}]` : out === '' ? entry.key : `.${entry.key}`
  }
  return out === '' ? '(root)' : out
}

/**
 * One line per error: `at <path>: <message or expected type>, got <value>`. Union failures are
 * collapsed to the deepest path so the reader sees the field, not every branch tried.
 *
 * @since 0.1.0
 * @category destructors
 */
export const formatErrors = (errors: t.Errors): ReadonlyArray<string> => {
  const lines = errors.map((e) => {
    const path = errorPath(e.context)
    const last = e.context[e.context.length - 1]
    const expected = e.message ?? `expected ${last?.type.name ?? 'a value'}, got ${showValue(e.value)}`
    return `at ${path}: ${expected}`
  })
  return [...new Set(lines)]
}

/**
 * A decoding failure, as a value: which input (`what`) and every problem found, path first.
 *
 * @since 0.1.0
 * @category model
 */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly what: string
  readonly problems: ReadonlyArray<string>
}

/**
 * Decode `u` with `codec`, turning failures into a {@link DecodeError} naming every bad field.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeWith =
  <A, O>(codec: t.Type<A, O>, what: string) =>
  (u: unknown): E.Either<DecodeError, A> =>
    pipe(
      codec.decode(u),
      E.mapLeft((errors) => ({ _tag: 'DecodeError' as const, what, problems: formatErrors(errors) }))
    )

/**
 * The text of a {@link DecodeError}, for a CLI or an exception message.
 *
 * @since 0.1.0
 * @category destructors
 */
export const showDecodeError = (e: DecodeError): string =>
  `invalid ${e.what}:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`

/**
 * Decode or throw an `Error` whose message is {@link showDecodeError}. For edges where an exception
 * is the right failure (tests, CLI entry points that catch and print it).
 *
 * @since 0.1.0
 * @category destructors
 */
export const decodeOrThrow =
  <A, O>(codec: t.Type<A, O>, what: string) =>
  (u: unknown): A =>
    pipe(
      decodeWith(codec, what)(u),
      E.getOrElse<DecodeError, A>((e) => {
        throw new Error(showDecodeError(e))
      })
    )
