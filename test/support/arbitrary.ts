/**
 * fast-check arbitraries derived from io-ts codecs, so the type, the decoder and the generator come
 * from one definition. Supports what `src/spec` uses: bounded branded numbers (via their `bounds`),
 * strict records, literals, keyof, unions, (readonly) arrays, string, number, boolean, null.
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import type { NumberBounds } from '../../src/spec/codec.ts'

// what the walk reads of a codec: its tag, and per kind its bounds, fields, members or element
interface AnyCodec {
  readonly name: string
  readonly _tag?: string
  readonly bounds?: NumberBounds
  readonly props?: Readonly<Record<string, AnyCodec>>
  readonly types?: ReadonlyArray<AnyCodec>
  readonly type?: AnyCodec
  readonly value?: unknown
  readonly keys?: Record<string, unknown>
}

const numberArb = (b: NumberBounds): fc.Arbitrary<number> => {
  if (b.integer === true) {
    const min = Math.ceil((b.min ?? -1e6) + (b.minExclusive === true ? 1 : 0))
    const max = Math.floor((b.max ?? 1e6) - (b.maxExclusive === true ? 1 : 0))
    return fc.integer({ min, max })
  }
  return fc
    .double({
      min: b.min ?? -1e6,
      max: b.max ?? 1e6,
      minExcluded: b.minExclusive === true,
      maxExcluded: b.maxExclusive === true,
      noNaN: true,
      noDefaultInfinity: true
    })
    .map((x) => (Object.is(x, -0) ? 0 : x))
}

const arbitraryOfAny = (c: AnyCodec): fc.Arbitrary<unknown> => {
  if (c.bounds !== undefined) return numberArb(c.bounds)
  switch (c._tag) {
    case 'StrictType':
    case 'InterfaceType':
    case 'ExactType': {
      const props = c.props ?? c.type?.props ?? {}
      const rec: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, v] of Object.entries(props)) rec[k] = arbitraryOfAny(v)
      return fc.record(rec, { noNullPrototype: true })
    }
    case 'LiteralType':
      return fc.constant(c.value)
    case 'KeyofType':
      return fc.constantFrom(...Object.keys(c.keys ?? {}))
    case 'UnionType':
      return fc.oneof(...(c.types ?? []).map(arbitraryOfAny))
    case 'ArrayType':
    case 'ReadonlyArrayType':
    case 'ReadonlyType':
      if (c.type === undefined) break
      return c._tag === 'ReadonlyType'
        ? arbitraryOfAny(c.type)
        : fc.array(arbitraryOfAny(c.type), { maxLength: 6 })
    case 'StringType':
      return fc.string({ maxLength: 40 })
    case 'NumberType':
      return fc.double({ noNaN: true, noDefaultInfinity: true })
    case 'BooleanType':
      return fc.boolean()
    case 'NullType':
      return fc.constant(null)
  }
  throw new Error(`arbitraryOf: no arbitrary for codec ${c.name} (_tag ${c._tag ?? 'none'})`)
}

/** An arbitrary for every value the codec accepts (within documented practical bounds). */
export const arbitraryOf = <A, O = A>(codec: t.Type<A, O>): fc.Arbitrary<A> =>
  // the walk above covers every kind of codec src/spec builds, so each value it draws is an A
  arbitraryOfAny(codec) as fc.Arbitrary<A>
