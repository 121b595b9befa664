/**
 * Laws of the embedded exploration suite (src/core/env): determinism from (family, variant, seed),
 * every variant solvable by the oracle within the step limit, exploration is necessary (a policy
 * that never leaves the start room cannot reach 100), fuzzed actions never throw and cost a step,
 * observations and action lists stay within their stated bounds. See proofs/environments.md.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { property } from '../../support/property.ts'
import {
  families,
  familyByName,
  splitOf,
  stepLimit,
  variantsPerFamily
} from '../../../src/core/env/families.ts'
import { playout, suite } from '../../../src/core/env/suite.ts'
import type { EpisodeState } from '../../../src/core/env/suite.ts'
import {
  maxActionWords,
  maxAdmissibleActions,
  maxObservationLength,
  roomOf
} from '../../../src/core/env/world.ts'
import { ResetResult, StepResult } from '../../../src/spec/env.ts'
import type { ResetRequest } from '../../../src/spec/env.ts'

const req = (task: string, variant: number, seed: number): ResetRequest =>
  ({ task, variant, seed }) as ResetRequest

const resetOk = (r: ResetRequest): readonly [EpisodeState, ResetResult] => {
  const out = suite.reset(r)
  if (E.isLeft(out)) throw new Error(out.left.message)
  return out.right
}

// inputs: a family, a variant in [0, 25), a 32-bit seed
const familyArb = fc.constantFrom(...families.map((f) => f.name))
const variantArb = fc.integer({ min: 0, max: variantsPerFamily - 1 })
const seedArb = fc.integer({ min: 0, max: 2 ** 32 - 1 })
// an agent's move: pick an admissible action by index, or type something arbitrary (up to 1000
// characters, longer than any echo bound, to test truncation); 60 moves exceed the step limit of 40
const moveArb = fc.oneof(
  { arbitrary: fc.nat().map((i) => ({ pick: i }) as const), weight: 4 },
  { arbitrary: fc.string({ minLength: 300, maxLength: 1000 }).map((s) => ({ text: s }) as const), weight: 1 },
  { arbitrary: fc.string({ maxLength: 300, unit: 'binary' }).map((s) => ({ text: s }) as const), weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('go to ', 'take ', 'use ', 'open ', 'focus on ', 'mix ', 'drop '),
        fc.string({ maxLength: 30 })
      )
      .map(([v, s]) => ({ text: v + s }) as const),
    weight: 1
  }
)
const movesArb = fc.array(moveArb, { maxLength: 60 })
const textArb = moveArb.map((m) => ('text' in m ? m.text : `take ${m.pick}`))

type Move = { readonly pick: number } | { readonly text: string }
const chooseAction = (admissible: ReadonlyArray<string>, m: Move): string =>
  'pick' in m
    ? admissible.length === 0
      ? 'look'
      : (admissible[m.pick % admissible.length] as string)
    : m.text

const play = (r: ResetRequest, moves: ReadonlyArray<Move>) => {
  const [s0, first] = resetOk(r)
  let s = s0
  let admissible = first.admissibleActions
  const results: StepResult[] = []
  for (const m of moves) {
    const [s1, out] = suite.step(s, chooseAction(admissible, m))
    s = s1
    admissible = out.admissibleActions
    results.push(out)
  }
  return { first, results, state: s }
}

property(
  'the suite is deterministic: the same (task, variant, seed) and actions give the same transcript',
  [familyArb, variantArb, seedArb, movesArb],
  (task, variant, seed, moves) => {
    const a = play(req(task, variant, seed), moves)
    const b = play(req(task, variant, seed), moves)
    assert.deepEqual(a.first, b.first)
    assert.deepEqual(a.results, b.results)
  },
  { numRuns: 50 }
)

test('variants are generated from the seed: the 25 variants of each family are (nearly all) distinct', () => {
  for (const f of families) {
    const keys = new Set(
      Array.from({ length: variantsPerFamily }, (_, v) => {
        const g = f.generate(v)
        return JSON.stringify([g.taskDescription, g.world.rooms, g.world.at, g.world.objects])
      })
    )
    assert.ok(keys.size >= 20, `${f.name}: only ${keys.size} distinct variants of ${variantsPerFamily}`)
  }
})

test('the oracle solves every train, test and OOD variant of every family within the step limit', () => {
  for (const f of families)
    for (let v = 0; v < variantsPerFamily; v++) {
      const plan = f.oracle(f.generate(v))
      assert.ok(plan.length <= stepLimit, `${f.name}#${v}: plan of ${plan.length} steps`)
      const { results } = playout(req(f.name, v, 7), plan)
      const last = results.at(-1)
      assert.equal(last?.score, 100, `${f.name}#${v}: oracle scored ${last?.score}`)
      assert.equal(last.done, true)
      assert.ok(
        results.slice(0, -1).every((r) => !r.done),
        `${f.name}#${v}: episode ended before the plan did`
      )
    }
})

test('the split is the paper’s: variants 0–4 train, 20 unseen test variants, 2 families held out', () => {
  const ind = families.filter((f) => f.split === 'in-distribution')
  assert.ok(ind.length >= 6)
  assert.ok(families.length - ind.length >= 2)
  for (const f of ind) {
    const vs = Array.from({ length: variantsPerFamily }, (_, v) => splitOf(f, v))
    assert.equal(vs.filter((s) => s === 'train').length, 5)
    assert.equal(vs.filter((s) => s === 'test').length, 20)
  }
  const listed = suite.tasks.filter((t) => t.split === 'test').flatMap((t) => t.variants)
  assert.equal(listed.length, 20 * ind.length)
})

property(
  'exploration is necessary: a policy that never leaves its start room never reaches 100',
  [familyArb, variantArb, seedArb, fc.array(fc.nat(), { maxLength: stepLimit })],
  (task, variant, seed, picks) => {
    const [s0, first] = resetOk(req(task, variant, seed))
    let s = s0
    let admissible = first.admissibleActions
    for (const i of picks) {
      const local = admissible.filter((a) => !a.startsWith('go to '))
      if (local.length === 0) break
      const [s1, out] = suite.step(s, local[i % local.length] as string)
      s = s1
      admissible = out.admissibleActions
      assert.ok(out.score < 100, `${task}#${variant} solved without leaving the room`)
      assert.equal(s.world.at, s0.world.at)
    }
  },
  { numRuns: 300 }
)

property(
  'no action text can crash a step; an action not in the list costs one step and changes nothing else',
  [familyArb, variantArb, seedArb, movesArb, textArb],
  (task, variant, seed, moves, junk) => {
    const { state } = play(req(task, variant, seed), moves)
    if (state.done) return
    const [next, out] = suite.step(state, junk)
    assert.equal(next.steps, state.steps + 1)
    if (out.info['valid'] === false) {
      assert.deepEqual(next.world, state.world)
      assert.equal(out.reward, 0)
      assert.ok(out.observation.length > 0)
    }
  },
  { numRuns: 200 }
)

property(
  'observations stay within 600 characters, at most 30 admissible actions of at most 6 words, and every result decodes',
  [familyArb, variantArb, seedArb, movesArb],
  (task, variant, seed, moves) => {
    const { first, results } = play(req(task, variant, seed), moves)
    assert.ok(E.isRight(ResetResult.decode(first)))
    for (const r of [first, ...results]) {
      assert.ok(r.observation.length <= maxObservationLength, `observation of ${r.observation.length} chars`)
      assert.ok(r.admissibleActions.length <= maxAdmissibleActions, `${r.admissibleActions.length} actions`)
      for (const a of r.admissibleActions) assert.ok(a.split(' ').length <= maxActionWords, a)
    }
    for (const r of results) assert.ok(E.isRight(StepResult.decode(r)), JSON.stringify(r))
  },
  {
    numRuns: 150,
    regressions: [
      [
        'two-word tool on a two-word thing: "use blue paint on red paint" has 6 words',
        ['make-paint', 15, 0, [{ text: 'go to ' }, ...Array.from({ length: 6 }, () => ({ pick: 0 }))]]
      ]
    ]
  }
)

property(
  'rewards are score differences, the score stays in [0, 100], and an episode ends by the step limit',
  [familyArb, variantArb, seedArb, movesArb],
  (task, variant, seed, moves) => {
    const { first, results, state } = play(req(task, variant, seed), moves)
    let prev = first.score
    for (const r of results) {
      assert.ok(r.score >= 0 && r.score <= 100)
      assert.equal(r.reward, r.score - prev)
      prev = r.score
    }
    if (moves.length >= stepLimit) assert.equal(state.done, true)
    const doneAt = results.findIndex((r) => r.done)
    assert.ok(doneAt === -1 || doneAt < stepLimit)
  },
  { numRuns: 100 }
)

property(
  'partial observability: the first observation names only what is in the start room',
  [familyArb, variantArb, seedArb],
  (task, variant, seed) => {
    const [s, first] = resetOk(req(task, variant, seed))
    // computed from locations, independently of the `visible` the observation uses
    const elsewhere = s.world.objects.filter((o) => {
      const r = roomOf(s.world, o.name)
      return r !== undefined && (r !== s.world.at || o.loc._tag === 'Inside')
    })
    const here = s.world.objects.filter((o) => !elsewhere.includes(o)).map((o) => o.name)
    for (const o of elsewhere)
      if (!here.some((h) => h.includes(o.name)))
        assert.ok(!first.observation.includes(` ${o.name}`), `${o.name} is elsewhere but described`)
  }
)

test('reset rejects unknown tasks and out-of-range variants as values', () => {
  assert.ok(E.isLeft(suite.reset(req('no-such-task', 0, 0))))
  assert.ok(E.isLeft(suite.reset(req('collect', variantsPerFamily, 0))))
  assert.ok(familyByName('collect') !== undefined)
})
