/**
 * The method record: a memory survives its run-directory snapshot, a restore names what is missing,
 * every method updates on the rows it claims, and the effect layer never asks which method runs.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { runMethod } from '../../src/core/methods/registry.ts'
import type { MemoryKind } from '../../src/core/methods/record.ts'
import type { Episode } from '../../src/core/methods/algebra.ts'
import { embed } from '../../src/core/memory/embedding.ts'
import { Method, mainJobRun } from '../../src/spec/run.ts'
import type { Trajectory } from '../../src/core/train/trajectory.ts'
import { property } from '../support/property.ts'

const methods = Object.keys(Method.keys) as ReadonlyArray<Method>
const words = fc.constantFrom('hall', 'kitchen', 'key', 'door', 'lamp', 'open', 'take')
const sentence = fc.array(words, { minLength: 1, maxLength: 5 }).map((ws) => ws.join(' '))
const episode: fc.Arbitrary<Episode> = fc.record({
  task: fc.constantFrom('collect', 'boil', 'constructor'),
  variant: fc.integer({ min: 0, max: 3 }),
  note: fc.option(sentence, { nil: null }),
  finalState: sentence,
  history: sentence,
  steps: fc.array(
    fc.record({ observation: sentence, action: sentence, reward: fc.integer({ min: 0, max: 10 }) }),
    {
      maxLength: 3
    }
  ),
  score: fc.integer({ min: 0, max: 100 }),
  success: fc.boolean()
})
const kindOf = (m: Method, preset: 'paper' | 'official'): MemoryKind =>
  runMethod(mainJobRun(m, preset), embed).memory

property(
  'a memory read back from its snapshot (through JSON, as a run directory stores it) shows, counts and stores the same',
  [
    fc.constantFrom(...methods),
    fc.constantFrom('paper' as const, 'official' as const),
    fc.array(episode, { maxLength: 8 }),
    episode
  ],
  (m, preset, eps, probe) => {
    const kind = kindOf(m, preset)
    const v = eps.reduce((mem, e) => mem.write(e), kind.empty)
    const back = kind.restore(JSON.parse(JSON.stringify(v.snapshot)) as Record<string, unknown>)
    const ctx = { task: probe.task, variant: probe.variant, state: probe.finalState, history: probe.history }
    assert.deepEqual(back.snapshot, v.snapshot)
    assert.equal(back.size, v.size)
    assert.deepEqual(back.shown(ctx), v.shown(ctx))
    assert.deepEqual(back.recent(3), v.recent(3))
  }
)

test('a snapshot without the method’s store is refused, naming the field', () => {
  assert.throws(() => kindOf('empo2', 'paper').restore({ reflections: {} }), /no "memory" field/)
  assert.throws(
    () => kindOf('reflexion', 'paper').restore({ memory: { entries: [], nextSeq: 0 } }),
    /no "reflections" field/
  )
  assert.throws(
    () => kindOf('empo2', 'paper').restore({ memory: { entries: 3 } }),
    /memory snapshot field "memory"/
  )
})

test('a snapshot of a run stored with both stores (before the method was a value) restores either method', () => {
  const old = { memory: { entries: [], nextSeq: 0 }, reflections: { collect: ['look first'] } }
  assert.equal(kindOf('empo2', 'paper').restore(old).size, 0)
  assert.equal(kindOf('reflexion', 'paper').restore(old).size, 1)
})

const step = (mode: 'onPolicyNoMemory' | 'offPolicy', candidates: number) => ({
  observation: 'o',
  prompt: [],
  tips: [],
  mode,
  action: 'look',
  actionTokens: [1],
  oldLogProbs: [-1],
  reward: 0,
  intrinsic: 0,
  score: 0,
  candidates: Array.from({ length: candidates }, (_, j) => ({
    action: `a${j}`,
    actionTokens: [j],
    oldLogProbs: [-1],
    weight: 1 / candidates
  }))
})

// what each method updates on: nothing, every step, or every candidate a memory reweighted (a new
// method must say which here, or this file does not compile)
const updatesOn: { readonly [M in Method]: 'nothing' | 'steps' | 'candidates' } = {
  empo2: 'steps',
  grpo: 'steps',
  'grpo-novelty': 'steps',
  'empo2-no-offpolicy': 'steps',
  'empo2-no-mask': 'steps',
  'empo2-no-intrinsic': 'steps',
  reflexion: 'nothing',
  rememberer: 'nothing',
  mdsi: 'candidates'
}

property(
  'a method updates on no row (Reflexion, REMEMBERER), one row per step (EMPO² and GRPO kin), or one per candidate of a reweighted step (memory-driven prior refinement)',
  [
    fc.constantFrom(...methods),
    fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), { minLength: 1, maxLength: 4 })
  ],
  (m, episodes) => {
    const eps: Trajectory[] = episodes.map((cands, g) => ({
      task: 'collect',
      variant: 0,
      group: g,
      steps: cands.map((c, t) => step(t % 2 === 0 ? 'onPolicyNoMemory' : 'offPolicy', c)),
      finalObservation: 'o',
      score: 0,
      tip: null,
      error: null
    }))
    const rows = runMethod(mainJobRun(m, 'paper'), embed).updateRows(
      eps,
      eps.map((e) => e.steps.map(() => 1))
    )
    const steps = episodes.flat()
    const expected = { nothing: 0, steps: steps.length, candidates: steps.reduce((a, b) => a + b, 0) }
    assert.equal(rows.length, expected[updatesOn[m]])
  }
)

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : []
  })

test('the effect layer never names a method: no method name appears as a string in src/effects', () => {
  const quoted = new RegExp(`['"\`](${methods.join('|')})['"\`]`, 'u')
  const hits = filesUnder('src/effects').flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .flatMap((line, i) => (quoted.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []))
  )
  assert.deepEqual(hits, [])
})

property(
  'a method that has the policy write a tip also stores it (a tip never read is wasted generation)',
  [fc.constantFrom(...methods), fc.constantFrom('paper' as const, 'official' as const)],
  (m, preset) => {
    const r = runMethod(mainJobRun(m, preset), embed)
    assert.ok(!r.writesTips || r.writesMemory)
  }
)
