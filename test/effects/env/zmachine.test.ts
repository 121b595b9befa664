/**
 * The Z-machine environment on a real third-party game: advent.z5 (Jericho's "advent") from the
 * glkote-term package, run by ifvms. A fixed command script reaches the known score of 68 of 350
 * (36 at the start, +25 for reaching the Hall of Mists, +7 for the gold nugget); two resets of one
 * environment start from the same state.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { zmachine } from '../../../src/effects/env/zmachine.ts'
import type { Environment, ResetRequest, StepResult } from '../../../src/spec/env.ts'

// the prologue of glkote-term's tests/advent.z5.regtest, then on to the gold nugget
const script = [
  'east',
  'get all',
  'west',
  'south',
  'south',
  'south',
  'unlock grate with keys',
  'open it',
  'down',
  'west',
  'west',
  'turn on lamp',
  'west',
  'west',
  'west',
  'down',
  'south',
  'take gold'
]
const advent = { task: 'advent', variant: 0, seed: 1234 } as ResetRequest

const play = async (actions: ReadonlyArray<string>, req = advent, stepLimit?: number) => {
  const env = zmachine(stepLimit === undefined ? {} : { stepLimit })
  const r = await env.reset(req)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const steps: StepResult[] = []
  for (const a of actions) steps.push(await env.step(a))
  await env.close()
  return { first: r.right, steps }
}

test('advent: the fixed script reaches the known score 68/350, read from the game', async () => {
  const { first, steps } = await play([...script, 'score'])
  assert.match(first.observation, /At End Of Road/)
  assert.equal(first.info['rawScore'], 36)
  const last = steps.at(-1)
  assert.match(last?.observation ?? '', /scored 68 out of a possible 350/)
  assert.equal(last?.info['rawScore'], 68)
  assert.ok(Math.abs(last.score - (100 * 68) / 350) < 1e-9)
  assert.equal(
    steps.reduce((s, x) => s + x.reward, 0),
    68 - 36
  )
  assert.deepEqual(
    steps.filter((s) => s.reward !== 0).map((s) => s.reward),
    [25, 7]
  )
  assert.match(steps[1]?.observation ?? '', /brass lantern: Taken\./)
  assert.ok(steps.every((s) => !s.done))
})

test('advent: same seed, same transcript; odd input gets the game’s own message and never throws', async () => {
  const odd = ['', 'xyzzzy', 'take\nall', '!!!', 'save', 'restore', 'a'.repeat(500), 'é ü 中文', 'look']
  const a = await play(odd)
  const b = await play(odd)
  assert.deepEqual(a, b)
  for (const s of a.steps) {
    assert.equal(s.done, false)
    assert.ok(s.observation.length <= 600)
  }
  assert.match(a.steps[1]?.observation ?? '', /not a verb I recognise/)
})

test('advent: the episode ends at the step limit, and stepping after the end is an error value', async () => {
  const { steps } = await play(['wait', 'wait', 'wait', 'wait'], advent, 3)
  assert.deepEqual(
    steps.map((s) => s.done),
    [false, false, true, true]
  )
  assert.match(String(steps[3]?.info['error']), /outside an episode/)
})

test('advent: quitting ends the episode (the game is over)', async () => {
  const { steps } = await play(['quit', 'yes'])
  assert.equal(steps.at(-1)?.done, true)
})

// -------------------------------------------------------------------------------------
// one environment, many episodes
// -------------------------------------------------------------------------------------

const episode = async (env: Environment, actions: ReadonlyArray<string>, req = advent) => {
  const r = await env.reset(req)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const steps: StepResult[] = []
  for (const a of actions) steps.push(await env.step(a))
  return { first: r.right, steps }
}

test('two resets of one environment start from the same state: episode two carries nothing of episode one', async () => {
  const env = zmachine()
  const one = await episode(env, ['east', 'get all', 'inventory'])
  assert.match(one.steps[2]?.observation ?? '', /brass lantern/)
  const two = await episode(env, ['inventory'])
  assert.deepEqual(two.first, one.first)
  assert.match(two.steps[0]?.observation ?? '', /carrying nothing/)
  assert.doesNotMatch(two.steps[0]?.observation ?? '', /lantern|keys|food/)
  // and a whole scripted episode replays identically in the same environment
  const three = await episode(env, script)
  const four = await episode(env, script)
  assert.deepEqual(four, three)
  assert.deepEqual(three, await play(script))
  await env.close()
})
