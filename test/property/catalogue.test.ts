import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { fitSchedule, heldOutTasks, oodTasks } from '../../src/core/env/catalogue.ts'
import { suite } from '../../src/core/env/suite.ts'
import { families } from '../../src/core/env/families.ts'
import { mainJobSchedule } from '../../src/spec/run.ts'
import type { TaskInfo } from '../../src/spec/env.ts'
import { nonNegativeInt } from '../../src/spec/brands.ts'
import { property } from '../support/property.ts'

const names = fc.constantFrom('a', 'b', 'c', 'd')
const taskInfo: fc.Arbitrary<TaskInfo> = fc.record({
  task: names,
  split: fc.constantFrom('train' as const, 'test' as const, 'ood' as const),
  variants: fc
    .uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 5 })
    .map((vs) => vs.map(nonNegativeInt))
})
const catalogue = fc.array(taskInfo, { minLength: 1, maxLength: 6 })
const schedule = fc.record({
  families: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'x'), { maxLength: 3 }),
  variants: fc
    .uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 4 })
    .map((vs) => vs.map(nonNegativeInt)),
  oodFamilies: fc.uniqueArray(names, { maxLength: 2 })
})

property(
  'on the embedded suite, the held-out and OOD variants are the suite’s own (5, 6, … unseen; 0, 1, … OOD), so a suite run plays what it always played',
  [fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 25 })],
  (n, m) => {
    const train = families.filter((f) => f.split !== 'ood').map((f) => f.name)
    const ood = families.filter((f) => f.split === 'ood').map((f) => f.name)
    assert.deepEqual(
      heldOutTasks(suite.tasks, train, n),
      train.map((task) => ({ task, variants: Array.from({ length: n }, (_, i) => 5 + i) }))
    )
    assert.deepEqual(
      oodTasks(suite.tasks, ood, m),
      ood.map((task) => ({ task, variants: Array.from({ length: m }, (_, i) => i) }))
    )
    assert.deepEqual(fitSchedule(suite.tasks)(mainJobSchedule), E.right(mainJobSchedule))
  }
)

property(
  'a fitted schedule trains only on tasks and variants the environment has, keeps only its OOD families, and fitting again changes nothing',
  [catalogue, schedule],
  (cat, s) => {
    const r = fitSchedule(cat)({ ...mainJobSchedule, ...s })
    const tasks = new Set(cat.map((t) => t.task))
    const known = s.families.filter((f) => tasks.has(f))
    if (known.length > 0 && known.length < s.families.length) {
      const unknown = s.families.filter((x) => !tasks.has(x))
      assert.ok(
        E.isLeft(r) && unknown.every((x) => r.left.includes(x)),
        'unknown tasks among known ones are refused by name'
      )
      return
    }
    if (E.isLeft(r)) return
    const f = r.right
    assert.ok(f.families.length > 0 && f.families.every((x) => tasks.has(x)))
    const playable = new Set(cat.filter((t) => f.families.includes(t.task)).flatMap((t) => t.variants))
    assert.ok(f.variants.length > 0 && f.variants.every((v) => playable.has(v)))
    assert.ok(f.oodFamilies.every((x) => cat.some((t) => t.task === x && t.split === 'ood')))
    assert.deepEqual(fitSchedule(cat)(f), E.right(f))
  }
)
