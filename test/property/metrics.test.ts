/**
 * The metrics codec against the ranges docs/metrics.md states. The generator is written from the
 * document, not derived from the codec, so a codec that drifts from the document fails here.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { MetricsLine, metricNames, optionalMetricNames } from '../../src/spec/metrics.ts'
import { decodeWith, showDecodeError } from '../../src/spec/codec.ts'
import { property } from '../support/property.ts'

// ranges as docs/metrics.md states them; large enough bounds for counts (a long run's env steps)
const count = fc.integer({ min: 0, max: 2 ** 40 })
const frac = fc.double({ min: 0, max: 1, noNaN: true })
const score = fc.double({ min: 0, max: 100, noNaN: true })
const real = fc.double({ min: -1e9, max: 1e9, noNaN: true })
const nonNeg = fc.double({ min: 0, max: 1e9, noNaN: true })
const orNull = <A>(a: fc.Arbitrary<A>) => fc.option(a, { nil: null })

const line = fc.record(
  {
    iteration: count,
    method: fc.constantFrom('empo2', 'grpo', 'reflexion', 'empo2-noOff'),
    seed: count,
    'env/steps': count,
    'time/wall_s': nonNeg,
    'charts/success': frac,
    'charts/score': score,
    'charts/return': real,
    'charts/intrinsic': nonNeg,
    'losses/policy': orNull(real),
    'losses/clipfrac': orNull(frac),
    'losses/maskfrac': orNull(frac),
    'losses/approx_kl': orNull(real),
    'losses/entropy': orNull(real),
    'losses/grad_norm': orNull(nonNeg),
    'update/rows': count,
    'memory/size': count,
    'memory/tips_per_step': nonNeg,
    'modes/on_nomem': count,
    'modes/on_mem': count,
    'modes/off': count,
    'eval/success': orNull(frac),
    'eval/score': orNull(score),
    'eval/ood_success': orNull(frac)
  },
  { requiredKeys: metricNames.filter((k) => k !== 'eval/ood_success') as never, noNullPrototype: true }
)

const problems = (u: unknown): string => {
  const r = decodeWith(MetricsLine, 'metrics line')(u)
  return E.isLeft(r) ? showDecodeError(r.left) : ''
}

// a value outside the documented range (or of the wrong type) for each kind of field
const badValue = (name: string): fc.Arbitrary<unknown> => {
  // a value of the wrong type is bad everywhere; a number only where the range is bounded
  if (name === 'method') return fc.constantFrom(1, null, true)
  const wrongType = fc.constantFrom<unknown>('1', true, [], {})
  const kind: fc.Arbitrary<unknown> | null = /success|frac/u.test(name)
    ? fc.oneof(fc.double({ min: 1.0000001, max: 1e6, noNaN: true }), fc.double({ max: -1e-9, noNaN: true }))
    : /score$/u.test(name) && name !== 'charts/return'
      ? fc.oneof(
          fc.double({ min: 100.000001, max: 1e6, noNaN: true }),
          fc.double({ max: -1e-9, noNaN: true })
        )
      : /^(iteration|seed|env\/steps|update\/rows|memory\/size|modes\/)/u.test(name)
        ? fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(0.5, 1.25, 7.001))
        : /wall_s|intrinsic|grad_norm|tips_per_step/u.test(name)
          ? fc.double({ max: -1e-9, noNaN: true })
          : null
  return kind === null ? wrongType : fc.oneof(wrongType, kind)
}

property(
  'every line within the documented ranges decodes, unchanged, also after a JSON round trip',
  [line],
  (l) => {
    const r = MetricsLine.decode(JSON.parse(JSON.stringify(l)))
    return E.isRight(r) && JSON.stringify(r.right) === JSON.stringify(l)
  }
)

property(
  'an unknown key is rejected, and the error names it',
  [
    line,
    fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !metricNames.includes(k) && k !== '__proto__')
  ],
  (l, k) => problems({ ...l, [k]: 1 }).includes(`unknown key "${k}"`)
)

property(
  'a missing required metric is rejected, and the error names it',
  [line, fc.constantFrom(...metricNames.filter((k) => !optionalMetricNames.includes(k)))],
  (l, k) => {
    const { [k]: _, ...rest } = l as Record<string, unknown>
    return problems(rest).includes(`at ${k}:`)
  }
)

property(
  'a value of the wrong type or outside its documented range is rejected, and the error names the field',
  [line, fc.constantFrom(...metricNames).chain((k) => badValue(k).map((v) => [k, v] as const))],
  (l, [k, v]) => problems({ ...l, [k]: v }).includes(`at ${k}:`)
)

property(
  'the optional eval/ood_success may be absent, null or a fraction, and nothing else',
  [
    line,
    fc.oneof(fc.constant(undefined), fc.constant(null), frac, fc.double({ min: 1.001, max: 9, noNaN: true }))
  ],
  (l, v) => {
    const { 'eval/ood_success': _, ...rest } = l
    const u = v === undefined ? rest : { ...rest, 'eval/ood_success': v }
    return E.isRight(MetricsLine.decode(u)) === (v === undefined || v === null || v <= 1)
  }
)

test('docs/metrics.md defines every metric name, and names no other', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8')
  const documented = [...doc.matchAll(/^\| `([a-z_]+(?:\/[a-z_]+)?)`/gmu)].map((m) => m[1])
  assert.deepEqual([...documented].sort(), [...metricNames].sort())
})
