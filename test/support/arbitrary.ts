/**
 * fast-check arbitraries derived from io-ts codecs, so the type, the decoder and the generator come
 * from one definition. Supports what `src/spec` uses: bounded branded numbers (via their `bounds`),
 * strict records, literals, keyof, unions, (readonly) arrays, string, number, boolean, null.
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import type { NumberBounds } from '../../src/spec/codec.ts'

type AnyCodec = t.Mixed & {
  readonly _tag?: string
  readonly bounds?: NumberBounds
  readonly props?: t.Props
  readonly types?: ReadonlyArray<t.Mixed>
  readonly type?: t.Mixed
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

/** An arbitrary for every value the codec accepts (within documented practical bounds). */
export const arbitraryOf = <A, O = A>(codec: t.Type<A, O, unknown>): fc.Arbitrary<A> => {
  const c = codec as unknown as AnyCodec
  if (c.bounds !== undefined) return numberArb(c.bounds) as unknown as fc.Arbitrary<A>
  switch (c._tag) {
    case 'StrictType':
    case 'InterfaceType':
    case 'ExactType': {
      const props = c.props ?? (c.type as AnyCodec | undefined)?.props ?? {}
      const rec: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, v] of Object.entries(props)) rec[k] = arbitraryOf(v as t.Mixed)
      return fc.record(rec, { noNullPrototype: true }) as unknown as fc.Arbitrary<A>
    }
    case 'LiteralType':
      return fc.constant(c.value) as unknown as fc.Arbitrary<A>
    case 'KeyofType':
      return fc.constantFrom(...Object.keys(c.keys ?? {})) as unknown as fc.Arbitrary<A>
    case 'UnionType':
      return fc.oneof(...(c.types ?? []).map((x) => arbitraryOf(x))) as unknown as fc.Arbitrary<A>
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return fc.array(arbitraryOf(c.type as t.Mixed), { maxLength: 6 }) as unknown as fc.Arbitrary<A>
    case 'ReadonlyType':
      return arbitraryOf(c.type as t.Mixed) as unknown as fc.Arbitrary<A>
    case 'StringType':
      return fc.string({ maxLength: 40 }) as unknown as fc.Arbitrary<A>
    case 'NumberType':
      return fc.double({ noNaN: true, noDefaultInfinity: true }) as unknown as fc.Arbitrary<A>
    case 'BooleanType':
      return fc.boolean() as unknown as fc.Arbitrary<A>
    case 'NullType':
      return fc.constant(null) as unknown as fc.Arbitrary<A>
    default:
      throw new Error(`arbitraryOf: no arbitrary for codec ${codec.name} (_tag ${String(c._tag)})`)
  }
}
